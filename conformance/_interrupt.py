"""Telling a real Ctrl-C from a ``KeyboardInterrupt`` that adapter code raised itself.

A member may ``raise KeyboardInterrupt`` (or any other `BaseException`); that is the member's
failure, never the end of the run. A Ctrl-C at the terminal, on the other hand, must stop the
run (with the partial report written). While `watching` is active, SIGINT sets a flag before
raising, so the code that catches the exception can ask `requested` which of the two it was.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["requested", "watching"]

_REQUESTED = threading.Event()


def requested() -> bool:
    """Whether a real SIGINT arrived since `watching` started."""
    return _REQUESTED.is_set()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _REQUESTED.set()
    raise KeyboardInterrupt


@contextlib.contextmanager
def watching() -> Iterator[None]:
    """Mark real SIGINTs for the duration (main thread only; elsewhere nothing changes)."""
    _REQUESTED.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
