"""The program side of the pipe protocol, in Python: serve any Python adapter over stdin/stdout.

Run ``python -m gradspec.conformance._pipe_serve SPEC`` (``SPEC`` as for ``--adapter``) and
it answers the ``gradspec-pipe`` protocol for that adapter. It is the executable version of
the protocol for implementers in other languages, and what the tests use to compare a run
through the pipe with the same adapter in process.

``--isolated`` is the child of ``gradspec check --isolate`` (`gradspec.conformance._isolate`):

- the protocol moves off file descriptors 0 and 1 before any adapter code runs: the adapter's
  ``sys.stdin`` reads nothing and what it prints goes to stderr, so neither a ``print`` nor a
  closed ``sys.stdout`` can corrupt the answers;
- ``--memory-mb N`` caps the address space (``resource.setrlimit``), no core file is written,
  and on Linux the child dies with the suite (``PR_SET_PDEATHSIG``);
- whatever a member raises, `BaseException` included, is answered as that member's error, and
  results travel in the npy encoding (`gradspec.conformance._wire.encode_value`), so the suite
  sees exactly what the member returned, whatever its dtype.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import warnings
from typing import IO, Any

import numpy as np

from ._adapter import MEMBERS, AdapterCallError, LoadedAdapter, load_adapter, safe_text
from ._wire import decode_args, encode_result, encode_value

__all__ = ["main", "serve"]


def _hello(adapter: LoadedAdapter, request: dict[str, Any], isolated: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "protocol": 1,
        "name": adapter.name,
        "members": [m for m in MEMBERS if adapter.has(m)],
        "dtypes": list(adapter.dtypes),
    }
    if isolated and request.get("encoding") == "npy":
        result["encoding"] = "npy"
        result["library_versions"] = adapter.library_versions()
        graph_ops = _graph_ops(adapter)
        if graph_ops is not None:
            result["graph_ops"] = graph_ops
    return result


def _graph_ops(adapter: LoadedAdapter) -> list[str] | None:
    # The optional member graph_ops (names of the graph ops the adapter supports) is data
    # the suite reads like dtypes; forwarded when it is a plain list of names.
    try:
        value = getattr(adapter.obj, "graph_ops", None)
        if value is None or isinstance(value, str):
            return None
        names = list(value)
    except BaseException:  # adapter code chose what to raise
        return None
    return [str(name) for name in names] if all(isinstance(n, str) for n in names) else None


def _answer(adapter: Any, request: Any, *, isolated: bool = False) -> dict[str, Any]:
    request_id = request.get("id") if isinstance(request, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("member"), str):
        return {"id": request_id, "error": "a request is an object with 'id' and 'member'"}
    member = request["member"]
    if member == "hello":
        return {"id": request_id, "result": _hello(adapter, request, isolated)}
    if member not in MEMBERS or not adapter.has(member):
        return {"id": request_id, "error": f"member {member!r} is not provided"}
    before: dict[str, Any] = {}
    try:
        args = decode_args(member, request.get("args", {}))
        before = {name: _snapshot(value) for name, value in args.items()} if isolated else {}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = adapter.call(member, **args)
        if not isolated:
            return {"id": request_id, "result": encode_result(member, result)}
    except BaseException as exc:  # the member's error travels back as the answer
        original = getattr(exc, "original", None) or exc
        # Isolated, the suite names the member itself: send the original's own message.
        message = safe_text(original if isolated else exc)
        error = {"type": type(original).__name__, "message": message}
        if isinstance(exc, AdapterCallError) and not exc.raised:
            error["raised"] = False  # it returned garbage: not a rejection
        return {"id": request_id, "error": error}
    reply: dict[str, Any] = {"id": request_id}
    try:
        reply["result"] = encode_value(result)
    except BaseException as exc:  # not the member raising: the suite must not see a rejection
        reply["result"] = {"unencodable": safe_text(exc)}
    changed = _mutations(args, before)
    if changed:
        reply["mutated"] = changed
    return reply


def _snapshot(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):  # a graph, or a graph's inputs: compared as canonical text
        return json.dumps(value, sort_keys=True, default=_snapshot_default)
    return value


def _snapshot_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):  # the inputs dict of a graph member
        return {"__array__": value.dtype.str, "data": value.tobytes().hex(), "shape": value.shape}
    return repr(value)


def _mutations(args: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The arguments the member changed in place, encoded so the suite can see the change.

    The suite's own arrays never reach the child, so without this a member that modifies
    its input would pass ROB-NO-MUTATION under isolation and fail it in process.
    """
    changed: dict[str, Any] = {}
    for name, original in before.items():
        now = args[name]
        try:
            if isinstance(original, np.ndarray):
                if now.dtype != original.dtype or now.tobytes() != original.tobytes():
                    changed[name] = encode_value(np.asarray(now))
            elif _snapshot(now) != original:
                if name == "inputs":
                    changed[name] = encode_value({str(k): np.asarray(v) for k, v in now.items()})
                else:
                    changed[name] = {"json": json.loads(json.dumps(now, default=repr))}
        except BaseException:  # changed into something that cannot even be compared
            changed[name] = {"json": "<changed into an object that cannot be sent>"}
    return changed


def serve(
    spec: str,
    stdin: IO[str] = sys.stdin,
    stdout: IO[str] = sys.stdout,
    *,
    isolated: bool = False,
) -> None:
    """Answer requests from ``stdin`` for the adapter ``spec`` until stdin closes.

    ``isolated``: a load error is answered (to every request) instead of ending the program,
    and results use the npy encoding when the hello asks for it.
    """
    adapter: LoadedAdapter | None = None
    load_error: dict[str, str] | None = None
    try:
        adapter = load_adapter(spec)
    except BaseException as exc:
        if not isolated:
            raise
        load_error = {"type": type(exc).__name__, "message": safe_text(exc, limit=4000)}
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reply: dict[str, Any] = {"id": None, "error": f"the request is not JSON: {exc}"}
        else:
            if adapter is None:
                request_id = request.get("id") if isinstance(request, dict) else None
                reply = {"id": request_id, "error": load_error}
            else:
                reply = _answer(adapter, request, isolated=isolated)
        stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
        stdout.flush()


def _protocol_streams() -> tuple[IO[str], IO[str]]:
    """Move the protocol to private descriptors; fd 0 reads nothing, fd 1 writes to stderr."""
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return protocol_in, protocol_out


def _confine(memory_mb: int | None) -> None:
    """Resource limits of the isolated child, set before any adapter code runs."""
    try:
        import resource
    except ImportError:  # not POSIX: no limits to set
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a segfault writes no core file
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the suite
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:  # the suite died before the line above ran
            os._exit(1)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    isolated = False
    memory_mb: int | None = None
    while args and args[0].startswith("--"):
        option = args.pop(0)
        if option == "--isolated":
            isolated = True
        elif option == "--memory-mb" and args and args[0].isdigit():
            memory_mb = int(args.pop(0))
        else:
            args = []
            break
    if len(args) != 1:
        print(
            "usage: python -m gradspec.conformance._pipe_serve [--isolated [--memory-mb N]] "
            "ADAPTER_SPEC",
            file=sys.stderr,
        )
        return 2
    if not isolated:
        serve(args[0])
        return 0
    protocol_in, protocol_out = _protocol_streams()
    _confine(memory_mb)
    serve(args[0], protocol_in, protocol_out, isolated=True)
    # Skip interpreter shutdown: the adapter's atexit handlers and threads have no say.
    protocol_out.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
