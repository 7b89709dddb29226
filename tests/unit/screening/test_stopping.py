"""The hypergeometric stopping rule (buscar method) and the heuristics it is compared with."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reviewflow.errors import ConfigError
from reviewflow.screening.stopping import (
    ScreeningHistory,
    StopSettings,
    buscar_p_value,
    buscar_p_values,
    evaluate_stopper,
    k_h0,
    phase_of,
    recall_bounds,
    sample_needed,
    switch_point,
)


def test_k_h0_is_smallest_urn_count_compatible_with_missing_the_target():
    # 95 relevant seen, 90 before sampling: recall < .95 needs > 100 relevant in all,
    # i.e. at least floor(95/.95 - 90 + 1) = 11 in the urn (5 of them already drawn)
    assert k_h0(90, 95, 0.95) == 11
    assert (95) / (90 + 11) < 0.95 <= 95 / (90 + 10)


def test_p_value_matches_hand_computed_hypergeometric_probability():
    # urn of 10 with K0 = floor(10/.8 - 10 + 1) = 3 relevant; draw 5, see none:
    # P(X = 0) = C(7,5) / C(10,5) = 21 / 252
    assert buscar_p_value(10, 5, 0, 10, 0.8) == pytest.approx(21 / 252)
    assert buscar_p_value(10, 0, 0, 10, 0.8) == 1.0


def test_recall_bounds_bracket_the_truth_and_tighten_with_sample_size():
    est_small, low_small = recall_bounds(1000, 100, 0, 50, 0.05)
    est_big, low_big = recall_bounds(1000, 600, 0, 50, 0.05)
    assert est_small == est_big == 1.0
    assert low_small < low_big <= 1.0
    est, low = recall_bounds(1000, 100, 2, 52, 0.05)
    assert low < est < 1.0


def test_sample_needed_reaches_significance_exactly():
    s = StopSettings(recall_target=0.95, confidence=0.95)
    need = sample_needed(1500, 0, 0, 95, s)
    assert buscar_p_value(1500, need, 0, 95, 0.95) < 0.05
    assert buscar_p_value(1500, need - 1, 0, 95, 0.95) >= 0.05


def test_switch_point_needs_a_relevant_record_and_a_trigger():
    s = StopSettings(switch_after_consecutive_irrelevant=3, switch_after_fraction=0.9)
    assert switch_point([0, 0, 0, 0, 0], 100, s) is None
    assert switch_point([1, 0, 1, 0, 0, 0, 0], 100, s) == 6
    assert switch_point([1, 1, 1], 3, s) == 3  # fraction trigger


def test_phases_ranked_sampling_stopped():
    s = StopSettings(recall_target=0.9, confidence=0.9)
    h = ScreeningHistory(n_total=200, ranked=[1] * 20 + [0] * 30)
    assert phase_of(h, s) == "ranked"
    h = ScreeningHistory(n_total=200, ranked=h.ranked, sample=[0] * 5, switched=True)
    assert phase_of(h, s) == "sampling"
    h.sample = [0] * 120
    status = evaluate_stopper("buscar", h, s)
    assert status.met and status.p_value < 0.1 and phase_of(h, s) == "stopped"
    assert status.recall_lower_bound >= 0.9 - 1e-9


def test_heuristics_and_unknown_rule():
    s = StopSettings(consecutive_irrelevant=5, fraction_screened=0.5)
    h = ScreeningHistory(n_total=20, ranked=[1, 0, 0, 0, 0, 0])
    assert evaluate_stopper("consecutive_irrelevant", h, s).met
    assert not evaluate_stopper("fraction_screened", h, s).met
    with pytest.raises(ConfigError, match="Available options"):
        evaluate_stopper("nope", h, s)


def test_random_sampling_test_keeps_its_error_rate():
    """Under H0 (true recall just below target) the test stops wrongly < alpha of the time."""
    rng = np.random.default_rng(1)
    n_urn, r_al, target, alpha = 400, 90, 0.95, 0.05
    K = math.floor(r_al / target - r_al) + 1 + 4  # enough relevant left that recall < target
    wrong = 0
    for _ in range(300):
        urn = np.zeros(n_urn, int)
        urn[:K] = 1
        rng.shuffle(urn)
        p = buscar_p_values(n_urn, urn, r_al, target)
        hit = np.flatnonzero(p < alpha)
        if len(hit) and (r_al + urn[: hit[0] + 1].sum()) / (r_al + K) < target:
            wrong += 1
    assert wrong / 300 <= alpha
    # the vectorised p-values are the scalar ones
    k = np.cumsum(urn)
    for n in (1, 50, 399):
        assert p[n - 1] == pytest.approx(buscar_p_value(n_urn, n, int(k[n - 1]), r_al, target))
