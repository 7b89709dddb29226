"""Kill, unlock, rerun: the archive a job writes stays that job's, and always replays.

A search job is a process of its own. When its Snakemake is killed, the job can live on
(an orphan) while the user unlocks and reruns; the rerun's job must not write into the same
``archive.partial``, and whichever job finishes must leave records and an archive that agree.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from source_routes import europepmc_routes, run_search_stage

from reviewflow.errors import DataError, SourceError
from reviewflow.records import read_records
from reviewflow.sources.archive_run import partial_archive
from reviewflow.sources.http import archive_entries
from reviewflow.sources.stage import check_archive_holds_records

SEARCH = {
    "id": "epmc",
    "source": "europepmc",
    "query": "cancer",
    "filters": {"resultType": "lite"},
    "max_records": 1000,
}


def _outputs(root):
    base = root / "results" / "search" / "epmc"
    return {
        "records_path": base / "records.csv",
        "archive_path": base / "archive",
        "audit_path": base / "search_database.audit.json",
    }


def _job(sources, out) -> subprocess.Popen:
    """The search job as Snakemake runs it: a process of its own."""
    code = (
        "import json, sys\n"
        "from reviewflow.sources.base import SourcesSettings\n"
        "from reviewflow.sources.stage import SearchLine, run_search_stage\n"
        "args = json.loads(sys.argv[1])\n"
        "run_search_stage(search=SearchLine.from_raw(args['search']),\n"
        "                 sources=SourcesSettings.from_raw(args['sources'], check=False),\n"
        "                 replay=False, **{k: v for k, v in args['out'].items()})\n"
    )
    args = {"search": SEARCH, "sources": sources, "out": {k: str(v) for k, v in out.items()}}
    return subprocess.Popen([sys.executable, "-c", code, json.dumps(args)])


def _wait_for(server, n: int, job: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while server.count() < n:
        assert job.poll() is None, "the job ended before it reached the stalled page"
        assert time.monotonic() < deadline, "the job never reached the stalled page"
        time.sleep(0.05)


def _replays(out, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "epmc").symlink_to(out["archive_path"])
    again = _outputs(tmp_path / "replay")
    run_search_stage(search=SEARCH, sources={"archive_dir": str(store)}, replay=True, **again)
    return read_records(again["records_path"])


def test_a_rerun_cannot_write_while_an_orphaned_job_still_writes(serve, tmp_path):
    server = serve(europepmc_routes())
    server.add_fault(path="/search", skip=4, stall=3.0)  # page 5 keeps the job waiting
    sources = {"europepmc": {"base_url": server.url, "requests_per_second": 1000}}
    out = _outputs(tmp_path)
    orphan = _job(sources, out)
    try:
        _wait_for(server, 5, orphan)
        with pytest.raises(SourceError, match=rf"another job \(process {orphan.pid}\) is still writing .*archive\.partial"):  # fmt: skip
            run_search_stage(search=SEARCH, sources=sources, replay=False, **out)
        assert orphan.wait(timeout=60) == 0
    finally:
        if orphan.poll() is None:
            orphan.kill()
    records = read_records(out["records_path"])
    assert len(records) == 1000 and records["record_id"].is_unique
    assert not partial_archive(out["archive_path"]).exists()
    assert sum(e["final"] for e in archive_entries(out["archive_path"])) == 10
    assert list(_replays(out, tmp_path)["record_id"]) == list(records["record_id"])


def test_after_kill_9_the_rerun_resumes_and_the_archive_replays(serve, tmp_path):
    server = serve(europepmc_routes())
    server.add_fault(path="/search", skip=4, stall=30.0)
    sources = {"europepmc": {"base_url": server.url, "requests_per_second": 1000}}
    out = _outputs(tmp_path)
    job = _job(sources, out)
    _wait_for(server, 5, job)
    os.kill(job.pid, signal.SIGKILL)
    job.wait(timeout=10)
    checkpoint = partial_archive(out["archive_path"])
    assert sum(e["final"] for e in archive_entries(checkpoint)) == 4
    # the kernel dropped the dead job's lock: the rerun takes over its pages
    before = server.count()
    result = run_search_stage(search=SEARCH, sources=sources, replay=False, **out)
    assert result.archived_requests == 4 and server.count() - before == 6
    records = read_records(out["records_path"])
    assert len(records) == 1000
    assert list(_replays(out, tmp_path)["record_id"]) == list(records["record_id"])


def test_records_whose_archive_lost_pages_are_refused(serve, tmp_path):
    server = serve(europepmc_routes())
    sources = {"europepmc": {"base_url": server.url, "requests_per_second": 1000}}
    out = _outputs(tmp_path)
    run_search_stage(search=SEARCH, sources=sources, replay=False, **out)
    records = read_records(out["records_path"])
    check_archive_holds_records(records, out["archive_path"])
    # what the race used to leave: an archive holding 1 of the 10 pages the records cite
    index = out["archive_path"] / "requests.jsonl"
    lines = index.read_text().splitlines()
    index.write_text(lines[0] + "\n")
    with pytest.raises(DataError, match=r"the archive holds 1 of the 10 answers the records came from"):  # fmt: skip
        check_archive_holds_records(records, out["archive_path"])
    # and a body changed after it was archived
    index.write_text("\n".join(lines) + "\n")
    body = out["archive_path"] / json.loads(lines[3])["body"]
    body.write_bytes(body.read_bytes()[:-10])
    with pytest.raises(DataError, match="archived body unreadable|does not match its sha256"):
        check_archive_holds_records(records, out["archive_path"])
