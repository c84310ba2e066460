"""``gradspec.check``: the conformance suite in one call, for notebooks and scripts."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["check"]


def check(
    adapter: Any,
    *,
    profile: str = "quick",
    seed: int = 0,
    isolate: bool = False,
    select: str | None = None,
    strict: bool = False,
    progress: bool = False,
) -> Any:
    """Run the conformance suite on ``adapter`` and return its report.

    Parameters
    ----------
    adapter : str, module, class, object or mapping
        A spec string (``"reference"``, ``"my_adapter.py"``, ``"package.module:Name"``), a
        module, a class (instantiated with no arguments), an instance, or a dict from member
        names (``"sigmoid"``, ``"linear_backward"``...) to functions.
    profile : {"quick", "default", "thorough"}
        How many examples each clause draws; ``"quick"`` takes seconds.
    seed : int
        Seed of every property; the same seed reproduces the same run.
    isolate : bool
        Run the adapter in a child process (needs a gradspec whose suite supports it).
    select : str, optional
        Only the clauses matching (comma-separated ids, globs like ``"ACT-*-VALUE"`` or
        words of the titles).
    strict : bool
        Require the reference's conventions: acceptable results count as failures.
    progress : bool
        Print one line per clause and dtype on stderr while the suite runs.

    Returns
    -------
    gradspec.conformance.SuiteReport
        Displayed as a table of findings and clauses in Jupyter; ``str(report)`` is the
        CLI's text, ``report.ok`` the verdict, ``report.findings`` one entry per defect and
        ``report.to_json()`` the JSON report.

    Raises
    ------
    gradspec.conformance.AdapterLoadError
        When ``adapter`` cannot be loaded or provides no member of the contract.
    ValueError
        For an unknown profile, or ``isolate=True`` on a gradspec without isolation.

    Examples
    --------
    >>> import gradspec
    >>> report = gradspec.check("reference", select="ACT-RELU-VALUE")
    >>> report.ok, report.findings
    (True, [])
    """
    from gradspec.conformance._adapter import load_adapter
    from gradspec.conformance._format import format_progress
    from gradspec.conformance._runner import run_suite

    loaded = _isolated(adapter) if isolate else load_adapter(adapter)

    def show(result: Any, done: int, total: int) -> None:
        print(format_progress(result, done, total), file=sys.stderr, flush=True)

    try:
        return run_suite(
            loaded,
            profile=profile,
            seed=seed,
            strict=strict,
            select=select,
            progress=show if progress else None,
        )
    finally:
        if isolate and callable(getattr(loaded.obj, "close", None)):
            loaded.obj.close()  # the child process


def _isolated(adapter: Any) -> Any:
    """The adapter started in a child process, when this gradspec's suite can do that."""
    try:
        from gradspec.conformance._isolate import load_isolated
    except ImportError:
        raise ValueError(
            "isolate=True: this gradspec's suite cannot run an adapter in a child process "
            "yet; use isolate=False, or gradspec grade, which runs each submission in a "
            "process of its own."
        ) from None
    from gradspec.conformance._adapter import load_adapter

    spec = adapter if isinstance(adapter, str) else load_adapter(adapter).spec
    if spec.startswith("<"):
        raise ValueError(
            f"isolate=True needs an adapter a child process can import by name (a spec "
            f"string, or a module or class of an importable module); {spec} is defined here "
            "only. Save it in a file and pass its path, e.g. gradspec.check('my_adapter.py', "
            "isolate=True)."
        )
    return load_isolated(spec)
