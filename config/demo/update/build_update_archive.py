"""Rebuild the archive the demo's update run replays (a later search window).

Usage (from the repository root)::

    python config/demo/update/build_update_archive.py [--fixtures ../shared/fixtures]

The demo's update reruns its five search lines for the window in update.yaml. No project has
recorded real answers for exactly those requests, so each is answered by a real recorded
answer of the same database (PROVENANCE.md names each): Europe PMC by a later recording of the
same query whose 25 records are not among the first run's 1,000 (new records); PubMed and
Semantic Scholar by real empty answers (nothing new); OpenAlex and Crossref by the same
answers as the first run (records seen before, which must not count as new).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "archive"))
sys.path.insert(0, str(HERE.parent))
from build_demo_archive import recordings_for, run_builder  # noqa: E402
from recordings import Recording, archive_from_recordings, recordings_from_index  # noqa: E402

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
EUROPEPMC = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"


def update_recordings(search_id: str, fixtures: Path) -> list[Recording]:
    if search_id == "europepmc-cancer":
        name = "search_cancer_sort_cited_asc.json"
        return [
            Recording(
                "GET",
                EUROPEPMC,
                (fixtures / "europepmc" / name).read_bytes(),
                origin=f"europepmc/{name}",
                recorded_url=f"GET {EUROPEPMC}?query=cancer&sort=CITED+asc&format=json",
            )
        ]
    if search_id == "pubmed-cancer":
        name = "esearch_protein_no_hits_phrase_not_found.xml"
        return [
            Recording(
                "GET",
                f"{EUTILS}/esearch.fcgi",
                (fixtures / "pubmed_entrez" / name).read_bytes(),
                content_type="text/xml; charset=UTF-8",
                origin=f"pubmed_entrez/{name}",
                recorded_url="ESearch with no hits (db=protein, phrase not found), as recorded",
            )
        ]
    if search_id == "s2-kubernetes":
        folder = fixtures / "semanticscholar" / "test_empty_paginated_results.bodies"
        found = recordings_from_index(folder)
        for recording in found:
            recording.url = recording.url.split("?")[0].replace(
                "/paper/search", "/paper/search/bulk"
            )
        return found
    found = recordings_for(search_id, fixtures)
    for recording in found:  # the update's request adds the date window: match on the path
        recording.recorded_url = recording.recorded_url or f"{recording.method} {recording.url}"
        recording.url = recording.url.split("?")[0]
    return found


def build(fixtures: Path, out: Path = HERE / "archive") -> list[dict[str, Any]]:
    update = yaml.safe_load((HERE / "update.yaml").read_text(encoding="utf-8"))
    summaries = []
    for line in update["searches"]:
        spec = {k: v for k, v in line.items() if k not in ("id", "notes")}
        summary = archive_from_recordings(
            spec.pop("source"),
            update_recordings(line["id"], fixtures),
            out / line["id"],
            query=spec.pop("query"),
            **spec,
        )
        summaries.append({"search_id": line["id"], **summary})
    # Citation tracking reruns from the same seeds: the same recorded answers as the first
    # run, so every record it finds has been seen before.
    for stage in ("citations", "fulltext"):
        first_run = HERE.parent / "archive" / stage
        if first_run.is_dir():
            shutil.copytree(first_run, out / stage, dirs_exist_ok=True)
    return summaries


def main() -> None:
    run_builder(build, __doc__)


if __name__ == "__main__":
    main()
