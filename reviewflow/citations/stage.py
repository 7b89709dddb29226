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
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from reviewflow.audit import StageAudit
from reviewflow.citations import get_citation_client
from reviewflow.citations.chase import ChaseResult, run_rounds
from reviewflow.citations.seeds import (
    included_record_ids,
    included_seeds,
    read_record_tables,
    seeds_from_config,
    unique_seeds,
    write_seeds_table,
)
from reviewflow.errors import ConfigError
from reviewflow.records import records_frame, write_records
from reviewflow.vocab import Direction, Stage

__all__ = ["DEFAULT_PARAMS", "chase_citations", "make_clients", "run_citation_stage"]

log = logging.getLogger(__name__)

#: Parameters of the stage when config leaves them out (the schema's defaults).
DEFAULT_PARAMS: dict[str, Any] = {
    "directions": ["backward", "forward"],
    "sources": ["openalex"],
    "depth": 1,
    "from_included": True,
    "max_per_seed": None,
}


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
    sources: Sequence[str],
    source_settings: Mapping[str, Any] | None,
    archive_dir: str | os.PathLike[str],
    replay: bool,
    *,
    session: requests.Session | None = None,
) -> list[Any]:
    """One client per source, each archiving under ``<archive_dir>/<source>/``."""
    clients = []
    for name in sources:
        cls = get_citation_client(name)
        settings = dict((source_settings or {}).get(name) or {})
        clients.append(
            cls.from_settings(
                settings, archive_dir=Path(archive_dir) / name, replay=replay, session=session
            )
        )
    return clients


def chased_in_earlier_runs(previous_runs: Sequence[str]) -> frozenset[str]:
    """Seeds an earlier run resolved and chased (its ``citations/seeds.csv``)."""
    chased: set[str] = set()
    for run in previous_runs:
        table = Path(run) / "citations" / "seeds.csv"
        if table.is_file():
            frame = pd.read_csv(table, dtype=str, keep_default_na=False)
            chased.update(frame.loc[frame["status"] == "resolved", "seed"])
    return frozenset(chased)


def chase_citations(
    seeds: Sequence[object],
    *,
    clients: Sequence[Any],
    decision_paths: Sequence[str | os.PathLike[str]] = (),
    record_tables: Sequence[str | os.PathLike[str]] = (),
    directions: object = ("backward", "forward"),
    depth: int = 1,
    from_included: bool = True,
    max_per_seed: int | None = None,
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
        included=lambda record: record["record_id"] in wanted,
    )
    still_missing = [i for i in missing if i not in result.records]
    return result, still_missing


def run_citation_stage(
    seeds: Sequence[object],
    decision_paths: Sequence[str | os.PathLike[str]],
    record_tables: Sequence[str | os.PathLike[str]],
    params: Mapping[str, Any],
    archive_dir: str | os.PathLike[str],
    replay: bool,
    out_records: str | os.PathLike[str],
    out_seeds: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> ChaseResult:
    """Run the stage as the Snakemake rule does; ``params`` is the config's citations block.

    ``params["source_settings"]`` is the config's ``sources`` block (base URLs, rate
    limits). In replay, ``params["replay_dir"]`` (``sources.archive_dir``/citations) is
    copied into ``archive_dir`` first, so the run's archive is the one it replayed.
    """
    settings = {**DEFAULT_PARAMS, **{k: v for k, v in params.items() if v is not None}}
    sources = list(settings["sources"])
    archive = Path(archive_dir)
    replay_dir = settings.get("replay_dir")
    if replay and replay_dir and Path(replay_dir).resolve() != archive.resolve():
        if not Path(replay_dir).is_dir():
            raise ConfigError(f"replay asked for, but there is no archive at {replay_dir}")
        shutil.copytree(replay_dir, archive, dirs_exist_ok=True)
    archive.mkdir(parents=True, exist_ok=True)
    parameters = {k: settings.get(k) for k in ("directions", "sources", "depth", "from_included")}
    parameters["max_per_seed"] = settings.get("max_per_seed")
    parameters["replay"] = bool(replay)
    with StageAudit(
        audit_path,
        stage=Stage.CITATIONS.value,
        rule="chase_citations",
        inputs=[*decision_paths, *record_tables, *([archive] if replay else [])],
        outputs=[out_records, out_seeds],
        parameters=parameters,
    ) as audit:
        clients = make_clients(sources, settings.get("source_settings"), archive, replay)
        already = chased_in_earlier_runs(settings.get("previous_runs") or [])
        audit.counts["seeds_chased_in_earlier_runs"] = len(already)
        result, missing = chase_citations(
            seeds,
            clients=clients,
            decision_paths=decision_paths,
            record_tables=record_tables,
            directions=settings["directions"],
            depth=int(settings["depth"]),
            from_included=bool(settings["from_included"]),
            max_per_seed=settings.get("max_per_seed"),
            already_chased=already,
        )
        write_records(records_frame(result.records.values()), out_records)
        write_seeds_table(out_seeds, result.seeds, result.resolutions, sources)
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
        audit.counts["records_backward"] = sum("backward" in d for d in directions)
        audit.counts["records_forward"] = sum("forward" in d for d in directions)
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
        audit.details["included_not_found"] = missing
        audit.details["unresolved_seeds"] = [s.id for s in unresolved]
    log.info(
        "citations: %d seeds (%d unresolved), %d records, %d requests",
        len(result.seeds),
        len(unresolved),
        len(result.records),
        sum(c.requests_made for c in clients),
    )
    return result


def archive_citations_from_recordings(
    recordings: Sequence[Any],
    archive_dir: str | os.PathLike[str],
    *,
    seeds: Sequence[object],
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Chase ``seeds`` against recorded answers and keep what our clients archived.

    The citation counterpart of :func:`reviewflow.sources.archive.archive_from_recordings`
    (same in-process transport, same provenance fields on every archive line): the demo
    replays real responses other projects recorded, under the requests reviewflow sends.
    """
    import json

    from reviewflow.io import atomic_write_text
    from reviewflow.sources.archive import RecordingAdapter, _without_secrets
    from reviewflow.sources.http import ARCHIVE_INDEX, archive_entries

    settings = {**DEFAULT_PARAMS, **dict(params or {})}
    target = Path(archive_dir)
    if target.exists():
        shutil.rmtree(target)
    adapter = RecordingAdapter(recordings)
    http = requests.Session()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    fast = {name: {"requests_per_second": 1000} for name in settings["sources"]}
    clients = make_clients(settings["sources"], fast, target, False, session=http)
    result, _ = chase_citations(
        seeds,
        clients=clients,
        directions=settings["directions"],
        depth=int(settings["depth"]),
        from_included=False,
        max_per_seed=settings.get("max_per_seed"),
    )
    served = iter(adapter.served)
    for client in clients:
        folder = target / client.name
        lines = []
        for entry in archive_entries(folder):
            recording = next(served)
            entry["time"] = recording.recorded_at
            entry["recorded_request"] = f"{recording.method} {_without_secrets(recording.url)}"
            entry["recorded_file"] = recording.origin
            lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        atomic_write_text(folder / ARCHIVE_INDEX, "".join(lines))
    return {
        "records": len(result.records),
        "requests": sum(c.requests_made for c in clients),
        "counts": result.counts,
        "files": [r.origin for r in adapter.served],
    }
