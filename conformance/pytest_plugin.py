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
- a session in which no clause ran (everything not provided) exits with status 1;
- ``--gradspec-isolate`` runs the adapter in a child process (as ``gradspec check
  --isolate`` does), for code you do not trust; ``--gradspec-call-timeout S`` bounds each call.

The adapter's folder has no say in the session. When every path or ``--pyargs`` name on the
command line is the suite, no ``conftest.py`` is loaded, pytest's cache is not written, and if
pytest found an ini file (``pytest.ini``, ``tox.ini``, ``setup.cfg``, ``pyproject.toml``) in
the working folder or above, the session is started again without it, rooted in the suite's
own folder, so a homework folder's ``addopts = -k "not SIGMOID"`` deselects nothing. A
``pytest.skip()`` inside a member is that member's failure, not a skip.

How it is loaded: pytest registers this module through the ``pytest11`` entry point named
``gradspec``; without it, ``-p gradspec.conformance.pytest_plugin`` does the same. The
conformance package's ``conftest.py`` registers it too when pytest reaches the package, so
``GRADSPEC_ADAPTER=... pytest --pyargs gradspec.conformance`` works even then.
"""

from __future__ import annotations

import os
import subprocess
import sys
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
_relaunch_key = pytest.StashKey[bool]()
_TALLY_NAME = "gradspec-tally"

#: Set in a session this plugin started again without the folder's ini file.
_RELAUNCHED = "GRADSPEC_PYTEST_RELAUNCHED"


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
    group.addoption(
        "--gradspec-isolate",
        dest="gradspec_isolate",
        action="store_true",
        default=False,
        help="run the adapter in a child process: nothing it does (exit, crash, hang, "
        "patching the suite) can change the verdict; use it for code you do not trust",
    )
    group.addoption(
        "--gradspec-call-timeout",
        dest="gradspec_call_timeout",
        type=float,
        default=None,
        metavar="S",
        help="with --gradspec-isolate: seconds one member call may take (default: 30)",
    )


def _suite_only(early_config: pytest.Config) -> bool:
    """Whether every positional argument names the suite (by --pyargs name or by path)."""
    namespace = early_config.known_args_namespace
    targets = [str(arg) for arg in getattr(namespace, "file_or_dir", None) or []]
    if not targets:
        return False
    folder = SUITE_FILE.parent
    for target in targets:
        name = target.split("::", 1)[0]
        if getattr(namespace, "pyargs", False) and (
            name == "gradspec.conformance" or name.startswith("gradspec.conformance.")
        ):
            continue
        path = Path(early_config.invocation_params.dir, name).resolve()
        if path != folder and folder not in path.parents:
            return False
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Runs before any conftest.py is imported: a suite-only session takes nothing from the
    # folder it is started in (the homework's), whose conftest.py, cache and ini file could
    # otherwise deselect, skip or patch clauses.
    if not _suite_only(early_config):
        return
    early_config.known_args_namespace.noconftest = True
    early_config.pluginmanager.set_blocked("cacheprovider")
    if early_config.inipath is not None and not os.environ.get(_RELAUNCHED):
        early_config.stash[_relaunch_key] = True


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if not config.stash.get(_relaunch_key, False):
        return None
    # The ini file found was already applied (addopts among it): start the session again
    # with none, rooted in the suite's folder, on the same command line.
    plugin = [] if config.pluginmanager.has_plugin("gradspec") else ["-p", __name__]
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        os.devnull,
        "--rootdir",
        str(SUITE_FILE.parent),
        "-p",
        "no:cacheprovider",
        *plugin,
        *config.invocation_params.args,
    ]
    env = {**os.environ, _RELAUNCHED: "1"}
    return subprocess.call(argv, cwd=config.invocation_params.dir, env=env)


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
        if _option(config, "gradspec_isolate", False):
            from ._isolate import DEFAULT_CALL_TIMEOUT, load_isolated

            timeout = _option(config, "gradspec_call_timeout", None) or DEFAULT_CALL_TIMEOUT
            config.stash[_adapter_key] = load_isolated(spec or "", call_timeout=timeout)
        else:
            config.stash[_adapter_key] = load_adapter(spec or "")
    return config.stash[_adapter_key]


def pytest_unconfigure(config: pytest.Config) -> None:
    # An isolated child is stopped with the session.
    adapter = config.stash.get(_adapter_key, None)
    close = getattr(getattr(adapter, "obj", None), "close", None)
    if adapter is not None and _option(config, "gradspec_isolate", False) and close:
        close()


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
        from . import _interrupt
        from ._format import format_failure
        from ._model import Outcome
        from ._runner import run_clause

        config = self.config
        with _interrupt.watching():  # a real Ctrl-C stops pytest; a member's is its failure
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
