"""Registry of rankers: classifiers that score unscreened records by likely relevance.

A ranker is fitted on the records screened so far and scores every record; the active
learning loop (:mod:`reviewflow.screening.active_learning`) calls ``fit`` after each
retraining point and ``score`` to order the records still to screen. Higher score = screen
sooner. Scores need not be probabilities; only their order matters for the ranking, and
ensembles combine members through rank-free standardised scores.

Screening data are heavily imbalanced (a few percent relevant), so every model weights the
classes rather than resampling: the same effect as ASReview's "double" balance strategy for
linear models, without copying rows. The ridge models take ASReview's balancer form
(``balancer``: the relevant records together weigh that many times the irrelevant ones,
the weights scaled to sum to the records screened); at 1, the default, it is sklearn's
``"balanced"``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from reviewflow.errors import ConfigError

__all__ = [
    "PRESETS",
    "RANKERS",
    "Ranker",
    "make_ranker",
    "model_parameters",
    "ranker_names",
    "resolve_ranker",
]


class Ranker(Protocol):
    """What the screening loop needs from a model.

    ``fit`` is called with the screened records (both classes present); ``score`` with any
    rows of the same feature matrix; ``get_params`` is written to the audit record.
    """

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Ranker: ...

    def score(self, X: sp.csr_matrix) -> np.ndarray: ...

    def get_params(self) -> dict[str, Any]: ...


class _SklearnRanker:
    """A scikit-learn linear model scored by its decision function (or log-odds)."""

    def __init__(
        self,
        name: str,
        estimator: Any,
        ratio: float | None = None,
        balancer: float | None = None,
    ) -> None:
        self.name = name
        self.estimator = estimator
        self.ratio = ratio
        self.balancer = balancer

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> _SklearnRanker:
        n1, n0 = int((y == 1).sum()), int((y == 0).sum())
        if self.ratio is not None:
            # relevant records together weigh ``ratio`` times the irrelevant ones, each
            # relevant record weighing 1. At ratio 1 these are sklearn's "balanced"
            # proportions but not its scale (n / (2 n1) per relevant record), so the penalty
            # counts for more while few relevant records are known; the SVM's C was chosen
            # with this form.
            self.estimator.set_params(class_weight={0: n1 / (self.ratio * n0), 1: 1.0})
        elif self.balancer is not None:
            # ASReview's balancer: the same proportions, the weights scaled to sum to the
            # records screened, so the penalty means the same at every prevalence; at 1
            # exactly sklearn's "balanced" weights (benchmarks/screening_ranking_tried.py).
            scale = (n0 + n1) / (n1 + n1 / self.balancer)
            weights = {0: scale * n1 / (self.balancer * n0), 1: scale}
            self.estimator.set_params(class_weight=weights)
        self.estimator.fit(X, y)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        if hasattr(self.estimator, "decision_function"):
            return np.asarray(self.estimator.decision_function(X), dtype=float)
        proba = self.estimator.predict_log_proba(X)
        return np.asarray(proba[:, 1] - proba[:, 0], dtype=float)

    def get_params(self) -> dict[str, Any]:
        params = {k: v for k, v in self.estimator.get_params().items() if not callable(v)}
        return {"model": self.name, "estimator": type(self.estimator).__name__, **params}


class _EnsembleRanker:
    """Mean of standardised member scores: two linear models err on different records."""

    def __init__(self, name: str, members: list[_SklearnRanker]) -> None:
        self.name = name
        self.members = members

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> _EnsembleRanker:
        for member in self.members:
            member.fit(X, y)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        total = np.zeros(X.shape[0])
        for member in self.members:
            s = member.score(X)
            sd = float(s.std())
            total += (s - float(s.mean())) / (sd if sd > 0 else 1.0)
        return total / len(self.members)

    def get_params(self) -> dict[str, Any]:
        return {"model": self.name, "members": [m.get_params() for m in self.members]}


def _standardise(s: np.ndarray) -> np.ndarray:
    sd = float(s.std())
    return (s - float(s.mean())) / (sd if sd > 0 else 1.0)


class _FeedbackRanker:
    """A ranker blended with similarity to the relevant records' centroid (Rocchio feedback).

    With one or two relevant records a classifier has little to go on: its weights spread
    over every word of a single abstract, and hundreds of irrelevant ones pull the boundary.
    Cosine similarity to the mean relevant vector uses the same evidence more directly.
    The blend weight ``k / (k + n_relevant)`` fades the similarity out as relevant records
    accumulate and the classifier can learn what separates them.
    """

    def __init__(self, name: str, base: Any, k: float = 1.0, irrelevant: float = 0.0) -> None:
        self.name = name
        self.base = base
        self.k = k
        self.irrelevant = irrelevant
        self.centroid: np.ndarray | None = None
        self.weight = 0.0

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> _FeedbackRanker:
        self.base.fit(X, y)
        pos = np.flatnonzero(y == 1)
        centroid = np.asarray(X[pos].mean(axis=0)).ravel()
        if self.irrelevant > 0 and (y == 0).any():
            centroid = centroid - self.irrelevant * np.asarray(X[y == 0].mean(axis=0)).ravel()
        self.centroid = centroid
        self.weight = self.k / (self.k + len(pos)) if self.k > 0 else 0.0
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        model = _standardise(self.base.score(X))
        if self.centroid is None or self.weight == 0:
            return model
        sim = _standardise(np.asarray(X @ self.centroid).ravel())
        return (1 - self.weight) * model + self.weight * sim

    def get_params(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "feedback_k": self.k,
            "irrelevant": self.irrelevant,
            "base": self.base.get_params(),
        }


def _logreg(C: float = 1.0, ratio: float = 1.0, seed: int = 0, **_: Any) -> _SklearnRanker:
    return _SklearnRanker(
        "logreg",
        LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=seed
        ),
        ratio,
    )


def _svm(C: float = 0.1, ratio: float = 1.0, seed: int = 0, **_: Any) -> _SklearnRanker:
    return _SklearnRanker(
        "svm", LinearSVC(C=C, class_weight="balanced", max_iter=5000, random_state=seed), ratio
    )


def _nb(alpha: float = 0.01, **_: Any) -> _SklearnRanker:
    # ASReview's alpha 3.822 suits its word-only TF-IDF; on our word + character vectors
    # (L2-normed over ~10^5 columns, so tiny counts) it swamps the data: AUC 0.42 on Cohen
    # et al.'s urinary incontinence set, against 0.86 with alpha 0.01.
    return _SklearnRanker("nb", MultinomialNB(alpha=alpha))


def _sgd(alpha: float = 1e-4, seed: int = 0, **_: Any) -> _SklearnRanker:
    return _SklearnRanker(
        "sgd",
        SGDClassifier(
            loss="modified_huber", alpha=alpha, class_weight="balanced", random_state=seed
        ),
    )


def _ridge(alpha: float = 1.0, balancer: float = 1.0, **_: Any) -> _SklearnRanker:
    return _SklearnRanker("ridge", RidgeClassifier(alpha=alpha), balancer=balancer)


def _ridge_feedback(
    alpha: float = 1.0, balancer: float = 1.0, k: float = 1.0, irrelevant: float = 0.0, **_: Any
) -> _FeedbackRanker:
    return _FeedbackRanker(
        "ridge+feedback", _ridge(alpha=alpha, balancer=balancer), k=k, irrelevant=irrelevant
    )


def _ensemble(
    C: float = 1.0, svm_C: float = 0.1, ratio: float = 1.0, seed: int = 0, **_: Any
) -> _EnsembleRanker:
    return _EnsembleRanker(
        "logreg+svm",
        [_logreg(C=C, ratio=ratio, seed=seed), _svm(C=svm_C, ratio=ratio, seed=seed)],
    )


def _svm_nb(C: float = 0.1, alpha: float = 0.01, seed: int = 0, **_: Any) -> _EnsembleRanker:
    return _EnsembleRanker("svm+nb", [_svm(C=C, seed=seed), _nb(alpha=alpha)])


def _svm_feedback(
    C: float = 0.05, k: float = 1.0, irrelevant: float = 0.0, seed: int = 0, **_: Any
) -> _FeedbackRanker:
    return _FeedbackRanker("svm+feedback", _svm(C=C, seed=seed), k=k, irrelevant=irrelevant)


def _logreg_feedback(
    C: float = 1.0, k: float = 1.0, irrelevant: float = 0.0, seed: int = 0, **_: Any
) -> _FeedbackRanker:
    return _FeedbackRanker("logreg+feedback", _logreg(C=C, seed=seed), k=k, irrelevant=irrelevant)


#: Model name -> factory(**params). Unknown names fail with the list of these.
RANKERS: dict[str, Callable[..., Ranker]] = {
    "logreg": _logreg,  # logistic regression, class-weighted
    "svm": _svm,  # linear SVM (hinge), class-weighted: ASReview's elas_u4 classifier family
    "nb": _nb,  # multinomial naive Bayes: ASReview v1's default classifier
    "sgd": _sgd,  # modified-Huber SGD, class-weighted
    "ridge": _ridge,  # least-squares classifier (ridge), class-weighted
    "logreg+svm": _ensemble,  # mean of standardised logreg and SVM scores
    "svm+nb": _svm_nb,  # mean of standardised SVM and naive Bayes scores
    "svm+feedback": _svm_feedback,  # SVM blended with similarity to the relevant centroid
    "logreg+feedback": _logreg_feedback,  # the same with logistic regression
    "ridge+feedback": _ridge_feedback,  # the same with ridge
}

#: Named presets: a model and its parameters, chosen by ``screening.model.name`` (the
#: retraining schedule is the rest of ``screening.model``). Only the default is kept here;
#: the settings it was measured against are in benchmarks/screening_presets.py and their
#: figures in docs/screening.md.
PRESETS: dict[str, dict[str, Any]] = {
    # Ridge classifier (alpha 1) blended with Rocchio feedback: cosine similarity to
    # (relevant centroid - 0.5 x irrelevant centroid), weight 1 / (1 + relevant screened).
    # Picked by leaving one data set out on WSS@95 over the seven labelled sets
    # (benchmarks/screening.py --model reviewflow-default,svm-feedback,svm-plain). The
    # classes weigh the same in all (balancer 1). ASReview's 9.8 lowers ATD on every seed
    # but makes the stop, chosen again on its runs, screen far more (docs/screening.md,
    # benchmarks/screening_ranking_tried.py --variant balancer9.8).
    "reviewflow-default": {
        "name": "ridge+feedback",
        "params": {"alpha": 1.0, "balancer": 1.0, "k": 1.0, "irrelevant": 0.5},
    },
}


def ranker_names() -> list[str]:
    return sorted(RANKERS)


def model_parameters(name: str) -> tuple[str, ...]:
    """The parameters ``screening.model.params`` may set for a registry model."""
    signature = inspect.signature(RANKERS[name])
    return tuple(
        sorted(
            p.name
            for p in signature.parameters.values()
            if p.kind is not p.VAR_KEYWORD and p.name != "seed"
        )
    )


def resolve_ranker(
    name: str, params: Mapping[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """(registry model, its parameters) for a registry or preset name, checked.

    A parameter the model does not take is an error, not silently ignored: ``ratio`` set
    for the ridge models would otherwise change nothing while the audit said it was used.
    """
    params = dict(params or {})
    if name in PRESETS and name not in RANKERS:
        preset = PRESETS[name]
        name, params = preset["name"], {**preset["params"], **params}
    if name not in RANKERS:
        options = ", ".join(sorted(set(RANKERS) | set(PRESETS)))
        raise ConfigError(f"unknown screening model {name!r}. Available options: {options}")
    takes = model_parameters(name)
    unknown = sorted(set(params) - set(takes))
    if unknown:
        raise ConfigError(
            f"screening.model.params: the model {name!r} takes {', '.join(takes) or 'none'}; "
            f"{', '.join(repr(u) for u in unknown)} is not one of them"
        )
    return name, params


def make_ranker(name: str, params: Mapping[str, Any] | None = None, seed: int = 0) -> Ranker:
    """Build a ranker by registry name, or by preset name when ``name`` is one."""
    name, params = resolve_ranker(name, params)
    return RANKERS[name](seed=seed, **params)
