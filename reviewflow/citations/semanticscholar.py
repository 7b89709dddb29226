"""Semantic Scholar citation tracking: batch seed lookup, then per-seed citation pages.

Seeds are resolved 500 at a time with ``POST /paper/batch`` (the answer is a list aligned
with the ids asked, ``null`` for an unknown id). The Graph API has no multi-paper citation
endpoint, so references and citing works cost one request per seed per page of up to 1000
edges (``/paper/{id}/references``, ``/paper/{id}/citations``, ``offset``/``next`` paging;
the last page has no ``next``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from reviewflow.citations.base import CitationClientBase
from reviewflow.citations.chase import Found, batched
from reviewflow.citations.seeds import Seed, SeedResolution
from reviewflow.normalize import normalize_s2_id
from reviewflow.sources.http import ApiSession

__all__ = ["SemanticScholarCitations", "s2_reference"]

log = logging.getLogger(__name__)

#: Ids per ``/paper/batch`` request and edges per citation page (documented maxima).
BATCH_SIZE = 500
MAX_PAGE_SIZE = 1000

#: Paper fields asked for on every found work (what the record model can hold).
DEFAULT_FIELDS = "paperId,externalIds,title,abstract,year,venue,journal,authors,publicationTypes"


def s2_reference(seed: Seed) -> str:
    """How the Graph API names a seed: paperId, ``CorpusId:``, bare DOI, ``PMID:``, ``PMCID:``."""
    if seed.s2_id:
        return seed.s2_id
    if seed.s2_ref:
        return seed.s2_ref
    if seed.doi:
        return seed.doi
    if seed.pmid:
        return f"PMID:{seed.pmid}"
    if seed.pmcid:
        return f"PMCID:{seed.pmcid.removeprefix('PMC')}"
    return ""


class SemanticScholarCitations(CitationClientBase):
    """Backward and forward citations from the Semantic Scholar Graph API."""

    name = "semanticscholar"
    directions = ("backward", "forward")

    def __init__(
        self,
        session: ApiSession,
        *,
        fields: str = DEFAULT_FIELDS,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self.session = session
        self.fields = fields
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self.null_edges = 0

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, SeedResolution]:
        refs = {seed.id: s2_reference(seed) for seed in seeds}
        asked = list(dict.fromkeys(r for r in refs.values() if r))
        answers: dict[str, Mapping[str, Any] | None] = {}
        for batch in batched(asked, BATCH_SIZE):
            response = self.session.post(
                "paper/batch", json={"ids": batch}, params=[("fields", self.fields)]
            )
            papers = response.json()
            if not isinstance(papers, list) or len(papers) != len(batch):
                response.reject("Semantic Scholar batch answer is not a list aligned with ids")
            answers.update(zip(batch, papers, strict=True))
        resolutions = {}
        for seed in seeds:
            ref = refs[seed.id]
            paper = answers.get(ref) if ref else None
            if not ref:
                resolutions[seed.id] = SeedResolution(reason="no id Semantic Scholar knows")
            elif not paper or not paper.get("paperId"):
                resolutions[seed.id] = SeedResolution(reason=f"not in Semantic Scholar ({ref})")
            else:
                resolutions[seed.id] = SeedResolution(
                    native_id=normalize_s2_id(paper["paperId"]), status="resolved", work=paper
                )
        return resolutions

    def expected_count(self, resolution: SeedResolution, direction: str) -> int | None:
        key = "referenceCount" if direction == "backward" else "citationCount"
        value = resolution.work.get(key)
        return int(value) if isinstance(value, int) else None

    def edges(self, paper: str, direction: str) -> Iterator[tuple[dict[str, Any], str, str]]:
        """(paper, retrieved_at, raw_ref) of every edge of one paper, page by page."""
        endpoint = "references" if direction == "backward" else "citations"
        key = "citedPaper" if direction == "backward" else "citingPaper"
        offset = 0
        while True:
            response = self.session.get(
                f"paper/{paper}/{endpoint}",
                [("fields", self.fields), ("offset", str(offset)), ("limit", str(self.page_size))],
            )
            data = response.json()
            if not isinstance(data, dict):
                response.reject("Semantic Scholar citation page is not an object")
            rows = data.get("data") or []
            for index, edge in enumerate(rows):
                yield edge.get(key) or {}, response.retrieved_at, f"{response.archive_ref}#{index}"
            following = data.get("next")
            if following is not None and not rows:
                # more was announced but the page is empty: the list is cut short here
                self.fell_short(f"{endpoint} of {paper}", offset, None)
            if following is None or not rows:
                return
            offset = int(following)

    def chase(self, resolved: Mapping[str, SeedResolution], direction: str) -> Iterator[Found]:
        from reviewflow.sources.semanticscholar import parse_s2_paper

        for seed_id, res in resolved.items():
            for paper, retrieved_at, raw_ref in self.edges(res.native_id, direction):
                if not paper.get("paperId") and not paper.get("title"):
                    self.null_edges += 1
                    continue
                record = dict(parse_s2_paper(paper))
                record["record_id"] = normalize_s2_id(paper.get("paperId"))
                record.setdefault("source", self.name)
                record["retrieved_at"] = record.get("retrieved_at") or retrieved_at
                record["raw_ref"] = record.get("raw_ref") or raw_ref
                yield Found(seeds=[seed_id], record=record)
