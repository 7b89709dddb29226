"""Chasing rounds: resolve seeds, fetch references and citing works, merge what was found.

Round 1 chases from the config seeds and the included studies; round ``n + 1`` chases from
the records round ``n`` added that screening has since included. Chasing stops at the
configured depth or at the first round that adds no new included study, so a rerun after
screening picks up exactly where the evidence leads, and nothing else.

Every source client implements :class:`CitationClient`; the engine here knows nothing of
HTTP, which keeps rounds, attribution and counting testable without a server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reviewflow.citations.seeds import Seed, SeedResolution
from reviewflow.records import make_record_id, normalize_record
from reviewflow.vocab import LIST_SEPARATOR, Direction, FoundBy

__all__ = [
    "SEARCH_ID",
    "ChaseResult",
    "CitationClient",
    "Found",
    "Years",
    "batched",
    "chase_round",
    "outside_years",
    "run_rounds",
]

log = logging.getLogger(__name__)

#: ``search_id`` of every record found by citation tracking (record ids are
#: ``citations:<native id>``).
SEARCH_ID = "citations"


_DIRECTION_ORDER = tuple(d.value for d in Direction)


def batched(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive slices of at most ``size`` items (an API's ids-per-request limit)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass
class Found:
    """One work a source returned: which seeds it is linked to, and its parsed record.

    ``record`` is a parser's dict for :func:`normalize_record` whose ``record_id`` holds the
    native id (W-id, DOI, paperId, ``MED:123``) or is empty for works without one.
    """

    seeds: list[str]
    record: dict[str, Any]


class CitationClient(Protocol):
    """A source that can resolve seeds and list references and citing works.

    The chase engine calls :meth:`resolve` once per round with every seed of the round,
    then :meth:`chase` once per direction with the seeds it resolved (in the order
    returned). Clients batch ids per request as far as their API allows.
    """

    name: str
    directions: tuple[str, ...]

    @property
    def requests_made(self) -> int: ...

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, SeedResolution]: ...

    def expected_count(self, resolution: SeedResolution, direction: str) -> int | None: ...

    def chase(self, resolved: Mapping[str, SeedResolution], direction: str) -> Iterator[Found]: ...


@dataclass
class ChaseResult:
    """Everything a run of rounds found, merged one row per (source, work)."""

    records: dict[str, dict[str, str]] = field(default_factory=dict)
    seeds: list[Seed] = field(default_factory=list)
    resolutions: dict[str, dict[str, SeedResolution]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    rounds_run: int = 0

    def add_count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def add_reason(self, key: str, n: int = 1) -> None:
        self.reasons[key] = self.reasons.get(key, 0) + n


def _merge_list(cell: str, value: str) -> str:
    values = [v for v in cell.split(LIST_SEPARATOR) if v] if cell else []
    if value not in values:
        values.append(value)
    return LIST_SEPARATOR.join(values)


#: Publication years kept among the works found: (earliest, latest), None for no limit.
Years = tuple[int | None, int | None]


def outside_years(year: object, years: Years) -> bool:
    """Whether a work's year falls outside the review's date limits; a work without a
    readable year is never outside (a person screens it rather than a rule dropping it)."""
    text = str(year or "").strip()[:4]
    if not text.isdigit():
        return False
    earliest, latest = years
    value = int(text)
    return (earliest is not None and value < earliest) or (latest is not None and value > latest)


def _years_label(years: Years) -> str:
    earliest, latest = years
    return f"{earliest or '…'}–{latest or '…'}"


def _add_found(
    result: ChaseResult,
    found: Found,
    *,
    source: str,
    direction: str,
    round_: int,
    years: Years = (None, None),
) -> str | None:
    """Merge one found work into the result; return its record id (None when unusable or
    published outside the date limits)."""
    raw = dict(found.record)
    native = str(raw.pop("record_id", "") or "")
    content = (str(raw.get("title", "")), str(raw.get("year", "")), str(raw.get("doi", "")))
    if not native and not any(content):
        result.add_reason(f"{source}: work without id, title or DOI")
        return None
    if outside_years(raw.get("year"), years):
        result.add_reason(f"{direction}: published outside {_years_label(years)}")
        result.add_count(f"{direction}_outside_years_round{round_}")
        return None
    record_id = make_record_id(SEARCH_ID, native, content=content)
    seeds = LIST_SEPARATOR.join(found.seeds)
    existing = result.records.get(record_id)
    if existing is None:
        raw.update(
            source=raw.get("source") or source,
            search_id=SEARCH_ID,
            found_by=FoundBy.CITATION.value,
            citation_seed=seeds,
            citation_direction=direction,
            citation_round=str(round_),
        )
        record = normalize_record(raw)
        record["record_id"] = record_id
        result.records[record_id] = record
        return record_id
    for seed in found.seeds:
        existing["citation_seed"] = _merge_list(existing["citation_seed"], seed)
    existing["citation_direction"] = _merge_list(existing["citation_direction"], direction)
    return record_id


def chase_round(
    clients: Sequence[CitationClient],
    seeds: Sequence[Seed],
    directions: Sequence[str],
    result: ChaseResult,
    *,
    round_: int,
    max_per_seed: int | None = None,
    years: Years = (None, None),
) -> set[str]:
    """One round: every client resolves and chases the seeds; returns record ids added.

    A seed chased only some ways (its own ``directions``) is left out of the others.
    """
    before = set(result.records)
    wanted = {seed.id: seed.directions or tuple(directions) for seed in seeds}
    asked = {*directions, *(d for ways in wanted.values() for d in ways)}
    directions = [d for d in _DIRECTION_ORDER if d in asked]
    for client in clients:
        resolutions = client.resolve(seeds) if seeds else {}
        for seed in seeds:
            res = resolutions.get(seed.id) or SeedResolution(reason="not resolved")
            result.resolutions.setdefault(seed.id, {})[client.name] = res
        resolved = {k: v for k, v in resolutions.items() if v.status == "resolved"}
        for direction in directions:
            if direction not in client.directions:
                if resolved:
                    log.info("%s offers no %s citations; skipped", client.name, direction)
                    result.add_reason(f"{client.name}: no {direction} citations in its API")
                continue
            chosen = {}
            for seed_id, res in resolved.items():
                if direction not in wanted.get(seed_id, directions):
                    continue
                expected = client.expected_count(res, direction)
                if max_per_seed is not None and expected is not None and expected > max_per_seed:
                    res.reason = _merge_list(
                        res.reason,
                        f"{direction} skipped: {expected} works > max_per_seed {max_per_seed}",
                    )
                    result.add_reason(f"seed {direction} skipped: more than max_per_seed")
                    continue
                chosen[seed_id] = res
            ids: set[str] = set()
            for found in client.chase(chosen, direction):
                record_id = _add_found(
                    result,
                    found,
                    source=client.name,
                    direction=direction,
                    round_=round_,
                    years=years,
                )
                if record_id is not None:
                    ids.add(record_id)
            result.add_count(f"{direction}_round{round_}", len(ids))
            result.add_count(f"{client.name}_{direction}_round{round_}", len(ids))
    added = set(result.records) - before
    result.add_count(f"new_round{round_}", len(added))
    return added


def _record_keys(record: Mapping[str, str]) -> set[str]:
    keys = {f"record:{record['record_id']}"}
    for name in ("doi", "openalex_id"):
        if record.get(name):
            keys.add(f"{name}:{record[name]}")
    return keys


def run_rounds(
    clients: Sequence[CitationClient],
    first_seeds: Sequence[Seed],
    *,
    directions: Sequence[str],
    depth: int,
    max_per_seed: int | None = None,
    years: Years = (None, None),
    included: Callable[[Mapping[str, str]], bool] = lambda record: False,
) -> ChaseResult:
    """Chase round after round until ``depth`` or until a round adds no included study.

    ``included(record)`` tells whether screening included a found record (by record id,
    DOI or OpenAlex id); those records are the next round's seeds.
    """
    result = ChaseResult()
    seeds = list(first_seeds)
    chased_keys: set[str] = set()
    for seed in seeds:
        chased_keys |= seed.identifiers() | {f"record:{seed.id}"}
    for round_ in range(1, depth + 1):
        result.seeds.extend(seeds)
        result.rounds_run = round_
        added = chase_round(
            clients,
            seeds,
            directions,
            result,
            round_=round_,
            max_per_seed=max_per_seed,
            years=years,
        )
        next_seeds = []
        for record_id in sorted(added):
            record = result.records[record_id]
            keys = _record_keys(record)
            if keys & chased_keys or not included(record):
                continue
            seed = Seed(
                id=record_id,
                type="record",
                origin="round",
                round=round_ + 1,
                doi=record["doi"],
                pmid=record["pmid"],
                pmcid=record["pmcid"],
                openalex_id=record["openalex_id"],
                s2_id=record["s2_id"],
            )
            chased_keys |= keys | seed.identifiers()
            next_seeds.append(seed)
        result.add_count(f"included_round{round_}", len(next_seeds))
        if not next_seeds:
            break
        seeds = next_seeds
    return result
