"""Full-text lookup against the recorded Europe PMC ``resultType=core`` answer on 127.0.0.1.

The route serves the real recorded answer to ``/search`` whatever the query, so the test
shows the client sends a core search, picks the asked-for work out of the answer, archives
it, and gives the same table again in replay mode.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fixture_server import FixtureServer, Route

from reviewflow.fulltext.locate import LocationStatus
from reviewflow.fulltext.stage import FulltextSettings, run_locate_stage
from reviewflow.records import normalize_record, records_frame, write_records
from reviewflow.sources.base import SourcesSettings

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "fulltext"
BODY = (FIXTURE / "europepmc_search_cancer_core.json").read_bytes()


def _included(path: Path) -> None:
    """Two real works of the recorded answer: one open access, one subscription only."""
    results = {r["doi"]: r for r in json.loads(BODY)["resultList"]["result"] if r.get("doi")}
    rows = []
    for doi in ("10.1002/hpja.70059", "10.1016/s0140-6736(24)02600-x"):
        work = results[doi]
        rows.append(
            normalize_record(
                {
                    "record_id": f"europepmc_test:{work['id']}",
                    "title": work["title"],
                    "doi": doi,
                    "pmid": work.get("pmid", ""),
                }
            )
        )
    frame = records_frame(rows)
    frame["study_id"] = frame["record_id"]
    write_records(frame, path)


def _locate(tmp_path, included, name, *, sources, replay=False, archive="archive"):
    return run_locate_stage(
        settings=FulltextSettings.from_raw({"pdf_dir": str(tmp_path / "no-pdfs")}),
        sources=SourcesSettings.from_raw(sources, check=False),
        replay=replay,
        included_path=str(included),
        out_availability=str(tmp_path / f"{name}.csv"),
        audit_path=str(tmp_path / f"{name}.audit.json"),
        archive_dir=str(tmp_path / archive),
        download_dir=str(tmp_path / "pdfs"),
    )


def test_locate_live_then_replay(tmp_path, monkeypatch):
    monkeypatch.delenv("UNPAYWALL_EMAIL", raising=False)
    included = tmp_path / "included.csv"
    _included(included)
    route = Route("GET", "/search", [], BODY)
    with FixtureServer([route]) as server:
        sources = {"europepmc": {"base_url": server.url, "requests_per_second": 50}}
        _locate(tmp_path, included, "live", sources=sources)
        requests = list(server.requests)
    assert len(requests) == 2
    params = dict(requests[0][2])
    assert params["resultType"] == "core"
    assert params["query"] == 'DOI:"10.1002/hpja.70059"'
    live = pd.read_csv(tmp_path / "live.csv", dtype=str, keep_default_na=False)
    first, second = live.iloc[0], live.iloc[1]
    assert first["status"] == LocationStatus.OPEN_ACCESS
    assert first["source"] == "europepmc"
    assert first["pmcid"] == "PMC12120539"
    assert first["licence"] == "cc by-nc-nd"
    assert first["pdf_url"].endswith("PMC12120539?pdf=render")
    assert second["status"] == LocationStatus.NOT_OPEN_ACCESS
    assert (tmp_path / "archive" / "europepmc" / "requests.jsonl").is_file()
    assert not (tmp_path / "archive.partial").exists()

    store = tmp_path / "store"
    store.mkdir()
    (store / "fulltext").symlink_to(tmp_path / "archive")
    replay_sources = {"archive_dir": str(store), "europepmc": {"base_url": "http://127.0.0.1:9"}}
    _locate(tmp_path, included, "replay", sources=replay_sources, replay=True, archive="replayed")
    assert (tmp_path / "replay.csv").read_bytes() == (tmp_path / "live.csv").read_bytes()


@pytest.mark.parametrize("status", [500])
def test_a_failing_source_is_reported_per_study(tmp_path, monkeypatch, status):
    monkeypatch.delenv("UNPAYWALL_EMAIL", raising=False)
    included = tmp_path / "included.csv"
    _included(included)
    with FixtureServer([Route("GET", "/search", [], BODY)]) as server:
        for _ in range(2):
            server.add_fault(status=status)
        sources = {"europepmc": {"base_url": server.url, "max_retries": 0}}
        _locate(tmp_path, included, "a", sources=sources)
    table = pd.read_csv(tmp_path / "a.csv", dtype=str, keep_default_na=False)
    assert list(table["status"]) == [LocationStatus.ERROR, LocationStatus.ERROR]
    assert "HTTP 500" in table.loc[0, "note"]
