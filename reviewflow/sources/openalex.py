"""OpenAlex ``/works`` search: ``search``/``filter`` with cursor paging, 200 records a page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewflow.sources.base import Source, env_value, full_date

__all__ = ["OpenAlexSource", "openalex_abstract", "openalex_filter", "parse_openalex_work"]


def openalex_abstract(inverted: Mapping[str, list[int]] | None) -> str:
    """Rebuild an abstract from OpenAlex's inverted index (word -> positions)."""
    if not inverted:
        return ""
    slots: dict[int, str] = {}
    for word, positions in inverted.items():
        for position in positions:
            slots[int(position)] = word
    return " ".join(slots[i] for i in sorted(slots))


def parse_openalex_work(work: Mapping[str, Any]) -> dict[str, Any]:
    """One OpenAlex work as a record dict (``record_id`` = the W-id)."""
    ids = work.get("ids") or {}
    location = work.get("primary_location") or {}
    venue = location.get("source") or {}
    biblio = work.get("biblio") or {}
    first, last = biblio.get("first_page"), biblio.get("last_page")
    pages = f"{first}-{last}" if first and last and first != last else (first or "")
    authors = [
        (a.get("author") or {}).get("display_name") or a.get("raw_author_name") or ""
        for a in work.get("authorships") or []
    ]
    keywords = [k.get("display_name", "") for k in work.get("keywords") or []]
    issns = venue.get("issn") or ([venue["issn_l"]] if venue.get("issn_l") else [])
    openalex_id = str(work.get("id") or "").rsplit("/", 1)[-1]
    return {
        "record_id": openalex_id,
        "title": work.get("title") or work.get("display_name") or "",
        "abstract": openalex_abstract(work.get("abstract_inverted_index")),
        "authors": [a for a in authors if a],
        "year": work.get("publication_year") or "",
        "journal": venue.get("display_name") or "",
        "volume": biblio.get("volume") or "",
        "issue": biblio.get("issue") or "",
        "pages": pages,
        "doi": work.get("doi") or ids.get("doi") or "",
        "pmid": ids.get("pmid") or "",
        "pmcid": ids.get("pmcid") or "",
        "openalex_id": openalex_id,
        "issn": "; ".join(issns),
        "keywords": [k for k in keywords if k],
        "publication_type": work.get("type") or "",
        "language": work.get("language") or "",
        "url": location.get("landing_page_url") or work.get("id") or "",
    }


def openalex_filter(filters: Mapping[str, Any], date_from: str | None, date_to: str | None) -> str:
    """``filter=`` value: config filters (``{type: article}``) plus publication-date bounds."""
    parts = [f"{key}:{value}" for key, value in filters.items()]
    if date_from:
        parts.append(f"from_publication_date:{full_date(date_from, start=True)}")
    if date_to:
        parts.append(f"to_publication_date:{full_date(date_to, start=False)}")
    return ",".join(parts)


class OpenAlexSource(Source):
    """OpenAlex works: free text in ``search``, everything else in ``filter``.

    Documented limits: 100,000 requests a day and 10 a second; ``per-page`` up to 200;
    cursor paging (``cursor=*``) reaches every result, unlike ``page`` (first 10,000 only).
    Giving a contact address (``OPENALEX_MAILTO``) puts requests in the polite pool.
    """

    name = "openalex"
    default_base_url = "https://api.openalex.org"
    default_requests_per_second = 10.0
    max_page_size = 200
    secret_params = ("mailto", "api_key")

    def auth_params(self) -> dict[str, str]:
        params = {}
        if env_value("OPENALEX_MAILTO"):
            params["mailto"] = env_value("OPENALEX_MAILTO")
        if env_value("OPENALEX_API_KEY"):
            params["api_key"] = env_value("OPENALEX_API_KEY")
        return params

    def search(
        self,
        query: str,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        filters: Mapping[str, Any] | None = None,
        max_records: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        filter_value = openalex_filter(filters or {}, date_from, date_to)
        cursor: str | None = "*"
        fetched = 0
        while cursor and (max_records is None or fetched < max_records):
            params: dict[str, Any] = {}
            if query:
                params["search"] = query
            if filter_value:
                params["filter"] = filter_value
            params["per-page"] = self.next_page_size(fetched, max_records)
            params["cursor"] = cursor
            response = self.session.get("works", {**params, **self.auth_params()})
            data = response.json()
            meta = data.get("meta") if isinstance(data, dict) else None
            results = data.get("results") if isinstance(data, dict) else None
            if not isinstance(meta, dict) or not isinstance(results, list):
                response.reject("not an OpenAlex list answer (no 'meta' and 'results')")
                return
            if self.hits is None:
                self.hits = int(meta.get("count") or 0)
            for record in self.page_records(
                results, parse_openalex_work, response, fetched, max_records
            ):
                fetched += 1
                yield record
            if max_records is not None and fetched >= max_records:
                return
            next_cursor = meta.get("next_cursor")
            done = not results or next_cursor == cursor or fetched >= self.hits
            cursor = None if done else next_cursor
