"""``--isolate``: the adapter runs in a child process; the suite and its verdict stay here.

`load_isolated` starts ``python -m gradspec.conformance._pipe_serve --isolated SPEC`` and
speaks the ``gradspec-pipe`` protocol to it (`gradspec.conformance._pipe`), with the npy
encoding so results arrive exactly as the member returned them. The parent never imports
the adapter: nothing it does (exit, ``os._exit``, ``atexit``, patching the suite or the
reference, printing, threads, signals to itself) can reach the checks or the report. What
ends or stalls the child is a failure of the clause being run, with the reason:

- a call that takes longer than ``call_timeout`` seconds: the child is killed;
- more memory than ``memory_mb`` (address space): the allocation fails in the child;
- the child exits or crashes (``os._exit``, a segfault, a signal): its exit
  status and the last lines of its stderr are in the failure;

and the next call starts a fresh child (up to `MAX_CHILD_RESTARTS` times: a member that
crashes on every call must not cost the other members their clauses). A child runs in its
own session (a terminal Ctrl-C reaches the suite only), writes no core file, and on Linux
dies with the suite.

What isolation is not: a security sandbox. The child runs as the same user with the same
files and network; code that sets out to harm the machine, or to signal the suite's own
process, needs an operating-system sandbox (a container, a throw-away VM) around the whole run.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._adapter import AdapterLoadError, LoadedAdapter
from ._pipe import PipeAdapter, PipeError
from ._wire import decode_value, encode_array

__all__ = [
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_START_TIMEOUT",
    "MAX_CHILD_RESTARTS",
    "IsolatedProgram",
    "load_isolated",
]

#: Seconds one member call may take before the child is killed.
DEFAULT_CALL_TIMEOUT = 30.0

#: Seconds the child may take to start and import the adapter (PyTorch, JAX take a while).
DEFAULT_START_TIMEOUT = 120.0

#: How many fresh children one run may start after failures.
MAX_CHILD_RESTARTS = 1000

#: The child's address-space limit, in MiB. Generous: PyTorch and JAX reserve a lot of
#: virtual memory they never touch; the point is to stop a runaway allocation.
DEFAULT_MEMORY_MB = 8192


class _ChildCouldNotLoad(PipeError):
    """The child started but could not load the adapter (its message says why)."""


class IsolatedProgram(PipeAdapter):
    """The isolated child seen as an adapter object (see the module docstring).

    Parameters
    ----------
    spec : str
        The Python adapter's spec, as for ``--adapter`` (not ``cmd:``).
    call_timeout, start_timeout : float
        Seconds per call, and for start-up (loading the adapter).
    memory_mb : int or None
        Address-space limit of the child; None for no limit.
    """

    hello_fields: Mapping[str, Any] = {"encoding": "npy"}
    max_restarts = MAX_CHILD_RESTARTS

    def __init__(
        self,
        spec: str,
        *,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
    ) -> None:
        self.spec = spec
        self.library_versions: dict[str, str] = {}
        argv = [sys.executable, "-m", "gradspec.conformance._pipe_serve", "--isolated"]
        if memory_mb:
            argv += ["--memory-mb", str(int(memory_mb))]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        super().__init__([*argv, spec], timeout=call_timeout, start_timeout=start_timeout, env=env)

    def _start(self) -> dict[str, Any]:
        hello = super()._start()
        if hello.get("encoding") != "npy":
            self._fail(PipeError, "did not agree to the npy encoding in its handshake")
        versions = hello.get("library_versions")
        if isinstance(versions, dict):
            self.library_versions = {str(k): str(v) for k, v in versions.items()}
        graph_ops = hello.get("graph_ops")
        if isinstance(graph_ops, list) and all(isinstance(op, str) for op in graph_ops):
            self.graph_ops = tuple(graph_ops)
        return hello

    def __repr__(self) -> str:
        return f"IsolatedProgram({self.spec!r}, members={len(self.members)})"

    @property
    def description(self) -> str:
        return "the adapter's isolated process"

    def _hello_refused(self, error: Any) -> None:
        # The child could not load the adapter: its message is the whole story.
        process = self._process
        if process is not None:
            process.stop()
        self._process = None
        message = error.get("message") if isinstance(error, dict) else error
        raise _ChildCouldNotLoad(str(message))

    def _encode_args(self, member: str, args: Mapping[str, Any]) -> Any:
        out: dict[str, Any] = {}
        for name, value in args.items():
            if isinstance(value, np.ndarray):
                out[name] = _packed(value)
            elif name == "inputs" and isinstance(value, Mapping):
                out[name] = {str(k): _packed(np.asarray(v)) for k, v in value.items()}
            elif name == "negative_slope":
                out[name] = repr(float(value))
            else:  # the graph (JSON data) and wrt
                out[name] = value
        return out

    def _decode_result(self, member: str, result: Any) -> Any:
        return decode_value(result, where=f"{member}'s result")

    def call(self, member: str, args: Mapping[str, Any]) -> Any:
        self._mutated = None
        try:
            return super().call(member, args)
        finally:
            if self._mutated:
                _write_back(args, self._mutated)

    def _exchange(self, member: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
        reply = super()._exchange(member, request, **options)
        self._mutated = reply.get("mutated") if isinstance(reply.get("mutated"), dict) else None
        return reply


def _packed(array: np.ndarray) -> dict[str, Any]:
    # base64 of the little-endian bytes: exact, and far quicker than decimal strings.
    if str(array.dtype) not in ("float32", "float64"):
        return encode_array(array)  # raises the wire's own clear error
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return {
        "dtype": str(array.dtype),
        "shape": list(array.shape),
        "base64": base64.b64encode(little.tobytes()).decode("ascii"),
    }


def _write_back(args: Mapping[str, Any], mutated: Mapping[str, Any]) -> None:
    """Apply the child's in-place changes to the suite's own arguments, so checks see them."""
    for name, encoded in mutated.items():
        original = args.get(name)
        try:
            if isinstance(encoded, dict) and "json" in encoded:
                new: Any = encoded["json"]
            else:
                new = decode_value(encoded, where=f"{name} after the call")
        except Exception:  # a malformed note of a change still means a change
            new = {"<changed>": True}
        if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
            if new.shape != original.shape:  # ndarray.resize changed it in place, in the child
                try:
                    original.resize(new.shape, refcheck=False)
                except (ValueError, TypeError):  # the suite's array cannot follow: unchanged
                    continue
            np.copyto(original, new, casting="unsafe")
        elif isinstance(original, dict):
            original.clear()
            if isinstance(new, dict):
                original.update(new)
            else:
                original["<changed>"] = new


class _IsolatedAdapter(LoadedAdapter):
    """A LoadedAdapter whose library versions come from the child's handshake."""

    def library_versions(self) -> dict[str, str]:
        program = self.obj
        versions = dict(getattr(program, "library_versions", {}) or {})
        versions.setdefault("numpy", np.__version__)
        return versions


def load_isolated(
    spec: str,
    *,
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
    start_timeout: float = DEFAULT_START_TIMEOUT,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> LoadedAdapter:
    """Start the adapter ``spec`` in an isolated child and return it as a LoadedAdapter.

    Raises
    ------
    AdapterLoadError
        If ``spec`` is a ``cmd:`` program (already out of process), or the child could not
        load the adapter, exited while starting, or did not answer the handshake in time.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise AdapterLoadError("--isolate needs an adapter spec (a module, a file or a name)")
    spec = spec.strip()
    if spec.startswith("cmd:"):
        raise AdapterLoadError(
            f"Adapter spec {spec!r} is already a separate program; --isolate is for Python "
            "adapters. Drop --isolate (the program runs out of process anyway)."
        )
    try:
        program = IsolatedProgram(
            spec, call_timeout=call_timeout, start_timeout=start_timeout, memory_mb=memory_mb
        )
    except _ChildCouldNotLoad as exc:
        raise AdapterLoadError(str(exc)) from None
    except PipeError as exc:
        raise AdapterLoadError(
            f"Adapter spec {spec!r} could not be started in an isolated process: {exc}"
        ) from None
    # The child loaded the adapter with load_adapter, which refuses one without members.
    return _IsolatedAdapter(program, spec)
