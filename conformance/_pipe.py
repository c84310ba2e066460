"""An adapter that is a separate program, spoken to in JSON lines over stdin and stdout.

``--adapter cmd:"node my_adapter.js"`` starts the program once and sends it one request per
line; the program answers each with one line. The program can be written in any language
(C++, Rust, JavaScript, MATLAB...): it only reads and writes JSON. The protocol
(``gradspec-pipe``, version 1) is specified in the docs page *Portable conformance*; in short:

1. Handshake. The suite sends ``{"id": 0, "member": "hello", "protocol": 1}``; the program
   answers ``{"id": 0, "result": {"protocol": 1, "name": "...", "members": [...],
   "dtypes": ["float32", "float64"]}}``. Members it does not list are *not provided*.
2. Calls. ``{"id": n, "member": "linear", "args": {"W": array, "x": array, "b": array}}``
   with the encoding of `gradspec.conformance._wire`; the answer is
   ``{"id": n, "result": ...}`` or, when the member rejects its input (a bad graph, say),
   ``{"id": n, "error": "message"}``.
3. End. The suite closes the program's stdin; the program exits.

Anything else is a protocol failure with a message that says what happened: the program
exited (its exit status and the last lines of its stderr), did not answer within the
timeout (it is stopped), or answered something that is not a JSON reply to that request.
After a protocol failure the program is restarted for the next call, so one crash fails one
clause, not the whole run. The program runs in a session of its own, so a Ctrl-C at the
terminal reaches only the suite (which then stops it), and a program that does not answer
in time is killed with everything it started.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import shlex
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._wire import PARAMETERS, WireError, decode_result, encode_args

__all__ = [
    "DEFAULT_TIMEOUT",
    "PROTOCOL",
    "PipeAdapter",
    "PipeError",
    "ProgramCrashed",
    "ProgramGarbage",
    "ProgramTimedOut",
    "RemoteError",
]

#: The protocol version this module speaks.
PROTOCOL = 1

#: Seconds to wait for one answer, unless ``timeout=`` or ``GRADSPEC_PIPE_TIMEOUT`` says.
DEFAULT_TIMEOUT = 30.0

#: How many times a program that keeps failing is restarted before calls give up at once.
MAX_RESTARTS = 25

#: The longest answer line read (bytes); a longer one is garbage, not a memory exhaustion.
MAX_LINE = 256 * 1024 * 1024

_STDERR_LINES = 20
_TOO_LONG = b"\0too long"


class PipeError(Exception):
    """The program broke the protocol: it could not start, crashed, hung or sent garbage.

    Not an error *of the member*: a conformance check must not count it as the member
    rejecting its input.
    """


class ProgramCrashed(PipeError):
    """The program exited (or closed its stdout) before answering."""


class ProgramTimedOut(PipeError):
    """The program did not answer within the timeout; it was stopped."""


class ProgramGarbage(PipeError):
    """The program answered a line that is not a valid reply to the request."""


class RemoteError(Exception):
    """The program answered ``{"error": ...}``: the member raised, in the program's language.

    Attributes
    ----------
    member : str
    kind : str or None
        The error's type, if the program named it (``{"error": {"type": ..., ...}}``).
    raised : bool
        False when the program says the member did not raise but returned something that
        could not be read (``"raised": false``, sent by ``--isolate``'s child).
    """

    def __init__(
        self, member: str, message: str, kind: str | None = None, *, raised: bool = True
    ) -> None:
        super().__init__(f"{kind}: {message}" if kind and message else kind or message)
        self.member = member
        self.kind = kind
        self.raised = raised


class _Process:
    """One running instance of the program, with threads that drain its stdout and stderr."""

    def __init__(
        self, argv: Sequence[str], cwd: str | None, env: Mapping[str, str] | None = None
    ) -> None:
        self.argv = list(argv)
        try:
            self.popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=None if env is None else dict(env),
                # Its own session: a terminal's Ctrl-C goes to the suite alone, and killpg
                # can stop whatever the program started.
                start_new_session=os.name == "posix",
            )
        except OSError as exc:
            raise ProgramCrashed(
                f"could not start {shlex.join(self.argv)!r}: {exc.strerror or exc}"
                + (
                    f" (is {self.argv[0]!r} installed and on PATH?)"
                    if isinstance(exc, FileNotFoundError)
                    else ""
                )
            ) from None
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        self.next_id = 0
        # Daemon threads: a program that never closes its pipes cannot keep Python alive.
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()

    def _pump_stdout(self) -> None:
        stream = self.popen.stdout
        assert stream is not None
        try:
            while line := stream.readline(MAX_LINE):
                if len(line) == MAX_LINE and not line.endswith(b"\n"):
                    self.lines.put(_TOO_LONG)
                    break
                self.lines.put(line)
        except (OSError, ValueError):  # the stream was closed under us by stop()
            pass
        self.lines.put(None)

    def _pump_stderr(self) -> None:
        stream = self.popen.stderr
        assert stream is not None
        try:
            for line in iter(lambda: stream.readline(64 * 1024), b""):
                self.stderr.append(line.decode("utf-8", "replace").rstrip("\n"))
        except (OSError, ValueError):  # the stream was closed under us by stop()
            pass

    def stderr_tail(self) -> str:
        # The stderr thread may still be reading the last lines of a program that just died.
        time.sleep(0.05)
        lines = list(self.stderr)
        if not lines:
            return "its stderr was empty"
        return "the last lines of its stderr:\n    " + "\n    ".join(lines)

    def stop(self, *, at_once: bool = False) -> None:
        """Close stdin (the program's signal to exit), then kill it if it lingers.

        ``at_once`` kills it without waiting (it hung). Either way whatever it started in
        its session is killed too, so no stray process outlives it.
        """
        try:
            if self.popen.stdin is not None:
                self.popen.stdin.close()
        except OSError:
            pass
        try:
            self.popen.wait(timeout=0 if at_once else 2.0)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self._kill_session()
        for stream in (self.popen.stdout, self.popen.stderr):
            if stream is not None:
                stream.close()

    def _kill_session(self) -> None:
        if os.name != "posix":
            return
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except OSError:  # the session is already empty
            pass


class PipeAdapter:
    """A program speaking the ``gradspec-pipe`` protocol, seen as an adapter object.

    After the handshake, each member the program lists becomes a method with the contract's
    signature (``sigmoid(z)``, ``leaky_relu(z, negative_slope=...)``, ``linear(W, x, b)``,
    ``backprop(graph, inputs)``...); the other members do not exist, so the suite reports
    their clauses as not provided.

    Parameters
    ----------
    command : str or sequence of str
        The program and its arguments; a string is split like a POSIX shell would (no shell
        runs). One pair of surrounding quotes is removed (``'"node a.js"'``).
    timeout : float, optional
        Seconds to wait for each answer (the handshake included). Default: the environment
        variable ``GRADSPEC_PIPE_TIMEOUT``, else `DEFAULT_TIMEOUT`.
    cwd : str, optional
        Working folder of the program.
    start_timeout : float, optional
        Seconds to wait for the handshake (the program's start-up). Default: ``timeout``.
    env : mapping, optional
        The program's environment. Default: this process's.

    Attributes
    ----------
    deadline : float or None
        A `time.monotonic` instant after which no answer is awaited (the whole run's time
        limit): a call still running then is stopped like one that timed out.

    Raises
    ------
    PipeError
        If the program cannot be started or its handshake fails.
    """

    def __init__(
        self,
        command: str | Sequence[str],
        *,
        timeout: float | None = None,
        cwd: str | None = None,
        start_timeout: float | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.argv = _split_command(command)
        self.timeout = _timeout(timeout)
        self.start_timeout = self.timeout if start_timeout is None else _timeout(start_timeout)
        self.cwd = cwd
        self.env = env
        self.deadline: float | None = None
        self.restarts = 0
        self._lock = threading.Lock()
        # The running process sits in a one-element list shared with the finalizer, which
        # stops whichever process is current when the adapter is collected or Python exits.
        self._holder: list[_Process | None] = [None]
        self._finalizer = weakref.finalize(self, PipeAdapter._stop_process, self._holder)
        self._last_failure: PipeError | None = None
        hello = self._start()
        self.name: str = str(hello.get("name") or shlex.join(self.argv))
        self.dtypes: tuple[str, ...] = tuple(hello.get("dtypes") or ("float32", "float64"))
        self.members: tuple[str, ...] = tuple(hello["members"])
        for member in self.members:
            setattr(self, member, self._method(member))

    @property
    def _process(self) -> _Process | None:
        return self._holder[0]

    @_process.setter
    def _process(self, process: _Process | None) -> None:
        self._holder[0] = process

    # --- the program's lifetime ------------------------------------------------------------

    def _start(self) -> dict[str, Any]:
        process = _Process(self.argv, self.cwd, self.env)
        self._process = process
        reply = self._exchange(
            "hello",
            {"member": "hello", "protocol": PROTOCOL, **self.hello_fields},
            timeout=self.start_timeout,
        )
        if "error" in reply:
            self._hello_refused(reply["error"])
        return _check_hello(reply.get("result"), self)

    def _hello_refused(self, error: Any) -> None:
        self._fail(
            ProgramGarbage,
            f"answered the hello handshake with an error: {_remote_error('hello', error)}",
        )

    @property
    def description(self) -> str:
        """How failures name the program."""
        return f"the adapter program {shlex.join(self.argv)!r}"

    @staticmethod
    def _stop_process(holder: list[_Process | None]) -> None:
        if holder[0] is not None:
            holder[0].stop()
            holder[0] = None

    def close(self) -> None:
        """Close the program's stdin and wait for it to exit (killed after 2 s)."""
        with self._lock:
            if self._process is not None:
                self._process.stop()
                self._process = None

    def __enter__(self) -> PipeAdapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PipeAdapter({shlex.join(self.argv)!r}, members={len(self.members)})"

    # --- one request -----------------------------------------------------------------------

    def _fail(self, kind: type[PipeError], what: str) -> None:
        """Stop the program and raise; the next call starts it again."""
        process = self._process
        if process is not None and kind is ProgramTimedOut:
            process.stop(at_once=True)  # hung: its stderr can be read once it is dead
        tail = process.stderr_tail() if process is not None else ""
        if process is not None:
            process.stop()
        self._process = None
        error = kind(f"{self.description} {what}; {tail}")
        self._last_failure = error
        raise error

    def _exchange(
        self, member: str, request: dict[str, Any], *, timeout: float | None = None
    ) -> dict[str, Any]:
        process = self._process
        assert process is not None
        request_id = process.next_id
        process.next_id += 1
        line = json.dumps({"id": request_id, **request}, separators=(",", ":"), allow_nan=False)
        try:
            assert process.popen.stdin is not None
            process.popen.stdin.write(line.encode("utf-8") + b"\n")
            process.popen.stdin.flush()
        except (BrokenPipeError, OSError):
            self._exited(process, member)
        wait = self.timeout if timeout is None else timeout
        run_out = self.deadline is not None and self.deadline - time.monotonic() < wait
        if run_out:
            assert self.deadline is not None
            wait = max(0.0, self.deadline - time.monotonic())
        try:
            answer = process.lines.get(timeout=wait)
        except queue.Empty:
            self._fail(
                ProgramTimedOut,
                f"was still running {member} when the whole run's time limit ran out, and "
                "was stopped"
                if run_out
                else f"did not answer request {request_id} ({member}) within {wait:g} s and "
                "was stopped (a per-call time limit: set GRADSPEC_PIPE_TIMEOUT, or "
                "--call-timeout under --isolate, to allow more time)",
            )
        if answer is None:
            self._exited(process, member)
        if answer == _TOO_LONG:
            self._fail(
                ProgramGarbage,
                f"answered request {request_id} ({member}) with a line longer than "
                f"{MAX_LINE} bytes",
            )
        text = answer.decode("utf-8", "replace").strip()
        try:
            reply = json.loads(text)
        except (ValueError, RecursionError) as exc:  # ValueError: also digits past the limit
            self._fail(
                ProgramGarbage,
                f"answered request {request_id} ({member}) with a line that is not JSON "
                f"({getattr(exc, 'msg', None) or type(exc).__name__}): {_clip(text)!r}. "
                "Write logs to stderr, never to stdout",
            )
        if not isinstance(reply, dict):
            self._fail(
                ProgramGarbage,
                f"answered request {request_id} ({member}) with {_clip(text)!r}; expected an "
                'object {"id": ..., "result": ...} or {"id": ..., "error": ...}',
            )
        if reply.get("id") != request_id:
            self._fail(
                ProgramGarbage,
                f"answered request {request_id} ({member}) with id {reply.get('id')!r}: every "
                "answer repeats the id of its request, in order",
            )
        if ("result" in reply) == ("error" in reply):
            self._fail(
                ProgramGarbage,
                f"answered request {request_id} ({member}) with {_clip(text)!r}; an answer has "
                'exactly one of "result" and "error"',
            )
        return reply

    def _exited(self, process: _Process, member: str) -> None:
        try:
            status = process.popen.wait(timeout=2.0)
            how = f"exited with status {status}"
            if status < 0:
                try:
                    how = f"was killed by signal {signal.Signals(-status).name}"
                except ValueError:
                    how = f"was killed by signal {-status}"
                if -status in (signal.SIGKILL, getattr(signal, "SIGXCPU", -1)):
                    how += " (did it run out of memory or CPU time?)"
        except subprocess.TimeoutExpired:
            how = "closed its stdout"
        self._fail(ProgramCrashed, f"{how} while answering {member}")

    def call(self, member: str, args: Mapping[str, Any]) -> Any:
        """Send one call (arguments by parameter name) and return the decoded result.

        Raises
        ------
        RemoteError
            The program answered an error: the member rejected its input.
        PipeError
            The program crashed, hung or answered garbage (it is restarted next time).
        """
        with self._lock:
            if self._process is None:
                if self.restarts >= self.max_restarts and self._last_failure is not None:
                    raise PipeError(
                        f"the adapter program failed {self.restarts} times; not restarting it "
                        f"again. Last failure: {self._last_failure}"
                    )
                self.restarts += 1
                self._start()
            try:
                encoded = self._encode_args(member, args)
            except WireError as exc:
                raise TypeError(f"{member}: {exc}") from None
            reply = self._exchange(member, {"member": member, "args": encoded})
            if "error" in reply:
                raise self._error(member, reply["error"])
            try:
                return self._decode_result(member, reply["result"])
            except Exception as exc:  # any malformed answer breaks the protocol, never more
                self._fail(
                    ProgramGarbage,
                    f"answered {member} with a malformed result: {type(exc).__name__}: "
                    f"{_clip(str(exc))}",
                )

    # --- the encoding, which a subclass may change --------------------------------------

    #: How many times the program is restarted after failures before calls give up at once.
    max_restarts: int = MAX_RESTARTS

    #: Extra fields of the hello request (a subclass negotiates its encoding there).
    hello_fields: Mapping[str, Any] = {}

    def _encode_args(self, member: str, args: Mapping[str, Any]) -> Any:
        return encode_args(member, args)

    def _decode_result(self, member: str, result: Any) -> Any:
        return decode_result(member, result, where=f"{member}'s result")

    def _error(self, member: str, error: Any) -> Exception:
        return _remote_error(member, error)

    def _method(self, member: str) -> Callable[..., Any]:
        parameters = PARAMETERS[member]

        def method(*args: Any, **kwargs: Any) -> Any:
            if len(args) > len(parameters):
                raise TypeError(f"{member}() takes at most {len(parameters)} arguments")
            named = dict(zip(parameters, args, strict=False))
            for key, value in kwargs.items():
                if key not in parameters or key in named:
                    raise TypeError(f"{member}() got an unexpected or repeated argument {key!r}")
                named[key] = value
            return self.call(member, named)

        method.__name__ = member
        method.__doc__ = f"{member}({', '.join(parameters)}), answered by the program."
        return method


def _split_command(command: str | Sequence[str]) -> list[str]:
    if isinstance(command, str):
        text = command.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1]
        argv = shlex.split(text)
    else:
        argv = [str(part) for part in command]
    if not argv:
        raise PipeError('the adapter command is empty; write it as cmd:"program arguments"')
    return argv


def _timeout(timeout: float | None) -> float:
    if timeout is None:
        text = os.environ.get("GRADSPEC_PIPE_TIMEOUT", "")
        try:
            timeout = float(text) if text.strip() else DEFAULT_TIMEOUT
        except ValueError:
            raise PipeError(
                f"GRADSPEC_PIPE_TIMEOUT is {text!r}; expected a number of seconds"
            ) from None
    if not timeout > 0:
        raise PipeError(f"the pipe timeout must be a positive number of seconds; got {timeout}")
    return float(timeout)


def _check_hello(result: Any, adapter: PipeAdapter) -> dict[str, Any]:
    def bad(what: str) -> None:
        adapter._fail(ProgramGarbage, f"answered the hello handshake with {what}")

    if not isinstance(result, dict):
        bad(f"{_clip(repr(result))}; expected an object with 'protocol' and 'members'")
    if result.get("protocol") != PROTOCOL:
        bad(f"protocol {result.get('protocol')!r}; this gradspec speaks protocol {PROTOCOL}")
    members = result.get("members")
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        bad(f"members {_clip(repr(members))}; expected a list of member names")
    unknown = [m for m in members if m not in PARAMETERS]
    if unknown:
        bad(
            f"unknown member {unknown[0]!r} (a typo?); the contract's members are "
            f"{', '.join(PARAMETERS)}"
        )
    dtypes = result.get("dtypes", ["float32", "float64"])
    if (
        not isinstance(dtypes, list)
        or not dtypes
        or any(d not in ("float32", "float64") for d in dtypes)
    ):
        bad(f"dtypes {_clip(repr(dtypes))}; expected a list of 'float32' and/or 'float64'")
    return result


def _remote_error(member: str, error: Any) -> RemoteError:
    if isinstance(error, dict):
        return RemoteError(
            member,
            str(error.get("message", error)),
            error.get("type"),
            raised=error.get("raised") is not False,
        )
    return RemoteError(member, str(error))


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
