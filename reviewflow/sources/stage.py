"""The search stage: run one configured database search into records, archive and audit.

The archive is the stage's :func:`~reviewflow.sources.archive_run.archive_run` (shared with
citation tracking and full-text lookups): a live search writes ``archive.partial/`` under a
lock and resumes from it after a failure; a replay reads an existing archive, and the
records come out byte-identical. Before the records are written every record's body is
checked to be in the finished archive, unchanged.

A search is complete when it returned every hit the database reported (or ``max_records``
of them). Anything less stops the stage with both numbers and where paging broke off,
unless the search line says ``allow_shortfall: true``; then the audit and the report show
the shortfall. Database warnings stop it likewise unless ``allow_warnings`` names them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import requests

from reviewflow.audit import StageAudit
from reviewflow.errors import DataError, SourceError
from reviewflow.records import make_record_id, normalize_record, records_frame, write_records
from reviewflow.settings import Settings
from reviewflow.sources import SOURCES
from reviewflow.sources.archive_run import archive_run, replay_source
from reviewflow.sources.base import SourceSettings, SourcesSettings
from reviewflow.sources.http import archive_entries, read_archive_body
from reviewflow.vocab import FoundBy, PrismaCount, Stage

__all__ = [
    "SEARCH_COUNTS",
    "SearchLine",
    "SearchResult",
    "check_archive_holds_records",
    "run_search",
    "run_search_stage",
]

log = logging.getLogger(__name__)


#: The audit counts rule ``search_database`` writes for PRISMA (its database's records).
SEARCH_COUNTS = (PrismaCount.RECORDS_IDENTIFIED,)


@dataclass(frozen=True)
class SearchLine(Settings):
    """One ``searches[]`` entry: the strategy as registered (query, dates, filters)."""

    SCHEMA: ClassVar[str] = "schemas/search.schema.yaml#/items"

    id: str
    source: str
    query: str
    date_from: str | None
    date_to: str | None
    filters: Mapping[str, Any]
    max_records: int | None
    search_field: str | None
    allow_shortfall: bool
    allow_warnings: tuple[str, ...]
    notes: str


@dataclass
class SearchResult:
    """The records of one search and what the audit needs to know about it."""

    records: pd.DataFrame
    source: str
    query: str
    base_url: str
    hits: int
    retrieved: int
    requests_made: int
    network_requests: int
    archived_requests: int
    date_run: str
    duplicates: int = 0
    capped: bool = False
    #: ``{"expected": n, "received": m, "allowed": True}`` when fewer came back, else None.
    shortfall: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    query_sent: str = ""
    query_translation: str | None = None
    search_field: str | None = None
    ranking_note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _progress(total: int | None) -> Any:
    """A tqdm bar on a terminal; nothing when stderr is a log file or a pipe."""
    from tqdm import tqdm

    quiet = not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return tqdm(total=total, unit="rec", disable=quiet, leave=False, dynamic_ncols=True)


def _format_query(pairs: Sequence[tuple[str, str]]) -> str:
    """``name=value`` pairs joined by ``&``, unencoded: what was sent, readable."""
    return "&".join(f"{k}={v}" for k, v in pairs)


def run_search(
    source: str,
    query: str,
    *,
    search_id: str,
    archive_dir: str | os.PathLike[str] | None,
    replay: bool = False,
    settings: SourceSettings | Mapping[str, Any] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    filters: Mapping[str, Any] | None = None,
    max_records: int | None = None,
    search_field: str | None = None,
    allow_shortfall: bool = False,
    allow_warnings: Sequence[str] = (),
    session: requests.Session | None = None,
) -> SearchResult:
    """Run one search (live, resumed or replayed) and return its record table.

    Records keep the database's order; a record the database returns twice (cursor pages
    can overlap while an index is updated) is kept once and counted as a duplicate. Fewer
    records than the database reported (or than ``max_records``) raise a
    :class:`SourceError` naming both numbers, unless ``allow_shortfall``.
    """
    client = SOURCES[source].from_settings(
        settings, archive_dir=archive_dir, replay=replay, session=session
    )
    client.allow_warnings = tuple(allow_warnings)
    resumed = 0
    if archive_dir is not None and not replay:
        resumed = sum(1 for e in archive_entries(archive_dir) if e.get("final", True))
        if resumed:
            log.info(
                "%s: resuming from %d archived requests in %s", search_id, resumed, archive_dir
            )
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    duplicates = 0
    bar = None
    try:
        for raw in client.search(
            query,
            date_from=date_from,
            date_to=date_to,
            filters=filters,
            max_records=max_records,
            search_field=search_field,
        ):
            if bar is None:
                bar = _progress(client.hits)
                bar.set_description(f"{search_id} ({source})")
            native = str(raw.pop("record_id", "") or "")
            raw["search_id"] = search_id
            raw["found_by"] = FoundBy.DATABASE.value
            record = normalize_record(raw)
            record["record_id"] = make_record_id(
                search_id, native, content=(record["title"], record["year"], record["doi"])
            )
            if record["record_id"] in seen:
                duplicates += 1
                continue
            seen.add(record["record_id"])
            rows.append(record)
            bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        client.session.close()
    entries = archive_entries(archive_dir) if archive_dir is not None else []
    times = [e["time"] for e in entries if e.get("time")]
    from reviewflow.audit import utc_now

    hits = int(client.hits or 0)
    duplicates += client.duplicates
    expected = hits if max_records is None else min(hits, max_records)
    shortfall = None
    if len(rows) < expected:
        reasons = list(client.shortfall_reasons)
        if duplicates:
            reasons.append(f"{duplicates} records came back more than once")
        why = "; ".join(reasons) or "paging ended early"
        if not allow_shortfall:
            raise SourceError(
                f"search {search_id!r} received {len(rows)} of the {expected} records "
                f"{'it asked for' if max_records is not None and hits > max_records else 'the database reported'}"
                f" ({why}). Nothing was written; run it again (the pages already received "
                "are kept and not fetched twice), or accept the shortfall with "
                "allow_shortfall: true on this search line",
                source=source,
            )
        shortfall = {"expected": expected, "received": len(rows), "allowed": True}
        log.warning(
            "%s: accepted shortfall: %d of %d records (%s)", search_id, len(rows), expected, why
        )
    return SearchResult(
        records=records_frame(rows),
        source=source,
        query=query,
        base_url=client.base_url,
        hits=hits,
        retrieved=len(rows) + duplicates,
        requests_made=client.session.requests_made,
        network_requests=client.session.network_requests,
        archived_requests=client.session.archived_requests,
        date_run=min(times) if times else ("" if replay else utc_now()),
        duplicates=duplicates,
        capped=max_records is not None and hits > max_records,
        shortfall=shortfall,
        warnings=list(client.warnings),
        query_sent=_format_query(client.query_sent),
        query_translation=client.query_translation,
        search_field=client.search_field,
        ranking_note=client.ranking_note,
        extra={"resumed_requests": resumed},
    )


def check_archive_holds_records(records: pd.DataFrame, archive_dir: str | os.PathLike[str]) -> None:
    """Fail unless every record's body is in the archive, kept for replay and unchanged.

    This is what lets the rule's outputs be declared done: a records file whose archive
    lost pages (another job replaced it) cannot be replayed or audited.
    """
    entries = archive_entries(archive_dir)
    final = {str(e.get("body")): e for e in entries if e.get("final", True)}
    bodies = {str(ref).split("#", 1)[0] for ref in records["raw_ref"] if ref}
    missing = sorted(b for b in bodies if b not in final)
    if missing:
        raise DataError(
            f"the archive holds {len(bodies) - len(missing)} of the {len(bodies)} answers "
            f"the records came from (first missing: {missing[0]}); it was changed while "
            "this job ran. Run the search again",
            path=str(archive_dir),
        )
    for body in sorted(bodies):
        read_archive_body(archive_dir, final[body])  # checks presence and sha256


def run_search_stage(
    *,
    search: SearchLine,
    sources: SourcesSettings,
    replay: bool,
    records_path: str | os.PathLike[str],
    archive_path: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> SearchResult:
    """Rule ``search_database``: one search line to ``records.csv`` + archive + audit.

    In replay the archive read is ``<sources.archive_dir>/<search id>`` (the rule's input),
    else the search's own ``archive/`` (replay in place).
    """
    archive_out = Path(archive_path)
    settings = sources.of(search.source)
    replay_from = replay_source(sources.archive_dir, search.id) if replay else ""
    parameters = {
        "search": search,
        "source_settings": settings,
        "replay": replay,
    }
    with StageAudit(
        audit_path,
        stage=Stage.SEARCH,
        rule="search_database",
        inputs=[replay_from or archive_out] if replay else [],
        outputs=[records_path, archive_out],
        parameters=parameters,
        declares=SEARCH_COUNTS,
    ) as audit:
        with archive_run(archive_out, replay=replay, replay_from=replay_from) as work_dir:
            result = run_search(
                search.source,
                search.query,
                search_id=search.id,
                archive_dir=work_dir,
                replay=replay,
                settings=settings,
                date_from=search.date_from,
                date_to=search.date_to,
                filters=search.filters,
                max_records=search.max_records,
                search_field=search.search_field,
                allow_shortfall=search.allow_shortfall,
                allow_warnings=search.allow_warnings,
            )
        check_archive_holds_records(result.records, archive_out)
        write_records(result.records, records_path)
        _record_search(audit, search, result, replay)
    log.info(
        "%s (%s): %d hits, %d records, %d requests (%s)",
        search.id, search.source, result.hits, len(result.records), result.requests_made,
        result.base_url,
    )  # fmt: skip
    return result


def _record_search(audit: StageAudit, line: SearchLine, result: SearchResult, replay: bool) -> None:
    """What the audit says about one search: counts, the query as sent, the database's
    answer (hits, warnings, shortfall), and when and where it ran."""
    audit.counts.update(
        {
            PrismaCount.RECORDS_IDENTIFIED: len(result.records),
            "hits_reported": result.hits,
            "records_retrieved": result.retrieved,
            "requests_made": result.requests_made,
            "network_requests": result.network_requests,
            "archived_requests": result.archived_requests,
        }
    )
    if result.duplicates:
        audit.add_reason("duplicate: returned twice by the database", result.duplicates)
    audit.details.update(
        {
            "database": line.source,
            "query": result.query,
            "query_sent": result.query_sent,
            "query_translation": result.query_translation,
            "search_field": result.search_field,
            "date_from": line.date_from,
            "date_to": line.date_to,
            "warnings": result.warnings,
            "shortfall": result.shortfall,
            "ranking_note": result.ranking_note,
            "date_run": result.date_run,
            "base_url": result.base_url,
            "hits_reported": result.hits,
            "records_retrieved": result.retrieved,
            "requests_made": result.requests_made,
            "capped_by_max_records": result.capped,
            "replay": replay,
            **result.extra,
        }
    )
