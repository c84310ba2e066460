"""Gradescope's ``results.json`` for one submission, in its autograder format.

Gradescope's autograder specification: the file has a top-level ``score`` (required when the
tests carry none), ``execution_time`` in seconds, ``output`` shown for the whole submission
with its ``output_format``, and ``tests``, each with ``name``, ``score``, ``max_score``,
``status`` (``"passed"`` or ``"failed"``), ``output`` and ``visibility`` (``"visible"``,
``"hidden"``, ``"after_due_date"`` or ``"after_published"``).

One test per rubric clause, in rubric order, for every status: a submission that timed out
or could not be loaded gets the same tests with 0 points, so every student's maximum is the
same on Gradescope.
"""

from __future__ import annotations

from typing import Any

from ._feedback import feedback_markdown
from ._rubric import Rubric
from ._scoring import SubmissionGrade

__all__ = ["gradescope_results"]


def gradescope_results(grade: SubmissionGrade, rubric: Rubric) -> dict[str, Any]:
    """The ``results.json`` document of ``grade``."""
    tests = []
    for number, clause in enumerate(grade.clauses, start=1):
        passed = clause.points >= clause.max_points
        output = clause.detail or (
            "passed" if clause.outcome == "pass" else f"outcome: {clause.outcome}"
        )
        tests.append(
            {
                "name": f"{clause.id}: {clause.title}",
                "number": str(number),
                "score": clause.points,
                "max_score": clause.max_points,
                "status": "passed" if passed else "failed",
                "output": output,
                "output_format": "text",
                "tags": [clause.family],
                "visibility": rubric.visibility,
            }
        )
    return {
        "score": grade.points,
        "execution_time": max(0, round(grade.seconds)),
        "output": feedback_markdown(grade),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "status": grade.status,
            "findings": len(grade.findings),
            "flags": list(grade.flags),
            "rubric": rubric.name,
        },
    }
