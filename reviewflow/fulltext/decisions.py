"""Full-text decision files: read, check every row, and resolve record ids to studies.

A full-text decision file is a CSV under version control, one row per decision::

    record_id,decision,reason,reviewer,date,note
    nagtegaal_records:40,include,,A. Reviewer,2026-11-24,
    nagtegaal_records:19,exclude,wrong_population,A. Reviewer,2026-11-24,
    nagtegaal_records:27,not_retrieved,,A. Reviewer,2026-11-24,library could not supply

``decision`` is ``include``, ``exclude`` or ``not_retrieved`` (PRISMA 2020 counts reports
not retrieved apart from reports assessed and excluded). ``reason`` is a code from config
``fulltext.exclusion_reasons`` and is required for ``exclude``. A decision may name any
member record of a deduplicated study (or the study id itself). When a study has several
decisions, the latest ``date`` wins (file order breaks ties): a reviewer who first could not
retrieve a report and later assessed it adds a row rather than editing history. ``undo``
takes back the latest decision on the study (the one before it is in force again, or none):
a correction appended as a row, as in screening decision files.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import pandas as pd

from reviewflow.errors import DecisionFileError

__all__ = [
    "DECISION_COLUMNS",
    "UNDO",
    "FulltextDecision",
    "FulltextOutcome",
    "ResolvedDecisions",
    "read_fulltext_decisions",
    "resolve_decisions",
]

#: Columns of a full-text decision file; ``record_id`` and ``decision`` are required.
DECISION_COLUMNS: tuple[str, ...] = ("record_id", "decision", "reason", "reviewer", "date", "note")

_REQUIRED_COLUMNS = ("record_id", "decision")

#: The row that takes back the decision before it on the same study.
UNDO = "undo"


class FulltextOutcome(StrEnum):
    """What a reviewer decided about a study's report."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    NOT_RETRIEVED = "not_retrieved"


@dataclass
class FulltextDecision:
    """One checked row of a decision file, with the study it applies to."""

    path: str
    line: int
    record_id: str
    study_id: str
    decision: str
    reason: str
    reviewer: str
    date: str
    note: str


def _problem(path: str, line: int | None, field: str | None, message: str) -> str:
    return str(DecisionFileError(message, path=path, line=line, field=field))


def read_fulltext_decisions(
    paths: Sequence[str | os.PathLike[str]],
    *,
    record_to_study: Mapping[str, str],
    reason_codes: Sequence[str],
) -> list[FulltextDecision]:
    """Every decision of every file, checked; all problems raised at once.

    ``record_to_study`` maps every known record id (and every study id, to itself) to its
    study id; it comes from ``results/dedup/clusters.csv``.
    """
    problems: list[str] = []
    decisions: list[FulltextDecision] = []
    allowed = ", ".join([*(o.value for o in FulltextOutcome), UNDO])
    codes = set(reason_codes)
    for raw_path in paths:
        path = os.fspath(raw_path)
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
        except FileNotFoundError:
            problems.append(_problem(path, None, None, "decision file not found"))
            continue
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            problems.append(_problem(path, None, None, f"cannot read as CSV: {exc}"))
            continue
        frame.columns = [str(c).strip() for c in frame.columns]
        missing = [c for c in _REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            problems.append(_problem(path, 1, None, f"missing column(s): {', '.join(missing)}"))
            continue
        unknown_cols = [c for c in frame.columns if c not in DECISION_COLUMNS]
        if unknown_cols:
            problems.append(
                _problem(
                    path,
                    1,
                    None,
                    f"unknown column(s): {', '.join(unknown_cols)} "
                    f"(expected: {', '.join(DECISION_COLUMNS)})",
                )
            )
            continue
        for index, row in frame.iterrows():
            line = int(str(index)) + 2  # header is line 1
            get = {c: str(row.get(c, "")).strip() for c in DECISION_COLUMNS}
            if not any(get.values()):
                continue
            record_id, decision, reason = get["record_id"], get["decision"].lower(), get["reason"]
            if not record_id:
                problems.append(_problem(path, line, "record_id", "empty record id"))
                continue
            study_id = record_to_study.get(record_id, "")
            if not study_id:
                problems.append(
                    _problem(path, line, "record_id", f"unknown record id {record_id!r}")
                )
            if decision not in {o.value for o in FulltextOutcome} | {UNDO}:
                problems.append(
                    _problem(
                        path, line, "decision", f"{get['decision']!r} is not one of: {allowed}"
                    )
                )
            if decision == FulltextOutcome.EXCLUDE and not reason:
                problems.append(_problem(path, line, "reason", "an exclusion needs a reason code"))
            elif reason and reason not in codes:
                problems.append(
                    _problem(
                        path,
                        line,
                        "reason",
                        f"unknown reason code {reason!r} (config fulltext.exclusion_reasons: "
                        f"{', '.join(sorted(codes))})",
                    )
                )
            if get["date"]:
                try:
                    dt.date.fromisoformat(get["date"])
                except ValueError:
                    problems.append(
                        _problem(path, line, "date", f"{get['date']!r} is not a YYYY-MM-DD date")
                    )
            decisions.append(
                FulltextDecision(
                    path=path,
                    line=line,
                    record_id=record_id,
                    study_id=study_id,
                    decision=decision,
                    reason=reason,
                    reviewer=get["reviewer"],
                    date=get["date"],
                    note=get["note"],
                )
            )
    if problems:
        raise DecisionFileError(
            f"{len(problems)} problem(s) in full-text decision files:\n  " + "\n  ".join(problems)
        )
    return decisions


class ResolvedDecisions(NamedTuple):
    """The decision in force per study; the decisions a later one replaced; the decisions
    an ``undo`` took back (each with the undo row that did)."""

    in_force: dict[str, FulltextDecision]
    superseded: list[FulltextDecision]
    undone: dict[int, FulltextDecision]


def resolve_decisions(decisions: Sequence[FulltextDecision]) -> ResolvedDecisions:
    """Apply the decisions in order (latest date, then file order): a decision stacks on the
    study's earlier ones, an ``undo`` takes the top one away; the top one is in force.

    ``undone`` maps ``id()`` of each taken-back decision to the undo row; an undo with
    nothing to take back changes nothing.
    """
    stacks: dict[str, list[FulltextDecision]] = {}
    undone: dict[int, FulltextDecision] = {}
    for _, decision in sorted(enumerate(decisions), key=lambda p: (p[1].date, p[0])):
        stack = stacks.setdefault(decision.study_id, [])
        if decision.decision == UNDO:
            if stack:
                undone[id(stack.pop())] = decision
            continue
        stack.append(decision)
    return ResolvedDecisions(
        in_force={study: stack[-1] for study, stack in stacks.items() if stack},
        superseded=[d for stack in stacks.values() for d in stack[:-1]],
        undone=undone,
    )
