"""Europe PMC REST ``/search``: cursorMark paging, 1000 results a page, core metadata."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewflow.sources.base import Page, Source, full_date, query_pairs

__all__ = ["EuropePMCSource", "parse_europepmc_result"]


def _split_author_string(text: str) -> list[str]:
    """``"Schoenfeld JD, Haas-Kogan DA, O'Neill AF."`` -> three names (lite results)."""
    return [name.strip().rstrip(".") for name in text.split(", ") if name.strip(" .")]


def parse_europepmc_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """One Europe PMC search result (``lite`` or ``core``) as a record dict.

    ``record_id`` is ``SOURCE:id`` (``MED:39709209``, ``PPR:PPR123``), Europe PMC's own
    identifier: preprints and patents have no PMID.
    """
    info = result.get("journalInfo") or {}
    journal = info.get("journal") or {}
    author_list = (result.get("authorList") or {}).get("author") or []
    if author_list:
        authors = [
            f"{a['lastName']}, {a.get('firstName') or a.get('initials') or ''}".rstrip(", ")
            if a.get("lastName")
            else a.get("fullName") or a.get("collectiveName") or ""
            for a in author_list
        ]
    else:
        authors = _split_author_string(result.get("authorString") or "")
    issns = [journal.get("issn"), journal.get("essn")]
    if not any(issns):
        issns = [i.strip() for i in str(result.get("journalIssn") or "").split(";")]
    pub_types = (result.get("pubTypeList") or {}).get("pubType") or result.get("pubType") or ""
    keywords = (result.get("keywordList") or {}).get("keyword") or []
    source, native = result.get("source") or "", result.get("id") or ""
    return {
        "record_id": f"{source}:{native}" if source else str(native),
        "title": result.get("title") or "",
        "abstract": result.get("abstractText") or "",
        "authors": [a for a in authors if a],
        "year": result.get("pubYear") or info.get("yearOfPublication") or "",
        "journal": journal.get("title") or result.get("journalTitle") or "",
        "volume": info.get("volume") or result.get("journalVolume") or "",
        "issue": info.get("issue") or result.get("issue") or "",
        "pages": result.get("pageInfo") or "",
        "doi": result.get("doi") or "",
        "pmid": result.get("pmid") or "",
        "pmcid": result.get("pmcid") or "",
        "issn": "; ".join(i for i in issns if i),
        "keywords": list(keywords),
        "publication_type": "; ".join(pub_types) if isinstance(pub_types, list) else pub_types,
        "language": result.get("language") or "",
        "url": f"https://europepmc.org/article/{source}/{native}" if source and native else "",
    }


class EuropePMCSource(Source):
    """Europe PMC search in its own query syntax (``TITLE:``, ``FIRST_PDATE:[a TO b]``, ...).

    ``pageSize`` may be up to 1000 and ``cursorMark`` reaches every hit. Europe PMC asks
    for no more than about 10 requests a second; we default to 5. ``resultType=core``
    returns abstracts and full author lists (``filters: {resultType: lite}`` for less).
    Europe PMC's ``hitCount`` can exceed what paging returns (a recorded answer reports 2
    hits and serves 1): the paging loop asks again, and the search stage fails with both
    numbers unless the search line accepts a shortfall. An answer carrying ``errCode`` /
    ``errMsg`` (its report of a query it could not run as written) is a database warning.
    """

    name = "europepmc"
    default_base_url = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    default_requests_per_second = 5.0
    max_page_size = 1000

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
        if date_from or date_to:
            start = full_date(date_from, start=True) if date_from else "1000-01-01"
            end = full_date(date_to, start=False) if date_to else "3000-12-31"
            query = f"({query}) AND (FIRST_PDATE:[{start} TO {end}])"
        extra = {"resultType": "core", **dict(filters or {})}
        self.query_sent = query_pairs({"query": query, **extra})

        def fetch(cursor: str, size: int) -> Page:
            params = {
                "query": query,
                **extra,
                "format": "json",
                "pageSize": size,
                "cursorMark": cursor,
            }
            response = self.session.get("search", params)
            data = response.json()
            if isinstance(data, dict) and (data.get("errCode") or data.get("errMsg")):
                code = data.get("errCode") or "error"
                self.check_warnings([f"errCode {code}: {data.get('errMsg') or ''}"], response)
            result_list = data.get("resultList") if isinstance(data, dict) else None
            results = result_list.get("result") if isinstance(result_list, dict) else None
            if not isinstance(results, list):
                response.reject(
                    "not a Europe PMC search answer (no 'resultList.result'; "
                    "a query Europe PMC cannot parse is answered so)"
                )
            following = data.get("nextCursorMark")
            return Page(
                response=response,
                items=results,  # type: ignore[arg-type]
                total=int(data.get("hitCount") or 0),
                next=following if following and following != cursor else None,
                path="search",
                params=params,
            )

        yield from self.paged(fetch, parse_europepmc_result, "*", max_records)
