"""Routes of real recorded API answers for the source client tests, and fixture paths."""

from __future__ import annotations

import json
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
