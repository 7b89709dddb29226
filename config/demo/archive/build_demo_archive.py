"""Rebuild the demo's search archives from real recorded API responses.

Usage (from the repository root)::

    python config/demo/archive/build_demo_archive.py [--fixtures ../shared/fixtures]

Each demo search in config/config.yaml is replayed from config/demo/archive/<search id>/.
This script makes those folders: it runs reviewflow's own client for the search against
responses that other projects recorded from the real APIs (see PROVENANCE.md), so the
archive holds the requests reviewflow sends and the bytes the databases answered.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from recordings import Recording, archive_from_recordings, recordings_from_index  # noqa: E402

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
EUROPEPMC = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"

#: The PubMed EFetch files, in the order they answer successive EFetch requests.
PUBMED_EFETCH = (
    ("efetch_pubmed_12091962_9997_rettype-abstract.xml", f"GET {EUTILS}/efetch.fcgi?db=pubmed&id=12091962,9997&retmode=xml&rettype=abstract"),
    ("efetch_pubmed_11748933_11700088.xml", f"GET {EUTILS}/efetch.fcgi?db=pubmed&id=11748933,11700088&retmode=xml"),
    ("efetch_pubmed_27797938_html_tags_structured_abstract.xml", f"GET {EUTILS}/efetch.fcgi?db=pubmed&retmode=xml&id=29106400 as stated in the upstream test comment; the body holds PMID 27797938"),
    ("efetch_pubmed_28775130_html_escaping.xml", f"GET {EUTILS}/efetch.fcgi?db=pubmed&retmode=xml&id=28775130"),
    ("efetch_pubmed_29768149_pretty.xml", "efetch db=pubmed id=29768149 retmode=xml (tab-indented, as PubMed web 'Save as XML')"),
    ("efetch_pubmed_29963580_mathml_referencelist.xml", f"GET {EUTILS}/efetch.fcgi?db=pubmed&id=29963580&retmode=xml"),
    ("efetch_pubmed_30108519_html_and_mathml.xml", f"GET {EUTILS}/efetch.fcgi?db=pubmed&id=30108519&retmode=xml"),
    ("efetch_pubmed_4articles_dtd2024.xml", "efetch-shaped PubmedArticleSet (DTD 2024-01-01); request not recorded upstream"),
)  # fmt: skip

#: Demo searches: search settings exactly as in config/config.yaml.
SEARCHES: dict[str, dict[str, Any]] = {
    "pubmed-cancer": {
        "source": "pubmed",
        "query": "cancer",
        "filters": {"reldate": 60, "datetype": "edat"},
        "max_records": 13,
    },
    "europepmc-cancer": {
        "source": "europepmc",
        "query": "cancer",
        "filters": {"resultType": "lite"},
        "max_records": 1000,
    },
    "openalex-seed-works": {
        "source": "openalex",
        "query": "",
        "filters": {"openalex": "W3045921891|W3046863325"},
    },
    "crossref-member-98": {
        "source": "crossref",
        "query": "",
        "filters": {"container": "members/98"},
        "max_records": 20,
    },
    "s2-kubernetes": {
        "source": "semanticscholar",
        "query": "kubernetes",
        "filters": {"fields": "title"},
        "max_records": 2000,
    },
}


def _pubmed(fixtures: Path) -> list[Recording]:
    folder = fixtures / "pubmed_entrez"
    search = "esearch_pubmed_cancer_usehistory_webenv.xml"
    found = [
        Recording(
            "GET",
            f"{EUTILS}/esearch.fcgi?db=pubmed&term=cancer",
            (folder / search).read_bytes(),
            content_type="text/xml; charset=UTF-8",
            origin=f"pubmed_entrez/{search}",
            recorded_url=f"GET {EUTILS}/esearch.fcgi?db=pubmed&term=cancer&reldate=60"
            "&datetype=edat&retmax=100&usehistory=y",
        )
    ]
    for name, recorded in PUBMED_EFETCH:
        found.append(
            Recording(
                "GET",
                f"{EUTILS}/efetch.fcgi?db=pubmed",
                (folder / name).read_bytes(),
                content_type="text/xml; charset=UTF-8",
                origin=f"pubmed_entrez/{name}",
                recorded_url=recorded,
            )
        )
    return found


def _europepmc(fixtures: Path) -> list[Recording]:
    name = "cursormark_10pages_cancer.json"
    pages = json.loads((fixtures / "europepmc" / name).read_text(encoding="utf-8"))
    cursors = ["*"] + [page["nextCursorMark"] for page in pages[:-1]]
    found = []
    for number, (cursor, page) in enumerate(zip(cursors, pages, strict=True), start=1):
        url = f"{EUROPEPMC}?query=cancer&pageSize=100&cursorMark={cursor}&format=json"
        body = (json.dumps(page, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        found.append(Recording("GET", url, body, origin=f"europepmc/{name}[{number - 1}]"))
    return found


def recordings_for(search_id: str, fixtures: Path) -> list[Recording]:
    """The recorded exchanges one demo search is built from (fixtures in the shared layout)."""
    if search_id == "pubmed-cancer":
        return _pubmed(fixtures)
    if search_id == "europepmc-cancer":
        return _europepmc(fixtures)
    if search_id == "openalex-seed-works":
        return recordings_from_index(fixtures / "openalex" / "oa_snowball.bodies", include=[1])
    if search_id == "crossref-member-98":
        return recordings_from_index(
            fixtures / "crossref" / "test_workscontainer_with_cursor.bodies"
        )
    if search_id == "s2-kubernetes":
        folder = fixtures / "semanticscholar" / "test_search_paper_bulk_retrieval_next_page.bodies"
        return recordings_from_index(folder)
    raise KeyError(search_id)


def build(fixtures: Path, out: Path = HERE) -> list[dict[str, Any]]:
    summaries = []
    for search_id, spec in SEARCHES.items():
        spec = dict(spec)
        summary = archive_from_recordings(
            spec.pop("source"),
            recordings_for(search_id, fixtures),
            out / search_id,
            query=spec.pop("query"),
            **spec,
        )
        summaries.append({"search_id": search_id, **summary})
    return summaries


def run_builder(build_archive: Callable[[Path], list[dict[str, Any]]], doc: str) -> None:
    """Command line of an archive builder: ``--fixtures``, then one line per search."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--fixtures", default="../shared/fixtures", help="shared fixture folder")
    args = parser.parse_args()
    for summary in build_archive(Path(args.fixtures)):
        print(
            f"{summary['search_id']}: {summary['hits']} hits, {summary['records']} records, "
            f"{summary['requests']} requests from {', '.join(summary['files'])}"
        )


def main() -> None:
    run_builder(build, __doc__)


if __name__ == "__main__":
    main()
