"""A class of homework submissions written for the grading tests, and a small rubric.

Each submission implements (some of) sigmoid, tanh, relu, their derivatives and the linear
layer in NumPy, as a student would, and most carry one realistic defect or hostile behaviour.
They are kept as source text (written into a temporary folder by `write_class`) because
two of them must not parse or must not be importable, which the linter would reject; the
right one is ``examples/grading/submissions/alice.py``, the example of docs/grading.md.
``benchmarks/grade_throughput.py`` grades the same class.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = [
    "ENDS_ITS_PROCESS",
    "EXPECTED_STATUS",
    "RUBRIC",
    "SUBMISSIONS",
    "expected_status",
    "write_class",
]

#: The class of docs/grading.md: three students' answers and the rubric, which the tests
#: grade as well (the submissions here are variations of alice's right one).
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "grading"

#: The clauses the tests grade: fast ones, each caught by at least one defect below.
RUBRIC = (EXAMPLES / "rubric.toml").read_text(encoding="utf-8")

_CORRECT = (EXAMPLES / "submissions" / "alice.py").read_text(encoding="utf-8")


def _correct(name: str) -> str:
    return _replace(_CORRECT, 'name = "alice"', f'name = "{name}"')


def _replace(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


SUBMISSIONS: dict[str, str | dict[str, str]] = {
    # Right everywhere.
    "correct.py": _correct("correct"),
    # A folder whose submission.toml names a class in hw.py, which imports a sibling module.
    "folder_class": {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted((EXAMPLES / "submissions" / "carol").iterdir())
        if path.suffix in (".py", ".toml")
    },
    # Only the first two functions done.
    "partial.py": _correct("partial").split("def tanh_derivative")[0],
    # tanh' = 1 - tanh: the square forgotten.
    "tanh_missing_square.py": _replace(
        _correct("tanh_missing_square"),
        "    e = np.exp(-2.0 * np.abs(wide))\n"
        "    return (4.0 * e / (1.0 + e) ** 2).astype(z.dtype)",
        "    return (1.0 - np.tanh(wide)).astype(z.dtype)",
    ),
    # relu' = sign(z): -1 for negative inputs.
    "relu_derivative_sign.py": _replace(
        _correct("relu_derivative_sign"),
        "    return (z > 0).astype(z.dtype)",
        "    return np.sign(z).astype(z.dtype)",
    ),
    # grad_W transposed: outer(x, g).
    "linear_grad_transposed.py": _replace(
        _correct("linear_grad_transposed"),
        "grad_W = grad_z.T @ x if x.ndim == 2 else np.outer(grad_z, x)",
        "grad_W = (grad_z.T @ x).T if x.ndim == 2 else np.outer(x, grad_z)",
    ),
    # sigmoid never returns.
    "hang.py": _replace(
        _correct("hang"),
        "def sigmoid(z):\n",
        "def sigmoid(z):\n    import time\n\n    while True:\n        time.sleep(0.05)\n",
    ),
    # tanh kills its own process with a segmentation fault.
    "crash.py": _replace(
        _correct("crash"),
        "def tanh(z):\n",
        "def tanh(z):\n    import os, signal\n\n    os.kill(os.getpid(), signal.SIGSEGV)\n",
    ),
    # relu_derivative ends the process with status 0.
    "exit_zero.py": _replace(
        _correct("exit_zero"),
        "def relu_derivative(z):\n",
        "def relu_derivative(z):\n    raise SystemExit(0)\n",
    ),
    # Ends the process with status 0 while being imported.
    "exit_at_import.py": "import sys\n\nsys.exit(0)\n" + _correct("exit_at_import"),
    # Wrong derivatives, and a patch of the suite's runner that makes every clause pass.
    "cheater.py": _replace(
        _correct("cheater"),
        "    return (z > 0).astype(z.dtype)",
        "    return np.zeros_like(z)",
    )
    + textwrap.dedent(
        """

        from gradspec.conformance import _runner
        from gradspec.conformance._model import ClauseResult, Outcome


        def _always_pass(clause, adapter, dtype, **settings):
            return ClauseResult(clause.id, clause.title, dtype, Outcome.PASS, examples=1)


        _runner.run_clause = _always_pass
        """
    ),
    # Does not parse.
    "syntax_error.py": "import numpy as np\n\ndef sigmoid(z)\n    return z\n",
    # Answers with the reference itself.
    "uses_reference.py": textwrap.dedent(
        """\
        from gradspec.reference import linear, linear_backward, relu_derivative, sigmoid, tanh
        from gradspec.reference import tanh_derivative

        name = "uses reference"
        """
    ),
    # A folder with two Python files and nothing saying which one is the adapter.
    "no_entry_point": {"one.py": _correct("one"), "two.py": _correct("two")},
}

#: The status each submission must end in. Under ``gradspec check --isolate`` the suite
#: survives a member that crashes or exits (that clause fails): see `expected_status`.
EXPECTED_STATUS = {
    "correct": "graded",
    "folder_class": "graded",
    "partial": "graded",
    "tanh_missing_square": "graded",
    "relu_derivative_sign": "graded",
    "linear_grad_transposed": "graded",
    "hang": "timed out",
    "crash": "crashed",
    "exit_zero": "crashed",
    "exit_at_import": "could not load",
    "cheater": "graded",
    "syntax_error": "could not load",
    "uses_reference": "graded",
    "no_entry_point": "could not load",
}


#: The submissions whose member ends the process: crashed in process, graded under --isolate.
ENDS_ITS_PROCESS = ("crash", "exit_zero")


def expected_status(isolated: bool) -> dict[str, str]:
    """`EXPECTED_STATUS`, for a suite run with (``isolated``) or without ``--isolate``."""
    if not isolated:
        return dict(EXPECTED_STATUS)
    return {**EXPECTED_STATUS, **dict.fromkeys(ENDS_ITS_PROCESS, "graded")}


def write_class(folder: Path, names: list[str] | None = None) -> list[Path]:
    """Write the submissions (all, or those whose file or folder name is in ``names``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for entry, content in SUBMISSIONS.items():
        if names is not None and entry.removesuffix(".py") not in names:
            continue
        path = folder / entry
        if isinstance(content, dict):
            path.mkdir()
            for file_name, text in content.items():
                (path / file_name).write_text(text, encoding="utf-8")
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
