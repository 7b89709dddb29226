"""Rounds, batching and attribution of the chase engine, on real OpenAlex work records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewflow.citations.chase import Found, batched, outside_years, run_rounds
from reviewflow.citations.seeds import SeedResolution, seeds_from_config
from reviewflow.sources.openalex import parse_openalex_work

BODIES = Path(__file__).resolve().parents[2] / "fixtures" / "citations" / "oa_snowball.bodies"


def _works(prefix: str) -> list[dict]:
    path = next(BODIES.glob(f"{prefix}_*.json"))
    return json.loads(path.read_text(encoding="utf-8"))["results"]


class RecordedGraph:
    """A citation client over the recorded works: seeds, their references, citing works."""

    name = "openalex"
    directions = ("backward", "forward")

    def __init__(self) -> None:
        self.seeds = {w["id"].rsplit("/", 1)[1]: w for w in _works("01")}
        self.refs = _works("05")
        self.citing = _works("03")
        self.requests_made = 0
        self.resolved_rounds: list[list[str]] = []

    def resolve(self, seeds):
        self.resolved_rounds.append([s.id for s in seeds])
        known = {**self.seeds, **{w["id"].rsplit("/", 1)[1]: w for w in self.refs}}
        out = {}
        for seed in seeds:
            work = known.get(seed.openalex_id)
            out[seed.id] = (
                SeedResolution(seed.openalex_id, "resolved", work=work)
                if work
                else SeedResolution(reason="not found")
            )
        return out

    def expected_count(self, resolution, direction):
        return len(resolution.work.get("referenced_works") or [])

    def chase(self, resolved, direction):
        pool = self.refs if direction == "backward" else self.citing
        for seed_id, res in resolved.items():
            for work in pool:
                wid = work["id"]
                if direction == "backward" and wid not in res.work.get("referenced_works", []):
                    continue
                if direction == "forward" and res.work["id"] not in work["referenced_works"]:
                    continue
                yield Found([seed_id], parse_openalex_work(work))


BOTH = ("backward", "forward")


def test_batched_respects_the_api_limit():
    assert [len(b) for b in batched(list(range(250)), 100)] == [100, 100, 50]
    with pytest.raises(ValueError):
        list(batched([1], 0))


def test_stops_after_a_round_without_included_studies():
    graph = RecordedGraph()
    result = run_rounds(
        [graph], seeds_from_config(["W3045921891", "W3046863325"]), directions=BOTH, depth=3
    )
    assert result.rounds_run == 1
    assert result.counts["included_round1"] == 0
    assert len(result.records) == 43


def test_included_record_is_chased_in_round_two():
    graph = RecordedGraph()
    included = {"citations:W2741809807"}
    result = run_rounds(
        [graph],
        seeds_from_config(["W3046863325"]),
        directions=BOTH,
        depth=3,
        included=lambda record: record["record_id"] in included,
    )
    assert graph.resolved_rounds == [["W3046863325"], ["citations:W2741809807"]]
    round_two = [s for s in result.seeds if s.round == 2]
    assert [(s.id, s.origin, s.openalex_id) for s in round_two] == [
        ("citations:W2741809807", "round", "W2741809807")
    ]
    # W2741809807's own references are not in the recording: round 2 adds nothing, so
    # chasing stops there even though depth allows a third round.
    assert result.rounds_run == 2
    assert result.counts["new_round2"] == 0


def test_max_per_seed_skips_with_a_reason():
    graph = RecordedGraph()
    result = run_rounds(
        [graph],
        seeds_from_config(["W3045921891"]),
        directions=["backward"],
        depth=1,
        max_per_seed=10,
    )
    resolution = result.resolutions["W3045921891"]["openalex"]
    assert resolution.reason == "backward skipped: 37 works > max_per_seed 10"
    assert result.records == {}


def test_a_seed_chased_one_way_only_is_left_out_of_the_other():
    both = run_rounds(
        [RecordedGraph()], seeds_from_config(["W3046863325"]), directions=BOTH, depth=1
    )
    forward_only = run_rounds(
        [RecordedGraph()],
        seeds_from_config([{"id": "W3046863325", "directions": ["forward"]}]),
        directions=BOTH,
        depth=1,
    )
    assert both.counts["backward_round1"] > 0
    assert forward_only.counts["backward_round1"] == 0
    assert forward_only.counts["forward_round1"] == both.counts["forward_round1"] > 0
    assert {r["citation_direction"] for r in forward_only.records.values()} == {"forward"}


def test_a_backward_only_config_still_chases_a_seed_asking_forward():
    result = run_rounds(
        [RecordedGraph()],
        seeds_from_config(["W3045921891", {"id": "W3046863325", "directions": ["forward"]}]),
        directions=["backward"],
        depth=1,
    )
    records = list(result.records.values())
    forward = [r for r in records if r["citation_direction"] == "forward"]
    backward = [r for r in records if r["citation_direction"] == "backward"]
    assert forward and all(r["citation_seed"] == "W3046863325" for r in forward)
    assert backward and all(r["citation_seed"] == "W3045921891" for r in backward)


def test_date_limits_drop_works_outside_them_and_count_them():
    unlimited = run_rounds(
        [RecordedGraph()], seeds_from_config(["W3045921891"]), directions=BOTH, depth=1
    )
    years = [int(r["year"]) for r in unlimited.records.values() if r["year"]]
    cut = sorted(years)[len(years) // 2]
    limited = run_rounds(
        [RecordedGraph()],
        seeds_from_config(["W3045921891"]),
        directions=BOTH,
        depth=1,
        years=(cut, None),
    )
    kept = [r["year"] for r in limited.records.values()]
    assert kept and all(not y or int(y) >= cut for y in kept)
    dropped = sum(y < cut for y in years)
    assert dropped > 0
    assert len(limited.records) == len(unlimited.records) - dropped
    assert sum(n for k, n in limited.reasons.items() if "published outside" in k) == dropped


@pytest.mark.parametrize(
    ("year", "years", "outside"),
    [
        ("2015", (2016, None), True),
        ("2016", (2016, 2016), False),
        ("2017", (None, 2016), True),
        ("", (2016, 2016), False),  # no year: kept for a person to screen
        ("in press", (2016, None), False),
    ],
)
def test_outside_years(year, years, outside):
    assert outside_years(year, years) is outside
