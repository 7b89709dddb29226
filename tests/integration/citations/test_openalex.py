"""OpenAlex citation tracking against the real recorded snowball answers (openalexPro)."""

from __future__ import annotations

import json

from fixture_server import FixtureServer, routes_from_index

from reviewflow.citations.chase import run_rounds
from reviewflow.citations.openalex import OpenAlexCitations
from reviewflow.citations.seeds import SeedResolution, seeds_from_config

SEEDS = ["W3045921891", "W3046863325"]


#: Both directions, as citations.directions defaults to.
BOTH = ("backward", "forward")


def _client(server, tmp_path):
    return OpenAlexCitations.from_settings(
        {"base_url": server.url, "requests_per_second": 1000}, archive_dir=tmp_path / "oa"
    )


def test_two_seeds_both_directions_cost_three_requests(fixtures, tmp_path):
    with FixtureServer(routes_from_index(fixtures / "oa_snowball.bodies")) as server:
        client = _client(server, tmp_path)
        result = run_rounds([client], seeds_from_config(SEEDS), directions=BOTH, depth=1)
        sent = [dict(params)["filter"] for _, _, params, _ in server.requests]
    # resolve both seeds, all references, all citing works: one request each, because the
    # short first page ends paging although OpenAlex sets next_cursor on it.
    assert sent == [
        "openalex:W3045921891|W3046863325",
        "cited_by:W3046863325|W3045921891",
        "cites:W3046863325|W3045921891",
    ]
    assert client.requests_made == 3
    assert result.counts["backward_round1"] == 38
    assert result.counts["forward_round1"] == 5
    assert len(result.records) == 43


def test_each_record_names_its_seed_and_direction(fixtures, tmp_path):
    with FixtureServer(routes_from_index(fixtures / "oa_snowball.bodies")) as server:
        result = run_rounds(
            [_client(server, tmp_path)], seeds_from_config(SEEDS), directions=BOTH, depth=1
        )
    records = result.records
    # W2741809807 is in both seeds' referenced_works lists.
    shared = records["citations:W2741809807"]
    assert sorted(shared["citation_seed"].split("; ")) == sorted(SEEDS)
    assert shared["citation_direction"] == "backward"
    # Only the published article (cited_by_count 5) is cited; the preprint has 0.
    forward = [r for r in records.values() if "forward" in r["citation_direction"]]
    assert len(forward) == 5
    assert {r["citation_seed"] for r in forward} == {"W3046863325"}
    for record in records.values():
        assert record["found_by"] == "citation"
        assert record["citation_round"] == "1"
        assert record["source"] == "openalex"
        assert record["record_id"] == f"citations:{record['openalex_id']}"
        assert record["raw_ref"].startswith("bodies/")
    # Real quirks survive: null DOIs stay empty, the null-title work is kept by its id.
    assert sum(1 for r in records.values() if not r["doi"]) >= 8
    assert any(not r["title"] for r in records.values())


def test_work_without_references_needs_no_request(fixtures, tmp_path):
    """W4234567890 (paratext, null title) has an empty referenced_works list."""
    body = fixtures / "api_call_200.bodies" / "00_works_W4234567890__200.json"
    work = json.loads(body.read_text(encoding="utf-8"))
    assert work["referenced_works"] == []
    resolution = SeedResolution(native_id="W4234567890", status="resolved", work=work)
    with FixtureServer([]) as server:
        client = _client(server, tmp_path)
        found = list(client.chase({"W4234567890": resolution}, "backward"))
        assert client.expected_count(resolution, "backward") == 0
    assert found == []
    assert server.requests == []


def test_resolution_keeps_the_order_openalex_answers_in(fixtures, tmp_path):
    """Chase filters list seeds as OpenAlex returned them, as the recorded requests did."""
    with FixtureServer(routes_from_index(fixtures / "oa_snowball.bodies")) as server:
        resolutions = _client(server, tmp_path).resolve(seeds_from_config(SEEDS))
    assert list(resolutions) == ["W3046863325", "W3045921891"]
    assert all(r.status == "resolved" for r in resolutions.values())
    assert len(resolutions["W3045921891"].work["referenced_works"]) == 37
