"""The five search clients against real recorded API answers served from 127.0.0.1."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from fixture_server import Route, routes_from_index
from source_routes import CASES, FIXTURES, PUBMED, europepmc_routes, openalex_routes, pubmed_routes

from reviewflow.errors import SourceError
from reviewflow.records import normalize_record
from reviewflow.sources import SOURCES
from reviewflow.sources.http import ApiSession, archive_entries


def client(name: str, url: str, archive: Path | None, **kwargs):
    settings = {"base_url": url, "requests_per_second": 1000, "max_retries": 3}
    return SOURCES[name].from_settings(settings, archive_dir=archive, **kwargs)


@pytest.mark.parametrize("name", list(CASES))
def test_pages_to_the_end_at_the_largest_page(name, serve, tmp_path):
    routes, search, n_records, n_requests = CASES[name]
    server = serve(routes())
    source = client(name, server.url, tmp_path / "archive")
    records = [normalize_record(r) for r in source.search(**search)]
    assert len(records) == n_records
    assert len({r["record_id"] for r in records}) == n_records  # nothing fetched twice
    assert source.session.requests_made == n_requests == server.count()
    assert all(r["source"] == name and r["raw_ref"].startswith("bodies/") for r in records)
    assert source.hits and source.hits >= n_records
    sizes = {p[0]: p[1] for _, path, params, _ in server.requests for p in params}
    page_param = {"openalex": "per-page", "crossref": "rows", "europepmc": "pageSize"}
    if name in page_param:  # first page asks for the most the API allows (or max_records)
        first = dict(server.requests[0][2])[page_param[name]]
        assert int(first) == min(source.max_page_size, search.get("max_records") or 10**9)
    assert sizes  # parameters were sent


def test_parsed_fields_of_real_records(serve, tmp_path):
    server = serve(pubmed_routes())
    source = client("pubmed", server.url, None)
    records = [normalize_record(r) for r in source.search("cancer", max_records=8)]
    by_pmid = {r["pmid"]: r for r in records}
    assert by_pmid["12091962"]["abstract"] == ""  # recorded without an abstract
    assert by_pmid["12091962"]["doi"] == ""
    assert by_pmid["36400559"]["doi"] == "10.1016/j.ncl.2022.07.002"
    assert by_pmid["36400559"]["authors"].startswith("Gibbs, David")
    assert by_pmid["36400559"]["year"] == "2023"

    server = serve(openalex_routes())
    work = next(
        client("openalex", server.url, None).search(
            "", filters={"openalex": "W3045921891|W3046863325"}
        )
    )
    assert work["openalex_id"] in {"W3045921891", "W3046863325"}
    assert work["abstract"]  # rebuilt from the inverted index


@pytest.mark.parametrize(
    ("name", "routes", "query"),
    [
        (
            "europepmc",
            lambda: [
                Route(
                    "GET", "/search", [], (FIXTURES / "europepmc/search_no_results.json").read_bytes()
                )
            ],
            "asdkfjhasdkfjhasdfasdasdasdfgsagsd",
        ),
        (
            "semanticscholar",
            lambda: [
                Route(
                    "GET",
                    "/paper/search/bulk",
                    [],
                    next(
                        (FIXTURES / "semanticscholar/test_empty_paginated_results.bodies").glob(
                            "00_*"
                        )
                    ).read_bytes(),
                )
            ],
            "n0 r3sult s3arch t3rm",
        ),
    ],
)  # fmt: skip
def test_empty_result(name, routes, query, serve, tmp_path):
    server = serve(routes())
    source = client(name, server.url, tmp_path / "a")
    assert list(source.search(query)) == []
    assert source.hits == 0
    assert server.count() == 1  # no EFetch or next page after zero hits


def test_pubmed_warning_stops_the_search_unless_accepted(serve, tmp_path):
    # a real ESearch answer: PhraseNotFound abcXYZ (and "No items found.", which Count says)
    server = serve(pubmed_routes("esearch_protein_no_hits_phrase_not_found.xml"))
    source = client("pubmed", server.url, tmp_path / "a")
    with pytest.raises(SourceError) as error:
        list(source.search("abcXYZ"))
    text = str(error.value)
    assert "the database changed the search: PhraseNotFound: abcXYZ." in text
    assert "It searched: (abcXYZ[All Fields])" in text
    assert 'allow_warnings: ["PhraseNotFound: abcXYZ"]' in text
    assert "No items found" not in text
    assert server.count() == 1

    for allowed in (["PhraseNotFound"], ["phrasenotfound:  abcXYZ"]):
        source = client("pubmed", server.url, tmp_path / "a")
        source.allow_warnings = tuple(allowed)
        assert list(source.search("abcXYZ")) == []
        assert source.warnings == ["PhraseNotFound: abcXYZ"]
        assert source.query_translation == "(abcXYZ[All Fields])"
    source = client("pubmed", server.url, tmp_path / "a")
    source.allow_warnings = ("FieldNotFound",)  # another kind does not cover it
    with pytest.raises(SourceError, match="PhraseNotFound"):
        list(source.search("abcXYZ"))


def test_crossref_validation_failure_names_the_parameter(serve):
    folder = FIXTURES / "crossref" / "test_works_query_filters_not_allowed_with_dois.bodies"
    server = serve(routes_from_index(folder))
    session = ApiSession("crossref", server.url, archive_dir=None, requests_per_second=1000)
    with pytest.raises(SourceError) as error:
        session.get("works/10.1371/journal.pone.0033693", {"query.author": "carl boettiger"})
    assert "HTTP 400: This route does not support field query parameters" in str(error.value)
    assert error.value.status == 400


def test_429_waits_as_retry_after_says(serve, tmp_path, no_sleep):
    server = serve(openalex_routes())
    server.add_fault(status=429, headers={"Retry-After": "7"})
    source = client("openalex", server.url, tmp_path / "a")
    records = list(source.search("", filters={"openalex": "W3045921891|W3046863325"}))
    assert len(records) == 2
    assert 7.0 in no_sleep
    entries = archive_entries(tmp_path / "a")
    assert [(e["status"], e["final"]) for e in entries] == [(429, False), (200, True)]
    assert source.session.requests_made == 1 and source.session.network_requests == 2


def test_500_then_success_and_truncated_body_are_retried(serve, tmp_path, no_sleep):
    server = serve(europepmc_routes())
    server.add_fault(status=500)
    server.add_fault(truncate=True)
    source = client("europepmc", server.url, None)
    records = list(source.search("cancer", max_records=1000))
    assert len(records) == 1000
    assert server.count() == 12  # 10 pages + 2 retried attempts
    assert len(no_sleep) >= 2


def test_gives_up_after_max_retries_naming_the_request(serve, tmp_path, no_sleep):
    server = serve(openalex_routes())
    for _ in range(4):
        server.add_fault(status=503)
    source = client("openalex", server.url, None)
    with pytest.raises(SourceError, match=r"openalex: gave up after 4 attempts: HTTP 503.*request"):
        list(source.search("", filters={"openalex": "W1"}))


def test_4xx_raises_the_api_message(serve):
    routes = routes_from_index(FIXTURES / "openalex" / "pro_snowball.bodies", include=[0])
    server = serve(routes)
    source = client("openalex", server.url, None)
    with pytest.raises(SourceError) as error:
        list(source.search("", filters={"DOESNTEXIST": "1"}))
    text = str(error.value)
    assert "HTTP 400" in text and "DOESNTEXIST" in text and server.url in text
    assert server.count() == 1  # a 400 is not retried


def test_truncated_json_is_retried_and_kept_aside(serve, tmp_path, no_sleep):
    server = serve(openalex_routes())
    server.add_fault(body=b'{"meta": {"count": 2}, "results": [')
    source = client("openalex", server.url, tmp_path / "a")
    records = list(source.search("", filters={"openalex": "W3045921891|W3046863325"}))
    assert len(records) == 2
    # the bad body is kept for the audit but never resumed or replayed from
    entries = archive_entries(tmp_path / "a")
    assert [e["final"] for e in entries] == [False, True]
    assert entries[0]["problem"] == "truncated JSON (cut off after 35 bytes)"


def test_a_body_that_stays_bad_names_what_came_back(serve, tmp_path, no_sleep):
    server = serve(openalex_routes())
    for _ in range(4):
        server.add_fault(body=b'{"meta": {"count": 2}, "results": [')
    with pytest.raises(SourceError) as error:
        list(client("openalex", server.url, None).search("", filters={"openalex": "W1"}))
    text = str(error.value)
    assert "openalex: gave up after 4 attempts: HTTP 200 with truncated JSON" in text
    assert "(request: http://127" in text


def test_malformed_xml_is_retried_then_named(serve, tmp_path, no_sleep):
    server = serve(pubmed_routes())
    for _ in range(4):
        server.add_fault(body=b"<eSearchResult><Count>3</Count", content_type="text/xml")
    with pytest.raises(SourceError, match=r"pubmed: gave up after 4 attempts: HTTP 200 with truncated XML.*esearch\.fcgi"):  # fmt: skip
        list(client("pubmed", server.url, tmp_path / "a").search("cancer"))
    assert server.count() == 4


def test_html_instead_of_xml_is_an_error(serve, no_sleep):
    html = (PUBMED / "efetch_pubmed_19304878_no_retmode_returns_html.html").read_bytes()
    routes = pubmed_routes()[:1] + [
        Route("GET", "/efetch.fcgi", [], html, content_type="text/html")
    ]
    server = serve(routes)
    with pytest.raises(SourceError, match=r"pubmed: gave up .*an HTML page \(PmFetch response\) instead of XML.*efetch\.fcgi"):  # fmt: skip
        list(client("pubmed", server.url, None).search("cancer", max_records=8))


def test_pubmed_over_9999_hits_is_split_by_date_and_checked(serve):
    # the recorded 'cancer' ESearch holds 42,249 records: more than the history server
    # serves, so the client asks for two date halves; this server answers every ESearch
    # with the same recording, so the halves claim 84,498 records and nothing is fetched
    server = serve(pubmed_routes())
    with pytest.raises(SourceError, match=r"hold 42249 \+ 42249 records, more than the 42249"):
        list(client("pubmed", server.url, None).search("cancer"))
    sent = [(path, dict(params)) for _, path, params, _ in server.requests]
    assert [path for path, _ in sent] == ["/esearch.fcgi"] * 3
    halves = [(p["mindate"], p["maxdate"]) for _, p in sent[1:]]
    assert halves == [("1000/01/01", "2000/07/01"), ("2000/07/02", "3000/12/31")]
    assert all(p["datetype"] == "pdat" for _, p in sent[1:])


def test_secrets_never_archived(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "sekret-ncbi-key-123")
    monkeypatch.setenv("NCBI_EMAIL", "reviewer@example.org")
    server = serve(pubmed_routes())
    source = client("pubmed", server.url, tmp_path / "a")
    records = list(source.search("cancer", max_records=4))
    assert len(records) == 4
    sent = [dict(params) for _, _, params, _ in server.requests]
    assert all(p.get("api_key") == "sekret-ncbi-key-123" for p in sent)  # really sent
    everything = b"".join(p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file())
    everything += b"".join(gzip.decompress(p.read_bytes()) for p in (tmp_path / "a").rglob("*.gz"))
    assert b"sekret-ncbi-key-123" not in everything
    assert b"reviewer@example.org" not in everything
    assert all("sekret" not in r["raw_ref"] for r in records)


def test_s2_key_is_a_header_never_archived(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", "s2-sekret")
    routes, search, *_ = CASES["semanticscholar"]
    server = serve(routes())
    list(client("semanticscholar", server.url, tmp_path / "a").search(**search))
    index = (tmp_path / "a" / "requests.jsonl").read_text()
    assert "s2-sekret" not in index


def test_replay_serves_in_order_and_refuses_unknown_requests(serve, tmp_path):
    server = serve(europepmc_routes())
    live = [normalize_record(r) for r in client("europepmc", server.url, tmp_path / "a").search("cancer", max_records=1000)]  # fmt: skip
    server.stop()
    again = client("europepmc", "http://127.0.0.1:9", tmp_path / "a", replay=True)
    replayed = [normalize_record(r) for r in again.search("cancer", max_records=1000)]
    assert replayed == live  # retrieved_at comes from the archive, not "now"
    assert again.session.network_requests == 0
    with pytest.raises(SourceError, match="not in archive"):
        list(again.search("other query"))


def test_identical_requests_replayed_in_recorded_order(serve, tmp_path):
    # Crossref keeps the same cursor value from page to page: two identical requests,
    # two different recorded answers.
    routes = routes_from_index(FIXTURES / "crossref" / "test_cursor_max.bodies", include=[1, 2])
    server = serve(routes)
    params = [("query", "widget"), *[(k, v) for k, v in routes[0].params if k == "cursor"]]
    session = ApiSession(
        "crossref", server.url, archive_dir=tmp_path / "a", requests_per_second=1000
    )
    bodies = [session.get("works", params).body for _ in range(2)]
    assert bodies[0] != bodies[1]
    replay = ApiSession("crossref", "http://x", archive_dir=tmp_path / "a", replay=True, requests_per_second=1)  # fmt: skip
    assert [replay.get("works", params).body for _ in range(2)] == bodies


def _with(body: bytes, path: tuple[str, ...], value) -> bytes:
    data = json.loads(body)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("name", "path", "value", "warning"),
    [
        ("europepmc", ("errMsg",), "Syntax error near column 7", "errCode error: Syntax error near column 7"),
        ("openalex", ("meta", "warnings"), ["filter 'typ' ignored"], "warnings: filter 'typ' ignored"),
    ],
)  # fmt: skip
def test_json_sources_stop_on_their_warnings(name, path, value, warning, serve, tmp_path):
    routes, search, n_records, _ = CASES[name]
    server = serve(routes())
    server.add_fault(transform=lambda body: _with(body, path, value))
    source = client(name, server.url, tmp_path / "a")
    with pytest.raises(SourceError, match=f'allow_warnings: \\["{warning}"\\]'):
        list(source.search(**search))
    server = serve(routes())
    server.add_fault(transform=lambda body: _with(body, path, value))
    source = client(name, server.url, tmp_path / "b")
    source.allow_warnings = (warning.split(":")[0],)
    assert len(list(source.search(**search))) == n_records
    assert source.warnings == [warning]
