"""The rubric: how many points each clause is worth, read from TOML and validated once.

A rubric file has four tables, all optional except that it must give points to at least
one clause (the shipped default is ``default_rubric.toml`` beside this module)::

    [grading]
    name = "HW3"
    acceptable = 1.0          # share of a clause's points for an acceptable result
    reference_import = "flag" # or "zero"

    [families]
    values = 1                # points of every clause of the family

    [clauses]
    "BP-FAN-OUT" = 4          # one clause, overriding its family (0 leaves it out)

    [gradescope]
    visibility = "visible"

A clause's points are shared equally by the dtypes it runs in; a dtype row earns its share
when it passes (or ``acceptable`` times its share when acceptable), nothing otherwise.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, published as tomli
    import tomli as tomllib

__all__ = ["DEFAULT_RUBRIC", "Rubric", "RubricError", "exact_selection", "load_rubric"]

#: The shipped rubric's file name, inside the gradspec._grade package.
DEFAULT_RUBRIC = "default_rubric.toml"

_TABLES = {
    "grading": {"name", "acceptable", "reference_import"},
    "families": None,
    "clauses": None,
    "gradescope": {"visibility"},
}
_POLICIES = ("flag", "zero")
#: The visibilities Gradescope's results.json accepts.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class RubricError(ValueError):
    """The rubric file is unreadable or names something that does not exist."""


@dataclass(frozen=True)
class Rubric:
    """Points per clause, resolved against the clause registry.

    Attributes
    ----------
    name : str
    points : dict[str, float]
        Clause id to points, for every graded clause (points > 0), in registry order.
    families : dict[str, str]
        Clause id to its family, for the graded clauses.
    titles : dict[str, str]
        Clause id to its title, for the graded clauses.
    acceptable : float
        Share of a clause's points that an acceptable result earns, in [0, 1].
    reference_import : {"flag", "zero"}
    visibility : str
        Gradescope visibility of each clause's test.
    digest : str
        SHA-256 of the rubric's text, so that shards graded with different rubrics are not
        merged.
    source : str
        Where the rubric came from (a path, or "default").
    text : str
        The rubric file's text, as read.
    """

    name: str
    points: dict[str, float]
    families: dict[str, str]
    titles: dict[str, str]
    acceptable: float
    reference_import: str
    visibility: str
    digest: str
    source: str
    text: str

    @property
    def max_points(self) -> float:
        """The most a submission can earn."""
        return math.fsum(self.points.values())

    def family_order(self) -> list[str]:
        """The graded families, in registry order."""
        return list(dict.fromkeys(self.families.values()))

    def family_max(self) -> dict[str, float]:
        """The most a submission can earn per family."""
        totals: dict[str, float] = dict.fromkeys(self.family_order(), 0.0)
        for clause_id, points in self.points.items():
            totals[self.families[clause_id]] += points
        return totals


def default_rubric_text() -> str:
    """The shipped default rubric's TOML text."""
    return resources.files("gradspec._grade").joinpath(DEFAULT_RUBRIC).read_text("utf-8")


def load_rubric(path: str | Path | None = None, *, clauses: Sequence[Any] | None = None) -> Rubric:
    """Read and validate a rubric (the shipped default when ``path`` is None).

    Parameters
    ----------
    path : str or Path, optional
        A TOML file in the format of the module docstring.
    clauses : sequence of Clause, optional
        The registry to resolve against (default: ``gradspec.conformance.clauses.CLAUSES``).

    Raises
    ------
    RubricError
        Naming the file and what is wrong: unknown tables, keys, families or clause ids,
        points that are not non-negative numbers, a rubric worth 0 points.
    """
    if path is None:
        text, source = default_rubric_text(), "default"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RubricError(f"the rubric {str(path)!r} could not be read: {error}") from None
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RubricError(f"the rubric {source!r} is not valid TOML: {error}") from None
    if clauses is None:
        from gradspec.conformance.clauses import CLAUSES

        clauses = tuple(CLAUSES)
    return _resolve(data, text, source, clauses)


def _resolve(data: Mapping[str, Any], text: str, source: str, clauses: Sequence[Any]) -> Rubric:
    where = f"the rubric {source!r}"
    for table, value in data.items():
        if table not in _TABLES:
            raise RubricError(
                f"{where} has a table [{table}]; the tables are {', '.join(_TABLES)}."
            )
        if not isinstance(value, dict):
            raise RubricError(f"{where}: {table} must be a table ([{table}]), not a value.")
        allowed = _TABLES[table]
        unknown = sorted(set(value) - allowed) if allowed is not None else []
        if unknown:
            raise RubricError(
                f"{where}: [{table}] has unknown key(s) {', '.join(unknown)}; "
                f"expected {', '.join(sorted(allowed or ()))}."
            )
    grading = data.get("grading", {})
    known_families = list(dict.fromkeys(clause.family for clause in clauses))
    by_id = {clause.id: clause for clause in clauses}

    family_points = dict(data.get("families", {}))
    for family, points in family_points.items():
        if family not in known_families:
            raise RubricError(
                f"{where}: [families] names {family!r}, which is not a family; the families "
                f"are {', '.join(known_families)}."
            )
        _check_points(where, f"[families] {family}", points)
    clause_points = dict(data.get("clauses", {}))
    for clause_id, points in clause_points.items():
        if clause_id not in by_id:
            raise RubricError(
                f"{where}: [clauses] names {clause_id!r}, which is not a clause id; list them "
                "with: gradspec clauses"
            )
        _check_points(where, f"[clauses] {clause_id}", points)

    points: dict[str, float] = {}
    for clause in clauses:
        value = clause_points.get(clause.id, family_points.get(clause.family, 0))
        if value > 0:
            points[clause.id] = float(value)
    if not points:
        raise RubricError(
            f"{where} gives no clause any points, so there would be nothing to grade; give "
            "points to a family under [families] or to clauses under [clauses]."
        )

    acceptable = grading.get("acceptable", 1.0)
    if isinstance(acceptable, bool) or not isinstance(acceptable, (int, float)):
        raise RubricError(f"{where}: [grading] acceptable must be a number in [0, 1].")
    if not 0.0 <= acceptable <= 1.0:
        raise RubricError(f"{where}: [grading] acceptable must be in [0, 1]; got {acceptable}.")
    policy = grading.get("reference_import", "flag")
    if policy not in _POLICIES:
        raise RubricError(
            f"{where}: [grading] reference_import must be one of {', '.join(_POLICIES)}; "
            f"got {policy!r}."
        )
    visibility = data.get("gradescope", {}).get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise RubricError(
            f"{where}: [gradescope] visibility must be one of {', '.join(VISIBILITIES)}; "
            f"got {visibility!r}."
        )
    name = grading.get("name", Path(source).stem if source != "default" else "default")
    return Rubric(
        name=str(name),
        points=points,
        families={clause_id: by_id[clause_id].family for clause_id in points},
        titles={clause_id: by_id[clause_id].title for clause_id in points},
        acceptable=float(acceptable),
        reference_import=policy,
        visibility=visibility,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=source,
        text=text,
    )


def _check_points(where: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise RubricError(f"{where}: {key} = {value!r}; points must be a number >= 0.")
    if math.isinf(value):
        raise RubricError(f"{where}: {key} = {value!r}; points must be finite.")


def exact_selection(clause_ids: Sequence[str], every_id: Sequence[str]) -> str | None:
    """A ``--select`` pattern that matches exactly ``clause_ids``, or None for all of them.

    ``select_clauses`` treats a term without glob characters as a substring of the id or
    title (``LIN-BATCH`` would also match ``LIN-BATCH-BACKWARD``), so each id becomes a glob
    that only it matches: its last character in brackets (``LIN-BATC[H]``).
    """
    if set(clause_ids) >= set(every_id):
        return None
    return ",".join(f"{ident[:-1]}[{ident[-1]}]" for ident in clause_ids)
