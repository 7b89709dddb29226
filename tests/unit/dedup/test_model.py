"""Match weights counted on labelled pairs, thresholds chosen out of sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reviewflow.dedup import read_dedup_input
from reviewflow.dedup.evidence import COMPARISONS, MISSING
from reviewflow.dedup.model import MatchModel, default_model, fit
from reviewflow.dedup.training import fit_model, labelled_pairs

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dedup"


@pytest.fixture(scope="module")
def by_set() -> list:
    """The labelled fixture split back into the public sets its rows come from."""
    records = read_dedup_input(FIXTURES / "labelled_pairs.csv")
    truth = pd.read_csv(FIXTURES / "labelled_pairs_truth.csv", dtype=str)
    cluster = dict(zip(truth["record_id"], truth["cluster_id"], strict=True))
    sets = []
    for name in ("haematology", "neuroimaging", "stroke", "cytology_screening"):
        rows = records[records["record_id"].str.startswith(name + ":")]
        sets.append(labelled_pairs(name, rows, cluster))
    return sets


def test_levels_of_agreement_weigh_for_and_disagreement_against(by_set: list) -> None:
    model = fit({s.name: (s.levels, s.same) for s in by_set})
    assert model.weights["title"]["exact"] > 0 > model.weights["title"]["different"]
    assert model.weights["pages"]["same_range"] > 0
    for name, levels in COMPARISONS.items():
        if MISSING in levels:
            assert model.weights[name][MISSING] == 0.0  # absence is not evidence


def test_thresholds_come_from_weights_the_model_did_not_count(by_set: list) -> None:
    model = fit_model(by_set)
    assert 0.5 < model.merge_at < 1
    assert 0 < model.review_at <= model.merge_at
    assert "leave-one-set-out" in model.thresholds_from
    assert set(model.trained_on) <= {s.name for s in by_set}


def test_a_model_survives_its_json(tmp_path: Path, by_set: list) -> None:
    model = fit_model(by_set)
    model.save(tmp_path / "m.json")
    again = MatchModel.load(tmp_path / "m.json")
    levels = by_set[0].levels[0]
    assert again.weight(levels) == pytest.approx(model.weight(levels), abs=1e-3)
    assert (again.merge_at, again.review_at) == (model.merge_at, model.review_at)


def test_the_shipped_model_says_what_it_was_counted_on() -> None:
    model = default_model()
    assert set(model.trained_on) == {
        "special_cases",
        "stroke",
        "haematology",
        "cytology_screening",
        "neuroimaging",
        "asysd_test_set",
        "colrev_dedupe",
    }
    assert "leave-one-set-out" in model.thresholds_from
    assert 0.5 < model.merge_at < 1
