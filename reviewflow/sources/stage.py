"""The search stage: run one configured database search into records, archive and audit.

A live search writes its archive into ``archive.partial/`` beside the outputs first. That
folder is not a Snakemake output, so an interrupted run leaves it in place and the next run
resumes from it (the pages already archived are served from it, only the rest is fetched);
on success it becomes ``archive/``. In replay mode every request is served from an existing
archive and the records come out byte-identical.

The partial archive belongs to one job at a time: the job holds an exclusive lock
(``archive.lock``, released by the system when the process ends, even by ``kill -9``) for as
long as it writes, so a job left running after its Snakemake was killed cannot interleave
with the rerun's job. The finished archive replaces the old one by renames, and before the
records are written every record's body is checked to be in it, unchanged.

A search is complete when it returned every hit the database reported (or ``max_records``
of them). Anything less stops the stage with both numbers and where paging broke off,
unless the search line says ``allow_shortfall: true``; then the audit and the report show
the shortfall. Database warnings stop it likewise unless ``allow_warnings`` names them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import pandas as pd
import requests

from reviewflow.audit import StageAudit
from reviewflow.errors import ConfigError, DataError, SourceError
from reviewflow.records import make_record_id, normalize_record, records_frame, write_records
from reviewflow.sources import SOURCES
from reviewflow.sources.http import archive_entries, read_archive_body
from reviewflow.vocab import FoundBy

__all__ = [
    "SearchLine",
    "SearchResult",
    "archive_lock",
    "check_archive_holds_records",
    "partial_archive",
    "replay_archive",
    "run_search",
    "run_search_stage",
]

log = logging.getLogger(__name__)


def _date(value: Any) -> str | None:
    """Dates from YAML may arrive as ``datetime.date``; the clients want ISO text."""
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass(frozen=True)
class SearchLine:
    """One ``searches[]`` entry of config, with the schema's defaults filled in."""

    id: str
    source: str
    query: str = ""
    date_from: str | None = None
    date_to: str | None = None
    filters: Mapping[str, Any] = field(default_factory=dict)
    max_records: int | None = None
    search_field: str | None = None
    allow_shortfall: bool = False
    allow_warnings: tuple[str, ...] = ()
    notes: str = ""

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> Self:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ConfigError(
                f"search {entry.get('id')!r}: unknown key {unknown[0]!r}. Available options: "
                + ", ".join(cls.__dataclass_fields__)
            )
        max_records = entry.get("max_records")
        return cls(
            id=str(entry["id"]),
            source=str(entry["source"]),
            query=str(entry.get("query") or ""),
            date_from=_date(entry.get("date_from")),
            date_to=_date(entry.get("date_to")),
            filters=dict(entry.get("filters") or {}),
            max_records=int(max_records) if max_records is not None else None,
            search_field=entry.get("search_field") or None,
            allow_shortfall=bool(entry.get("allow_shortfall", False)),
            allow_warnings=tuple(str(w) for w in entry.get("allow_warnings") or ()),
            notes=str(entry.get("notes") or ""),
        )


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
    settings: Mapping[str, Any] | None = None,
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


def _lock_module() -> Any:
    try:
        import fcntl
    except ImportError:  # not a POSIX system: one job per search is then up to the user
        return None
    return fcntl


@contextlib.contextmanager
def archive_lock(archive_path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold ``<archive>.lock`` for the job that writes ``<archive>.partial``.

    The lock is the kernel's (``flock``): it ends with the process, however it ends, so a
    crashed job never leaves a stale lock, and a job still running after its Snakemake was
    killed keeps the rerun's job from writing into the same folder.
    """
    fcntl = _lock_module()
    lock_path = Path(archive_path).with_name(Path(archive_path).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+", encoding="utf-8") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                owner = handle.read().strip() or "unknown"
                raise SourceError(
                    f"another job (process {owner}) is still writing "
                    f"{partial_archive(archive_path)}; wait for it to finish or stop it, "
                    "then run again",
                    source="search",
                ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _swap_into_place(work: Path, out: Path) -> None:
    """Make ``work`` the archive at ``out`` by renames; the old archive goes last."""
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    work.rename(out)
    if old.exists():
        shutil.rmtree(old)


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
    search: Mapping[str, Any],
    sources: Mapping[str, Any] | None,
    replay: bool,
    records_path: str | os.PathLike[str],
    archive_path: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> SearchResult:
    """Rule ``search_database``: one ``searches[]`` entry to ``records.csv`` + archive + audit."""
    line = SearchLine.from_config(search)
    settings = dict((sources or {}).get(line.source) or {})
    archive_out = Path(archive_path)
    if replay:
        archive_in = replay_archive(line.id, sources, archive_out)
        return _search_into(line, settings, archive_in, archive_out, True, records_path, audit_path)
    with archive_lock(archive_out):
        work_dir = partial_archive(archive_out)
        work_dir.mkdir(parents=True, exist_ok=True)
        return _search_into(line, settings, work_dir, archive_out, False, records_path, audit_path)


def _search_into(
    line: SearchLine,
    settings: Mapping[str, Any],
    work_dir: Path,
    archive_out: Path,
    replay: bool,
    records_path: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> SearchResult:
    parameters = {
        "search": {k: v for k, v in line.__dict__.items() if k != "filters"}
        | {"filters": dict(line.filters), "allow_warnings": list(line.allow_warnings)},
        "source_settings": dict(settings),
        "replay": replay,
    }
    with StageAudit(
        audit_path,
        stage="search",
        rule="search_database",
        inputs=[work_dir] if replay else [],
        outputs=[records_path, archive_out],
        parameters=parameters,
    ) as audit:
        result = run_search(
            line.source,
            line.query,
            search_id=line.id,
            archive_dir=work_dir,
            replay=replay,
            settings=settings,
            date_from=line.date_from,
            date_to=line.date_to,
            filters=line.filters,
            max_records=line.max_records,
            search_field=line.search_field,
            allow_shortfall=line.allow_shortfall,
            allow_warnings=line.allow_warnings,
        )
        if work_dir.resolve() != archive_out.resolve():
            if replay:
                if archive_out.exists():
                    shutil.rmtree(archive_out)
                shutil.copytree(work_dir, archive_out)
            else:
                _swap_into_place(work_dir, archive_out)
        check_archive_holds_records(result.records, archive_out)
        write_records(result.records, records_path)
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
    log.info(
        "%s (%s): %d hits, %d records, %d requests (%s)",
        line.id, line.source, result.hits, len(result.records), result.requests_made,
        result.base_url,
    )  # fmt: skip
    return result
