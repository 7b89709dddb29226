"""Registry of stopping rules: when may screening stop, and how much recall is likely reached.

The statistical rule is Callaghan & Müller-Hansen's (2020) hypergeometric test, as in their
``buscar`` package. Screening runs in two phases:

1. **ranked**: records are screened in model order until a heuristic trigger fires
   (``switch_after_consecutive_irrelevant`` irrelevant records in a row, or
   ``switch_after_fraction`` of the records screened);
2. **sampling**: the records left at that point form an urn of ``N_urn`` records; they are
   screened in random order. After ``n`` of them, with ``k`` relevant among them and
   ``r_seen`` relevant found in all, the null hypothesis "recall < target" implies at least
   ``K0 = floor(r_seen / target - r_al + 1)`` relevant records in the urn (``r_al`` relevant
   found before the urn was drawn from). The p-value is the hypergeometric probability of
   seeing ``k`` or fewer relevant in ``n`` draws from an urn of ``N_urn`` holding ``K0``.
   Screening may stop once p < 1 - confidence: recall then reaches the target with the
   stated confidence, whatever the model did.

The ranked-phase variant (``buscar_ranked``) applies the same test to every window of the
last records screened in model order, as if they were a random sample; it needs no extra
screening but assumes the model ranks no worse than random. The heuristics
(``consecutive_irrelevant``, ``fraction_screened``) are kept for comparison: they give no
guarantee.

Each stopper is called with a :class:`ScreeningHistory` and returns a :class:`StopStatus`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import hypergeom

from reviewflow.errors import ConfigError
from reviewflow.screening.settings import ConfigSettings

__all__ = [
    "STOPPERS",
    "ScreeningHistory",
    "StopSettings",
    "StopStatus",
    "buscar_p_value",
    "buscar_p_values",
    "evaluate_stopper",
    "k_h0",
    "phase_of",
    "recall_bounds",
    "sample_needed",
    "switch_point",
]


@dataclass(frozen=True)
class StopSettings(ConfigSettings):
    """Config keys under ``screening.stopping``."""

    rule: str = "buscar"
    recall_target: float = 0.95
    confidence: float = 0.95
    switch_after_consecutive_irrelevant: int = 100
    switch_after_fraction: float = 0.5
    consecutive_irrelevant: int = 100
    fraction_screened: float = 0.5

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence


@dataclass
class ScreeningHistory:
    """Labels (1 relevant, 0 not) in the order screened, split by phase.

    ``ranked`` holds every record screened before the switch to random sampling (priors
    and records the reviewer chose outside the sample count here); ``sample`` the random
    draws from the urn, in draw order; ``n_total`` the number of records in the pool.
    """

    n_total: int
    ranked: list[int] = field(default_factory=list)
    sample: list[int] = field(default_factory=list)
    switched: bool = False

    @property
    def n_screened(self) -> int:
        return len(self.ranked) + len(self.sample)

    @property
    def n_relevant(self) -> int:
        return int(sum(self.ranked) + sum(self.sample))


@dataclass(frozen=True)
class StopStatus:
    """A stopper's verdict: met or not, the recall estimate and its lower bound."""

    rule: str
    met: bool
    recall_estimate: float | None
    recall_lower_bound: float | None
    p_value: float | None
    basis: str


def k_h0(r_al: int, r_seen: int, recall_target: float) -> int:
    """Smallest number of relevant records the urn must have held for recall < target."""
    return int(math.floor(r_seen / recall_target - r_al + 1))


def buscar_p_value(n_urn: int, n: int, k: int, r_al: int, recall_target: float) -> float:
    """p-value of H0 "recall < target" after ``n`` random draws with ``k`` relevant."""
    if n <= 0:
        return 1.0
    K0 = k_h0(r_al, r_al + k, recall_target)
    if K0 > n_urn - (n - k):  # H0 needs more relevant than the urn can hold: impossible
        return 0.0
    return float(hypergeom.cdf(k, n_urn, K0, n))


def buscar_p_values(
    n_urn: int, urn_labels: np.ndarray, r_al: int, recall_target: float
) -> np.ndarray:
    """p-values after each of a sequence of random draws (labels in draw order)."""
    labels = np.asarray(urn_labels, dtype=int)
    n = np.arange(1, len(labels) + 1)
    k = np.cumsum(labels)
    K0 = np.floor((r_al + k) / recall_target - r_al + 1).astype(int)
    possible = n_urn - (n - k) >= K0
    return np.where(possible, hypergeom.cdf(k, n_urn, np.minimum(K0, n_urn), n), 0.0)


def _k_upper(n_urn: int, n: int, k: int, alpha: float) -> int:
    """One-sided upper (1 - alpha) bound on the relevant records the urn held."""
    lo, hi = k, n_urn - (n - k)
    if hypergeom.cdf(k, n_urn, hi, n) >= alpha:
        return hi
    while hi - lo > 1:  # cdf(k) falls as K grows: largest K with cdf >= alpha
        mid = (lo + hi) // 2
        if hypergeom.cdf(k, n_urn, mid, n) >= alpha:
            lo = mid
        else:
            hi = mid
    return lo


def recall_bounds(
    n_urn: int, n: int, k: int, r_seen: int, alpha: float
) -> tuple[float | None, float | None]:
    """Point estimate and lower confidence bound of recall from a random urn sample."""
    if r_seen == 0 or n <= 0:
        return None, None
    missed_hat = k / n * (n_urn - n)
    estimate = r_seen / (r_seen + missed_hat)
    missed_up = _k_upper(n_urn, n, k, alpha) - k
    return float(estimate), float(r_seen / (r_seen + missed_up))


def sample_needed(n_urn: int, n: int, k: int, r_al: int, settings: StopSettings) -> int:
    """More random draws needed for p < alpha if none of them is relevant (0 if met)."""
    left = n_urn - n
    if buscar_p_value(n_urn, n, k, r_al, settings.recall_target) < settings.alpha:
        return 0
    lo, hi = 0, left
    if buscar_p_value(n_urn, n + hi, k, r_al, settings.recall_target) >= settings.alpha:
        return left
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if buscar_p_value(n_urn, n + mid, k, r_al, settings.recall_target) < settings.alpha:
            hi = mid
        else:
            lo = mid
    return hi


def _trailing_zeros(labels: list[int]) -> int:
    run = 0
    for value in reversed(labels):
        if value:
            break
        run += 1
    return run


def switch_point(labels: list[int], n_total: int, settings: StopSettings) -> int | None:
    """Records screened in model order when the switch to random sampling fires (or None)."""
    run = 0
    frac_limit = math.ceil(settings.switch_after_fraction * n_total)
    for i, value in enumerate(labels, start=1):
        run = 0 if value else run + 1
        found = sum(labels[:i]) > 0
        if found and (run >= settings.switch_after_consecutive_irrelevant or i >= frac_limit):
            return i
    return None


def phase_of(history: ScreeningHistory, settings: StopSettings) -> str:
    """``ranked``, ``sampling``, ``stopped`` (rule met) or ``complete`` (all screened)."""
    if history.n_screened >= history.n_total:
        return "complete"
    status = evaluate_stopper(settings.rule, history, settings)
    if status.met:
        return "stopped"
    return "sampling" if history.switched else "ranked"


def _window_estimate(
    history: ScreeningHistory, settings: StopSettings
) -> tuple[float | None, float | None, int]:
    """Recall estimate of the ranked phase from the density of relevant in the last records.

    The last ``w`` records screened (``w`` = the switch trigger, at most all screened) are
    treated as a sample of themselves plus everything unscreened: with a model that ranks
    better than random, the unscreened records are no denser in relevant ones, so the
    estimate errs low. Before the random sample it is a guide, not a guarantee.
    """
    labels = history.ranked + history.sample
    r_seen = int(sum(labels))
    w = min(len(labels), max(1, settings.switch_after_consecutive_irrelevant))
    if r_seen == 0 or w == 0:
        return None, None, w
    k = int(sum(labels[-w:]))
    n_urn = history.n_total - len(labels) + w
    estimate, lower = recall_bounds(n_urn, w, k, r_seen, settings.alpha)
    return estimate, lower, w


def _buscar(history: ScreeningHistory, settings: StopSettings) -> StopStatus:
    if not history.switched:
        estimate, lower, w = _window_estimate(history, settings)
        return StopStatus(
            "buscar",
            False,
            estimate,
            lower,
            None,
            f"ranked phase: estimate from the relevant share of the last {w} records screened",
        )
    r_al = int(sum(history.ranked))
    n_urn = history.n_total - len(history.ranked)
    n, k = len(history.sample), int(sum(history.sample))
    p = buscar_p_value(n_urn, n, k, r_al, settings.recall_target)
    estimate, lower = recall_bounds(n_urn, n, k, r_al + k, settings.alpha)
    if n >= n_urn:
        estimate, lower = (1.0, 1.0) if r_al + k else (None, None)
    return StopStatus(
        "buscar",
        p < settings.alpha,
        estimate,
        lower,
        p,
        f"random sample of {n} from {n_urn} records left at the switch",
    )


def _buscar_ranked(history: ScreeningHistory, settings: StopSettings) -> StopStatus:
    labels = np.asarray(history.ranked + history.sample, dtype=int)
    n_seen = len(labels)
    if n_seen == 0 or labels.sum() == 0:
        return StopStatus("buscar_ranked", False, None, None, None, "no relevant record yet")
    r_seen = int(labels.sum())
    n_windows = np.arange(1, n_seen + 1)  # the last n records as the "sample"
    k = np.cumsum(labels[::-1])
    r_al = r_seen - k
    n_urn = history.n_total - n_seen + n_windows
    K0 = np.floor(r_seen / settings.recall_target - r_al + 1).astype(int)
    possible = K0 <= n_urn - (n_windows - k)
    p_all = np.where(possible, hypergeom.cdf(k, n_urn, np.minimum(K0, n_urn), n_windows), 0.0)
    best = int(np.argmin(p_all))
    p = float(p_all[best])
    estimate, lower, w = _window_estimate(history, settings)
    return StopStatus(
        "buscar_ranked",
        p < settings.alpha,
        estimate,
        lower,
        p,
        f"every window of the last ranked records treated as a random sample (smallest p "
        f"with the last {int(n_windows[best])}); recall estimate from the last {w}",
    )


def _consecutive(history: ScreeningHistory, settings: StopSettings) -> StopStatus:
    run = _trailing_zeros(history.ranked + history.sample)
    met = history.n_relevant > 0 and run >= settings.consecutive_irrelevant
    return StopStatus("consecutive_irrelevant", met, None, None, None, f"{run} irrelevant in a row")


def _fraction(history: ScreeningHistory, settings: StopSettings) -> StopStatus:
    frac = history.n_screened / history.n_total if history.n_total else 1.0
    met = frac >= settings.fraction_screened
    return StopStatus("fraction_screened", met, None, None, None, f"{frac:.1%} screened")


#: Stopping-rule name -> function(history, settings) -> StopStatus.
STOPPERS: dict[str, Callable[[ScreeningHistory, StopSettings], StopStatus]] = {
    "buscar": _buscar,  # hypergeometric test on a random sample (Callaghan & Müller-Hansen 2020)
    "buscar_ranked": _buscar_ranked,  # same test on ranked windows (assumes a useful model)
    "consecutive_irrelevant": _consecutive,  # heuristic: N irrelevant in a row
    "fraction_screened": _fraction,  # heuristic: a fixed share of the records
}


def evaluate_stopper(name: str, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
    if name not in STOPPERS:
        options = ", ".join(sorted(STOPPERS))
        raise ConfigError(f"unknown stopping rule {name!r}. Available options: {options}")
    return STOPPERS[name](history, settings)
