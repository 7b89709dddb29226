"""The ``chase_citations`` stage: seeds in, found records, seed table and audit out.

Inputs are the config seeds, the screening decision files named in config and the record
tables of searches and imports, never the dedup or screening results, so the workflow
graph has no cycle: a rerun after screening reads the new decisions and chases from the
newly included studies. Every request goes through the shared HTTP layer, archived under
``results/citations/archive/<source>/`` (or replayed from an archive given in config).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import requests

from reviewflow.audit import StageAudit
from reviewflow.citations import get_citation_client
from reviewflow.citations.chase import ChaseResult, Years, run_rounds
from reviewflow.citations.seeds import (
    included_record_ids,
    included_seeds,
    read_record_tables,
    seeds_from_config,
    unique_seeds,
    write_seeds_table,
)
from reviewflow.errors import ConfigError, SourceError
from reviewflow.records import records_frame, write_records
from reviewflow.settings import Settings
from reviewflow.sources.archive_run import archive_run, replay_source
from reviewflow.sources.base import SourcesSettings
from reviewflow.vocab import Direction, PrismaCount, Stage

__all__ = [
    "CITATION_COUNTS",
    "CitationSettings",
    "chase_citations",
    "make_clients",
    "run_citation_stage",
]

log = logging.getLogger(__name__)

#: The audit counts rule ``chase_citations`` writes for PRISMA ("Citation searching").
CITATION_COUNTS = (PrismaCount.CITATIONS_BACKWARD, PrismaCount.CITATIONS_FORWARD)


@dataclass(frozen=True)
class CitationSettings(Settings):
    """The ``citations`` block: which seeds, which ways, which indexes, how many rounds."""

    SCHEMA: ClassVar[str] = "schemas/citations.schema.yaml"

    enabled: bool
    #: identifiers or ``{id, note}`` mappings, parsed by ``seeds_from_config``
    seeds: tuple[Any, ...]
    directions: tuple[str, ...]
    sources: tuple[str, ...]
    depth: int
    from_included: bool
    max_per_seed: int | None
    published_from: int | None
    published_to: int | None
    allow_shortfall: bool


def _directions(value: object) -> list[str]:
    if isinstance(value, str):
        value = ["backward", "forward"] if value == "both" else [value]
    directions = [str(v) for v in value]  # type: ignore[attr-defined]
    known = {d.value for d in Direction}
    for direction in directions:
        if direction not in known:
            raise ConfigError(
                f"unknown citation direction {direction!r}. Available options: "
                "backward, forward, both"
            )
    return directions


def make_clients(
    names: Sequence[str],
    sources: SourcesSettings | Mapping[str, Any] | None,
    archive_dir: str | os.PathLike[str],
    replay: bool,
    *,
    session: requests.Session | None = None,
) -> list[Any]:
    """One client per citation index, each archiving under ``<archive_dir>/<name>/``.

    ``sources`` is the config's ``sources`` block (base URL, rate limit, retries per API);
    a plain mapping of some of those blocks serves code that builds its own (a test server).
    """
    clients = []
    for name in names:
        cls = get_citation_client(name)
        if isinstance(sources, SourcesSettings):
            settings: Any = sources.of(name)
        else:
            settings = dict((sources or {}).get(name) or {})
        clients.append(
            cls.from_settings(
                settings, archive_dir=Path(archive_dir) / name, replay=replay, session=session
            )
        )
    return clients


def chased_in_earlier_runs(seed_tables: Sequence[str | os.PathLike[str]]) -> frozenset[str]:
    """Seeds an earlier run resolved and chased (its ``citations/seeds.csv``)."""
    chased: set[str] = set()
    for table in seed_tables:
        frame = pd.read_csv(table, dtype=str, keep_default_na=False)
        chased.update(frame.loc[frame["status"] == "resolved", "seed"])
    return frozenset(chased)


def chase_citations(
    seeds: Sequence[object],
    *,
    clients: Sequence[Any],
    directions: object,
    depth: int,
    from_included: bool,
    max_per_seed: int | None,
    years: Years = (None, None),
    decision_paths: Sequence[str | os.PathLike[str]] = (),
    record_tables: Sequence[str | os.PathLike[str]] = (),
    already_chased: frozenset[str] = frozenset(),
) -> tuple[ChaseResult, list[str]]:
    """Chase from config seeds and included studies; also return included ids never found.

    ``already_chased`` holds seeds an earlier run chased (an update): only seeds added since,
    and studies included since, are chased again.
    """
    first = seeds_from_config(seeds)
    included_ids: list[str] = []
    missing: list[str] = []
    if from_included and decision_paths:
        included_ids = included_record_ids(decision_paths)
        table = read_record_tables(list(record_tables))
        found_seeds, missing = included_seeds(included_ids, table)
        first = unique_seeds([*first, *found_seeds])
    if already_chased:
        skipped = [s for s in first if s.id in already_chased]
        first = [s for s in first if s.id not in already_chased]
        log.info("update: %d seeds were chased in an earlier run and are skipped", len(skipped))
    if not first:
        log.warning("no seeds: neither config seeds nor included studies with a record")
    wanted = set(included_ids)
    result = run_rounds(
        clients,
        first,
        directions=_directions(directions),
        depth=depth,
        max_per_seed=max_per_seed,
        years=years,
        included=lambda record: record["record_id"] in wanted,
    )
    still_missing = [i for i in missing if i not in result.records]
    return result, still_missing


def run_citation_stage(
    *,
    settings: CitationSettings,
    sources: SourcesSettings,
    replay: bool,
    decision_paths: Sequence[str | os.PathLike[str]],
    record_tables: Sequence[str | os.PathLike[str]],
    archive_dir: str | os.PathLike[str],
    out_records: str | os.PathLike[str],
    out_seeds: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
    previous_seeds: Sequence[str | os.PathLike[str]] = (),
) -> ChaseResult:
    """Rule ``chase_citations``: records found, the seed table and the audit.

    Requests go through the shared archive run: in replay they are answered from
    ``<sources.archive_dir>/citations`` (or the stage's own ``archive/``), which then becomes
    the run's archive. ``previous_seeds`` are earlier runs' seed tables (an update).
    """
    replay_from = replay_source(sources.archive_dir, "citations") if replay else ""
    archive_out = Path(archive_dir)
    inputs = [*decision_paths, *record_tables, *previous_seeds]
    with StageAudit(
        audit_path,
        stage=Stage.CITATIONS,
        rule="chase_citations",
        inputs=[*inputs, *([replay_from or archive_out] if replay else [])],
        outputs=[out_records, out_seeds],
        parameters={**_parameters(settings), "replay": replay},
        declares=CITATION_COUNTS,
    ) as audit:
        already = chased_in_earlier_runs(previous_seeds)
        audit.counts["seeds_chased_in_earlier_runs"] = len(already)
        with archive_run(archive_out, replay=replay, replay_from=replay_from) as archive:
            clients = make_clients(settings.sources, sources, archive, replay)
            result, missing = chase_citations(
                settings.seeds,
                clients=clients,
                decision_paths=decision_paths,
                record_tables=record_tables,
                directions=settings.directions,
                depth=settings.depth,
                from_included=settings.from_included,
                max_per_seed=settings.max_per_seed,
                years=(settings.published_from, settings.published_to),
                already_chased=already,
            )
            shortfalls = [text for client in clients for text in client.shortfalls]
            if shortfalls and not settings.allow_shortfall:
                raise SourceError(
                    f"citation tracking received {len(shortfalls)} incomplete "
                    f"{'list' if len(shortfalls) == 1 else 'lists'} ({'; '.join(shortfalls)})."
                    " Nothing was written; run it again (the pages already received are kept"
                    " and not fetched twice), or accept them with citations.allow_shortfall:"
                    " true",
                    source=", ".join(settings.sources),
                )
        write_records(records_frame(result.records.values()), out_records)
        write_seeds_table(out_seeds, result.seeds, result.resolutions, list(settings.sources))
        _record_chase(audit, result, clients, missing)
        if shortfalls:
            audit.counts["lists_short"] = len(shortfalls)
            audit.add_reason("list shorter than its index announced (accepted)", len(shortfalls))
            audit.details["shortfalls"] = shortfalls
            log.warning("citations: accepted %d short lists", len(shortfalls))
    return result


def _parameters(settings: CitationSettings) -> dict[str, Any]:
    return {
        name: getattr(settings, name)
        for name in (
            "directions",
            "sources",
            "depth",
            "from_included",
            "max_per_seed",
            "published_from",
            "published_to",
            "allow_shortfall",
        )
    }


def _record_chase(
    audit: StageAudit, result: ChaseResult, clients: Sequence[Any], missing: Sequence[str]
) -> None:
    """What the audit says about a chase: seeds, rounds, requests and records by direction."""
    unresolved = [
        s
        for s in result.seeds
        if not any(r.status == "resolved" for r in result.resolutions.get(s.id, {}).values())
    ]
    audit.counts.update(
        seeds=len(result.seeds),
        seeds_config=sum(s.origin == "config" for s in result.seeds),
        seeds_included=sum(s.origin != "config" for s in result.seeds),
        seeds_unresolved=len(unresolved),
        rounds=result.rounds_run,
        requests=sum(c.requests_made for c in clients),
        records_out=len(result.records),
    )
    for client in clients:
        audit.counts[f"requests_{client.name}"] = client.requests_made
    # PRISMA's "other methods" column splits citation searching by direction; a work
    # reached both ways counts in both and once more in records_both_directions.
    directions = [str(r.get("citation_direction", "")) for r in result.records.values()]
    audit.counts[PrismaCount.CITATIONS_BACKWARD] = sum("backward" in d for d in directions)
    audit.counts[PrismaCount.CITATIONS_FORWARD] = sum("forward" in d for d in directions)
    audit.counts["records_both_directions"] = sum(
        "backward" in d and "forward" in d for d in directions
    )
    audit.counts.update(result.counts)
    for reason, n in result.reasons.items():
        audit.add_reason(reason, n)
    if unresolved:
        audit.add_reason("seed not resolved in any source", len(unresolved))
    if missing:
        audit.add_reason("included record id not in any record table", len(missing))
    audit.details["included_not_found"] = list(missing)
    audit.details["unresolved_seeds"] = [s.id for s in unresolved]
    log.info(
        "citations: %d seeds (%d unresolved), %d records, %d requests",
        len(result.seeds),
        len(unresolved),
        len(result.records),
        sum(c.requests_made for c in clients),
    )
