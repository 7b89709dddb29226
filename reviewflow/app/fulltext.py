"""The full-text view: studies included at title/abstract, their reports, full-text decisions.

Decisions go to the full-text decision file named in ``fulltext.decisions`` (one per reviewer
when config names several), appended under a lock like screening decisions, and are read
back with the full-text stage's own reader, so the exclusion reason codes offered are
exactly those the stage accepts. Where each report is comes from the stage's
``results/fulltext/availability.csv`` and, for PDFs dropped in since, from the same file
name rule the stage uses (:func:`reviewflow.fulltext.locate.find_local_pdf`).
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.app.book import ScreeningBook
from reviewflow.app.decision_log import DecisionLog
from reviewflow.app.review import Review, decision_file_for
from reviewflow.errors import DataError, DecisionFileError
from reviewflow.vocab import Decision

if TYPE_CHECKING:
    from reviewflow.fulltext.decisions import FulltextDecision

__all__ = ["FulltextDesk"]

_RELEVANT = (Decision.INCLUDE.value, Decision.MAYBE.value)


def _web(url: str) -> str:
    """Only web links become links (a record's URL field may hold anything)."""
    return url if url.startswith(("https://", "http://")) else ""


class FulltextDesk:
    """Full-text decision files of a review, and the list of studies to assess."""

    def __init__(self, review: Review, book: ScreeningBook) -> None:
        # the full-text package imports its whole stage: only when this view is first used
        from reviewflow.fulltext.decisions import DECISION_COLUMNS

        self.review = review
        self.book = book
        self.codes = [code for code, _ in review.exclusion_reasons]
        self._lock = threading.RLock()
        self.logs: list[DecisionLog[FulltextDecision]] = [
            DecisionLog(
                path,
                columns=DECISION_COLUMNS,
                parse=self._parse,
                lock_dir=review.files.app_dir / "locks",
            )
            for path in review.files.fulltext_decisions
        ]
        self._availability: dict[str, dict[str, str]] = {}
        self._availability_mtime: float | None = None

    def _parse(self, path: Path) -> list[FulltextDecision]:
        from reviewflow.fulltext.decisions import read_fulltext_decisions

        return read_fulltext_decisions(
            [path], record_to_study=self.book.study_of, reason_codes=self.codes
        )

    def refresh(self) -> None:
        with self._lock:
            for log_ in self.logs:
                log_.refresh()

    def errors(self) -> list[DecisionFileError]:
        self.refresh()
        return [log_.error for log_ in self.logs if log_.error is not None]

    def availability(self) -> dict[str, dict[str, str]]:
        path = self.review.files.availability
        mtime = path.stat().st_mtime if path.is_file() else None
        with self._lock:
            if mtime != self._availability_mtime:
                rows: dict[str, dict[str, str]] = {}
                if mtime is not None:
                    with open(path, encoding="utf-8", newline="") as handle:
                        rows = {r["study_id"]: r for r in csv.DictReader(handle)}
                self._availability, self._availability_mtime = rows, mtime
            return self._availability

    def file_for(self, reviewer: str) -> Path:
        reviewers_in = {log_.path: {r.reviewer for r in log_.rows} for log_ in self.logs}
        return decision_file_for(
            reviewer,
            list(self.review.files.fulltext_decisions),
            reviewers_in,
            config_key="fulltext.decisions",
            config_path=self.review.files.relative(self.review.files.config),
        )

    def local_pdf(self, study_id: str) -> Path | None:
        """A PDF of the study inside the review folder: dropped in, or saved by the stage."""
        from reviewflow.fulltext.locate import find_local_pdf

        study = self.book.studies.get(study_id)
        if study is None:
            return None
        names = [study_id, *study.source_record_ids.split("; ")]
        found = find_local_pdf(self.review.files.pdf_dirs[0], [n for n in names if n])
        if found is None:
            row = self.availability().get(study_id, {})
            if row.get("local_path"):
                candidate = (self.review.files.root / row["local_path"]).resolve()
                if candidate.is_file():
                    found = candidate
        if found is None:
            return None
        found = found.resolve()
        root = self.review.files.root.resolve()
        return found if found.is_relative_to(root) and found.suffix.lower() == ".pdf" else None

    def studies(self) -> list[dict[str, Any]]:
        """Each study included (or maybe) at title/abstract with its report and decision."""
        from reviewflow.fulltext.decisions import resolve_decisions

        self.refresh()
        with self._lock:
            decisions = [d for log_ in self.logs for d in log_.rows]
        in_force = resolve_decisions(decisions).in_force
        merged = self.book.merged
        availability = self.availability()
        items = []
        for study_id in merged.order:
            if merged.final.get(study_id) not in _RELEVANT:
                continue
            study = self.book.studies[study_id]
            where = availability.get(study_id, {})
            pdf = self.local_pdf(study_id)
            decision = in_force.get(study_id)
            items.append(
                {
                    "study_id": study_id,
                    "title": study.title,
                    "authors": study.authors,
                    "year": study.year,
                    "journal": study.journal,
                    "screening": merged.final[study_id],
                    "located": where.get("status", ""),
                    "url": _web(where.get("url", "")) or _web(where.get("pdf_url", "")),
                    "doi": study.doi,
                    "pdf_path": self.review.files.relative(pdf) if pdf else "",
                    "decision": decision.decision if decision else "",
                    "reason": decision.reason if decision else "",
                    "note": decision.note if decision else "",
                    "decided_by": decision.reviewer if decision else "",
                }
            )
        return items

    def _decided(self, study_id: str) -> bool:
        from reviewflow.fulltext.decisions import resolve_decisions

        self.refresh()
        with self._lock:
            decisions = [d for log_ in self.logs for d in log_.rows]
        return study_id in resolve_decisions(decisions).in_force

    def decide(
        self, reviewer: str, study_id: str, decision: str, reason: str = "", note: str = ""
    ) -> None:
        """Append one full-text decision (the latest one is in force, as in the stage);
        ``undo`` takes back the latest decision on the study."""
        from reviewflow.fulltext.decisions import UNDO, FulltextOutcome

        if study_id not in self.book.studies:
            raise DataError(f"unknown study {study_id!r}")
        outcomes = [o.value for o in FulltextOutcome] + [UNDO]
        if decision not in outcomes:
            raise DataError(f"decision must be one of {', '.join(outcomes)}, got {decision!r}")
        if decision == FulltextOutcome.EXCLUDE and reason not in self.codes:
            raise DataError(
                f"an exclusion needs a reason from fulltext.exclusion_reasons: {', '.join(self.codes)}"
            )
        if decision == UNDO and not self._decided(study_id):
            raise DataError("nothing to undo: no full-text decision on this study")
        if decision != FulltextOutcome.EXCLUDE:
            reason = ""
        path = self.file_for(reviewer)
        cells: Mapping[str, str] = {
            "record_id": study_id,
            "decision": decision,
            "reason": reason,
            "reviewer": reviewer,
            "date": dt.date.today().isoformat(),  # the full-text reader takes dates only
            "note": note,
        }
        with self._lock:
            log_ = next(log_ for log_ in self.logs if log_.path == path)
            log_.append([cells])
