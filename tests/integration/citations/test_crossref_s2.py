"""Crossref reference lists and Semantic Scholar citation pages, on real recorded answers."""

from __future__ import annotations

import pandas as pd
from fixture_server import FixtureServer, routes_from_index

from reviewflow.citations.chase import ChaseResult, _add_found, chase_round
from reviewflow.citations.crossref import CrossrefCitations
from reviewflow.citations.seeds import SeedResolution, seeds_from_config, write_seeds_table
from reviewflow.citations.semanticscholar import SemanticScholarCitations

GOOD = "10.1371/journal.pone.0033693"
BAD = "10.1371/notarealdoi"


def test_crossref_references_and_a_404_seed(fixtures, tmp_path):
    routes = routes_from_index(fixtures / "test_works_mixed_ids_warn.bodies")
    with FixtureServer(routes) as server:
        session_settings = {"base_url": server.url, "requests_per_second": 1000}
        client = CrossrefCitations.from_settings(session_settings, archive_dir=tmp_path / "cr")
        client.batch_size = 1  # one DOI per lookup: the recorded /works/{doi} requests
        result = ChaseResult()
        seeds = seeds_from_config([GOOD, BAD])
        chase_round([client], seeds, ["backward", "forward"], result, round_=1)
    bad = result.resolutions[BAD]["crossref"]
    assert bad.status == "unresolved"
    assert bad.reason == "not in Crossref (HTTP 404: Resource not found.)"
    assert result.resolutions[GOOD]["crossref"].status == "resolved"
    # 70 deposited references; those with a DOI or a title become records.
    records = list(result.records.values())
    assert 0 < len(records) <= 70
    assert result.counts["backward_round1"] == len(records)
    assert all(r["citation_seed"] == GOOD and r["source"] == "crossref" for r in records)
    assert all(r["doi"] or r["title"] for r in records)
    # Crossref has no public cited-by: forward is skipped with a reason, not an error.
    assert result.reasons == {"crossref: no forward citations in its API": 1}
    write_seeds_table(tmp_path / "seeds.csv", seeds, result.resolutions, ["crossref"])
    table = pd.read_csv(tmp_path / "seeds.csv", dtype=str, keep_default_na=False)
    assert table.to_dict("records")[1] == {
        "seed": BAD,
        "type": "doi",
        "origin": "config",
        "round": "1",
        "directions": "",
        "note": "",
        "crossref": "",
        "status": "unresolved",
        "reason": "crossref: not in Crossref (HTTP 404: Resource not found.)",
    }


def test_semantic_scholar_batch_null_is_an_unresolved_seed(fixtures, tmp_path):
    routes = routes_from_index(
        fixtures / "test_get_papers_not_found_warning.bodies", strip_prefix="/graph/v1"
    )
    seeds = seeds_from_config(
        [
            "CorpusId:211530585",
            "CorpusId:470667",
            "10.2139/ssrn.2250500",
            "0f40b1f08821e22e859c6050916cec3667778613",
        ]
    )
    with FixtureServer(routes) as server:
        client = SemanticScholarCitations.from_settings(
            {"base_url": server.url, "requests_per_second": 1000}, archive_dir=tmp_path / "s2"
        )
        resolutions = client.resolve(seeds)
        (_, _, _, body) = server.requests[0]
    assert client.requests_made == 1  # four seeds, one batch request
    assert b'"CorpusId:211530585"' in body
    assert resolutions["CorpusId:211530585"].status == "unresolved"
    assert (
        resolutions["CorpusId:211530585"].reason == "not in Semantic Scholar (CorpusId:211530585)"
    )
    assert (
        resolutions["10.2139/ssrn.2250500"].native_id == "cb1ebd913c3724c599f6b276b14b5c6253da68f3"
    )
    assert client.expected_count(resolutions["CorpusId:470667"], "forward") == 10670


def _s2(server, tmp_path, page_size):
    session = {"base_url": server.url, "requests_per_second": 1000}
    client = SemanticScholarCitations.from_settings(session, archive_dir=tmp_path / "s2")
    client.fields, client.page_size = "title", page_size
    return client


def test_semantic_scholar_forward_over_nineteen_pages(fixtures, tmp_path):
    routes = routes_from_index(
        fixtures / "test_get_paper_citations.bodies", strip_prefix="/graph/v1"
    )
    seed = "CorpusID:14514057"
    with FixtureServer(routes) as server:
        client = _s2(server, tmp_path, 100)
        found = list(client.chase({seed: SeedResolution(seed, "resolved")}, "forward"))
        offsets = [dict(p)["offset"] for _, _, p, _ in server.requests]
    assert offsets == [str(100 * i) for i in range(19)]  # stops where 'next' is absent
    assert len(found) == 1881  # 1873 with a paperId, 8 without one but with a title
    assert sum(1 for f in found if not f.record["record_id"]) == 8
    assert {tuple(f.seeds) for f in found} == {(seed,)}


def test_semantic_scholar_backward_keeps_null_ids_and_drops_control_chars(fixtures, tmp_path):
    routes = routes_from_index(
        fixtures / "test_get_paper_references.bodies", strip_prefix="/graph/v1"
    )
    seed = "10.2139/ssrn.2250500"
    with FixtureServer(routes) as server:
        client = _s2(server, tmp_path, 50)
        result = ChaseResult()
        resolved = {seed: SeedResolution(seed, "resolved")}
        for found in client.chase(resolved, "backward"):
            assert found.seeds == [seed]
            _add_found(result, found, source="semanticscholar", direction="backward", round_=1)
    assert server.count() == 2
    titles = [r["title"] for r in result.records.values()]
    assert len(result.records) == 67  # 44 paperIds + 23 null-id edges with distinct titles
    assert any(t.startswith("Micro") or "Micro nance" in t for t in titles)
    assert not any(any("\x80" <= ch <= "\x9f" for ch in t) for t in titles)
