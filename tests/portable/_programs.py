"""Small misbehaving programs for the pipe adapter's error paths, written into a tmp folder."""

from __future__ import annotations

import sys
from pathlib import Path

HELLO = '{"id": 0, "result": {"protocol": 1, "name": "fake", "members": ["sigmoid", "relu"]}}'

#: name -> what the program does after answering the handshake.
BEHAVIOURS = {
    "crash": "sys.stderr.write('boom: segfault in sigmoid\\n'); sys.exit(3)",
    "hang": "import time; time.sleep(60)",
    "garbage": "print('this is not json', flush=True)",
    "wrong-id": "print(json.dumps({'id': 999, 'result': None}), flush=True)",
    "wrong-count": (
        "print(json.dumps({'id': request['id'], 'result': {'dtype': 'float64', "
        "'shape': [3], 'data': ['1.0']}}), flush=True)"
    ),
    "error": (
        "print(json.dumps({'id': request['id'], 'error': {'type': 'ValueError', "
        "'message': 'no thanks'}}), flush=True)"
    ),
}


def program(folder: Path, behaviour: str) -> str:
    """A Python program that answers hello, then misbehaves on every call; its command."""
    path = folder / f"{behaviour}.py"
    path.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    request = json.loads(line)\n"
        "    if request['member'] == 'hello':\n"
        f"        print({HELLO!r}, flush=True)\n"
        "        continue\n"
        f"    {BEHAVIOURS[behaviour]}\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {path}"
