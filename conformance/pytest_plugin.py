"""Run the conformance suite inside a pytest session: one test item per clause and dtype.

Usage::

    pytest --pyargs gradspec.conformance --gradspec-adapter my_package.adapter -p no:cacheprovider

(``-p no:cacheprovider`` keeps pytest's own ``.pytest_cache`` out of your folder; the suite
writes nothing there itself). The adapter may also come from ``GRADSPEC_ADAPTER``. Options:
``--gradspec-profile quick|default|thorough``, ``--gradspec-seed N`` and ``--gradspec-strict``
(acceptable results fail). Items are named ``ACT-SIGMOID-VALUE[float64]``, so ``-k``, ``-x``,
``--junitxml`` and pytest-xdist's ``-n`` work as usual.

- not provided: the item is skipped with the reason;
- fail: the item fails with the suite's failure message, without a traceback of the suite;
- acceptable: the item passes; the flags are listed in the terminal summary and recorded as
  ``gradspec_acceptable`` properties (visible in JUnit XML);
- a session in which no clause ran (everything not provided) exits with status 1.

How it is loaded: pytest registers this module through the ``pytest11`` entry point named
``gradspec``; without it, ``-p gradspec.conformance.pytest_plugin`` does the same. The
conformance package's ``conftest.py`` registers it too when pytest reaches the package, so
``GRADSPEC_ADAPTER=... pytest --pyargs gradspec.conformance`` works even then.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the suite itself is imported only when a session collects it
    from ._adapter import LoadedAdapter
    from ._model import Clause

__all__ = ["ClauseItem", "ConformanceSuite"]

#: The module whose collection this plugin takes over.
SUITE_FILE = Path(__file__).with_name("test_conformance.py").resolve()

#: Marks our reports (a user property survives pytest-xdist's transfer to the controller).
_CLAUSE_KEY = "gradspec_clause"
_ACCEPTABLE_KEY = "gradspec_acceptable"

_adapter_key = pytest.StashKey["LoadedAdapter"]()
_TALLY_NAME = "gradspec-tally"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradspec", "gradspec conformance suite")
    # Only namespaced option names: this plugin is loaded in every pytest session of an
    # environment where gradspec is installed, and a generic "--adapter" could clash with
    # another plugin's option and stop pytest from starting.
    group.addoption(
        "--gradspec-adapter",
        dest="gradspec_adapter",
        default=None,
        metavar="SPEC",
        help="adapter to check (reference, torch, jax, package.module[:name], "
        "path/to/file.py[:name]); default: $GRADSPEC_ADAPTER",
    )
    group.addoption(
        "--gradspec-profile",
        dest="gradspec_profile",
        choices=("quick", "default", "thorough"),
        default="default",
        help="examples per clause and dtype (default: default)",
    )
    group.addoption(
        "--gradspec-seed",
        dest="gradspec_seed",
        type=int,
        default=0,
        help="seed of every property (default: 0)",
    )
    group.addoption(
        "--gradspec-strict",
        dest="gradspec_strict",
        action="store_true",
        default=False,
        help="acceptable results (documented alternatives) fail",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(_TALLY_NAME):
        config.pluginmanager.register(_Tally(), _TALLY_NAME)


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> Any:
    # Only the suite's own module; every other module is collected as usual.
    if module_path.resolve() == SUITE_FILE:
        return ConformanceSuite.from_parent(parent, path=module_path)
    return None


def _option(config: pytest.Config, name: str, default: Any) -> Any:
    # Options registered late (by the package's conftest) may be missing from the namespace.
    return getattr(config.option, name, default)


def _adapter(config: pytest.Config) -> LoadedAdapter:
    if _adapter_key not in config.stash:
        from ._adapter import load_adapter

        spec = _option(config, "gradspec_adapter", None) or os.environ.get("GRADSPEC_ADAPTER")
        config.stash[_adapter_key] = load_adapter(spec or "")
    return config.stash[_adapter_key]


class ConformanceSuite(pytest.File):
    """The suite's test module, collected as one item per clause and dtype."""

    def collect(self) -> list[ClauseItem]:
        from ._adapter import AdapterLoadError
        from ._runner import plan

        try:
            adapter = _adapter(self.config)
        except AdapterLoadError as error:
            raise self.CollectError(f"gradspec: {error}") from None
        try:
            from .clauses import CLAUSES
        except Exception as error:
            raise self.CollectError(
                "gradspec: the clause registry (gradspec.conformance.clauses) could not be "
                f"imported: {type(error).__name__}: {error}"
            ) from None
        return [
            ClauseItem.from_parent(
                self, name=f"{clause.id}[{dtype}]", clause=clause, dtype=dtype, adapter=adapter
            )
            for clause, dtype in plan(CLAUSES)
        ]


class ClauseItem(pytest.Item):
    """One clause in one dtype."""

    def __init__(
        self, *, clause: Clause, dtype: str, adapter: LoadedAdapter, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.clause = clause
        self.dtype = dtype
        self.adapter = adapter
        self.user_properties.append((_CLAUSE_KEY, clause.id))

    def runtest(self) -> None:
        from ._format import format_failure
        from ._model import Outcome
        from ._runner import run_clause

        config = self.config
        result = run_clause(
            self.clause,
            self.adapter,
            self.dtype,
            profile=_option(config, "gradspec_profile", "default"),
            seed=_option(config, "gradspec_seed", 0),
            strict=_option(config, "gradspec_strict", False),
        )
        if result.outcome is Outcome.NOT_PROVIDED:
            pytest.skip(f"not provided: {result.reason}")
        if result.failure is not None:
            pytest.fail(format_failure(result.failure, self.dtype), pytrace=False)
        for name, detail in result.flags.items():
            self.user_properties.append((_ACCEPTABLE_KEY, f"{name}: {detail}"))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.clause.id} [{self.dtype}]: {self.clause.title}"


class _Tally:
    """Counts the session's clause reports; registered as a plugin so its hooks see them.

    It works from reports, not items, so it also counts right on a pytest-xdist controller.
    """

    def __init__(self) -> None:
        self.seen = 0
        self.ran = 0
        self.acceptable: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" or _CLAUSE_KEY not in dict(report.user_properties):
            return
        self.seen += 1
        if report.outcome in ("passed", "failed"):
            self.ran += 1
        name = report.nodeid.rsplit("::", 1)[-1]
        for key, value in report.user_properties:
            if key == _ACCEPTABLE_KEY:
                self.acceptable.append(f"{name}: {value}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.seen and not self.ran:
            # Zero checks executed must never read as a pass.
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.seen:
            return
        if self.acceptable:
            terminalreporter.section("gradspec: acceptable results (fail under --gradspec-strict)")
            for line in self.acceptable:
                terminalreporter.line(line)
        if not self.ran:
            terminalreporter.section("gradspec: no clause ran")
            terminalreporter.line(
                "Every clause was not provided: the adapter has none of the members the "
                "selected clauses need in the dtypes it declares. A run with nothing checked "
                "does not pass, so the exit status is 1."
            )
