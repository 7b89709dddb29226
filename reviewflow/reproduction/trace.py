"""Where each study of a published review stands in this run, stage by stage.

The trace works on studies, as the pipeline does after deduplication: a known include is
found as one or more records, those records belong to studies, and each study has a place
in screening, full text and extraction. A known include takes the most advanced place of
its studies (a copy still awaiting screening is not lost because another copy was
excluded). Two known includes whose records ended in one study are reported as ``merged``:
either deduplication joined two publications, or the published review listed one study
twice; a person has to look either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reviewflow.reproduction.known import KnownInclude
from reviewflow.reproduction.match import KnownMatch, KnownMatches
from reviewflow.vocab import LIST_SEPARATOR, TraceStatus

__all__ = [
    "RecordOrigin",
    "StudyStage",
    "TRACE_COLUMNS",
    "StageOutcomes",
    "study_stage",
    "trace_known_includes",
]

#: Columns of ``results/reproduction/known_includes.csv``.
TRACE_COLUMNS = (
    "known_id",
    "label",
    "status",
    "lost_at",
    "found_by",
    "record_ids",
    "match",
    "possible_matches",
    "study_id",
    "merged_with",
    "screening",
    "fulltext",
    "extraction",
    "doi",
    "pmid",
    "title",
    "year",
    "first_author",
    "line",
)

#: Pending places ahead of losses: a study still on its way may yet be included.
_PROGRESS = (
    TraceStatus.NOT_RETRIEVED,
    TraceStatus.MERGED,
    TraceStatus.EXCLUDED_TITLE_ABSTRACT,
    TraceStatus.FULLTEXT_NOT_RETRIEVED,
    TraceStatus.EXCLUDED_FULLTEXT,
    TraceStatus.AWAITING_SCREENING,
    TraceStatus.AWAITING_FULLTEXT,
    TraceStatus.AWAITING_EXTRACTION,
    TraceStatus.INCLUDED,
)


@dataclass(frozen=True)
class RecordOrigin:
    """Which line of the run a record came from, in words a report can print."""

    line: str  # search or import id, or "citations"
    kind: str  # search, import, citations
    detail: str = ""  # citation direction, round and seed

    def describe(self) -> str:
        if self.kind == "citations":
            return f"citations {self.detail}".strip()
        return f"{self.kind} {self.line}"


@dataclass(frozen=True)
class StageOutcomes:
    """What each stage decided about each study (study id keys), read from its outputs."""

    passed_screening: frozenset[str] = frozenset()
    screening_excluded: Mapping[str, str] = field(default_factory=dict)  # -> who, when
    screening_pending: Mapping[str, str] = field(default_factory=dict)  # -> why (conflict)
    fulltext: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # -> (decision, text)
    extracted: frozenset[str] = frozenset()
    awaiting_extraction: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StudyStage:
    """One study's place in the run, with what each stage said about it."""

    status: TraceStatus
    screening: str = ""
    fulltext: str = ""
    extraction: str = ""


def study_stage(study_id: str, outcomes: StageOutcomes) -> StudyStage:
    """Where one deduplicated study stands, and the decisions that put it there."""
    if study_id not in outcomes.passed_screening:
        if study_id in outcomes.screening_excluded:
            return StudyStage(
                TraceStatus.EXCLUDED_TITLE_ABSTRACT,
                screening=f"excluded {outcomes.screening_excluded[study_id]}",
            )
        why = outcomes.screening_pending.get(study_id, "no decision yet")
        return StudyStage(TraceStatus.AWAITING_SCREENING, screening=why)
    screening = "included (or left for full text)"
    decision, text = outcomes.fulltext.get(study_id, ("", ""))
    if decision == "exclude":
        return StudyStage(TraceStatus.EXCLUDED_FULLTEXT, screening, f"excluded: {text}")
    if decision == "not_retrieved":
        return StudyStage(TraceStatus.FULLTEXT_NOT_RETRIEVED, screening, f"not retrieved: {text}")
    if decision != "include":
        return StudyStage(TraceStatus.AWAITING_FULLTEXT, screening, "no full-text decision yet")
    fulltext = f"included: {text}" if text else "included"
    if study_id in outcomes.extracted:
        return StudyStage(TraceStatus.INCLUDED, screening, fulltext, "extracted")
    return StudyStage(TraceStatus.AWAITING_EXTRACTION, screening, fulltext, "not extracted yet")


def trace_known_includes(
    known: Sequence[KnownInclude],
    matched: KnownMatches,
    *,
    study_of: Mapping[str, str],
    origin_of: Mapping[str, RecordOrigin],
    members: Mapping[str, Sequence[str]],
    outcomes: StageOutcomes,
) -> list[dict[str, str]]:
    """One row per known include (:data:`TRACE_COLUMNS`), in the file's order.

    ``study_of`` maps record ids to study ids (``clusters.csv``), ``members`` study ids to
    their record ids, ``origin_of`` record ids to the line that found them.
    """
    matches = matched.found
    studies_of = {
        item.known_id: sorted({study_of[m.record_id] for m in matches.get(item.known_id, [])})
        for item in known
    }
    holders: dict[str, list[str]] = {}
    for item in known:
        for study_id in studies_of[item.known_id]:
            holders.setdefault(study_id, []).append(item.known_id)
    labels = {item.known_id: item.label for item in known}
    rows = []
    for item in known:
        found = list(matches.get(item.known_id, []))
        studies = studies_of[item.known_id]
        row = {column: "" for column in TRACE_COLUMNS}
        row.update(
            known_id=item.known_id,
            label=item.label,
            doi=item.doi,
            pmid=item.pmid,
            title=item.title,
            year=item.year,
            first_author=item.first_author,
            line=str(item.line),
            record_ids=LIST_SEPARATOR.join(m.record_id for m in found),
            match=found[0].method if found else "",
        )
        if not found:
            row["possible_matches"] = LIST_SEPARATOR.join(
                f"{m.record_id}: {m.method}" for m in matched.possible.get(item.known_id, [])
            )
            row.update(status=TraceStatus.NOT_RETRIEVED.value, lost_at="search")
            rows.append(row)
            continue
        lines = sorted(
            {
                origin_of[r].describe()
                for study_id in studies
                for r in members.get(study_id, [])
                if r in origin_of
            }
        )
        row["found_by"] = LIST_SEPARATOR.join(lines)
        places = {study_id: study_stage(study_id, outcomes) for study_id in studies}
        best = max(studies, key=lambda s: (_PROGRESS.index(places[s].status), s == studies[0]))
        place = places[best]
        row.update(
            study_id=LIST_SEPARATOR.join([best, *[s for s in studies if s != best]]),
            screening=place.screening,
            fulltext=place.fulltext,
            extraction=place.extraction,
            status=place.status.value,
        )
        sharing = [k for k in holders.get(best, []) if k != item.known_id]
        if sharing:
            row["merged_with"] = LIST_SEPARATOR.join(f"{k} ({labels[k]})" for k in sharing)
            keeper = _keeper(best, holders[best], matches)
            if keeper != item.known_id:
                row.update(
                    status=TraceStatus.MERGED.value,
                    screening=f"merged into study {best}, traced as {keeper}",
                    fulltext="",
                    extraction="",
                )
        status = TraceStatus(row["status"])
        row["lost_at"] = status.stage if status.lost else ""
        rows.append(row)
    return rows


def _keeper(
    study_id: str, sharing: Sequence[str], matches: Mapping[str, Sequence[KnownMatch]]
) -> str:
    """Of known includes sharing one study, the one the study stands for: the one matched to
    the study's own record (its id), else the first listed."""
    for known_id in sharing:
        if any(m.record_id == study_id for m in matches.get(known_id, [])):
            return known_id
    return sharing[0]
