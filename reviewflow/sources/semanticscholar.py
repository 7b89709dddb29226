"""Semantic Scholar Graph API ``/paper/search/bulk``: token paging, up to 1000 papers a page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewflow.sources.base import Page, Source, env_value, query_pairs

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
        search_field: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        self.choose_search_field(search_field)
        params: dict[str, Any] = {"query": query}
        extra = dict(filters or {})
        fields = extra.pop("fields", S2_FIELDS)
        if date_from or date_to:
            params["publicationDateOrYear"] = f"{date_from or ''}:{date_to or ''}"
        params.update(extra)
        self.query_sent = query_pairs(params)
        params["fields"] = fields

        def fetch(token: str | None, size: int) -> Page:
            page = dict(params)
            if token:
                page["token"] = token
            response = self.session.get("paper/search/bulk", page)
            data = response.json()
            if not isinstance(data, dict) or "total" not in data:
                response.reject("not a Semantic Scholar bulk search answer (no 'total')")
            for key in ("warning", "warnings"):
                if data.get(key):
                    self.check_warnings([f"{key}: {data[key]}"], response)
            return Page(
                response=response,
                items=list(data.get("data") or []),
                total=int(data.get("total") or 0),
                next=data.get("token") or None,
                path="paper/search/bulk",
                params=page,
            )

        yield from self.paged(fetch, parse_s2_paper, None, max_records)
