"""What the report says about date limits and seeds chased one way only."""

from __future__ import annotations

import pandas as pd

from reviewflow.report.methods import citation_summary


def _audit(**params):
    return {
        "path": "results/citations/chase_citations.audit.json",
        "parameters": {"directions": ["backward", "forward"], "sources": ["openalex"], **params},
        "counts": {
            "seeds": 2,
            "rounds": 1,
            "backward_outside_years_round1": 3,
            "forward_outside_years_round1": 1,
        },
    }


SEEDS = pd.DataFrame(
    [
        {"seed": "W1", "origin": "config", "round": 1, "directions": "forward"},
        {"seed": "W2", "origin": "config", "round": 1, "directions": ""},
    ]
)


def test_date_limits_and_one_way_seeds_are_said():
    summary = citation_summary(_audit(published_from=2016, published_to=None), [], SEEDS)
    assert "kept when published from 2016 on" in summary["text"]
    assert "4 works published outside them were left out" in summary["text"]
    assert "1 seed was chased only the ways config names for it." in summary["text"]
    assert [s["directions"] for s in summary["seeds"]] == ["forward", "as configured"]


def test_no_limits_no_words():
    summary = citation_summary(_audit(published_from=None, published_to=None), [], SEEDS[1:])
    assert "published" not in summary["text"]
    assert "ways config names" not in summary["text"]


def test_an_accepted_short_list_is_said():
    audit = _audit()
    audit["counts"]["lists_short"] = 2
    summary = citation_summary(audit, [], SEEDS[1:])
    assert "2 reference or citing lists paged out before the count" in summary["text"]
    assert "were accepted as received" in summary["text"]
