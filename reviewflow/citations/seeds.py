"""Citation seeds: what to chase from, read from config, screening decisions and record tables.

A seed is one study with whatever identifiers are known for it (DOI, PMID, PMCID, OpenAlex
W-id, Semantic Scholar id). Config seeds are strings (``10.1145/...``, ``doi:...``,
``pmid:123``, ``W123``, ``PMC123``, a 40-hex paperId, ``CorpusId:123``); included studies
come from the screening decision files, resolved to identifiers through the record tables of
searches and imports. Each source then resolves seeds to its own ids
(:class:`SeedResolution`), and every seed ends up in ``seeds.csv`` with why it could not be
chased, never silently dropped.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.errors import DataError
from reviewflow.io import table_rows, write_csv
from reviewflow.normalize import (
    clean_text,
    normalize_doi,
    normalize_openalex_id,
    normalize_pmcid,
    normalize_pmid,
    normalize_s2_id,
)
from reviewflow.records import read_records
from reviewflow.screening.decisions import merge_decisions, read_decision_file
from reviewflow.vocab import LIST_SEPARATOR, Decision

__all__ = [
    "SEED_COLUMNS",
    "Seed",
    "SeedResolution",
    "included_record_ids",
    "included_seeds",
    "parse_seed",
    "read_record_tables",
    "seeds_from_config",
    "unique_seeds",
    "write_seeds_table",
]

log = logging.getLogger(__name__)

#: Columns of ``results/citations/seeds.csv`` before the per-source id columns.
SEED_COLUMNS = ("seed", "type", "origin", "round", "directions", "note")

_CORPUS_ID = re.compile(r"^corpus_?id:\s*(\d+)$", re.IGNORECASE)
_PMID = re.compile(r"^(?:pmid|pubmed|medline)\s*:?\s*(\d{1,9})$", re.IGNORECASE)


@dataclass
class Seed:
    """One study to chase from, with every identifier known for it.

    ``id`` is what the user or the decision file gave (a config string or a record id); it
    goes into the ``citation_seed`` column of every record found from this seed.
    ``type`` names the identifier the seed was given as (doi, pmid, pmcid, openalex, s2,
    record, unknown). ``origin`` is ``config``, ``included`` or ``round`` (an included
    record found by chasing in an earlier round). ``directions`` are the ways this seed is
    chased when config names them for it; empty: the citation block's directions.
    """

    id: str
    type: str
    origin: str = "config"
    round: int = 1
    note: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    openalex_id: str = ""
    s2_id: str = ""
    s2_ref: str = ""  # a Semantic Scholar reference that is not a paperId (CorpusId:123)
    directions: tuple[str, ...] = ()

    def identifiers(self) -> set[str]:
        """Prefixed identifiers used to recognise the same study seen twice."""
        found = set()
        for name in ("doi", "pmid", "pmcid", "openalex_id", "s2_id", "s2_ref"):
            value = getattr(self, name)
            if value:
                found.add(f"{name}:{value}")
        return found

    @property
    def has_identifier(self) -> bool:
        return bool(self.identifiers())


@dataclass
class SeedResolution:
    """What one source made of one seed: its native id, or why there is none."""

    native_id: str = ""
    status: str = "unresolved"  # resolved | unresolved | skipped
    reason: str = ""
    work: Mapping[str, Any] = field(default_factory=dict)


def parse_seed(text: object, *, note: str = "", origin: str = "config") -> Seed:
    """Recognise the kind of identifier a config seed is; unknown strings stay as 'unknown'."""
    given = clean_text(text)
    seed = Seed(id=given, type="unknown", origin=origin, note=clean_text(note))
    lowered = given.lower()
    if not given:
        return seed
    if match := _CORPUS_ID.match(given):
        seed.type, seed.s2_ref = "s2", f"CorpusId:{match.group(1)}"
    elif match := _PMID.match(given):
        seed.type, seed.pmid = "pmid", normalize_pmid(match.group(1))
    elif given.isdigit():
        seed.type, seed.pmid = "pmid", normalize_pmid(given)
    elif re.fullmatch(r"(?:pmcid\s*:?\s*)?pmc\s*\d+", lowered):
        seed.type, seed.pmcid = "pmcid", normalize_pmcid(given)
    elif re.fullmatch(r"(?:https?://openalex\.org/|openalex\s*:\s*)?w\d+", lowered):
        seed.type, seed.openalex_id = "openalex", normalize_openalex_id(given)
    elif re.fullmatch(r"(?:s2\s*:\s*)?[0-9a-f]{40}", lowered):
        seed.type, seed.s2_id = "s2", normalize_s2_id(given)
    elif doi := normalize_doi(given):
        seed.type, seed.doi = "doi", doi
    return seed


def seeds_from_config(entries: Iterable[object] | None) -> list[Seed]:
    """Config seeds: strings, or ``{id, note, directions}`` mappings; duplicates kept once."""
    seeds: list[Seed] = []
    for entry in entries or ():
        if isinstance(entry, Mapping):
            seed = parse_seed(entry.get("id", ""), note=str(entry.get("note", "") or ""))
            seed.directions = tuple(str(d) for d in entry.get("directions") or ())
        else:
            seed = parse_seed(entry)
        seeds.append(seed)
    return unique_seeds(seeds)


def unique_seeds(seeds: Iterable[Seed]) -> list[Seed]:
    """The first seed of each study (same id string or a shared identifier) only."""
    kept: list[Seed] = []
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    for seed in seeds:
        keys = seed.identifiers()
        if seed.id in seen_ids or keys & seen_keys:
            continue
        seen_ids.add(seed.id)
        seen_keys |= keys
        kept.append(seed)
    return kept


class _EveryRecord(Mapping[str, str]):
    """Each record id stands for itself: seeds are read before deduplication has grouped
    records into studies, so a decision applies to the record it names."""

    def __getitem__(self, key: str) -> str:
        return key

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def included_record_ids(decision_paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Record ids whose standing decision is 'include' for any reviewer, in the order they
    were first decided.

    The files are read and merged as the screening stage reads them, so an ``undo`` takes
    back the decision before it and a reviewer who changed their mind counts once, by the
    latest decision. Several reviewers' files may disagree; for chasing, a record any
    reviewer included is worth its references and citations (a seed too many costs
    requests, a seed too few costs studies).
    """
    rows = []
    for index, path in enumerate(decision_paths):
        rows += read_decision_file(path, _EveryRecord(), file_index=index)
    merged = merge_decisions(rows)
    return [
        record_id
        for record_id in merged.order
        if any(
            row.decision == Decision.INCLUDE
            for row in merged.by_reviewer.get(record_id, {}).values()
        )
    ]


def _seed_from_record(row: Mapping[str, str], *, origin: str, round_: int) -> Seed:
    seed = Seed(
        id=row["record_id"],
        type="record",
        origin=origin,
        round=round_,
        doi=normalize_doi(row.get("doi", "")),
        pmid=normalize_pmid(row.get("pmid", "")),
        pmcid=normalize_pmcid(row.get("pmcid", "")),
        openalex_id=normalize_openalex_id(row.get("openalex_id", "")),
        s2_id=normalize_s2_id(row.get("s2_id", "")),
    )
    return seed


def read_record_tables(record_tables: Sequence[str | os.PathLike[str]]) -> pd.DataFrame:
    """The record tables of searches and imports as one frame (a missing file is an error)."""
    frames = []
    for path in record_tables:
        if not Path(path).is_file():
            raise DataError("record table not found", path=str(path))
        frames.append(read_records(path))
    if not frames:
        return pd.DataFrame(columns=["record_id", "doi", "openalex_id"])
    return pd.concat(frames, ignore_index=True)


def included_seeds(
    included_ids: Sequence[str],
    record_tables: Sequence[str | os.PathLike[str]] | pd.DataFrame,
    *,
    origin: str = "included",
    round_: int = 1,
) -> tuple[list[Seed], list[str]]:
    """Seeds for included record ids found in the record tables, and the ids not found.

    A record id matches a row of the tables by ``record_id``. Rows without any identifier
    become seeds too, so that ``seeds.csv`` says why they could not be chased.
    """
    table = (
        record_tables
        if isinstance(record_tables, pd.DataFrame)
        else read_record_tables(list(record_tables))
    )
    by_id: dict[str, Mapping[str, str]] = {}
    for row in table_rows(table):
        by_id.setdefault(str(row["record_id"]), row)
    seeds: list[Seed] = []
    missing: list[str] = []
    for record_id in included_ids:
        found = by_id.get(record_id)
        if found is None:
            missing.append(record_id)
            continue
        seeds.append(_seed_from_record(found, origin=origin, round_=round_))
    return seeds, missing


def write_seeds_table(
    path: str | os.PathLike[str],
    seeds: Sequence[Seed],
    resolutions: Mapping[str, Mapping[str, SeedResolution]],
    sources: Sequence[str],
) -> None:
    """``seeds.csv``: every seed as given, its ids per source, resolved or why not."""
    rows = []
    for seed in seeds:
        per_source = resolutions.get(seed.id, {})
        row: dict[str, object] = {
            "seed": seed.id,
            "type": seed.type,
            "origin": seed.origin,
            "round": seed.round,
            "directions": LIST_SEPARATOR.join(seed.directions),
            "note": seed.note,
        }
        reasons = []
        resolved = False
        for source in sources:
            res = per_source.get(source, SeedResolution(reason="not attempted"))
            row[source] = res.native_id
            resolved = resolved or res.status == "resolved"
            if res.reason:
                reasons.append(f"{source}: {res.reason}")
        row["status"] = "resolved" if resolved else "unresolved"
        row["reason"] = "; ".join(reasons)
        rows.append(row)
    columns = [*SEED_COLUMNS, *sources, "status", "reason"]
    frame = pd.DataFrame(rows, columns=columns).fillna("")
    write_csv(frame, path)
