"""The search stage: resume after interruption, byte-identical replay, demo archives, CLI."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from fixture_server import FixtureServer
from source_routes import CASES, FIXTURES, europepmc_routes, openalex_routes, run_search_stage

from reviewflow.cli import main
from reviewflow.config import REPO_ROOT
from reviewflow.errors import SourceError
from reviewflow.records import read_records
from reviewflow.sources.archive_run import partial_archive
from reviewflow.sources.http import archive_entries

DEMO_ARCHIVE = REPO_ROOT / "config" / "demo" / "archive"


def _load(path: Path):
    """A script of the demo loaded as the module its own imports name (``recordings``)."""
    if path.stem in sys.modules:
        return sys.modules[path.stem]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


#: The demo's archive builder transport (config/demo/recordings.py: not part of the package).
RECORDINGS = _load(REPO_ROOT / "config" / "demo" / "recordings.py")
RecordingAdapter = RECORDINGS.RecordingAdapter
recordings_from_index = RECORDINGS.recordings_from_index


def outputs(root: Path, search_id: str) -> dict[str, Path]:
    base = root / "results" / "search" / search_id
    return {
        "records_path": base / "records.csv",
        "archive_path": base / "archive",
        "audit_path": base / "search_database.audit.json",
    }


def europepmc_search(search_id: str = "epmc") -> dict:
    return {
        "id": search_id,
        "source": "europepmc",
        "query": "cancer",
        "filters": {"resultType": "lite"},
        "max_records": 1000,
    }


def test_resume_after_interruption_loses_and_repeats_nothing(serve, tmp_path, no_sleep):
    # an uninterrupted run, for comparison
    full = serve(europepmc_routes())
    sources = {"europepmc": {"base_url": full.url, "requests_per_second": 1000}}
    reference = outputs(tmp_path / "ref", "epmc")
    run_search_stage(search=europepmc_search(), sources=sources, replay=False, **reference)

    # the interrupted run: page 4 keeps failing, after 3 good pages
    server = serve(europepmc_routes())
    sources = {"europepmc": {"base_url": server.url, "requests_per_second": 1000, "max_retries": 1}}  # fmt: skip
    out = outputs(tmp_path / "run", "epmc")
    for route in server.routes[3:]:
        route.status = 503
    with pytest.raises(SourceError, match="gave up"):
        run_search_stage(search=europepmc_search(), sources=sources, replay=False, **out)
    assert not out["records_path"].exists() and not out["audit_path"].exists()
    checkpoint = partial_archive(out["archive_path"])
    assert sum(e["final"] for e in archive_entries(checkpoint)) == 3

    # the next run resumes at page 4: pages 1-3 come from the checkpoint, not the server
    for route in server.routes[3:]:
        route.status = 200
    before = server.count()
    result = run_search_stage(search=europepmc_search(), sources=sources, replay=False, **out)
    assert server.count() - before == 7
    assert result.archived_requests == 3 and result.network_requests == 7
    assert not checkpoint.exists() and out["archive_path"].is_dir()
    resumed, whole = read_records(out["records_path"]), read_records(reference["records_path"])
    assert len(resumed) == 1000 and resumed["record_id"].is_unique
    assert list(resumed["record_id"]) == list(whole["record_id"])
    audit = json.loads(out["audit_path"].read_text())
    assert audit["details"]["resumed_requests"] == 3
    assert audit["counts"]["records_out"] == 1000


def test_replay_is_byte_identical_and_offline(serve, tmp_path):
    server = serve(openalex_routes())
    search = {"id": "oa", "source": "openalex", "query": "", "filters": {"openalex": "W3045921891|W3046863325"}}  # fmt: skip
    sources = {"openalex": {"base_url": server.url, "requests_per_second": 1000}}
    live = outputs(tmp_path / "live", "oa")
    run_search_stage(search=search, sources=sources, replay=False, **live)
    server.stop()
    again = outputs(tmp_path / "again", "oa")
    replay_sources = {"archive_dir": str(tmp_path / "store"), **sources}
    (tmp_path / "store").mkdir()
    live["archive_path"].rename(tmp_path / "store" / "oa")
    result = run_search_stage(search=search, sources=replay_sources, replay=True, **again)
    assert again["records_path"].read_bytes() == live["records_path"].read_bytes()
    assert result.network_requests == 0
    copied = sorted(p.relative_to(again["archive_path"]) for p in again["archive_path"].rglob("*"))
    assert copied == sorted(p.relative_to(tmp_path / "store/oa") for p in (tmp_path / "store/oa").rglob("*"))  # fmt: skip
    audit = json.loads(again["audit_path"].read_text())
    assert audit["details"]["database"] == "openalex"
    assert audit["details"]["query"] == ""
    assert audit["counts"]["hits_reported"] == 2 and audit["counts"]["requests_made"] == 1


def test_malformed_page_writes_nothing(serve, tmp_path, no_sleep):
    server = serve(europepmc_routes())
    server.routes[5].body = server.routes[5].body[:-200]  # a real page, cut mid-record
    sources = {"europepmc": {"base_url": server.url, "requests_per_second": 1000}}
    out = outputs(tmp_path, "epmc")
    with pytest.raises(SourceError, match=r"europepmc: gave up .*truncated JSON.*cursorMark="):
        run_search_stage(search=europepmc_search(), sources=sources, replay=False, **out)
    assert not any(p.exists() for p in out.values())


def _load_builder():
    return _load(DEMO_ARCHIVE / "build_demo_archive.py")


@pytest.mark.parametrize(
    "search_id",
    ["pubmed-cancer", "europepmc-cancer", "openalex-seed-works", "crossref-member-98", "s2-kubernetes"],
)  # fmt: skip
def test_demo_archive_replays_what_the_recordings_give_live(search_id, tmp_path):
    """Replaying the shipped archive == searching live against the recorded answers."""
    builder = _load_builder()
    spec = dict(builder.SEARCHES[search_id])
    search = {"id": search_id, **spec}
    replayed = outputs(tmp_path / "replay", search_id)
    run_search_stage(
        search=search, sources={"archive_dir": str(DEMO_ARCHIVE)}, replay=True, **replayed
    )
    # live: every request of our client is answered by the recordings, over HTTP
    recordings = builder.recordings_for(search_id, FIXTURES)
    adapter = RecordingAdapter(recordings)
    with FixtureServer() as server:
        server.answer = _adapter_answer(adapter)  # type: ignore[method-assign]
        sources = {spec["source"]: {"base_url": server.url, "requests_per_second": 1000}}
        live = outputs(tmp_path / "live", search_id)
        run_search_stage(search=search, sources=sources, replay=False, **live)
    a, b = read_records(replayed["records_path"]), read_records(live["records_path"])
    assert len(a) == spec.get("max_records", len(a)) or search_id == "openalex-seed-works"
    assert a.drop(columns="retrieved_at").equals(b.drop(columns="retrieved_at"))


def _adapter_answer(adapter: RecordingAdapter):
    import requests

    def answer(method, path, params, body):
        request = requests.Request(method, "http://recorded" + path, params=params).prepare()
        response = adapter.send(request)
        return response.status_code, {"Content-Type": response.headers["Content-Type"]}, response.content, False  # fmt: skip

    return answer


def test_cli_search_against_a_local_server(serve, tmp_path, capsys):
    routes, search, n_records, _ = CASES["crossref"]
    server = serve(routes())
    out = tmp_path / "cr.csv"
    code = main(
        [
            "search", "crossref", "", "--filter", "container=members/98", "--max-records", "20",
            "--base-url", server.url, "--archive", str(tmp_path / "arch"), "--output", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    records = read_records(out)
    assert len(records) == n_records
    assert records["record_id"].str.startswith("crossref:10.").all()
    assert "138567 hits reported" in capsys.readouterr().err
    # and offline again from the archive
    again = tmp_path / "again.csv"
    argv = ["search", "crossref", "", "--filter", "container=members/98", "--max-records", "20"]
    argv += ["--replay", "--archive", str(tmp_path / "arch"), "-o", str(again)]
    assert main(argv) == 0
    assert again.read_bytes() == out.read_bytes()


def test_cli_unknown_request_in_replay_is_a_clean_error(tmp_path, capsys):
    archive = DEMO_ARCHIVE / "openalex-seed-works"
    argv = ["search", "openalex", "something else", "--replay", "--archive", str(archive)]
    assert main([*argv, "-o", str(tmp_path / "x.csv")]) == 2
    assert "not in archive" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_recordings_index_reader_keeps_order():
    folder = FIXTURES / "crossref" / "test_cursor_max.bodies"
    found = recordings_from_index(folder)
    assert [r.origin.split("/")[-1][:2] for r in found] == ["00", "01", "02", "03", "04"]


def test_cli_search_stops_on_a_warning_unless_allowed(serve, tmp_path, capsys):
    from source_routes import pubmed_routes

    server = serve(pubmed_routes("esearch_protein_no_hits_phrase_not_found.xml"))
    argv = ["search", "pubmed", "abcXYZ", "--base-url", server.url, "-o", str(tmp_path / "p.csv")]
    assert main(argv) == 2
    assert "PhraseNotFound: abcXYZ" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
    assert main([*argv, "--allow-warning", "PhraseNotFound"]) == 0
    err = capsys.readouterr().err
    assert "database warning accepted: PhraseNotFound: abcXYZ" in err
    assert "searched (abcXYZ[All Fields])" in err
