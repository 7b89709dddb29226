"""Every reviewer's screening decisions, merged as the stage merges them, and what comes next.

The book holds one :class:`~reviewflow.app.decision_log.DecisionLog` per decision file
named in ``screening.decisions`` and merges their rows with the stage's own
:func:`~reviewflow.screening.decisions.merge_decisions`, so a conflict, a final decision or
a kappa here is the one the pipeline will compute.

Which study a reviewer sees next:

1. **second screening**: studies another reviewer decided in *their own* file that this
   reviewer has not, in the order they were decided (two reviewers with two files screen
   independently, blind to each other's calls, as the review configs describe);
2. **the stage's next pick**: studies nobody has decided, in the order of the latest
   ranking (model order in the ranked phase, draw order in the sampling phase).

Reviewers who share one file (the demo's single file) therefore split the work instead of
repeating it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewflow.app.decision_log import DecisionLog, utc_timestamp
from reviewflow.app.review import Review, decision_file_for
from reviewflow.errors import DataError, DecisionFileError
from reviewflow.screening.decisions import (
    DECISION_COLUMNS,
    DecisionRow,
    MergedDecisions,
    cohen_kappa,
    merge_decisions,
    read_decision_file,
)
from reviewflow.vocab import Decision

__all__ = ["Pending", "ScreeningBook", "Study", "read_studies", "read_study_map"]

log = logging.getLogger(__name__)

#: What a reviewer can decide in the screening view.
CHOICES = (Decision.INCLUDE.value, Decision.EXCLUDE.value, Decision.MAYBE.value)


@dataclass(frozen=True)
class Study:
    """The fields of a deduplicated study the page shows (every value a string)."""

    study_id: str
    record_id: str
    title: str
    abstract: str
    authors: str
    year: str
    journal: str
    doi: str
    pmid: str
    pmcid: str
    url: str
    keywords: str
    sources: str
    source_record_ids: str
    n_records: str
    first_seen: str


#: Columns of ``studies.csv`` the app keeps, in :class:`Study` field order.
_STUDY_FIELDS = tuple(f.name for f in dataclasses.fields(Study))


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)
    except FileNotFoundError as exc:
        raise DataError(
            "not found: run the pipeline up to screening first (snakemake -c2 "
            "results/screening/ranking.csv)",
            path=str(path),
        ) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read: {exc}", path=str(path)) from exc


def read_studies(path: Path) -> dict[str, Study]:
    """``results/dedup/studies.csv`` as study id -> :class:`Study`, in file order."""
    studies: dict[str, Study] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            where = [header.index(f) if f in header else -1 for f in _STUDY_FIELDS]
            width = len(header)
            for cells in reader:
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                values = [cells[i] if i >= 0 else "" for i in where]
                study = Study(*values)
                if not study.study_id:
                    study = dataclasses.replace(study, study_id=study.record_id)
                studies[study.study_id] = study
    except FileNotFoundError as exc:
        raise DataError(
            "not found: run the pipeline up to screening first (snakemake -c2 "
            "results/screening/ranking.csv)",
            path=str(path),
        ) from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read: {exc}", path=str(path)) from exc
    return studies


def read_study_map(path: Path, studies: Mapping[str, Study]) -> dict[str, str]:
    """record id -> study id from ``clusters.csv``; every study id maps to itself."""
    study_of: dict[str, str] = {}
    for row in _csv_rows(path):
        if row.get("record_id") and row.get("study_id"):
            study_of[row["record_id"]] = row["study_id"]
    for study_id in studies:
        study_of.setdefault(study_id, study_id)
    return study_of


@dataclass(frozen=True)
class Pending:
    """A decision not yet written because its file is malformed; written once it is fixed."""

    path: Path
    cells: dict[str, str]


class ScreeningBook:
    """The screening decision files of a review, merged, with each reviewer's next study.

    Thread-safe: the web server calls it from its worker threads, the file watcher from
    another. ``on_change`` is called (outside the lock) with the new version and merged
    decisions whenever the decisions change, so the ranking can be refreshed.
    """

    def __init__(
        self,
        review: Review,
        studies: Mapping[str, Study],
        study_of: Mapping[str, str],
        on_change: Callable[[int, MergedDecisions], None] | None = None,
    ) -> None:
        self.review = review
        self.studies = dict(studies)
        self.study_of = dict(study_of)
        self.pool = list(self.studies)
        self._on_change = on_change
        self._lock = threading.RLock()
        lock_dir = review.files.app_dir / "locks"
        self.logs: list[DecisionLog[DecisionRow]] = [
            DecisionLog(
                path,
                columns=DECISION_COLUMNS,
                parse=self._parser(index),
                lock_dir=lock_dir,
                extend=self._extender(path, index),
            )
            for index, path in enumerate(review.files.screening_decisions)
        ]
        self.pending: list[Pending] = []
        self.version = 0
        self.merged = MergedDecisions()
        self.refresh(force=True)

    # reading ---------------------------------------------------------------------------

    def _parser(self, index: int) -> Callable[[Path], list[DecisionRow]]:
        def parse(path: Path) -> list[DecisionRow]:
            return read_decision_file(path, self.study_of, file_index=index)

        return parse

    def _extender(
        self, path: Path, index: int
    ) -> Callable[[list[dict[str, str]], int], list[DecisionRow]]:
        """Rows as :func:`read_decision_file` would read the cells the app just appended."""

        def extend(cells: list[dict[str, str]], first_line: int) -> list[DecisionRow]:
            rows = []
            for offset, c in enumerate(cells):
                date = c.get("date", "")
                parsed = dt.datetime.fromisoformat(date.replace("Z", "+00:00")).isoformat()
                rows.append(
                    DecisionRow(
                        study_id=self.study_of[c["record_id"]],
                        record_id=c["record_id"],
                        decision=c["decision"].lower(),
                        reviewer=c.get("reviewer", ""),
                        date=parsed,
                        note=c.get("note", ""),
                        path=str(path),
                        line=first_line + offset,
                        file_index=index,
                    )
                )
            return rows

        return extend

    def refresh(self, force: bool = False) -> bool:
        """Pick up changes on disk (hand edits, other processes); write pending decisions."""
        changed = False
        with self._lock:
            for log_ in self.logs:
                changed |= log_.refresh()
            if self.pending:
                changed |= self._flush_pending()
            if changed or force:
                self._remerge()
            version, merged = self.version, self.merged
        if (changed or force) and self._on_change is not None:
            self._on_change(version, merged)
        return changed

    def _remerge(self) -> None:
        rows = [row for log_ in self.logs for row in log_.rows]
        self.merged = merge_decisions(rows, adjudicator=self.review.adjudicator)
        self.version += 1

    def errors(self) -> list[DecisionFileError]:
        with self._lock:
            return [log_.error for log_ in self.logs if log_.error is not None]

    # who writes where ------------------------------------------------------------------

    def file_for(self, reviewer: str) -> Path:
        with self._lock:
            reviewers_in = {log_.path: {row.reviewer for row in log_.rows} for log_ in self.logs}
        return decision_file_for(
            reviewer,
            list(self.review.files.screening_decisions),
            reviewers_in,
            config_path=self.review.files.relative(self.review.files.config),
        )

    def _log_for(self, path: Path) -> DecisionLog[DecisionRow]:
        return next(log_ for log_ in self.logs if log_.path == path)

    # writing ---------------------------------------------------------------------------

    def decide(
        self, reviewer: str, study_id: str, decision: str, note: str = ""
    ) -> DecisionFileError | None:
        """Append one decision; on a malformed file keep it pending and return the error."""
        if study_id not in self.studies:
            raise DataError(f"unknown study {study_id!r}")
        decision = decision.lower()
        if decision not in CHOICES:
            raise DataError(f"decision must be one of {', '.join(CHOICES)}, got {decision!r}")
        cells = {
            "record_id": study_id,
            "decision": decision,
            "reviewer": reviewer,
            "date": utc_timestamp(),
            "note": note,
        }
        return self._write(self.file_for(reviewer), cells)

    def undo(self, reviewer: str) -> tuple[str | None, DecisionFileError | None]:
        """Take back the reviewer's latest standing decision in their file (a new row)."""
        path = self.file_for(reviewer)
        with self._lock:
            standing: list[DecisionRow] = []
            for row in self._log_for(path).rows:
                if row.reviewer != reviewer:
                    continue
                if row.decision == Decision.UNDO:
                    for i in range(len(standing) - 1, -1, -1):
                        if standing[i].study_id == row.study_id:
                            del standing[i]
                            break
                else:
                    standing.append(row)
            for item in reversed(self.pending):
                if item.path == path and item.cells["reviewer"] == reviewer:
                    self.pending.remove(item)  # not written yet: undo is dropping it
                    study = self.study_of.get(item.cells["record_id"])
                    return study, None
            if not standing:
                return None, None
            last = standing[-1]
        cells = {
            "record_id": last.record_id,
            "decision": Decision.UNDO.value,
            "reviewer": reviewer,
            "date": utc_timestamp(),
            "note": f"undo of {last.decision}",
        }
        return last.study_id, self._write(path, cells)

    def _write(self, path: Path, cells: dict[str, str]) -> DecisionFileError | None:
        error: DecisionFileError | None = None
        with self._lock:
            log_ = self._log_for(path)
            if any(p.path == path for p in self.pending):
                self.pending.append(Pending(path, cells))  # keep their order
                self._flush_pending()
            else:
                try:
                    log_.append([cells])
                except DecisionFileError as exc:
                    self.pending.append(Pending(path, cells))
                    error = exc
            if any(p.path == path for p in self.pending):
                error = log_.error or error
            self._remerge()
            version, merged = self.version, self.merged
        if self._on_change is not None:
            self._on_change(version, merged)
        return error

    def _flush_pending(self) -> bool:
        """Write pending decisions to files that read cleanly again; True if any was."""
        written = False
        for path in {p.path for p in self.pending}:
            log_ = self._log_for(path)
            log_.refresh()
            if log_.error is not None:
                continue
            batch = [p for p in self.pending if p.path == path]
            try:
                log_.append([p.cells for p in batch])
            except DecisionFileError:
                continue
            self.pending = [p for p in self.pending if p.path != path]
            written = True
        return written

    # what the page shows ---------------------------------------------------------------

    def own_decision(self, reviewer: str, study_id: str) -> DecisionRow | None:
        """The reviewer's standing decision on a study (None if they have not decided it)."""
        with self._lock:
            merged = self.merged
        if reviewer and reviewer == self.review.adjudicator:
            return merged.adjudicated.get(study_id)
        return merged.by_reviewer.get(study_id, {}).get(reviewer)

    def is_open_for(self, reviewer: str, study_id: str) -> bool:
        """Whether the study is still the reviewer's to decide (see :meth:`queue`)."""
        if study_id not in self.studies or not reviewer:
            return False
        with self._lock:
            merged = self.merged
            if any(
                p.cells["reviewer"] == reviewer
                and self.study_of.get(p.cells["record_id"]) == study_id
                for p in self.pending
            ):
                return False
        if self.own_decision(reviewer, study_id) is not None:
            return False
        if study_id not in merged.final:
            return True
        return self._second(reviewer, study_id, merged, self.file_for(reviewer))

    def _second(self, reviewer: str, study_id: str, merged: MergedDecisions, own: Path) -> bool:
        """Decided by another reviewer in another file: this reviewer screens it too.

        The adjudicator is not a screener: they settle conflicts, never re-screen."""
        if reviewer == self.review.adjudicator:
            return False
        votes = merged.by_reviewer.get(study_id, {})
        return any(r != reviewer and Path(v.path) != own for r, v in votes.items())

    def queue(self, reviewer: str, order: Sequence[str], limit: int = 2) -> list[tuple[str, str]]:
        """The reviewer's next studies, as (study id, why: ``second`` or ``next``)."""
        with self._lock:
            merged = self.merged
            pending = {
                self.study_of.get(p.cells["record_id"], "")
                for p in self.pending
                if p.cells["reviewer"] == reviewer
            }
        own = self.file_for(reviewer)
        if reviewer and reviewer == self.review.adjudicator:
            mine = set(merged.adjudicated) | pending
        else:
            mine = {s for s, votes in merged.by_reviewer.items() if reviewer in votes} | pending
        out: list[tuple[str, str]] = []
        for study in merged.order:
            if study in mine:
                continue
            if self._second(reviewer, study, merged, own):
                out.append((study, "second"))
                if len(out) >= limit:
                    return out
        for study in order:
            if study not in merged.final and study not in mine:
                out.append((study, "next"))
                if len(out) >= limit:
                    break
        return out

    def conflicts(self) -> list[dict[str, object]]:
        """Open and settled disagreements, each with every reviewer's call and note."""
        with self._lock:
            merged = self.merged
        items: list[dict[str, object]] = []
        for status, table in (("open", merged.conflicts), ("resolved", merged.resolved)):
            for study, votes in table.items():
                rows = merged.by_reviewer.get(study, {})
                items.append(
                    {
                        "study_id": study,
                        "title": self.studies[study].title if study in self.studies else "",
                        "status": status,
                        "final": merged.final.get(study, ""),
                        "votes": [
                            {
                                "reviewer": r,
                                "decision": d,
                                "note": rows[r].note if r in rows else "",
                            }
                            for r, d in sorted(votes.items())
                        ],
                    }
                )
        return items

    def kappa(self) -> list[dict[str, object]]:
        """Cohen's kappa per pair of reviewers (the stage's :func:`cohen_kappa`)."""
        with self._lock:
            merged = self.merged
        values = cohen_kappa(merged)
        return [
            {"pair": pair, "kappa": value, "studies": values[f"n_{pair}"]}
            for pair, value in values.items()
            if not pair.startswith("n_")
        ]
