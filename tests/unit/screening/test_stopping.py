"""The hypergeometric stopping rule (buscar method) and the heuristics it is compared with."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import expit

from reviewflow.errors import ConfigError
from reviewflow.screening.stopping import (
    STOPPERS,
    ScreeningHistory,
    StopSettings,
    _platt,
    biased_urn_p_value,
    buscar_p_value,
    buscar_p_values,
    current_status,
    evaluate_stopper,
    k_h0,
    phase_of,
    recall_bounds,
    records_to_go,
    sample_needed,
    switch_point,
    wallenius_cdf,
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
    s = StopSettings.from_raw(dict(recall_target=0.95, confidence=0.95))
    need = sample_needed(1500, 0, 0, 95, s)
    assert buscar_p_value(1500, need, 0, 95, 0.95) < 0.05
    assert buscar_p_value(1500, need - 1, 0, 95, 0.95) >= 0.05


def test_switch_point_needs_a_relevant_record_and_a_trigger():
    s = StopSettings.from_raw(
        dict(switch_after_consecutive_irrelevant=3, switch_after_fraction=0.9)
    )
    assert switch_point([0, 0, 0, 0, 0], 100, s) is None
    assert switch_point([1, 0, 1, 0, 0, 0, 0], 100, s) == 6
    assert switch_point([1, 1, 1], 3, s) == 3  # fraction trigger


def test_phases_ranked_sampling_stopped():
    s = StopSettings.from_raw(dict(recall_target=0.9, confidence=0.9))
    s = StopSettings.from_raw(dict(rule="buscar", recall_target=0.9, confidence=0.9))
    h = ScreeningHistory(n_total=200, ranked=[1] * 20 + [0] * 30)
    assert phase_of(h, s) == "ranked"
    h = ScreeningHistory(n_total=200, ranked=h.ranked, sample=[0] * 5, switched=True)
    assert phase_of(h, s) == "sampling"
    h.sample = [0] * 120
    status = evaluate_stopper("buscar", h, s)
    assert status.met and status.p_value < 0.1 and phase_of(h, s) == "stopped"
    assert status.recall_lower_bound >= 0.9 - 1e-9


def test_heuristics_and_unknown_rule():
    s = StopSettings.from_raw(dict(consecutive_irrelevant=5, fraction_screened=0.5))
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


def _ranked(relevant_at: list[int], n: int) -> list[int]:
    labels = [0] * n
    for i in relevant_at:
        labels[i] = 1
    return labels


def test_biased_urn_with_one_relevant_left_is_wallenius_by_hand():
    # 19 relevant found early, then 300 irrelevant; 700 unscreened. H0 (recall < .95)
    # needs K0 = floor(19/.95 - 19 + 1) = 2 relevant among the last w and the unscreened.
    # The zero-run window w = 300 from an urn of 1000 with 2 relevant, bias 3: the chance
    # that neither is drawn is prod_i (M - 2 - i) / (M - 2 - i + 2 * 3) to first order;
    # scipy's exact Wallenius value must sit close to it and below the unbiased one.
    labels = np.asarray(_ranked(list(range(19)), 319))
    p3, w3 = biased_urn_p_value(labels, 1019, 0.95, 3.0)
    p1, _ = biased_urn_p_value(labels, 1019, 0.95, 1.0)
    by_hand = np.prod([(1000 - 2 - i) / (1000 - 2 - i + 6) for i in range(300)])
    assert w3 == 300
    assert p3 == pytest.approx(by_hand, rel=0.05)
    assert p3 < p1
    assert p1 == pytest.approx(buscar_p_value(1000, 300, 0, 19, 0.95))  # bias 1 is buscar's


def test_biased_urn_trusts_the_model_least_on_the_hardest_missed_record():
    s = StopSettings.defaults()
    urn = STOPPERS["biased_urn"]
    assert s.bias_single < s.bias
    # 18 found: recall < 95 % needs one record missed, the hardest, at bias_single alone
    assert urn.bias(s, 18) == s.bias_single
    # 19 found (19/20 = 95 %): two missed, the hardest at bias_single and one at bias
    assert urn.bias(s, 19) == pytest.approx((s.bias_single + s.bias) / 2)
    # 57 found: k_h0 = floor(57 / .95 - 57 + 1) = 4 missed, three of them at bias
    assert urn.bias(s, 57) == pytest.approx((s.bias_single + 3 * s.bias) / 4)
    biases = [urn.bias(s, r) for r in range(1, 2000)]
    assert biases == sorted(biases) and s.bias_single <= min(biases) and max(biases) < s.bias
    t90 = replace(s, recall_target=0.9)
    assert urn.bias(t90, 8) == s.bias_single  # 8/9 < 90 %: one miss breaks it
    assert urn.bias(t90, 9) == pytest.approx((s.bias_single + s.bias) / 2)  # 9/10 = 90 %
    # 18 relevant in the first 36 records: the hardest missed record decides, so the rule
    # asks for exactly what one bias of bias_single would, and more than bias would
    h = ScreeningHistory(n_total=1000, ranked=_ranked(list(range(0, 36, 2)), 36))
    split = records_to_go("biased_urn", h, s)
    assert split == records_to_go("biased_urn", h, replace(s, bias=s.bias_single))
    assert records_to_go("biased_urn", h, replace(s, bias_single=s.bias)) < split
    # one relevant more: between the two biases
    h19 = ScreeningHistory(n_total=1000, ranked=_ranked(list(range(0, 38, 2)), 38))
    mixed = records_to_go("biased_urn", h19, s)
    assert records_to_go("biased_urn", h19, replace(s, bias_single=s.bias)) < mixed
    assert mixed < records_to_go("biased_urn", h19, replace(s, bias=s.bias_single))
    words = urn.criterion(s)
    assert f"at least {s.bias:g} times likelier to offer a relevant record" in words
    assert f"and {s.bias_single:g} times for the hardest of the relevant records" in words
    status = urn.status(h19, s)
    assert "(bias 3.25 for the 2 relevant records 'recall below 95%' supposes missed)" in (
        status.basis
    )


def test_biased_urn_stops_where_the_unbiased_test_cannot_and_says_how_far():
    s = StopSettings.from_raw(dict(rule="biased_urn", bias=3.0))
    found = list(range(0, 60, 2))  # 30 relevant in the first 60 records
    h = ScreeningHistory(n_total=1000, ranked=_ranked(found, 60))
    status = current_status(h, s)
    assert not status.met and status.records_to_go > 0
    # what the test certifies, not a point estimate (its window count reads "100 %")
    assert status.recall_estimate is None and status.recall_lower_bound < 0.95
    more = status.records_to_go
    assert evaluate_stopper("biased_urn", h.with_irrelevant(more), s).met
    assert not evaluate_stopper("biased_urn", h.with_irrelevant(more - 1), s).met
    after = h.with_irrelevant(more)
    assert not evaluate_stopper("buscar_ranked", after, s).met  # bias 1 needs far more
    assert records_to_go("buscar_ranked", after, s) > 0
    low = current_status(after, s)
    assert low.met and low.records_to_go == 0 and low.p_value < 0.05
    assert low.recall_estimate is None and 0.9 <= low.recall_lower_bound <= 1.0
    text = low.sentence()
    assert f"{60 + more} of 1000 records screened, 30 relevant found" in text
    assert "Recall ≥ 95% with 95% confidence: met (recall is at least " in text
    assert "met, screening may stop" in text and "3 times likelier" in text
    before = current_status(h, s).sentence()
    assert "Recall ≥ 95% with 95% confidence: not yet" in before
    assert before.endswith(
        f"If none of the next records is relevant, it could be met after {more} more of the "
        f"940 records left."
    )


def test_heuristics_say_they_estimate_nothing_and_buscar_names_no_ranked_estimate():
    h = ScreeningHistory(n_total=500, ranked=[1, 0] * 10 + [0] * 100)
    knee = current_status(h, StopSettings.from_raw(dict(rule="knee"))).sentence()
    assert "This rule gives no estimate of recall." in knee
    assert "The rule cannot say how many more records it needs." in knee
    buscar = current_status(h, StopSettings.from_raw(dict(rule="buscar")))
    assert buscar.phase == "ranked" and buscar.recall_estimate is None
    assert "Recall ≥ 95% with 95% confidence: not yet (recall is at least" in buscar.sentence()


def test_every_rule_reports_a_status_on_the_same_history():
    rng = np.random.default_rng(3)
    labels = [1, 0] * 10 + [0] * 200
    h = ScreeningHistory(n_total=600, ranked=labels)
    h.scores = (rng.normal(size=len(labels)) + np.asarray(labels) * 3, rng.normal(size=380) - 2)
    s = StopSettings.defaults()
    for name in STOPPERS:
        status = evaluate_stopper(name, h, s)
        assert status.rule == name and isinstance(status.met, bool) and status.basis
        assert current_status(h, StopSettings.from_raw(dict(rule=name))).criterion


def test_point_process_waits_for_the_rate_to_fall():
    s = StopSettings.from_raw(dict(rule="point_process"))
    rng = np.random.default_rng(0)
    rate = 0.6 * (np.arange(1, 401) / 10.0) ** -1.2
    labels = (rng.random(400) < np.minimum(rate, 1)).astype(int).tolist()
    early = ScreeningHistory(n_total=5000, ranked=labels[:60])
    late = ScreeningHistory(n_total=5000, ranked=labels + [0] * 3000)
    assert not evaluate_stopper("point_process", early, s).met
    status = evaluate_stopper("point_process", late, s)
    assert status.met and status.recall_lower_bound >= 0.95


def test_point_process_fits_no_rate_on_an_early_find_or_two():
    """The relevant prior and one early find, then 18 irrelevant records: a power law
    through the first window alone falls as x^-8 and predicts nothing to come among 1,680
    records. With 2 relevant records found the rule must not stop, whatever the fit says."""
    s = StopSettings.from_raw(dict(rule="point_process"))
    early = ScreeningHistory(n_total=1700, ranked=[1, 1] + [0] * 18)
    status = evaluate_stopper("point_process", early, s)
    assert not status.met and "no rate is fitted" in status.basis


def test_quant_reads_calibrated_scores_of_unscreened_records():
    s = StopSettings.from_raw(dict(rule="quant", recall_target=0.9))
    labels = [1] * 30 + [0] * 170
    seen = np.asarray(labels, dtype=float) * 4 - 2 + np.linspace(0, 0.5, 200)
    clear = ScreeningHistory(n_total=1200, ranked=labels, scores=(seen, np.full(1000, -6.0)))
    murky = ScreeningHistory(n_total=1200, ranked=labels, scores=(seen, np.full(1000, 1.0)))
    assert evaluate_stopper("quant", clear, s).met
    status = evaluate_stopper("quant", murky, s)
    assert not status.met and status.recall_estimate < 0.5
    assert not evaluate_stopper("quant", ScreeningHistory(1200, labels), s).met  # no scores


def test_knee_and_safe_follow_their_published_constants():
    s = StopSettings.defaults()
    sharp = _ranked(list(range(40)), 40) + [0] * 160  # 40 relevant, then 160 irrelevant
    h = ScreeningHistory(n_total=2000, ranked=sharp)
    assert evaluate_stopper("knee", h, s).met  # ratio (40/40) / (1/160) = 160 >= 116
    assert not evaluate_stopper("knee", ScreeningHistory(2000, sharp[:140]), s).met  # < 150
    # SAFE on 1,000 records: 100 screened (10 %) with a run of 50, then 50 more in a row
    safe = _ranked([0, 5, 20], 100)
    assert not evaluate_stopper("safe", ScreeningHistory(1000, safe), s).met
    assert not evaluate_stopper("safe", ScreeningHistory(1000, safe + [0] * 49), s).met
    assert evaluate_stopper("safe", ScreeningHistory(1000, safe + [0] * 50), s).met
    again = safe + [0] * 30 + [1] + [0] * 49
    assert not evaluate_stopper("safe", ScreeningHistory(1000, again), s).met


def test_wallenius_cdf_is_scipys_bit_for_bit():
    """The direct urn gives exactly what scipy's distribution gives, support edges too."""
    from scipy.stats import nchypergeom_wallenius

    rng = np.random.default_rng(7)
    cases = []
    for _ in range(400):
        n_urn = int(rng.integers(2, 3000))
        big_k = int(rng.integers(1, min(n_urn, 40) + 1))
        draws = int(rng.integers(1, n_urn + 1))
        k = int(rng.integers(0, min(draws, big_k) + 1))
        cases.append((k, n_urn, big_k, draws))
    cases += [(0, 10, 10, 5), (0, 10, 3, 9), (3, 10, 3, 9), (1, 20, 19, 5)]  # at the edges
    k, n_urn, big_k, draws = (np.array(c) for c in zip(*cases, strict=True))
    for bias in (1.5, 2.0, 3.0):
        ours = wallenius_cdf(k, n_urn, big_k, draws, bias)
        theirs = np.asarray(nchypergeom_wallenius.cdf(k, n_urn, big_k, draws, bias), dtype=float)
        assert np.array_equal(ours, theirs)
    assert wallenius_cdf(0, 100, 1, 50, 2.0)[0] == pytest.approx(0.25, abs=0.01)


def test_quant_calibration_holds_when_the_screened_records_nearly_separate():
    """Two relevant records far above 136 irrelevant ones, the shape of a ranking's first
    hundred records, on which Newton's steps used to overshoot to a falling slope: the
    calibration keeps a rising one and about as much probability on the screened records
    as they hold relevant ones, so unscreened records scoring like the relevant ones still
    count as relevant records to come."""
    s = StopSettings.from_raw(dict(rule="quant", recall_target=0.95))
    rng = np.random.default_rng(8)
    labels = [1, 1] + [0] * 136
    seen = np.concatenate([[7.5, 8.5], rng.normal(0.0, 0.5, 136)])
    like_relevant = ScreeningHistory(n_total=638, ranked=labels, scores=(seen, np.full(500, 8.0)))
    status = evaluate_stopper("quant", like_relevant, s)
    assert not status.met and status.recall_estimate < 0.1
    a, b = _platt(seen, np.asarray(labels, dtype=float))
    assert b > 0
    assert abs(expit(a + b * seen).sum() - 2) < 0.5


def _assert_penalised_optimum(scores: np.ndarray, labels: np.ndarray) -> None:
    """The fit ends where the penalised likelihood's gradient vanishes, so the screened
    records' probabilities sum to their relevant count, up to the ridge's pull on the
    intercept (the first-order condition: sum(p - y) = -ridge x intercept)."""
    a, b = _platt(scores, labels)
    assert math.isfinite(a) and math.isfinite(b)
    gap = expit(a + b * scores).sum() - labels.sum()
    assert abs(gap + 1e-2 * a) < 1e-3 * (1 + abs(a)) + 1e-3


@given(
    relevant=st.lists(st.floats(-20, 20), min_size=1, max_size=30),
    irrelevant=st.lists(st.floats(-20, 20), min_size=1, max_size=300),
)
def test_quant_calibration_reaches_the_penalised_optimum_on_any_scores(relevant, irrelevant):
    labels = np.asarray([1.0] * len(relevant) + [0.0] * len(irrelevant))
    _assert_penalised_optimum(np.asarray(relevant + irrelevant, dtype=float), labels)


@given(
    seed=st.integers(0, 2**32 - 1),
    n_relevant=st.integers(1, 10),
    n_irrelevant=st.integers(20, 300),
)
def test_quant_calibration_reaches_the_penalised_optimum_when_a_ranking_separates(
    seed, n_relevant, n_irrelevant
):
    """A good ranking's first records: a few relevant ones far above irrelevant ones
    spread about zero, where plain Newton steps overshot in about one draw in nine."""
    rng = np.random.default_rng(seed)
    scores = np.concatenate([rng.uniform(4, 12, n_relevant), rng.normal(0, 0.5, n_irrelevant)])
    labels = np.asarray([1.0] * n_relevant + [0.0] * n_irrelevant)
    _assert_penalised_optimum(scores, labels)
