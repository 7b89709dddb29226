"""Routes of real recorded API answers for the source client tests, and fixture paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fixture_server import Route, routes_from_index, routes_from_pages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
PUBMED = FIXTURES / "pubmed_entrez"
EFETCH_FILES = (
    "efetch_pubmed_12091962_9997_rettype-abstract.xml",
    "efetch_pubmed_11748933_11700088.xml",
    "efetch_pubmed_4articles_dtd2024.xml",
)


def europepmc_routes() -> list[Route]:
    """The 10 recorded cursorMark pages, each served for the cursor the previous returned."""
    pages = json.loads((FIXTURES / "europepmc" / "cursormark_10pages_cancer.json").read_text())
    cursors = ["*"] + [page["nextCursorMark"] for page in pages[:-1]]
    return routes_from_pages(
        "/search",
        [
            ({"query": "cancer", "cursorMark": c}, json.dumps(p).encode())
            for c, p in zip(cursors, pages, strict=True)
        ],
    )


def pubmed_routes(esearch: str = "esearch_pubmed_cancer_usehistory_webenv.xml") -> list[Route]:
    """ESearch (history server) then recorded EFetch bodies answering successive batches."""
    routes = [
        Route("GET", "/esearch.fcgi", [], (PUBMED / esearch).read_bytes(), content_type="text/xml")
    ]
    routes += [
        Route("GET", "/efetch.fcgi", [], (PUBMED / n).read_bytes(), content_type="text/xml")
        for n in EFETCH_FILES
    ]
    return routes


def openalex_routes() -> list[Route]:
    return routes_from_index(FIXTURES / "openalex" / "oa_snowball.bodies", include=[1])


def crossref_routes() -> list[Route]:
    return routes_from_index(FIXTURES / "crossref" / "test_workscontainer_with_cursor.bodies")


def s2_routes() -> list[Route]:
    folder = FIXTURES / "semanticscholar" / "test_search_paper_bulk_retrieval_next_page.bodies"
    return routes_from_index(folder, strip_prefix="/graph/v1")


#: source -> (routes, search kwargs, records expected, requests expected)
CASES = {
    "pubmed": (pubmed_routes, {"query": "cancer", "max_records": 8}, 8, 4),
    "europepmc": (
        europepmc_routes,
        {"query": "cancer", "filters": {"resultType": "lite"}, "max_records": 1000},
        1000,
        10,
    ),
    "openalex": (openalex_routes, {"query": "", "filters": {"openalex": "W3045921891|W3046863325"}}, 2, 1),
    "crossref": (
        crossref_routes,
        {"query": "", "filters": {"container": "members/98"}, "max_records": 20},
        20,
        4,
    ),
    "semanticscholar": (
        s2_routes,
        {"query": "kubernetes", "filters": {"fields": "title"}, "max_records": 2000},
        2000,
        2,
    ),
}  # fmt: skip


# -- faults built from the recordings -------------------------------------------------

HTML_PAGE = (PUBMED / "efetch_pubmed_19304878_no_retmode_returns_html.html").read_bytes()


def _emptied(body: bytes, *keys: str) -> bytes:
    data = json.loads(body)
    target = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = []
    return json.dumps(data).encode()


def empty_page(name: str):
    """A recorded page of ``name`` with its records taken out (counts and cursors kept)."""
    if name == "pubmed":
        return lambda body: re.sub(
            rb"<PubmedArticle>.*?</PubmedArticle>\s*", b"", body, flags=re.DOTALL
        )
    keys = {
        "europepmc": ("resultList", "result"),
        "openalex": ("results",),
        "crossref": ("message", "items"),
        "semanticscholar": ("data",),
    }[name]
    return lambda body: _emptied(body, *keys)


#: the request path of each source's result pages (faults are aimed at these)
PAGE_PATH = {
    "pubmed": "/efetch.fcgi",
    "europepmc": "/search",
    "openalex": "/works",
    "crossref": "/works",
    "semanticscholar": "/paper/search/bulk",
}


def openalex_paged_routes(page_size: int = 10) -> list[Route]:
    """The recorded 38-work ``cited_by:`` page, served as pages of ``page_size`` by cursor.

    OpenAlex answered this filter with one page; serving its works ten at a time (cursors
    ``c1``, ``c2``...; ``next_cursor`` null on the last) gives a real multi-page answer.
    """
    folder = FIXTURES / "openalex" / "oa_snowball.bodies"
    data = json.loads(next(folder.glob("05_*")).read_bytes())
    works = data["results"]
    routes = []
    for start in range(0, len(works), page_size):
        cursor = "*" if start == 0 else f"c{start}"
        following = f"c{start + page_size}" if start + page_size < len(works) else None
        meta = {**data["meta"], "per_page": page_size, "next_cursor": following}
        body = json.dumps({"meta": meta, "results": works[start : start + page_size]})
        routes.append(Route("GET", "/works", [("cursor", cursor)], body.encode()))
    return routes


OPENALEX_PAGED_FILTER = {"cited_by": "W3046863325|W3045921891"}


def europepmc_xml_as_json(name: str) -> bytes:
    """A recorded Europe PMC XML answer in the JSON shape ``format=json`` gives.

    The two getpapers recordings were made in XML; their content (hit count, cursor,
    results with their scalar fields) is carried over unchanged.
    """
    from defusedxml import ElementTree

    root = ElementTree.fromstring((FIXTURES / "europepmc" / name).read_bytes())
    results = [
        {child.tag: (child.text or "").strip() for child in result if len(child) == 0}
        for result in root.iter("result")
    ]
    page = {
        "version": root.findtext("version"),
        "hitCount": int(root.findtext("hitCount") or 0),
        "nextCursorMark": root.findtext("nextCursorMark"),
        "request": {child.tag: child.text or "" for child in root.find("request")},
        "resultList": {"result": results},
    }
    return json.dumps(page).encode()


def europepmc_lies_routes() -> list[Route]:
    """Europe PMC reporting 2 hits and serving 1, then an empty page (hitCount 0, ``*``)."""
    first = europepmc_xml_as_json("getpapers_hitcount_lies.xml")
    following = json.loads(first)["nextCursorMark"]
    empty = europepmc_xml_as_json("getpapers_noresults_cursor_star.xml")
    return routes_from_pages(
        "/search", [({"cursorMark": "*"}, first), ({"cursorMark": following}, empty)]
    )


def run_search_stage(*, search, sources, replay, **paths):
    """Rule search_database's stage from config-shaped mappings, as its script calls it
    after validation (defaults filled in; a local test server may be asked at any rate)."""
    from reviewflow.sources.base import SourcesSettings
    from reviewflow.sources.stage import SearchLine
    from reviewflow.sources.stage import run_search_stage as run

    return run(
        search=SearchLine.from_raw(search, check=False),
        sources=SourcesSettings.from_raw(sources, check=False),
        replay=replay,
        **paths,
    )
