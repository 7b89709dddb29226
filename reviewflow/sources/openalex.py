"""OpenAlex ``/works`` search: ``search``/``filter`` with cursor paging, 200 records a page."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from reviewflow.errors import ConfigError
from reviewflow.sources.base import Page, Source, env_value, full_date, query_pairs

__all__ = [
    "OPENALEX_SEARCH_FIELDS",
    "OpenAlexSource",
    "openalex_abstract",
    "openalex_filter",
    "parse_openalex_work",
]


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


#: Where OpenAlex can look for the query text. ``search`` (the default, for the archives
#: already made with it) matches title, abstract *and full text*; the filters match only
#: the fields they name, which is what a systematic search usually means.
OPENALEX_SEARCH_FIELDS = (
    "search",
    "title_and_abstract.search",
    "title.search",
    "abstract.search",
    "fulltext.search",
    "default.search",
)


def _meta_warnings(meta: Mapping[str, Any]) -> list[str]:
    """Notices OpenAlex puts in ``meta`` (``warning``/``warnings``) about a request."""
    found: list[str] = []
    for key in ("warning", "warnings"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            found.append(f"{key}: {value}")
        elif isinstance(value, list):
            found += [f"{key}: {v if isinstance(v, str) else json.dumps(v)}" for v in value if v]
    return found


class OpenAlexSource(Source):
    """OpenAlex works: free text in ``search`` (or a ``.search`` filter), the rest in ``filter``.

    Documented limits: 100,000 requests a day and 10 a second; ``per-page`` up to 200;
    cursor paging (``cursor=*``) reaches every result, unlike ``page`` (first 10,000 only).
    Giving a contact address (``OPENALEX_MAILTO``) puts requests in the polite pool.
    ``search=`` also searches full texts; a search line's ``search_field:
    title_and_abstract.search`` sends the query as that filter instead.
    """

    name = "openalex"
    default_base_url = "https://api.openalex.org"
    default_requests_per_second = 10.0
    max_page_size = 200
    secret_params = ("mailto", "api_key")
    search_fields = OPENALEX_SEARCH_FIELDS

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
        search_field: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        where = self.choose_search_field(search_field)
        filters = dict(filters or {})
        if query and where != "search":
            if "," in query:
                raise ConfigError(
                    f"openalex: a query sent as the {where} filter cannot hold a comma "
                    "(OpenAlex separates filters with commas); use search_field: search"
                )
            filters = {where: query, **filters}
        filter_value = openalex_filter(filters, date_from, date_to)
        base: dict[str, Any] = {}
        if query and where == "search":
            base["search"] = query
        if filter_value:
            base["filter"] = filter_value
        self.query_sent = query_pairs(base)

        def fetch(cursor: str, size: int) -> Page:
            params = {**base, "per-page": size, "cursor": cursor}
            response = self.session.get("works", {**params, **self.auth_params()})
            data = response.json()
            meta = data.get("meta") if isinstance(data, dict) else None
            results = data.get("results") if isinstance(data, dict) else None
            if not isinstance(meta, dict) or not isinstance(results, list):
                response.reject("not an OpenAlex list answer (no 'meta' and 'results')")
            assert isinstance(meta, dict) and isinstance(results, list)
            if warnings := _meta_warnings(meta):
                self.check_warnings(warnings, response)
            return Page(
                response=response,
                items=results,
                total=int(meta.get("count") or 0),
                next=meta.get("next_cursor") or None,
                path="works",
                params={**params, **self.auth_params()},
            )

        yield from self.paged(fetch, parse_openalex_work, "*", max_records)
