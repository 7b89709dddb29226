"""Rankers and features on real records: registry, presets, ranking better than chance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import RidgeClassifier

from reviewflow.errors import ConfigError
from reviewflow.screening.active_learning import ModelSettings
from reviewflow.screening.features import (
    FeatureSettings,
    author_texts,
    build_features,
    record_texts,
)
from reviewflow.screening.models import PRESETS, RANKERS, make_ranker

from .conftest import COHEN_UI


@pytest.fixture(scope="module")
def cohen():
    frame = pd.read_csv(COHEN_UI, dtype=str, keep_default_na=False)
    X = build_features(
        record_texts(frame), FeatureSettings.from_raw({"author_weight": 0.3}), author_texts(frame)
    )
    return frame, X, frame["label_included"].astype(int).to_numpy()


def test_unknown_model_lists_the_options():
    with pytest.raises(ConfigError, match="Available options: .*logreg"):
        make_ranker("bert")


def test_a_parameter_the_model_does_not_take_is_refused_when_config_is_read():
    # ridge weighs its classes by ``balancer``, not the SVM's ``ratio`` form: set, ratio
    # would change nothing while the audit said it was used
    with pytest.raises(
        ConfigError, match=r"'ridge\+feedback' takes alpha, balancer, irrelevant, k; 'ratio'"
    ):
        ModelSettings.from_raw({"params": {"ratio": 3.0}}, source="screening.model")
    with pytest.raises(ConfigError, match=r"'svm' takes C, ratio; 'alpha' is not one of them"):
        make_ranker("svm", {"alpha": 1.0})
    settings = ModelSettings.from_raw({"name": "svm", "params": {"ratio": 3.0}})
    assert settings.params == {"ratio": 3.0}


def test_balancer_weights_keep_the_ratio_and_sum_to_the_records(cohen):
    """The relevant records weigh ``balancer`` times the irrelevant ones in all, the
    weights summing to the records screened; at 1 they are sklearn's "balanced" ones."""
    _, X, y = cohen
    rows = np.r_[np.flatnonzero(y == 1)[:5], np.flatnonzero(y == 0)[:95]]
    for balancer in (1.0, 9.8):
        ranker = make_ranker("ridge", {"balancer": balancer}).fit(X[rows], y[rows])
        weights = ranker.estimator.get_params()["class_weight"]
        assert 5 * weights[1] == pytest.approx(balancer * 95 * weights[0])
        assert 5 * weights[1] + 95 * weights[0] == pytest.approx(100)
    assert weights[1] == pytest.approx(100 / (5 + 5 / 9.8))
    balanced = make_ranker("ridge", {"balancer": 1.0}).fit(X[rows], y[rows]).score(X)
    sklearn = RidgeClassifier(class_weight="balanced").fit(X[rows], y[rows])
    assert np.allclose(balanced, sklearn.decision_function(X))


@pytest.mark.parametrize("name", sorted(set(RANKERS) | set(PRESETS)))
def test_every_ranker_ranks_held_out_relevant_records_above_chance(cohen, name):
    frame, X, y = cohen
    train = np.arange(len(y)) % 2 == 0
    ranker = make_ranker(name, seed=1).fit(X[train], y[train])
    scores = ranker.score(X[~train])
    assert np.isfinite(scores).all()
    pos, neg = scores[y[~train] == 1], scores[y[~train] == 0]
    auc = (pos[:, None] > neg[None, :]).mean()
    assert auc > 0.7, (name, auc)
    assert ranker.get_params()


def test_features_handle_html_empty_and_keywords(cohen):
    frame, X, _ = cohen
    assert X.shape[0] == len(frame)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0)  # empty abstracts still get a (title) vector
    texts = record_texts(
        pd.DataFrame({"title": ["A <i>trial</i>"], "abstract": ["<h2>Abstract</h2>x &amp; y"]})
    )
    assert texts == ["A trial A trial Abstract x & y"]


def test_author_tokens_from_the_record_model_format():
    frame = pd.DataFrame({"authors": ["Reimer, E J; Dunn, G S", ""]})
    assert author_texts(frame) == ["reimer_e dunn_g", ""]


def test_feedback_similarity_fades_as_relevant_records_accumulate(cohen):
    """With one relevant record the centroid weighs half; with ten, a tenth as much."""
    _, X, y = cohen
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    ranker = make_ranker("svm+feedback", {"k": 1.0})
    ranker.fit(X[np.r_[pos[:1], neg[:20]]], np.r_[1, np.zeros(20, dtype=int)])
    assert ranker.weight == pytest.approx(0.5)
    # with one relevant record, its nearest records by cosine rank near the top
    top = np.argsort(-ranker.score(X))[:5]
    assert pos[0] in top
    ranker.fit(X[np.r_[pos[:10], neg[:20]]], np.r_[np.ones(10), np.zeros(20)].astype(int))
    assert ranker.weight == pytest.approx(1 / 11)


def test_feedback_off_ranks_as_the_classifier_alone(cohen):
    _, X, y = cohen
    rows = np.r_[np.flatnonzero(y == 1)[:5], np.flatnonzero(y == 0)[:50]]
    plain = make_ranker("svm", {"C": 0.05}).fit(X[rows], y[rows]).score(X)
    off = make_ranker("svm+feedback", {"C": 0.05, "k": 0.0}).fit(X[rows], y[rows]).score(X)
    assert np.array_equal(np.argsort(-plain, kind="stable"), np.argsort(-off, kind="stable"))


def test_negative_feedback_moves_the_centroid_away_from_irrelevant_records(cohen):
    _, X, y = cohen
    rows = np.r_[np.flatnonzero(y == 1)[:2], np.flatnonzero(y == 0)[:40]]
    plain = make_ranker("svm+feedback", {"irrelevant": 0.0}).fit(X[rows], y[rows])
    rocchio = make_ranker("svm+feedback", {"irrelevant": 0.5}).fit(X[rows], y[rows])
    neg_centroid = np.asarray(X[rows[2:]].mean(axis=0)).ravel()
    assert rocchio.centroid @ neg_centroid < plain.centroid @ neg_centroid
