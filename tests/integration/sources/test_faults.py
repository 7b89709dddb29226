"""Every search client under faults injected into its real recorded answers (127.0.0.1).

Each source pages through a multi-page recording while the server, on a schedule, answers
one page with: no records, the previous page again, an HTML page, half a body, a TCP reset,
429, 503, or nothing for longer than the client waits. A passing fault must cost retries
only: every record arrives once, the archive sets the bad answer aside, and replaying the
archive gives the same records offline. A fault that persists must stop the search with
both numbers, unless the search line accepts a shortfall.
"""

from __future__ import annotations

import json

import pytest
from source_routes import (
    CASES,
    HTML_PAGE,
    OPENALEX_PAGED_FILTER,
    PAGE_PATH,
    empty_page,
    europepmc_lies_routes,
    openalex_paged_routes,
    run_search_stage,
)

from reviewflow.errors import SourceError
from reviewflow.records import normalize_record, read_records
from reviewflow.sources import SOURCES
from reviewflow.sources.http import archive_entries

#: source -> (routes, search kwargs, records, source settings): a recording of several pages
PAGED = {
    name: (routes, search, n, {})
    for name, (routes, search, n, _) in CASES.items()
    if name != "openalex"
}
# three of the ten recorded Europe PMC pages are enough to put a fault on the second
PAGED["europepmc"] = (PAGED["europepmc"][0], {**PAGED["europepmc"][1], "max_records": 300}, 300, {})
PAGED["openalex"] = (
    openalex_paged_routes,
    {"query": "", "filters": OPENALEX_PAGED_FILTER},
    38,
    {"page_size": 10},
)

RETRIES = 3


def client(name, url, archive, extra=None, **kwargs):
    settings = {"base_url": url, "requests_per_second": 1000, "max_retries": RETRIES}
    return SOURCES[name].from_settings({**settings, **(extra or {})}, archive_dir=archive, **kwargs)


def _records(source, search):
    return [normalize_record(r) for r in source.search(**search)]


def _second_page(name: str) -> dict:
    """Fault placement: the second result page (PubMed: the second EFetch batch)."""
    return {"path": PAGE_PATH[name], "skip": 1}


FAULTS = {
    "empty page": lambda name: {"transform": empty_page(name)},
    "previous page again": lambda name: {"repeat_previous": True},
    "HTML page": lambda name: {"body": HTML_PAGE, "content_type": "text/html"},
    "truncated body": lambda name: {"truncate": True},
    "connection reset": lambda name: {"reset": True},
    "429 Retry-After": lambda name: {"status": 429, "headers": {"Retry-After": "3"}},
    "503": lambda name: {"status": 503},
    "stall": lambda name: {"stall": 0.6},
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("name", list(PAGED))
def test_a_passing_fault_costs_a_retry_and_loses_nothing(name, fault, serve, tmp_path, no_sleep):
    routes, search, n_records, extra = PAGED[name]
    server = serve(routes())
    clean = _records(client(name, server.url, None, extra), search)
    assert len(clean) == n_records

    server = serve(routes())
    server.add_fault(**_second_page(name), **FAULTS[fault](name))
    if fault == "stall":
        extra = {**extra, "timeout": 0.2}
    source = client(name, server.url, tmp_path / "a", extra)
    records = _records(source, search)
    assert [r["record_id"] for r in records] == [r["record_id"] for r in clean]
    assert not server.faults  # the fault was served
    assert server.count() > source.session.requests_made - 1
    entries = archive_entries(tmp_path / "a")
    set_aside = [e for e in entries if not e["final"]]
    if fault in ("connection reset", "stall", "truncated body"):
        assert set_aside == []  # no whole answer came back to archive
    else:
        assert len(set_aside) == 1
    if fault == "HTML page":
        assert set_aside[0]["problem"] == "an HTML page (PmFetch response)"
    # the archive replays the same records, offline
    again = client(name, "http://127.0.0.1:9", tmp_path / "a", extra, replay=True)
    assert [r["record_id"] for r in _records(again, search)] == [r["record_id"] for r in clean]
    assert again.session.network_requests == 0


@pytest.mark.parametrize("fault", ["empty page", "previous page again", "HTML page"])
@pytest.mark.parametrize("name", list(PAGED))
def test_a_fault_that_persists_stops_the_search_with_both_numbers(
    name, fault, serve, tmp_path, no_sleep
):
    routes, search, n_records, extra = PAGED[name]
    server = serve(routes())
    server.add_fault(**_second_page(name), **FAULTS[fault](name))
    for _ in range(RETRIES):
        server.add_fault(path=PAGE_PATH[name], **FAULTS[fault](name))
    sources = {name: {"base_url": server.url, "requests_per_second": 1000, "max_retries": RETRIES, **extra}}  # fmt: skip
    out = _outputs(tmp_path)
    line = {"id": "s", "source": name, **search}
    with pytest.raises(SourceError) as error:
        run_search_stage(search=line, sources=sources, replay=False, **out)
    text = str(error.value)
    if fault == "HTML page":
        assert f"gave up after {RETRIES + 1} attempts: HTTP 200 with an HTML page" in text
    else:
        assert f"received {len(_first_page(name, routes))} of the {n_records} records" in text
        assert f"({RETRIES + 1} times)" in text and "allow_shortfall: true" in text
    assert not out["records_path"].exists() and not out["audit_path"].exists()


def _first_page(name, routes):
    """The records of the first page (or PubMed EFetch batch) of a recording."""
    route = next(r for r in routes() if r.path.endswith(PAGE_PATH[name]))
    if name == "pubmed":
        return route.body.split(b"<PubmedArticle>")[1:]
    data = json.loads(route.body)
    return {
        "europepmc": lambda: data["resultList"]["result"],
        "openalex": lambda: data["results"],
        "crossref": lambda: data["message"]["items"],
        "semanticscholar": lambda: data["data"],
    }[name]()


def _outputs(root):
    base = root / "results" / "search" / "s"
    return {
        "records_path": base / "records.csv",
        "archive_path": base / "archive",
        "audit_path": base / "search_database.audit.json",
    }


def test_europepmc_hit_count_that_lies_is_a_shortfall(serve, tmp_path, no_sleep):
    # recorded: hitCount 2, one result, then a page with no results (hitCount 0, cursor *)
    server = serve(europepmc_lies_routes())
    sources = {"europepmc": {"base_url": server.url, "requests_per_second": 1000, "max_retries": RETRIES}}  # fmt: skip
    line = {"id": "s", "source": "europepmc", "query": "FIRST_PDATE:2017-05-22 OPEN_ACCESS:y"}
    out = _outputs(tmp_path / "strict")
    with pytest.raises(SourceError, match=r"received 1 of the 2 records the database reported"):
        run_search_stage(search=line, sources=sources, replay=False, **out)
    assert not out["records_path"].exists()

    server = serve(europepmc_lies_routes())
    sources["europepmc"]["base_url"] = server.url
    out = _outputs(tmp_path / "accepted")
    run_search_stage(search={**line, "allow_shortfall": True}, sources=sources, replay=False, **out)
    audit = json.loads(out["audit_path"].read_text())
    assert audit["details"]["shortfall"] == {"expected": 2, "received": 1, "allowed": True}
    assert audit["counts"]["hits_reported"] == 2 and audit["counts"]["records_out"] == 1
    # the empty page was asked for again, and the replay asks exactly as often
    assert server.count("/search") == 2 + RETRIES
    store = tmp_path / "store"
    store.mkdir()
    out["archive_path"].rename(store / "s")
    again = _outputs(tmp_path / "replay")
    replay_sources = {"archive_dir": str(store), **sources}
    run_search_stage(
        search={**line, "allow_shortfall": True}, sources=replay_sources, replay=True, **again
    )
    assert again["records_path"].read_bytes() == out["records_path"].read_bytes()


def test_a_complete_search_has_no_shortfall(serve, tmp_path):
    routes, search, n_records, extra = PAGED["crossref"]
    server = serve(routes())
    sources = {"crossref": {"base_url": server.url, "requests_per_second": 1000}}
    out = _outputs(tmp_path)
    run_search_stage(search={"id": "s", "source": "crossref", **search}, sources=sources, replay=False, **out)  # fmt: skip
    audit = json.loads(out["audit_path"].read_text())
    assert audit["details"]["shortfall"] is None
    assert len(read_records(out["records_path"])) == n_records == 20
    assert audit["details"]["capped_by_max_records"] is True
