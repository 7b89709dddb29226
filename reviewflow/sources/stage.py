"""The search stage: run one configured database search into records, archive and audit.

A live search writes its archive into ``archive.partial/`` beside the outputs first. That
folder is not a Snakemake output, so an interrupted run leaves it in place and the next run
resumes from it (the pages already archived are served from it, only the rest is fetched);
on success it becomes ``archive/``. In replay mode every request is served from an existing
archive and the records come out byte-identical.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from reviewflow.audit import StageAudit
from reviewflow.errors import ConfigError
from reviewflow.records import make_record_id, normalize_record, records_frame, write_records
from reviewflow.sources import SOURCES
from reviewflow.sources.http import archive_entries
from reviewflow.vocab import FoundBy

__all__ = ["SearchResult", "partial_archive", "replay_archive", "run_search", "run_search_stage"]

log = logging.getLogger(__name__)


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
    extra: dict[str, Any] = field(default_factory=dict)


def partial_archive(archive_path: str | os.PathLike[str]) -> Path:
    """The checkpoint folder of a live search: ``archive.partial`` beside ``archive``."""
    path = Path(archive_path)
    return path.with_name(path.name + ".partial")


def replay_archive(
    search_id: str,
    sources: Mapping[str, Any] | None,
    archive_path: str | os.PathLike[str] | None = None,
) -> Path:
    """Where replay reads: ``sources.archive_dir/<search_id>`` if set, else the results one."""
    archive_dir = (sources or {}).get("archive_dir")
    if archive_dir:
        return Path(archive_dir) / search_id
    if archive_path is None:
        raise ConfigError(f"search {search_id!r}: replay needs sources.archive_dir or --archive")
    return Path(archive_path)


def _progress(total: int | None) -> Any:
    """A tqdm bar on a terminal; nothing when stderr is a log file or a pipe."""
    from tqdm import tqdm

    quiet = not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return tqdm(total=total, unit="rec", disable=quiet, leave=False, dynamic_ncols=True)


def run_search(
    source: str,
    query: str,
    *,
    search_id: str,
    archive_dir: str | os.PathLike[str] | None,
    replay: bool = False,
    settings: Mapping[str, Any] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    filters: Mapping[str, Any] | None = None,
    max_records: int | None = None,
    session: requests.Session | None = None,
) -> SearchResult:
    """Run one search (live, resumed or replayed) and return its record table.

    Records keep the database's order; a record the database returns twice (cursor pages
    can overlap while an index is updated) is kept once and counted as a duplicate.
    """
    client = SOURCES[source].from_settings(
        settings, archive_dir=archive_dir, replay=replay, session=session
    )
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
            query, date_from=date_from, date_to=date_to, filters=filters, max_records=max_records
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
        extra={"resumed_requests": resumed},
    )


def run_search_stage(
    *,
    search: Mapping[str, Any],
    sources: Mapping[str, Any] | None,
    replay: bool,
    records_path: str | os.PathLike[str],
    archive_path: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> SearchResult:
    """Rule ``search_database``: one ``searches[]`` entry to ``records.csv`` + archive + audit."""
    search_id = str(search["id"])
    source = str(search["source"])
    settings = dict((sources or {}).get(source) or {})
    archive_out = Path(archive_path)
    if replay:
        archive_in = replay_archive(search_id, sources, archive_out)
        work_dir = archive_in
        inputs = [archive_in]
    else:
        work_dir = partial_archive(archive_out)
        work_dir.mkdir(parents=True, exist_ok=True)
        inputs = []
    parameters = {
        "search": dict(search),
        "source_settings": settings,
        "replay": replay,
    }
    with StageAudit(
        audit_path,
        stage="search",
        rule="search_database",
        inputs=inputs,
        outputs=[records_path, archive_out],
        parameters=parameters,
    ) as audit:
        result = run_search(
            source,
            str(search.get("query") or ""),
            search_id=search_id,
            archive_dir=work_dir,
            replay=replay,
            settings=settings,
            date_from=_date(search.get("date_from")),
            date_to=_date(search.get("date_to")),
            filters=search.get("filters") or {},
            max_records=search.get("max_records"),
        )
        write_records(result.records, records_path)
        if work_dir.resolve() != archive_out.resolve():
            if archive_out.exists():
                shutil.rmtree(archive_out)
            if replay:
                shutil.copytree(work_dir, archive_out)
            else:
                work_dir.replace(archive_out)
        audit.counts.update(
            {
                "hits_reported": result.hits,
                "records_retrieved": result.retrieved,
                "records_out": len(result.records),
                "requests_made": result.requests_made,
                "network_requests": result.network_requests,
                "archived_requests": result.archived_requests,
            }
        )
        if result.duplicates:
            audit.add_reason("duplicate: returned twice by the database", result.duplicates)
        audit.details.update(
            {
                "database": source,
                "query": result.query,
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
    log.info(
        "%s (%s): %d hits, %d records, %d requests (%s)",
        search_id, source, result.hits, len(result.records), result.requests_made,
        result.base_url,
    )  # fmt: skip
    return result


def _date(value: Any) -> str | None:
    """Dates from YAML may arrive as ``datetime.date``; the clients want ISO text."""
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
