"""The program side of the pipe protocol, in Python: serve any Python adapter over stdin/stdout.

Run ``python -m gradspec.conformance._pipe_serve SPEC`` (``SPEC`` as for ``--adapter``) and
it answers the ``gradspec-pipe`` protocol for that adapter. It is the executable version of
the protocol for implementers in other languages, and what the tests use to compare a run
through the pipe with the same adapter in process.
"""

from __future__ import annotations

import json
import sys
import warnings
from typing import IO, Any

import numpy as np

from ._adapter import MEMBERS, load_adapter
from ._wire import decode_args, encode_result

__all__ = ["main", "serve"]


def _answer(adapter: Any, request: Any) -> dict[str, Any]:
    request_id = request.get("id") if isinstance(request, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("member"), str):
        return {"id": request_id, "error": "a request is an object with 'id' and 'member'"}
    member = request["member"]
    if member == "hello":
        return {
            "id": request_id,
            "result": {
                "protocol": 1,
                "name": adapter.name,
                "members": [m for m in MEMBERS if adapter.has(m)],
                "dtypes": list(adapter.dtypes),
            },
        }
    if member not in MEMBERS or not adapter.has(member):
        return {"id": request_id, "error": f"member {member!r} is not provided"}
    try:
        args = decode_args(member, request.get("args", {}))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = adapter.call(member, **args)
        return {"id": request_id, "result": encode_result(member, result)}
    except Exception as exc:  # the member's error travels back as the answer
        original = getattr(exc, "original", None) or exc
        return {"id": request_id, "error": {"type": type(original).__name__, "message": str(exc)}}


def serve(spec: str, stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout) -> None:
    """Answer requests from ``stdin`` for the adapter ``spec`` until stdin closes."""
    adapter = load_adapter(spec)
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            reply: dict[str, Any] = {"id": None, "error": f"the request is not JSON: {exc}"}
        else:
            reply = _answer(adapter, request)
        stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
        stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m gradspec.conformance._pipe_serve ADAPTER_SPEC", file=sys.stderr)
        return 2
    serve(args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
