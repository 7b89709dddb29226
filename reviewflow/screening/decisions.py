"""Screening decision files: read, validate, map to studies, merge reviewers, measure agreement.

A decision file is a CSV in the review folder under version control, one row per decision:
``record_id, decision, reviewer, date, note``. ``record_id`` may name any member record of a
deduplicated study (or the study id itself): the decision applies to the study.
``decision`` is ``include``, ``exclude`` or ``maybe`` (any case). ``date`` is ``YYYY-MM-DD``
(optionally with a time); rows are applied in date order, then file and line order, so a
reviewer who changes their mind adds a later row. Lines starting with ``#`` are comments.
``undo`` takes back the same reviewer's latest standing decision on the study (the one
before it stands again, or none): a correction appended as a row, so history is never
rewritten. The screening app writes dates with a UTC time (``2026-12-01T09:30:05Z``), which
orders two reviewers' decisions of one day.

With several reviewers, each reviewer's latest decision per study counts; studies where
reviewers disagree are conflicts. A conflict is settled by a decision of the adjudicator
(a reviewer named in config), otherwise it stays open and is treated as ``maybe`` (carried
forward to full text, as title/abstract screening errs towards inclusion).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from reviewflow.errors import DecisionFileError
from reviewflow.vocab import Decision

__all__ = [
    "DECISION_COLUMNS",
    "DecisionRow",
    "MergedDecisions",
    "cohen_kappa",
    "merge_decisions",
    "read_decision_file",
]

#: Columns of a screening decision file, in order.
DECISION_COLUMNS = ("record_id", "decision", "reviewer", "date", "note")
_REQUIRED = ("record_id", "decision")
_VALUES = {d.value for d in Decision}


@dataclass(frozen=True)
class DecisionRow:
    """One validated row: which study, what decision, by whom, when, and where it was read."""

    study_id: str
    record_id: str
    decision: str
    reviewer: str
    date: str
    note: str
    path: str
    line: int
    file_index: int


def _parse_date(value: str, path: str, line: int) -> str:
    text = value.strip()
    if not text:
        return ""
    for parser in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            parsed = parser(text.replace("Z", "+00:00"))
        except ValueError:
            continue
        return parsed.isoformat()
    raise DecisionFileError(
        f"not a date: {text!r} (write YYYY-MM-DD)", path=path, line=line, field="date"
    )


def read_decision_file(
    path: str | os.PathLike[str],
    study_of: Mapping[str, str],
    *,
    file_index: int = 0,
    default_reviewer: str = "",
) -> list[DecisionRow]:
    """Validate a decision file against the known record and study ids.

    Every problem raises :class:`DecisionFileError` naming the file, the 1-based line (the
    header is line 1) and the column, so a reviewer can open the file and fix that cell.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DecisionFileError(f"cannot read decision file: {exc}", path=path) from exc
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[DecisionRow] = []
    line_start = 1
    for cells in reader:
        line = line_start
        line_start = reader.line_num + 1
        if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            for column in _REQUIRED:
                if column not in header:
                    raise DecisionFileError(
                        f"missing column {column!r} (columns: {', '.join(DECISION_COLUMNS)})",
                        path=path,
                        line=line,
                        field=column,
                    )
            continue
        if len(cells) > len(header):
            raise DecisionFileError(
                f"{len(cells)} cells but {len(header)} columns in the header",
                path=path,
                line=line,
            )
        values = dict(zip(header, [c.strip() for c in cells], strict=False))
        record_id = values.get("record_id", "")
        if not record_id:
            raise DecisionFileError("empty record_id", path=path, line=line, field="record_id")
        if record_id not in study_of:
            raise DecisionFileError(
                f"unknown record id {record_id!r} (not in results/dedup/clusters.csv)",
                path=path,
                line=line,
                field="record_id",
            )
        decision = values.get("decision", "").lower()
        if decision not in _VALUES:
            raise DecisionFileError(
                f"decision must be one of {', '.join(sorted(_VALUES))}, got "
                f"{values.get('decision', '')!r}",
                path=path,
                line=line,
                field="decision",
            )
        rows.append(
            DecisionRow(
                study_id=study_of[record_id],
                record_id=record_id,
                decision=decision,
                reviewer=values.get("reviewer", "") or default_reviewer,
                date=_parse_date(values.get("date", ""), path, line),
                note=values.get("note", ""),
                path=path,
                line=line,
                file_index=file_index,
            )
        )
    if header is None:
        raise DecisionFileError(
            f"empty decision file: write a header ({', '.join(DECISION_COLUMNS)})",
            path=path,
            line=1,
        )
    return rows


@dataclass
class MergedDecisions:
    """Decisions per study after merging files and reviewers.

    ``final``: study -> include/exclude/maybe; ``order``: studies in the order they were
    first decided (the screening history the stopping rules replay); ``conflicts``: study
    -> {reviewer: decision} where reviewers disagree and no adjudicator settled it;
    ``adjudicated``: study -> the adjudicator's standing decision.
    """

    final: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    by_reviewer: dict[str, dict[str, DecisionRow]] = field(default_factory=dict)
    conflicts: dict[str, dict[str, str]] = field(default_factory=dict)
    resolved: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    adjudicated: dict[str, DecisionRow] = field(default_factory=dict)


def _chronological(rows: Iterable[DecisionRow]) -> list[DecisionRow]:
    # undated rows keep their place after the dated ones of earlier files
    return sorted(rows, key=lambda r: (r.date or "9999", r.file_index, r.line))


def merge_decisions(rows: Iterable[DecisionRow], adjudicator: str = "") -> MergedDecisions:
    """Latest decision per reviewer and study; conflicts between reviewers; the final call.

    Each (study, reviewer) keeps a stack of decisions: a decision pushes, ``undo`` pops. A
    study enters ``order`` when it gains its first standing decision and leaves it when an
    undo takes its last one away (so a study undone and decided again counts from then).
    """
    merged = MergedDecisions()
    stacks: dict[tuple[str, str], list[DecisionRow]] = {}
    standing: dict[str, int] = {}  # study -> decisions standing, over all reviewers
    entered: dict[str, int] = {}  # study -> position at which it was (last) first decided
    for position, row in enumerate(_chronological(rows)):
        key = (row.study_id, row.reviewer)
        stack = stacks.setdefault(key, [])
        if row.decision == Decision.UNDO:
            if stack:
                stack.pop()
                standing[row.study_id] -= 1
                if not standing[row.study_id]:
                    del entered[row.study_id]
            continue
        stack.append(row)
        standing[row.study_id] = standing.get(row.study_id, 0) + 1
        entered.setdefault(row.study_id, position)
    merged.order = sorted(entered, key=entered.__getitem__)
    adjudicated = merged.adjudicated
    for (study_id, reviewer), stack in stacks.items():
        if not stack:
            continue
        if adjudicator and reviewer == adjudicator:
            adjudicated[study_id] = stack[-1]
        else:
            merged.by_reviewer.setdefault(study_id, {})[reviewer] = stack[-1]
    for study_id in merged.order:
        votes = {r: d.decision for r, d in merged.by_reviewer.get(study_id, {}).items()}
        notes = [d.note for d in merged.by_reviewer.get(study_id, {}).values() if d.note]
        if study_id in adjudicated:
            merged.final[study_id] = adjudicated[study_id].decision
            notes.append(adjudicated[study_id].note)
            if len(set(votes.values())) > 1:
                merged.resolved[study_id] = votes
        elif len(set(votes.values())) > 1:
            merged.conflicts[study_id] = votes
            merged.final[study_id] = Decision.MAYBE.value
        else:
            merged.final[study_id] = next(iter(votes.values()))
        merged.notes[study_id] = " | ".join(n for n in notes if n)
    return merged


def cohen_kappa(merged: MergedDecisions) -> dict[str, float | int | None]:
    """Cohen's kappa for each pair of reviewers over the studies both decided.

    Returns ``{"A vs B": kappa, ..., "n_A vs B": studies}``; kappa is None when it is
    undefined (fewer than one shared study, or both reviewers used a single category).
    """
    reviewers = sorted({r for votes in merged.by_reviewer.values() for r in votes})
    out: dict[str, float | int | None] = {}
    labels = sorted(_VALUES - {Decision.UNDO.value})
    for a, b in combinations(reviewers, 2):
        pairs = [
            (votes[a].decision, votes[b].decision)
            for votes in merged.by_reviewer.values()
            if a in votes and b in votes
        ]
        key = f"{a} vs {b}"
        out[f"n_{key}"] = len(pairs)
        if not pairs:
            out[key] = None
            continue
        n = len(pairs)
        observed = sum(x == y for x, y in pairs) / n
        expected = sum(
            (sum(x == lab for x, _ in pairs) / n) * (sum(y == lab for _, y in pairs) / n)
            for lab in labels
        )
        out[key] = None if expected >= 1.0 else round((observed - expected) / (1 - expected), 4)
    return out
