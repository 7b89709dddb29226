"""The active learning loop: retrain on the decisions so far, screen the best-ranked next.

Two callers share this code. The stage (:mod:`reviewflow.screening.stage`) runs one step
per rerun: fit on the decision files, order the unscreened records. The simulation
(:mod:`reviewflow.screening.simulate`) runs the whole loop on a labelled data set, revealing
labels in the order a screener would see them.

Retraining schedule: retraining after every record is what makes the first relevant
records count, but on a 2,000-record pool it costs most of the run time once hundreds of
irrelevant records follow one another. The loop therefore retrains after every record while
fewer than ``retrain_every_until`` records are screened, then after growing steps of
``growth`` x records screened; a relevant record ends a step at once, so the model always
learns from a new inclusion before choosing the next record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from reviewflow.screening.models import Ranker, resolve_ranker
from reviewflow.settings import Settings

__all__ = ["ModelSettings", "QUERY_STRATEGIES", "next_order", "score_pool", "simulate_order"]

#: ``max``: highest score first (certainty-based, finds relevant records fastest);
#: ``max_uncertainty``: the first ``uncertainty_queries`` records after the priors are
#: those closest to the decision boundary (explores early), then ``max``.
QUERY_STRATEGIES = ("max", "max_uncertainty")


@dataclass(frozen=True)
class ModelSettings(Settings):
    """``screening.model``: the ranker (a preset or a registry name, with parameter
    overrides), the query strategy and the retraining schedule of the loop around it."""

    SCHEMA: ClassVar[str] = "schemas/screening.schema.yaml#/properties/model"

    name: str
    params: dict[str, Any]
    query: str
    uncertainty_queries: int
    retrain_every_until: int
    growth: float
    max_step: int
    pseudo_negatives: int

    def __post_init__(self) -> None:
        # a parameter the model does not take fails when config is read, not at screening
        self.resolved()

    def resolved(self) -> tuple[str, dict[str, Any]]:
        """(registry model, its parameters): a preset names a model and its parameters,
        and the parameters set in config override the preset's."""
        return resolve_ranker(self.name, self.params)

    def step(self, n_screened: int) -> int:
        if n_screened < self.retrain_every_until:
            return 1
        return int(min(self.max_step, max(1, round(self.growth * n_screened))))


def _similarity_scores(X: sp.csr_matrix, positive: np.ndarray) -> np.ndarray:
    """Mean cosine similarity to the known relevant records (rows are L2-normed)."""
    centroid = np.asarray(X[positive].mean(axis=0)).ravel()
    return np.asarray(X @ centroid).ravel()


def score_pool(
    ranker: Ranker,
    X: sp.csr_matrix,
    labelled: np.ndarray,
    labels: np.ndarray,
    seed: int = 0,
    pseudo_negatives: int = 0,
) -> tuple[np.ndarray, str]:
    """Scores for every row and how they were made.

    With both classes screened the ranker is fitted. With relevant records only, records are
    scored by similarity to them. With none relevant yet, there is nothing to learn from:
    scores are a seeded random order (a random start also gives an unbiased look at
    prevalence), and the output says so.

    ``pseudo_negatives`` unscreened records, drawn at random, join the training set as
    irrelevant (Cormack & Grossman's AutoTAR): with a few % prevalence almost all of them
    are, and they tell the model what the bulk of the pool looks like long before the
    screener has labelled it.
    """
    labels = np.asarray(labels, dtype=int)
    has_pos = bool((labels == 1).any())
    has_neg = bool((labels == 0).any())
    if has_pos and (has_neg or pseudo_negatives):
        rows, y = labelled, labels
        if pseudo_negatives:
            free = np.setdiff1d(np.arange(X.shape[0]), labelled, assume_unique=False)
            rng = np.random.default_rng(seed + len(labelled))
            extra = rng.choice(free, size=min(pseudo_negatives, len(free)), replace=False)
            rows = np.concatenate([labelled, extra])
            y = np.concatenate([labels, np.zeros(len(extra), dtype=int)])
        if (y == 0).any():
            ranker.fit(X[rows], y)
            return ranker.score(X), "model"
    if has_pos:
        return _similarity_scores(X, labelled[labels == 1]), "similarity to included"
    rng = np.random.default_rng(seed)
    return rng.random(X.shape[0]), "random (no included record yet)"


def next_order(
    scores: np.ndarray,
    candidates: np.ndarray,
    *,
    query: str = "max",
    n_uncertain: int = 0,
) -> np.ndarray:
    """Candidates in the order to screen them: ``n_uncertain`` most uncertain, then by score."""
    if query not in QUERY_STRATEGIES:
        from reviewflow.errors import ConfigError

        raise ConfigError(
            f"unknown query strategy {query!r}. Available options: {', '.join(QUERY_STRATEGIES)}"
        )
    cand_scores = scores[candidates]
    order = candidates[np.lexsort((candidates, -cand_scores))]
    if query == "max_uncertainty" and n_uncertain > 0:
        # decision functions put the boundary at 0 (ensembles: the members' mean boundary)
        uncertain = candidates[np.argsort(np.abs(cand_scores), kind="stable")]
        first = uncertain[:n_uncertain]
        rest = order[~np.isin(order, first)]
        order = np.concatenate([first, rest])
    return order


def simulate_order(
    X: sp.csr_matrix,
    y: np.ndarray,
    priors: list[int],
    ranker: Ranker,
    settings: ModelSettings | None = None,
    on_fit: Callable[[int, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Full screening order of every row when labels ``y`` are revealed one by one.

    Returns the order (priors first) and how many times the model was retrained.
    ``on_fit(n_screened, scores)`` sees every scoring of the pool, so stopping rules that
    read the model's scores of unscreened records can be replayed on the same run.
    """
    settings = settings or ModelSettings.defaults()
    n = X.shape[0]
    y = np.asarray(y, dtype=int)
    screened = np.zeros(n, dtype=bool)
    order: list[int] = list(priors)
    screened[priors] = True
    fits = 0
    uncertain_left = settings.uncertainty_queries if settings.query == "max_uncertainty" else 0
    while len(order) < n:
        labelled = np.asarray(order)
        scores, _ = score_pool(
            ranker, X, labelled, y[labelled], pseudo_negatives=settings.pseudo_negatives
        )
        fits += 1
        if on_fit is not None:
            on_fit(len(order), scores)
        candidates = np.flatnonzero(~screened)
        take = min(settings.step(len(order)), len(candidates))
        if uncertain_left > 0:
            ranked = next_order(scores, candidates, query="max_uncertainty", n_uncertain=1)
            take, uncertain_left = 1, uncertain_left - 1
        else:
            ranked = next_order(scores, candidates)
        for idx in ranked[:take]:
            order.append(int(idx))
            screened[idx] = True
            if y[idx] == 1 and take > 1:
                break
    return np.asarray(order, dtype=int), fits
