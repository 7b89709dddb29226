"""Search lines that can be rerun the same way: what was sent, where, which dates, in what order.

The audit of every search says exactly what went to the API (``query_sent``), which field
the query text went in (``search_field``), the date bounds (``date_from``/``date_to``), what
the database says it searched (PubMed's ``query_translation``), warnings accepted, any
shortfall, and for Crossref that its relevance ranking moves (``ranking_note``); the
report shows them beside the search string.
"""

from __future__ import annotations

import json

import pytest
from fixture_server import DEFAULT_IGNORE, FixtureServer
from source_routes import CASES, openalex_routes, run_search_stage

from reviewflow.errors import ConfigError
from reviewflow.report.methods import search_lines

AUDIT_KEYS = (
    "query_sent", "query_translation", "warnings", "shortfall", "date_from", "date_to",
    "search_field", "ranking_note", "capped_by_max_records",
)  # fmt: skip

#: source -> how the bounds 2019 .. 2020-06 must appear in the first request's parameters
DATE_BOUNDS = {
    "pubmed": lambda p: (
        p["mindate"] == "2019/01/01" and p["maxdate"] == "2020/06/30" and p["datetype"] == "pdat"
    ),
    "europepmc": lambda p: p["query"].endswith("AND (FIRST_PDATE:[2019-01-01 TO 2020-06-30])"),
    "openalex": lambda p: p["filter"].endswith(
        "from_publication_date:2019-01-01,to_publication_date:2020-06-30"
    ),
    "crossref": lambda p: p["filter"].endswith("from-pub-date:2019,until-pub-date:2020-06"),
    "semanticscholar": lambda p: p["publicationDateOrYear"] == "2019:2020-06",
}


def _outputs(root):
    base = root / "results" / "search" / "s"
    return {
        "records_path": base / "records.csv",
        "archive_path": base / "archive",
        "audit_path": base / "search_database.audit.json",
    }


#: the recordings answer whatever query and filter: these tests look at what is sent
IGNORE = DEFAULT_IGNORE | {"query", "filter"}


@pytest.fixture
def serve():
    servers = []

    def start(routes):
        servers.append(FixtureServer(routes, ignore=IGNORE).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _report_line(audit, path="results/search/s/search_database.audit.json"):
    """The search line as the report shows it, from this audit alone."""
    (line,) = search_lines([{**audit, "path": path}], [], lambda n, refs: n)
    return line


def _run(name, routes, search, serve, tmp_path):
    server = serve(routes())
    sources = {name: {"base_url": server.url, "requests_per_second": 1000}}
    out = _outputs(tmp_path)
    run_search_stage(search={"id": "s", "source": name, **search}, sources=sources, replay=False, **out)  # fmt: skip
    return server, json.loads(out["audit_path"].read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_date_bounds_reach_the_api_and_the_audit(name, serve, tmp_path):
    routes, search, *_ = CASES[name]
    search = {**search, "date_from": "2019", "date_to": "2020-06"}
    server, audit = _run(name, routes, search, serve, tmp_path)
    first = dict(server.requests[0][2])
    assert DATE_BOUNDS[name](first), first
    details = audit["details"]
    assert all(key in details for key in AUDIT_KEYS)
    assert (details["date_from"], details["date_to"]) == ("2019", "2020-06")
    assert details["query_sent"]  # never empty, even for a search made of filters alone
    for key in ("cursor", "cursorMark", "mailto", "api_key", "retmax", "per-page", "rows"):
        assert f"{key}=" not in details["query_sent"]
    assert _report_line(audit)["date_limits"] == "published 2019 to 2020-06"


def test_openalex_title_and_abstract_is_a_filter_and_says_so(serve, tmp_path):
    search = {"query": "kubernetes", "search_field": "title_and_abstract.search", "filters": {"openalex": "W3045921891|W3046863325"}}  # fmt: skip
    server, audit = _run("openalex", openalex_routes, search, serve, tmp_path)
    sent = dict(server.requests[0][2])
    assert "search" not in sent
    assert sent["filter"] == "title_and_abstract.search:kubernetes,openalex:W3045921891|W3046863325"
    assert audit["details"]["search_field"] == "title_and_abstract.search"
    assert audit["details"]["query_sent"] == (
        "filter=title_and_abstract.search:kubernetes,openalex:W3045921891|W3046863325"
    )
    assert _report_line(audit)["search_field"] == "title_and_abstract.search"


def test_openalex_default_search_field_is_named(serve, tmp_path):
    search = {"query": "kubernetes", "filters": {"openalex": "W3045921891|W3046863325"}}
    server, audit = _run("openalex", openalex_routes, search, serve, tmp_path / "a")
    assert dict(server.requests[0][2])["search"] == "kubernetes"
    assert audit["details"]["search_field"] == "search"
    assert audit["details"]["ranking_note"] is None


def test_a_search_field_the_source_lacks_is_a_config_error(serve, tmp_path):
    routes, search, *_ = CASES["europepmc"]
    with pytest.raises(ConfigError, match="europepmc has no search field 'title.search'. Available options: query"):  # fmt: skip
        _run("europepmc", routes, {**search, "search_field": "title.search"}, serve, tmp_path)


def test_crossref_says_its_ranking_moves_and_what_was_sent(serve, tmp_path):
    routes, search, *_ = CASES["crossref"]
    _, audit = _run("crossref", routes, search, serve, tmp_path)
    details = audit["details"]
    assert "relevance order" in details["ranking_note"]
    assert "changes over time" in details["ranking_note"]
    assert details["query_sent"] == "route=/members/98/works"
    assert details["capped_by_max_records"] is True
    assert _report_line(audit)["ranking_note"] == details["ranking_note"]


def test_pubmed_records_what_it_searched(serve, tmp_path):
    routes, search, *_ = CASES["pubmed"]
    _, audit = _run("pubmed", routes, search, serve, tmp_path)
    details = audit["details"]
    assert details["query_translation"].startswith('("cancer s"[All Fields] OR')
    assert details["query_sent"] == "db=pubmed&term=cancer"
    assert details["search_field"] == "term"
    assert details["warnings"] == [] and details["shortfall"] is None
    assert _report_line(audit)["translation"] == details["query_translation"]
