"""Rule ``trace_known_includes``: the published review's studies traced through this run.

Reads what every stage wrote (records with the line that found each, clusters, screening
and full-text decisions, the extraction dataset, the PRISMA counts) and writes

- ``results/reproduction/known_includes.csv``: one row per study the published review
  included, with the lines that found it, its study after deduplication and its status;
- ``results/reproduction/summary.json``: search recall, what each stage lost, each line's
  unique contribution (records, studies, known includes), citation tracking by direction,
  round and source, and the published counts beside this run's.

The stage runs in every review: without ``published:`` it still reports each line's unique
contribution and the citation table the report shows.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.clusters import record_study_map
from reviewflow.errors import DataError
from reviewflow.io import atomic_open, atomic_write_json, table_rows
from reviewflow.paths import ReproductionPaths
from reviewflow.prisma import SOURCE_NAMES, audits_at, load_counts
from reviewflow.records import read_records
from reviewflow.reproduction.known import KnownInclude, read_known_includes
from reviewflow.reproduction.match import MatchSettings, match_known_includes
from reviewflow.reproduction.published import compare_published
from reviewflow.reproduction.trace import (
    TRACE_COLUMNS,
    RecordOrigin,
    StageOutcomes,
    trace_known_includes,
)
from reviewflow.vocab import LIST_SEPARATOR, FoundBy, Stage, TraceStatus

__all__ = ["ReproductionPaths", "ReproductionSettings", "run_reproduction_stage"]

log = logging.getLogger(__name__)

#: The order in which a known include passes the stages (for "what each stage lost").
STAGE_ORDER = ("search", "dedup", "screening", "fulltext", "extraction")


@dataclass(frozen=True)
class ReproductionSettings:
    """The ``published:`` block, how known includes are matched, who settles screening."""

    published: Mapping[str, Any] = field(default_factory=dict)
    match: MatchSettings = field(default_factory=MatchSettings)
    adjudicator: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReproductionSettings:
        """From a validated config's ``published`` (absent or None: no published review),
        ``dedup`` and ``screening.adjudicator``."""
        published = config["published"] if "published" in config else None
        return cls(
            published=dict(published or {}),
            match=MatchSettings.from_dedup_config(config["dedup"]),
            adjudicator=str(config["screening"]["adjudicator"]),
        )

    @property
    def known_includes(self) -> str:
        return str(self.published.get("known_includes", "") or "")


def _table(path: str | os.PathLike[str] | None) -> pd.DataFrame | None:
    if not path or not Path(path).is_file():
        return None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read table: {exc}", path=str(path)) from exc


def _origin(row: Mapping[str, str]) -> RecordOrigin:
    found_by = row.get("found_by", "")
    line = row.get("search_id", "")
    if found_by == FoundBy.CITATION or line == "citations":
        parts = [row.get("citation_direction", ""), f"round {row.get('citation_round', '')}"]
        seed = row.get("citation_seed", "")
        detail = " ".join(p for p in parts if p.strip() and p != "round ")
        if seed:
            detail += f" from {seed}"
        return RecordOrigin(line="citations", kind="citations", detail=detail)
    kind = "import" if found_by == FoundBy.IMPORT else "search"
    return RecordOrigin(line=line, kind=kind)


def _screening_outcomes(
    decision_paths: Sequence[str],
    study_of: Mapping[str, str],
    adjudicator: str,
) -> tuple[dict[str, str], dict[str, str]]:
    """Excluded studies (-> by whom, when) and open ones (-> why) from the decision files."""
    from reviewflow.screening.decisions import merge_decisions, read_decision_file

    rows = []
    for index, path in enumerate(decision_paths):
        rows += read_decision_file(path, study_of, file_index=index)
    merged = merge_decisions(rows, adjudicator)
    latest: dict[tuple[str, str], Any] = {}
    for row in sorted(rows, key=lambda r: (r.date or "9999", r.file_index, r.line)):
        latest[(row.study_id, row.reviewer)] = row
    excluded: dict[str, str] = {}
    pending: dict[str, str] = {}
    for study_id, final in merged.final.items():
        if final == "exclude":
            who = [
                f"by {r.reviewer or 'an unnamed reviewer'}" + (f" on {r.date}" if r.date else "")
                for (s, _), r in sorted(latest.items())
                if s == study_id and r.decision == "exclude"
            ]
            excluded[study_id] = "; ".join(who) or "(no reviewer named)"
        elif study_id in merged.conflicts:
            votes = ", ".join(f"{k}: {v}" for k, v in sorted(merged.conflicts[study_id].items()))
            pending[study_id] = f"reviewers disagree ({votes}); no adjudicator decision yet"
    return excluded, pending


def _fulltext_outcomes(frame: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    if frame is None or frame.empty:
        return {}
    outcomes: dict[str, tuple[str, str]] = {}
    for row in frame.to_dict("records"):
        if row.get("status", "applied") != "applied":
            continue
        who = ", ".join(x for x in (row.get("reviewer", ""), row.get("date", "")) if x)
        reason = row.get("reason_label") or row.get("reason", "")
        text = f"{reason} ({who})" if reason and who else reason or (f"by {who}" if who else "")
        outcomes[str(row["study_id"])] = (str(row.get("decision", "")), text)
    return outcomes


def _extraction_outcomes(path: str | os.PathLike[str] | None) -> tuple[set[str], set[str]]:
    if not path or not Path(path).is_file():
        return set(), set()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc
    extracted = {str(s.get("study_id", "")) for s in data.get("studies") or []}
    waiting = {str(s.get("study_id", "")) for s in data.get("awaiting_extraction") or []}
    return extracted - {""}, waiting - {""}


def _line_table(
    records: pd.DataFrame,
    study_of: Mapping[str, str],
    audits: Sequence[Mapping[str, Any]],
    trace: Sequence[Mapping[str, str]],
) -> list[dict[str, Any]]:
    """Each line's records, studies, studies no other line reached, and known includes."""
    line_of = {row["record_id"]: _origin(row).line for row in _rows(records)}
    lines_of_study: dict[str, set[str]] = defaultdict(set)
    for record_id, line in line_of.items():
        lines_of_study[study_of.get(record_id, record_id)].add(line)
    meta: dict[str, dict[str, Any]] = {}
    for audit in audits:
        if audit.get("stage") not in (Stage.SEARCH, Stage.IMPORT, Stage.CITATIONS):
            continue
        line = (
            "citations"
            if audit.get("stage") == Stage.CITATIONS
            else Path(str(audit["path"])).parent.name
        )
        details = audit.get("details") or {}
        name = str(details.get("database") or (audit.get("parameters") or {}).get("database", ""))
        meta[line] = {
            "kind": {"search": "search", "import": "import"}.get(
                str(audit.get("stage")), "citations"
            ),
            "database": SOURCE_NAMES.get(name.lower(), name) or "citation tracking",
        }
    known_lines: dict[str, Counter[str]] = defaultdict(Counter)
    for row in trace:
        studies = [s for s in row["study_id"].split(LIST_SEPARATOR) if s]
        reached = (
            set().union(*(lines_of_study.get(s, set()) for s in studies)) if studies else set()
        )
        for line in reached:
            known_lines[line]["found"] += 1
            if len(reached) == 1:
                known_lines[line]["unique"] += 1
    table = []
    for line in sorted(set(line_of.values()) | set(meta)):
        line_studies = {study_of.get(r, r) for r, ln in line_of.items() if ln == line}
        table.append(
            {
                "line": line,
                "kind": meta.get(line, {}).get("kind", "search"),
                "database": meta.get(line, {}).get("database", ""),
                "records": sum(1 for ln in line_of.values() if ln == line),
                "studies": len(line_studies),
                "unique_studies": sum(1 for s in line_studies if lines_of_study[s] == {line}),
                "known_found": known_lines[line]["found"],
                "known_unique": known_lines[line]["unique"],
            }
        )
    return table


def _rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    return [dict(r) for r in table_rows(frame)]


def _citation_table(records: pd.DataFrame, study_of: Mapping[str, str]) -> list[dict[str, Any]]:
    """Citation tracking as a person reads it: per direction, round and source, the seeds
    chased, records found and studies that no search or import had found."""
    rows = _rows(records)
    lines_of_study: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        lines_of_study[study_of.get(row["record_id"], row["record_id"])].add(_origin(row).line)
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        if _origin(row).kind != "citations":
            continue
        study = study_of.get(row["record_id"], row["record_id"])
        directions = [d for d in row.get("citation_direction", "").split(LIST_SEPARATOR) if d]
        for direction in directions or ["unknown"]:
            key = (row.get("citation_round", ""), direction, row.get("source", ""))
            group = groups.setdefault(key, {"seeds": set(), "records": 0, "new": set()})
            group["seeds"].update(
                s for s in row.get("citation_seed", "").split(LIST_SEPARATOR) if s
            )
            group["records"] += 1
            if lines_of_study[study] == {"citations"}:
                group["new"].add(study)
    return [
        {
            "round": rnd,
            "direction": direction,
            "source": SOURCE_NAMES.get(source.lower(), source),
            "seeds": len(group["seeds"]),
            "records": group["records"],
            "new_studies": len(group["new"]),
        }
        for (rnd, direction, source), group in sorted(groups.items())
    ]


def _stage_losses(trace: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    """Per stage: known includes that reached it, were lost there, or wait there."""
    statuses = [TraceStatus(row["status"]) for row in trace]
    table = []
    reached = len(statuses)
    for stage in STAGE_ORDER:
        lost = sum(1 for s in statuses if s.lost and s.stage == stage)
        waiting = sum(1 for s in statuses if not s.lost and s.stage == stage)
        table.append({"stage": stage, "reached": reached, "lost": lost, "waiting": waiting})
        reached -= lost + waiting
    table.append({"stage": "included", "reached": reached, "lost": 0, "waiting": 0})
    return table


def _write_trace(rows: Sequence[Mapping[str, str]], path: str | os.PathLike[str]) -> None:
    frame = pd.DataFrame(list(rows), columns=list(TRACE_COLUMNS))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\n")


def _line_counts(audits: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, dict[str, Any]]]:
    counts = {}
    for audit in audits:
        if audit.get("stage") not in (Stage.SEARCH, Stage.IMPORT):
            continue
        values = audit.get("counts") or {}
        key = next((k for k in ("records_out", "records", "hits") if k in values), None)
        if key is not None:
            line = Path(str(audit["path"])).parent.name
            counts[line] = (int(values[key]), {"audit": audit["path"], "key": f"counts.{key}"})
    return counts


def run_reproduction_stage(
    *,
    settings: ReproductionSettings,
    audit_paths: Sequence[str | os.PathLike[str]],
    screening_decisions: Sequence[str],
    paths: ReproductionPaths | None = None,
    known_includes_path: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Trace the known includes, compare the published counts; write trace, summary, audit."""
    paths = paths or ReproductionPaths()
    known_file = known_includes_path or settings.known_includes or None
    inputs = [
        paths.records,
        paths.clusters,
        paths.screening_included,
        paths.fulltext_decisions,
        paths.dataset,
        paths.counts,
        *screening_decisions,
        *audit_paths,
    ]
    if known_file:
        inputs.append(known_file)
    with StageAudit(
        paths.audit,
        stage=Stage.REPRODUCTION,
        rule="trace_known_includes",
        inputs=[p for p in inputs if Path(p).exists()],
        outputs=[paths.out_trace, paths.out_summary],
        parameters={
            "known_includes": str(known_file or ""),
            "match": {
                "duplicate": settings.match.duplicate,
                "uncertain": settings.match.uncertain,
                "sparse_title": settings.match.sparse_title,
            },
            "adjudicator": settings.adjudicator,
        },
    ) as audit:
        records = read_records(paths.records)
        study_of = record_study_map(paths.clusters)
        for record_id in records["record_id"]:
            study_of.setdefault(record_id, record_id)
        members: dict[str, list[str]] = defaultdict(list)
        for record_id in records["record_id"]:
            members[study_of[record_id]].append(record_id)
        origin_of = {r["record_id"]: _origin(r) for r in _rows(records)}
        included = _table(paths.screening_included)
        excluded, pending = _screening_outcomes(screening_decisions, study_of, settings.adjudicator)
        extracted, waiting = _extraction_outcomes(paths.dataset)
        outcomes = StageOutcomes(
            passed_screening=frozenset(
                () if included is None or included.empty else included["study_id"].astype(str)
            ),
            screening_excluded=excluded,
            screening_pending=pending,
            fulltext=_fulltext_outcomes(_table(paths.fulltext_decisions)),
            extracted=frozenset(extracted),
            awaiting_extraction=frozenset(waiting),
        )
        known: list[KnownInclude] = read_known_includes(known_file) if known_file else []
        matches = match_known_includes(known, records, settings.match)
        trace = trace_known_includes(
            known,
            matches,
            study_of=study_of,
            origin_of=origin_of,
            members=members,
            outcomes=outcomes,
        )
        _write_trace(trace, paths.out_trace)
        audits = audits_at(audit_paths) if audit_paths else []
        counts = load_counts(paths.counts) if Path(paths.counts).is_file() else None
        statuses = Counter(row["status"] for row in trace)
        found = sum(1 for row in trace if row["status"] != TraceStatus.NOT_RETRIEVED)
        summary: dict[str, Any] = {
            "known_includes": {
                "file": str(known_file or ""),
                "known": len(trace),
                "found": found,
                "search_recall": round(found / len(trace), 4) if trace else None,
                "statuses": {s.value: statuses.get(s.value, 0) for s in TraceStatus},
                "lost": [row["known_id"] for row in trace if TraceStatus(row["status"]).lost],
            },
            "stages": _stage_losses(trace) if trace else [],
            "lines": _line_table(records, study_of, audits, trace),
            "citations": _citation_table(records, study_of),
            "published": {
                "citation": str(settings.published.get("citation", "")),
                "notes": str(settings.published.get("notes", "")),
                "rows": [
                    row.as_dict()
                    for row in compare_published(settings.published, counts, _line_counts(audits))
                ],
            },
        }
        atomic_write_json(paths.out_summary, summary)
        audit.counts.update(
            {
                "known_includes": len(trace),
                "known_found": found,
                **{f"known_{s.name.lower()}": statuses.get(s.value, 0) for s in TraceStatus},
                "published_counts": len(summary["published"]["rows"]),
            }
        )
        for status, n in statuses.items():
            if TraceStatus(status).lost:
                audit.add_reason(f"lost: {status}", n)
        log.info(
            "known includes: %d of %d found by the searches; %s",
            found,
            len(trace),
            ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
        )
    return summary
