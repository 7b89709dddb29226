"""Europe PMC citation tracking: ``/{source}/{id}/references`` and ``/{source}/{id}/citations``.

Seeds are resolved with one ``/search`` per 100 seeds (``DOI:"a" OR EXT_ID:123 ...``, the
OR-ed query the search syntax allows); references and citing works then cost one request
per seed per page of up to 1000 (``page``/``pageSize``, documented in the Europe PMC REST
API reference). Europe PMC has both directions for PubMed, PMC and preprint records.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from reviewflow.citations.base import CitationClientBase
from reviewflow.citations.chase import Found, batched
from reviewflow.citations.seeds import Seed, SeedResolution
from reviewflow.normalize import normalize_doi, normalize_pmid
from reviewflow.sources.http import ApiSession

__all__ = ["EuropePMCCitations"]

log = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_PAGE_SIZE = 1000

_LISTS = {
    "backward": ("references", "referenceList", "reference"),
    "forward": ("citations", "citationList", "citation"),
}


def _query_term(seed: Seed) -> str:
    if seed.doi and '"' not in seed.doi:
        return f'DOI:"{seed.doi}"'
    if seed.pmid:
        return f"(EXT_ID:{seed.pmid} AND SRC:MED)"
    if seed.pmcid:
        return f"PMCID:{seed.pmcid}"
    return ""


class EuropePMCCitations(CitationClientBase):
    """Backward and forward citations from Europe PMC, through the shared session."""

    name = "europepmc"
    directions = ("backward", "forward")

    def __init__(self, session: ApiSession, *, page_size: int = MAX_PAGE_SIZE) -> None:
        self.session = session
        self.page_size = min(page_size, MAX_PAGE_SIZE)

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, SeedResolution]:
        terms = {seed.id: _query_term(seed) for seed in seeds}
        usable = [s for s in seeds if terms[s.id]]
        by_doi: dict[str, dict[str, Any]] = {}
        by_pmid: dict[str, dict[str, Any]] = {}
        by_pmcid: dict[str, dict[str, Any]] = {}
        for batch in batched(usable, BATCH_SIZE):
            query = " OR ".join(dict.fromkeys(terms[s.id] for s in batch))
            response = self.session.get(
                "search",
                [
                    ("query", query),
                    ("resultType", "lite"),
                    ("pageSize", str(MAX_PAGE_SIZE)),
                    ("format", "json"),
                ],
            )
            results = ((response.json() or {}).get("resultList") or {}).get("result") or []
            for result in results:
                if doi := normalize_doi(result.get("doi")):
                    by_doi.setdefault(doi, result)
                if (pmid := normalize_pmid(result.get("pmid"))) and result.get("source") == "MED":
                    by_pmid.setdefault(pmid, result)
                if result.get("pmcid"):
                    by_pmcid.setdefault(str(result["pmcid"]).upper(), result)
        resolutions = {}
        for seed in seeds:
            result = by_doi.get(seed.doi) or by_pmid.get(seed.pmid) or by_pmcid.get(seed.pmcid)
            if not terms[seed.id]:
                resolutions[seed.id] = SeedResolution(reason="no DOI, PMID or PMCID to look up")
            elif result is None:
                resolutions[seed.id] = SeedResolution(
                    reason=f"not in Europe PMC ({terms[seed.id]})"
                )
            else:
                native = f"{result.get('source')}:{result.get('id')}"
                resolutions[seed.id] = SeedResolution(
                    native_id=native, status="resolved", work=result
                )
        return resolutions

    def expected_count(self, resolution: SeedResolution, direction: str) -> int | None:
        value = resolution.work.get("citedByCount") if direction == "forward" else None
        return int(value) if isinstance(value, int) else None

    def entries(self, native: str, direction: str) -> Iterator[tuple[dict[str, Any], str, str]]:
        """(entry, retrieved_at, raw_ref) for every reference or citing work of one record."""
        endpoint, outer, inner = _LISTS[direction]
        source, _, ident = native.partition(":")
        page = 1
        seen = 0
        while True:
            response = self.session.get(
                f"{source}/{ident}/{endpoint}",
                [("page", str(page)), ("pageSize", str(self.page_size)), ("format", "json")],
            )
            data = response.json()
            if not isinstance(data, dict):
                response.reject("Europe PMC answer is not an object")
            rows = (data.get(outer) or {}).get(inner) or []
            for index, row in enumerate(rows):
                yield row, response.retrieved_at, f"{response.archive_ref}#{index}"
            seen += len(rows)
            total = int(data.get("hitCount") or 0)
            if not rows or page >= math.ceil(total / self.page_size):
                if seen < total:
                    self.fell_short(f"{endpoint} of {native}", seen, total)
                return
            page += 1

    def chase(self, resolved: Mapping[str, SeedResolution], direction: str) -> Iterator[Found]:
        from reviewflow.sources.europepmc import parse_europepmc_result

        for seed_id, res in resolved.items():
            for row, retrieved_at, raw_ref in self.entries(res.native_id, direction):
                entry = dict(row)
                # Reference and citation entries abbreviate the journal; search results don't.
                entry.setdefault("journalTitle", entry.get("journalAbbreviation", ""))
                record = dict(parse_europepmc_result(entry))
                if not row.get("id"):
                    record["record_id"] = ""
                record.update(source=self.name, retrieved_at=retrieved_at, raw_ref=raw_ref)
                yield Found(seeds=[seed_id], record=record)
