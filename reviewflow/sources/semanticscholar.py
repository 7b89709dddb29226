"""Semantic Scholar Graph API ``/paper/search/bulk``: token paging, up to 1000 papers a page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewflow.sources.base import Source, env_value

__all__ = ["S2_FIELDS", "SemanticScholarSource", "parse_s2_paper"]

#: Paper fields asked for: what a record needs (bulk search serves no more than these).
S2_FIELDS = (
    "paperId,externalIds,title,abstract,year,venue,journal,authors,"
    "publicationTypes,publicationDate,url"
)


def parse_s2_paper(paper: Mapping[str, Any]) -> dict[str, Any]:
    """One Semantic Scholar paper as a record dict (``record_id`` = paperId)."""
    ids = paper.get("externalIds") or {}
    journal = paper.get("journal") or {}
    return {
        "record_id": paper.get("paperId") or "",
        "title": paper.get("title") or "",
        "abstract": paper.get("abstract") or "",
        "authors": [a.get("name") or "" for a in paper.get("authors") or []],
        "year": paper.get("year") or "",
        "journal": journal.get("name") or paper.get("venue") or "",
        "volume": journal.get("volume") or "",
        "pages": journal.get("pages") or "",
        "doi": ids.get("DOI") or "",
        "pmid": ids.get("PubMed") or "",
        "pmcid": ids.get("PubMedCentral") or "",
        "s2_id": paper.get("paperId") or "",
        "publication_type": "; ".join(paper.get("publicationTypes") or []),
        "url": paper.get("url") or "",
    }


class SemanticScholarSource(Source):
    """Semantic Scholar bulk paper search (boolean query syntax, ``token`` continuation).

    Bulk search returns up to 1000 papers per call and a ``token`` for the next call; the
    documented limit is 1 request a second with an API key (``S2_API_KEY``, sent as the
    ``x-api-key`` header, never archived) and a shared pool without one.
    """

    name = "semanticscholar"
    default_base_url = "https://api.semanticscholar.org/graph/v1"
    default_requests_per_second = 1.0
    max_page_size = 1000

    @classmethod
    def default_headers(cls) -> dict[str, str]:
        headers = super().default_headers()
        if env_value("S2_API_KEY"):
            headers["x-api-key"] = env_value("S2_API_KEY")
        return headers

    def search(
        self,
        query: str,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        filters: Mapping[str, Any] | None = None,
        max_records: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"query": query}
        extra = dict(filters or {})
        fields = extra.pop("fields", S2_FIELDS)
        if date_from or date_to:
            params["publicationDateOrYear"] = f"{date_from or ''}:{date_to or ''}"
        params.update(extra)
        params["fields"] = fields
        token: str | None = None
        fetched = 0
        while max_records is None or fetched < max_records:
            page = dict(params)
            if token:
                page["token"] = token
            response = self.session.get("paper/search/bulk", page)
            data = response.json()
            papers = data.get("data") if isinstance(data, dict) else None
            if not isinstance(data, dict) or "total" not in data:
                response.reject("not a Semantic Scholar bulk search answer (no 'total')")
                return
            if self.hits is None:
                self.hits = int(data.get("total") or 0)
            for record in self.page_records(
                papers or [], parse_s2_paper, response, fetched, max_records
            ):
                fetched += 1
                yield record
            if max_records is not None and fetched >= max_records:
                return
            token = data.get("token")
            if not papers or not token:
                return
