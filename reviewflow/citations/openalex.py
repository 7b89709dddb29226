"""OpenAlex citation tracking: 100 seeds per request, 200 works per page, cursor paging.

OpenAlex ORs up to 100 values in one filter (``cites:W1|W2``), so resolving, chasing
backward (``cited_by:``) and forward (``cites:``) each cost ``ceil(seeds / 100)`` requests
plus one per extra page of 200 works. Which seed a work belongs to is read from
``referenced_works`` (the seeds' lists for backward, the citing work's list for forward).

Paging stops at the first page shorter than ``per-page`` (or once ``meta.count`` works are
in): OpenAlex sets ``next_cursor`` even when everything fitted on one page, and following it
only returns ``results: []``, a request spent on nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from reviewflow.citations.base import CitationClientBase
from reviewflow.citations.chase import Found, batched
from reviewflow.citations.seeds import Seed, SeedResolution
from reviewflow.normalize import normalize_doi, normalize_openalex_id, normalize_pmid
from reviewflow.sources.http import ApiSession

__all__ = ["OpenAlexCitations"]

log = logging.getLogger(__name__)

#: Values OpenAlex ORs in one filter, and its largest page.
MAX_FILTER_VALUES = 100
MAX_PAGE_SIZE = 200

#: Filter name per seed identifier, in the order tried (an OpenAlex id needs no lookup).
_ID_FILTERS = (("openalex_id", "openalex"), ("doi", "doi"), ("pmid", "pmid"))


def _work_keys(work: Mapping[str, Any]) -> dict[str, str]:
    ids = work.get("ids") or {}
    return {
        "openalex_id": normalize_openalex_id(work.get("id") or ids.get("openalex")),
        "doi": normalize_doi(work.get("doi") or ids.get("doi")),
        "pmid": normalize_pmid(ids.get("pmid")),
    }


def _referenced(work: Mapping[str, Any]) -> list[str]:
    return [w for w in (normalize_openalex_id(r) for r in work.get("referenced_works") or []) if w]


class OpenAlexCitations(CitationClientBase):
    """Backward and forward citations from OpenAlex through the shared :class:`ApiSession`."""

    name = "openalex"
    passes_auth_params = True
    directions = ("backward", "forward")

    def __init__(
        self,
        session: ApiSession,
        *,
        extra_params: Sequence[tuple[str, str]] = (),
        page_size: int = MAX_PAGE_SIZE,
        batch_size: int = MAX_FILTER_VALUES,
    ) -> None:
        self.session = session
        self.extra_params = list(extra_params)
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self.batch_size = min(batch_size, MAX_FILTER_VALUES)

    # -- paging -------------------------------------------------------------------------

    def _works(
        self, filter_: str, *, whole: bool = False
    ) -> Iterator[tuple[dict[str, Any], str, str]]:
        """Every work a filter matches: (work, retrieved_at, raw_ref), cursor-paged.

        ``whole``: the list must come in full (a reference or citing list, whose missing
        works nothing else would show); a seed lookup that finds less is already reported
        per seed as unresolved.
        """
        cursor = "*"
        seen = 0
        count: object = None
        while True:
            params = [
                ("filter", filter_),
                ("per-page", str(self.page_size)),
                ("cursor", cursor),
                *self.extra_params,
            ]
            response = self.session.get("works", params)
            data = response.json()
            results = data.get("results") if isinstance(data, dict) else None
            if not isinstance(results, list):
                response.reject("OpenAlex answer without a 'results' list")
                return
            for index, work in enumerate(results):
                yield work, response.retrieved_at, f"{response.archive_ref}#{index}"
            seen += len(results)
            meta = data.get("meta") or {}
            if count is None:
                count = meta.get("count")  # the first page's count is the list's size
            cursor = meta.get("next_cursor") or ""
            if isinstance(count, int) and seen >= count:
                return
            if len(results) < self.page_size or not cursor:
                if whole and isinstance(count, int) and seen < count:
                    self.fell_short(f"filter {filter_}", seen, count)
                return

    def _record(self, work: Mapping[str, Any], retrieved_at: str, raw_ref: str) -> dict[str, Any]:
        from reviewflow.sources.openalex import parse_openalex_work

        record = dict(parse_openalex_work(dict(work)))
        record["record_id"] = normalize_openalex_id(work.get("id"))
        record.setdefault("source", self.name)
        record["retrieved_at"] = record.get("retrieved_at") or retrieved_at
        record["raw_ref"] = record.get("raw_ref") or raw_ref
        return record

    # -- CitationClient -----------------------------------------------------------------

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, SeedResolution]:
        """Find each seed's work (and its reference list) by W-id, then DOI, then PMID."""
        found: dict[str, SeedResolution] = {}
        position: dict[str, int] = {}
        pending = [s for s in seeds if s.openalex_id or s.doi or s.pmid]
        for field_name, filter_name in _ID_FILTERS:
            batch_seeds = [s for s in pending if getattr(s, field_name)]
            values = list(dict.fromkeys(getattr(s, field_name) for s in batch_seeds))
            usable = [v for v in values if "|" not in v and "," not in v]
            by_value: dict[str, dict[str, Any]] = {}
            for batch in batched(usable, self.batch_size):
                for work, _, _ in self._works(f"{filter_name}:{'|'.join(batch)}"):
                    value = _work_keys(work)[field_name]
                    position.setdefault(normalize_openalex_id(work.get("id")), len(position))
                    if value:
                        by_value.setdefault(value, work)
            for seed in batch_seeds:
                match = by_value.get(getattr(seed, field_name))
                if match is not None:
                    found[seed.id] = SeedResolution(
                        native_id=normalize_openalex_id(match.get("id")),
                        status="resolved",
                        work=match,
                    )
            pending = [s for s in pending if s.id not in found]
        # Resolved seeds in the order OpenAlex returned their works, as a chase sends them.
        resolutions = dict(sorted(found.items(), key=lambda kv: position[kv[1].native_id]))
        for seed in seeds:
            if seed.id in resolutions:
                continue
            if not (seed.openalex_id or seed.doi or seed.pmid):
                reason = "no DOI, PMID or OpenAlex id to look up"
            else:
                tried = [f"{n} {getattr(seed, f)}" for f, n in _ID_FILTERS if getattr(seed, f)]
                reason = "not found in OpenAlex (" + ", ".join(tried) + ")"
            resolutions[seed.id] = SeedResolution(reason=reason)
        return resolutions

    def expected_count(self, resolution: SeedResolution, direction: str) -> int | None:
        work = resolution.work
        if direction == "backward":
            return len(_referenced(work))
        count = work.get("cited_by_count")
        return int(count) if isinstance(count, int) else None

    def chase(self, resolved: Mapping[str, SeedResolution], direction: str) -> Iterator[Found]:
        """References (``cited_by:``) or citing works (``cites:``) of resolved seeds."""
        seeds = [(seed_id, res.native_id, res.work) for seed_id, res in resolved.items()]
        if direction == "backward":
            # A seed without references needs no request.
            seeds = [s for s in seeds if _referenced(s[2])]
        filter_name = "cited_by" if direction == "backward" else "cites"
        for batch in batched(seeds, self.batch_size):
            native_ids = list(dict.fromkeys(native for _, native, _ in batch))
            refs = {seed_id: set(_referenced(work)) for seed_id, _, work in batch}
            by_native: dict[str, list[str]] = {}
            for seed_id, native, _ in batch:
                by_native.setdefault(native, []).append(seed_id)
            for work, retrieved_at, raw_ref in self._works(
                f"{filter_name}:{'|'.join(native_ids)}", whole=True
            ):
                work_id = normalize_openalex_id(work.get("id"))
                if direction == "backward":
                    linked = [seed_id for seed_id, _, _ in batch if work_id in refs[seed_id]]
                else:
                    cited = set(_referenced(work))
                    linked = [s for n in native_ids if n in cited for s in by_native[n]]
                if not linked:
                    log.warning("openalex: %s matched %s but names no seed", work_id, filter_name)
                    linked = [seed_id for seed_id, _, _ in batch]
                yield Found(seeds=linked, record=self._record(work, retrieved_at, raw_ref))
