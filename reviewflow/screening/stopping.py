"""Registry of stopping rules: may screening stop, how much recall is likely reached, how sure.

Every rule is a small :class:`Stopper` that reads a :class:`ScreeningHistory` (labels in the
order screened, split into the ranked phase and any random sample) and returns a
:class:`StopStatus`: met or not, its estimate of recall and how sure it is (a lower bound
at the configured confidence, or the p-value of "recall < target"), and how many more
records must be screened, if none of them is relevant, before it could be met.
:func:`current_status` is the one call the stage, the simulation and any screening app
make; it also phrases the status in plain words.

Rules with a guarantee that holds whatever the model did:

* ``buscar`` (Callaghan & Müller-Hansen 2020): ranked screening until a heuristic switch,
  then a random sample of what is left; the hypergeometric test rejects "recall < target".

Rules whose guarantee rests on a stated assumption about the ranking:

* ``biased_urn`` (the biased-urn variant of buscar, Wallenius' noncentral hypergeometric
  distribution as in ``buscarpy.calculate_h0(bias=...)``): the last records screened in
  model order are taken as draws from themselves plus the unscreened records, in which the
  model is at least ``bias`` times likelier to offer a relevant record than an irrelevant
  one, except for the hardest of the relevant records "recall < target" supposes missed,
  which it offers only ``bias_single`` times likelier; the urn's bias is their mean. Stop
  when "recall < target" is rejected at the configured confidence for some window of the
  last records. ``bias = 1`` is ``buscar_ranked`` (the ranking no worse than random).
* ``point_process`` (Sneyd & Stevenson 2021; Stevenson & Bin-Hezam 2023): a power-law rate
  of relevant records along the ranking, fitted to windows of the screened part; the
  relevant records still to come are Poisson with the rate's integral over the unscreened
  part, and the rule stops once the target holds at that count's upper quantile; no rate
  is fitted before 20 relevant records are found.
* ``quant`` (Yang, Lewis & Frieder 2021, QuantCI): the model's scores, calibrated to
  probabilities on out-of-sample scores of the screened records, summed over the
  unscreened ones estimate how many relevant records remain; stop when the estimate minus
  two standard deviations reaches the target.

Heuristics, reported for comparison (no statement of confidence):

* ``knee`` (Cormack & Grossman 2016): the slope ratio of the gain curve before and after
  its knee reaches 156 - min(relevant, 150), with at least 150 records screened;
* ``safe`` (Boetje & van de Schoot 2024, its stopping heuristics): at least 10 % of the
  records screened and 50 irrelevant in a row, then another 50 irrelevant in a row;
* ``consecutive_irrelevant`` and ``fraction_screened``.

Which rule is the default, and why, is measured in ``benchmarks/screening.py`` and written
up in ``docs/screening.md``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import hypergeom, nchypergeom_wallenius, poisson

from reviewflow.errors import ConfigError
from reviewflow.settings import Settings

__all__ = [
    "STOPPERS",
    "CurrentStatus",
    "ScreeningHistory",
    "StopSettings",
    "StopStatus",
    "Stopper",
    "buscar_p_value",
    "buscar_p_values",
    "current_status",
    "evaluate_stopper",
    "get_stopper",
    "k_h0",
    "missed_under_h0",
    "phase_of",
    "recall_bounds",
    "recall_words",
    "records_to_go",
    "sample_needed",
    "switch_point",
    "to_go_words",
]


@dataclass(frozen=True)
class StopSettings(Settings):
    """Config keys under ``screening.stopping``."""

    SCHEMA: ClassVar[str] = "schemas/screening.schema.yaml#/properties/stopping"

    rule: str
    recall_target: float
    confidence: float
    #: biased_urn: how many times likelier the model is, at least, to offer a relevant
    #: record than an irrelevant one among the last records and the unscreened ones.
    bias: float
    #: biased_urn: the same for the hardest of the relevant records that "recall < target"
    #: supposes missed. That record is the one the model ranks worst, so the model is
    #: trusted less on it; with ``m`` records supposed missed the urn's bias is the mean,
    #: ``(bias_single + (m - 1) * bias) / m``: ``bias_single`` alone while a single miss
    #: would break the target (fewer than 19 found at 95 %), nearer ``bias`` the more
    #: records H0 needs missed. Both were chosen by leaving one labelled data set out
    #: (docs/screening.md).
    bias_single: float
    switch_after_consecutive_irrelevant: int
    switch_after_fraction: float
    consecutive_irrelevant: int
    fraction_screened: float

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence


@dataclass
class ScreeningHistory:
    """Labels (1 relevant, 0 not) in the order screened, split by phase.

    ``ranked`` holds every record screened before the switch to random sampling (priors
    and records the reviewer chose outside the sample count here); ``sample`` the random
    draws from the urn, in draw order; ``n_total`` the number of records in the pool.
    ``scores`` (optional) are out-of-sample model scores of the screened records (in
    screening order) and the current model's scores of the unscreened ones, for rules that
    read them: the stage scores screened records by cross-validation, the simulation by
    the score each had when the model offered it.
    """

    n_total: int
    ranked: list[int] = field(default_factory=list)
    sample: list[int] = field(default_factory=list)
    switched: bool = False
    scores: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_screened(self) -> int:
        return len(self.ranked) + len(self.sample)

    @property
    def n_relevant(self) -> int:
        return int(sum(self.ranked) + sum(self.sample))

    def labels(self) -> np.ndarray:
        return np.asarray(self.ranked + self.sample, dtype=int)

    def with_irrelevant(self, m: int) -> ScreeningHistory:
        """The same history after ``m`` more irrelevant records in the current phase."""
        if self.switched:
            return replace(self, sample=self.sample + [0] * m, scores=None)
        return replace(self, ranked=self.ranked + [0] * m, scores=None)


@dataclass(frozen=True)
class StopStatus:
    """A rule's verdict: met or not, its recall estimate and how sure it is.

    ``recall_lower_bound`` is a lower bound at the configured confidence where the rule
    has one; ``p_value`` that of "recall < target" for the test-based rules;
    ``records_to_go`` the fewest further records, none of them relevant, before the rule
    could be met (0 when met, None when the rule cannot tell).
    """

    rule: str
    met: bool
    recall_estimate: float | None
    recall_lower_bound: float | None
    p_value: float | None
    basis: str
    records_to_go: int | None = None

    def __post_init__(self) -> None:  # numpy scalars out: the status goes to CSV and JSON
        object.__setattr__(self, "met", bool(self.met))
        for name in ("recall_estimate", "recall_lower_bound", "p_value"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))
        if self.records_to_go is not None:
            object.__setattr__(self, "records_to_go", int(self.records_to_go))


class Stopper(ABC):
    """A stopping rule.

    The stage (:mod:`reviewflow.screening.stage`) calls :meth:`status` once per rerun on
    the decision history; the simulation calls it after every record screened (or every
    few on large pools) to find where the rule would have stopped. ``needs_sample`` rules
    screen a random sample after a switch; the others stop during the ranked phase.
    """

    name: ClassVar[str]
    #: The rule's name in words, for the report.
    title: ClassVar[str] = ""
    #: True for rules whose verdict is a test: "met" means "recall below the target" is
    #: rejected at the configured confidence. Their point estimate, where they have one,
    #: is not what they certify, so the status says "recall >= target: met / not yet".
    certifies: ClassVar[bool] = False
    needs_sample: ClassVar[bool] = False
    #: True when more irrelevant records can only bring the rule closer to being met, so
    #: the records still to go can be found by bisection.
    monotone: ClassVar[bool] = True

    @abstractmethod
    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus: ...

    def met(self, history: ScreeningHistory, settings: StopSettings) -> bool:
        """Whether the rule is met; rules with costly estimates answer it without them."""
        return self.status(history, settings).met

    def criterion(self, settings: StopSettings) -> str:
        """The stop criterion in plain words."""
        return self.name


# --------------------------------------------------------------------------- buscar
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


#: scipy's own Wallenius urn (Agner Fog's BiasedUrn), which ``nchypergeom_wallenius``
#: evaluates once per point; called directly it gives the same numbers without the generic
#: distribution machinery around every call, which dominated replays of the rule.
_WALLENIUS_URN = getattr(nchypergeom_wallenius, "dist", None)


def wallenius_cdf(
    k: npt.ArrayLike, n_urn: npt.ArrayLike, K: npt.ArrayLike, n: npt.ArrayLike, bias: float
) -> np.ndarray:
    """P(X <= k) for ``n`` draws from ``n_urn`` records of which ``K`` are relevant, each
    draw ``bias`` times likelier to take a relevant one (Wallenius), element-wise.

    Bit for bit what ``scipy.stats.nchypergeom_wallenius.cdf(k, n_urn, K, n, bias)``
    returns: the same support, the same per-point urn and the same summation.
    """
    arrays = [np.atleast_1d(np.asarray(a, dtype=np.int64)) for a in (k, n_urn, K, n)]
    k_, m_, big_k, n_ = np.broadcast_arrays(*arrays)
    if _WALLENIUS_URN is None:  # a scipy without the attribute: its public function
        return np.asarray(nchypergeom_wallenius.cdf(k_, m_, big_k, n_, bias), dtype=float)
    out = np.empty(k_.shape, dtype=float)
    columns = zip(k_.tolist(), m_.tolist(), big_k.tolist(), n_.tolist(), strict=True)
    for i, (x, m, kk, d) in enumerate(columns):
        lo, hi = max(0, d - (m - kk)), min(d, kk)
        if x >= hi:
            out[i] = 1.0
        elif x < lo:
            out[i] = 0.0
        else:
            args = (d, kk, m, float(bias), 1e-12)
            pmf = np.array([_WALLENIUS_URN(*args).probability(j) for j in range(lo, x + 1)])
            out[i] = min(max(float(np.sum(pmf)), 0.0), 1.0)
    return out


def _k_upper(n_urn: int, n: int, k: int, alpha: float, bias: float = 1.0) -> int:
    """One-sided upper (1 - alpha) bound on the relevant records the urn held."""

    def cdf(K: int) -> float:
        if bias == 1.0:
            return float(hypergeom.cdf(k, n_urn, K, n))
        return float(wallenius_cdf(k, n_urn, K, n, bias)[0])

    lo, hi = k, n_urn - (n - k)
    if cdf(hi) >= alpha:
        return hi
    while hi - lo > 1:  # cdf(k) falls as K grows: largest K with cdf >= alpha
        mid = (lo + hi) // 2
        if cdf(mid) >= alpha:
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


def _trailing_zeros(labels: Sequence[int]) -> int:
    run = 0
    for value in reversed(labels):
        if value:
            break
        run += 1
    return run


def switch_point(labels: list[int], n_total: int, settings: StopSettings) -> int | None:
    """Records screened in model order when buscar's switch to random sampling fires."""
    run = 0
    found = 0
    frac_limit = math.ceil(settings.switch_after_fraction * n_total)
    for i, value in enumerate(labels, start=1):
        run = 0 if value else run + 1
        found += value
        if found and (run >= settings.switch_after_consecutive_irrelevant or i >= frac_limit):
            return i
    return None


def _window_estimate(
    history: ScreeningHistory, settings: StopSettings
) -> tuple[float | None, float | None, int]:
    """Recall estimate and bound from the density of relevant records among the last ones.

    The last ``w`` records screened (``w`` = the switch trigger, at most all screened) are
    treated as a sample of themselves plus everything unscreened: with a model that ranks
    better than random, the unscreened records are no denser in relevant ones, so the
    estimate errs low. It is a guide, not a guarantee.
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


class Buscar(Stopper):
    """Ranked screening, then a random sample of the rest tested for "recall < target"."""

    name = "buscar"
    title = "buscar (ranked screening, then a random sample of the rest)"
    certifies = True
    needs_sample = True

    def criterion(self, settings: StopSettings) -> str:
        return (
            f"a random sample of the records left after the ranked phase rejects "
            f"'recall below {settings.recall_target:.0%}' at {settings.confidence:.0%} "
            f"confidence (hypergeometric test, Callaghan & Müller-Hansen 2020)"
        )

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        if not history.switched:
            _, lower, w = _window_estimate(history, settings)
            labels = history.ranked
            run = _trailing_zeros(labels)
            to_switch = settings.switch_after_consecutive_irrelevant - run
            frac_left = math.ceil(settings.switch_after_fraction * history.n_total) - len(labels)
            to_switch = max(0, min(to_switch, frac_left))
            r_seen = history.n_relevant
            n_urn = history.n_total - len(labels) - to_switch
            to_go = to_switch + (sample_needed(n_urn, 0, 0, r_seen, settings) if r_seen else n_urn)
            return StopStatus(
                self.name,
                False,
                None,
                lower,
                None,
                f"ranked phase: bound from the relevant share of the last {w} records",
                to_go,
            )
        r_al = int(sum(history.ranked))
        n_urn = history.n_total - len(history.ranked)
        n, k = len(history.sample), int(sum(history.sample))
        p = buscar_p_value(n_urn, n, k, r_al, settings.recall_target)
        estimate, lower = recall_bounds(n_urn, n, k, r_al + k, settings.alpha)
        if n >= n_urn:
            estimate, lower = (1.0, 1.0) if r_al + k else (None, None)
        return StopStatus(
            self.name,
            p < settings.alpha,
            estimate,
            lower,
            p,
            f"random sample of {n} from {n_urn} records left at the switch",
            sample_needed(n_urn, n, k, r_al, settings),
        )


# ------------------------------------------------------------------- biased urn
def _window_sizes(n_seen: int, run: int) -> np.ndarray:
    """Windows of the last records to test: a geometric grid plus the current zero run."""
    sizes = np.unique(np.geomspace(1, n_seen, num=min(n_seen, 48)).astype(int))
    if run > 0:
        sizes = np.unique(np.append(sizes, run))
    return sizes


def biased_urn_p_value(
    labels: np.ndarray, n_total: int, recall_target: float, bias: float
) -> tuple[float, int]:
    """Smallest p of "recall < target" over windows of the last records, and that window.

    A window of the last ``w`` records with ``k`` relevant is treated as ``w`` draws from
    itself plus the unscreened records, biased ``bias`` times towards relevant ones
    (Wallenius); under H0 the urn holds at least ``K0`` relevant records.
    """
    n_seen = len(labels)
    r_seen = int(labels.sum())
    if n_seen == 0 or r_seen == 0:
        return 1.0, 0
    run = _trailing_zeros(labels.tolist()) if labels[-1] == 0 else 0
    w = _window_sizes(n_seen, run)
    k = np.cumsum(labels[::-1])[w - 1]
    r_al = r_seen - k
    n_urn = n_total - n_seen + w
    K0 = np.floor(r_seen / recall_target - r_al + 1).astype(int)
    impossible = K0 > n_urn - (w - k)
    if impossible.any():
        return 0.0, int(w[np.flatnonzero(impossible)[0]])
    # Windows that drew at least the relevant records H0 expects cannot reject it (p is
    # then above one half); skipping them saves the costly Wallenius sums. The expectation
    # K0 (1 - (1 - w / n_urn) ** bias) is the large-urn form of Wallenius' mean.
    expected = K0 * (1.0 - (1.0 - w / n_urn) ** bias)
    test = np.flatnonzero(k < expected)
    if len(test) == 0:
        return 1.0, int(w[-1])
    if bias == 1.0:
        p = hypergeom.cdf(k[test], n_urn[test], K0[test], w[test])
    else:
        p = wallenius_cdf(k[test], n_urn[test], K0[test], w[test], bias)
    p = np.nan_to_num(np.asarray(p, dtype=float), nan=1.0)
    best = int(np.argmin(p))
    return float(p[best]), int(w[test[best]])


def missed_under_h0(relevant_found: int, recall_target: float) -> int:
    """The fewest relevant records "recall < target" supposes missed (at least one)."""
    return max(1, k_h0(relevant_found, relevant_found, recall_target))


class BiasedUrn(Stopper):
    """Buscar's test on the last ranked records, as draws biased towards relevant ones."""

    name = "biased_urn"
    title = "the biased urn (buscar's test on the last records screened in model order)"
    certifies = True

    def bias(self, settings: StopSettings, relevant_found: int) -> float:
        """The urn's bias with ``relevant_found`` relevant records found.

        "Recall < target" supposes at least ``m`` relevant records missed (``k_h0``). The
        hardest of them is drawn ``bias_single`` times likelier than an irrelevant record,
        the other ``m - 1`` ``bias`` times; the urn takes their mean, which is what the
        chance of drawing none of them in a window is, to first order, with one bias for
        all: ``bias_single`` alone while a single miss breaks the target, towards ``bias``
        the more records are supposed missed.
        """
        missed = missed_under_h0(relevant_found, settings.recall_target)
        return (settings.bias_single + (missed - 1) * settings.bias) / missed

    def criterion(self, settings: StopSettings) -> str:
        many, single = settings.bias, settings.bias_single
        odds = f"at least {many:g} times likelier to offer a relevant record than an irrelevant one"
        if single != many:
            odds += (
                f", and {single:g} times for the hardest of the relevant records "
                f"'recall below {settings.recall_target:.0%}' supposes missed"
            )
        return (
            f"the last records screened reject 'recall below {settings.recall_target:.0%}' "
            f"at {settings.confidence:.0%} confidence, taking them as draws in which the "
            f"model is {odds} (biased urn, Callaghan & Müller-Hansen 2020)"
        )

    def met(self, history: ScreeningHistory, settings: StopSettings) -> bool:
        labels = history.labels()
        r_seen = int(labels.sum())
        if r_seen == 0:
            return False
        p, _ = biased_urn_p_value(
            labels, history.n_total, settings.recall_target, self.bias(settings, r_seen)
        )
        return p < settings.alpha

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        labels = history.labels()
        r_seen = int(labels.sum())
        if r_seen == 0:
            return StopStatus(self.name, False, None, None, None, "no relevant record yet")
        bias = self.bias(settings, r_seen)
        missed = missed_under_h0(r_seen, settings.recall_target)
        p, w = biased_urn_p_value(labels, history.n_total, settings.recall_target, bias)
        k = int(labels[len(labels) - w :].sum())
        n_urn = history.n_total - len(labels) + w
        k_up = _k_upper(n_urn, w, k, settings.alpha, bias)
        lower = r_seen / (r_seen - k + k_up) if k_up >= k else None
        # No point estimate: what the test certifies is "recall >= target" at the
        # confidence, and the window's own count (often 0) would read as "100 % recall".
        return StopStatus(
            self.name,
            p < settings.alpha,
            None,
            lower,
            p,
            f"last {w} of {len(labels)} records screened, {k} of them relevant, as biased "
            f"draws (bias {bias:.3g} for the {missed} relevant records 'recall below "
            f"{settings.recall_target:.0%}' supposes missed) from {n_urn} records",
        )


class BuscarRanked(BiasedUrn):
    """The biased urn with bias 1: the ranking assumed no worse than random."""

    name = "buscar_ranked"
    title = "buscar's test on the last records screened, the ranking no worse than random"

    def bias(self, settings: StopSettings, relevant_found: int) -> float:
        return 1.0


# ---------------------------------------------------------------- point process
def _power_law_fit(labels: np.ndarray, n_windows: int) -> tuple[float, float] | None:
    """Least-squares fit of rate(x) = a x^k to the relevant share of equal windows."""
    from scipy.optimize import curve_fit

    n = len(labels)
    size = n // n_windows
    if size < 2:
        return None
    start = n - size * n_windows  # the most recent windows are complete
    windows = labels[start:].reshape(n_windows, size)
    x = start + np.arange(n_windows) * size + 1.0
    rate = windows.mean(axis=1)
    try:
        (a, k), _ = curve_fit(
            lambda x, a, k: a * x**k,
            x,
            rate,
            p0=(max(rate[0], 1e-3), -0.5),
            bounds=((1e-12, -10.0), (np.inf, 0.0)),  # a falling rate
            maxfev=5000,
        )
    except (RuntimeError, ValueError):
        return None
    if not (np.isfinite(a) and np.isfinite(k)) or a <= 0:
        return None
    return float(a), float(k)


class PointProcess(Stopper):
    """Power-law rate of relevant records along the ranking, extrapolated to its end."""

    name = "point_process"
    title = "a point process of relevant records along the ranking"
    monotone = False
    n_windows = 10  # Stevenson & Bin-Hezam (2023): 10 windows of the screened part
    #: No rate is fitted before this many relevant records are found: with fewer, the
    #: windows' rates are mostly 0, and a power law through one early find falls so
    #: steeply that it predicts none to come. The minimum of the method's SALT baseline
    #: (``min_pos``); docs/screening.md has what it cost before.
    min_relevant = 20

    def criterion(self, settings: StopSettings) -> str:
        return (
            f"the relevant records a power-law rate predicts for the unscreened records, at "
            f"their {settings.confidence:.0%} Poisson quantile, leave recall at or above "
            f"{settings.recall_target:.0%} (Stevenson & Bin-Hezam 2023)"
        )

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        labels = history.labels()
        r_seen, n_seen = int(labels.sum()), len(labels)
        if r_seen < self.min_relevant:
            return StopStatus(
                self.name,
                False,
                None,
                None,
                None,
                f"{r_seen} relevant found; no rate is fitted before {self.min_relevant}",
            )
        fit = _power_law_fit(labels, self.n_windows)
        if fit is None:
            return StopStatus(self.name, False, None, None, None, "too few records to fit")
        a, k = fit
        N = history.n_total
        if abs(k + 1) < 1e-9:
            mu = a * math.log(N / n_seen)
        else:
            mu = a / (k + 1) * (N ** (k + 1) - n_seen ** (k + 1))
        mu = max(0.0, float(mu))
        upper = float(poisson.ppf(settings.confidence, mu))
        met = r_seen >= settings.recall_target * (r_seen + upper)
        return StopStatus(
            self.name,
            met,
            r_seen / (r_seen + mu),
            r_seen / (r_seen + upper),
            None,
            f"rate {a:.3g} x^{k:.2f} fitted to {self.n_windows} windows; {mu:.1f} relevant "
            f"expected in the {N - n_seen} unscreened records",
        )


# ------------------------------------------------------------------------ quant
def _platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Logistic calibration of scores to probabilities (2 parameters, a small ridge).

    The penalised log-likelihood is convex; a trust region with its exact Hessian
    (scipy's ``trust-exact``) never takes a step it has not checked, so it converges where
    plain Newton steps overshoot (when the screened records nearly separate, to a slope
    of minus thousands with every probability 0), and to the optimum itself, where a
    quasi-Newton method may stop short of it on a flat stretch.
    """
    X = np.column_stack([np.ones_like(scores), scores])
    prior = min(max(labels.mean(), 1e-3), 1 - 1e-3)
    ridge = 1e-2  # keeps the slope finite when the screened records separate perfectly

    def loss(theta: np.ndarray) -> float:
        z = X @ theta
        nll = float(np.sum(np.logaddexp(0.0, z) - labels * z))
        return nll + 0.5 * ridge * float(theta @ theta)

    def grad(theta: np.ndarray) -> np.ndarray:
        return X.T @ (expit(X @ theta) - labels) + ridge * theta

    def hess(theta: np.ndarray) -> np.ndarray:
        p = expit(X @ theta)
        return X.T @ (X * (p * (1 - p))[:, None]) + ridge * np.eye(2)

    start = np.array([math.log(prior / (1 - prior)), 0.0])
    fit = minimize(loss, start, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-9})
    return float(fit.x[0]), float(fit.x[1])


class Quant(Stopper):
    """Calibrated model scores summed over the unscreened records (QuantCI, 2 sd)."""

    name = "quant"
    title = "QuantCI (the model's calibrated scores of the unscreened records)"
    monotone = False
    n_sd = 2.0  # Yang, Lewis & Frieder (2021): QuantCI with two standard deviations

    def criterion(self, settings: StopSettings) -> str:
        return (
            f"recall estimated from the model's calibrated scores of the unscreened records, "
            f"minus {self.n_sd:g} standard deviations, reaches {settings.recall_target:.0%} "
            f"(QuantCI, Yang, Lewis & Frieder 2021)"
        )

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        labels = history.labels()
        if history.scores is None or labels.sum() == 0 or labels.sum() == len(labels):
            return StopStatus(self.name, False, None, None, None, "needs the model's scores")
        seen, unseen = history.scores
        a, b = _platt(np.asarray(seen, dtype=float), labels.astype(float))
        p_seen = expit(a + b * np.asarray(seen, dtype=float))
        p_unseen = expit(a + b * np.asarray(unseen, dtype=float))
        known, unknown = float(p_seen.sum()), float(p_unseen.sum())
        total = known + unknown
        if not total > 0:
            return StopStatus(self.name, False, None, None, None, "scores carry no estimate")
        estimate = known / total
        var_all = float((p_seen * (1 - p_seen)).sum() + (p_unseen * (1 - p_unseen)).sum())
        var_unknown = float((p_unseen * (1 - p_unseen)).sum())
        var = (estimate**2 * var_all + var_all - var_unknown) / total**2
        lower = estimate - self.n_sd * math.sqrt(max(var, 0.0))
        return StopStatus(
            self.name,
            lower >= settings.recall_target,
            estimate,
            max(0.0, lower),
            None,
            f"{unknown:.1f} relevant expected among {len(unseen)} unscreened records",
        )


# ------------------------------------------------------------------- heuristics
class Knee(Stopper):
    """Cormack & Grossman's (2016) knee method with their published constants."""

    name = "knee"
    title = "the knee method (a heuristic)"
    monotone = False
    min_screened = 150

    def criterion(self, settings: StopSettings) -> str:
        return (
            "the gain curve's slope before its knee is at least 156 - min(relevant, 150) "
            "times the slope after it, with 150 or more records screened (Cormack & "
            "Grossman 2016)"
        )

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        labels = history.labels()
        s, r = len(labels), int(labels.sum())
        if r == 0 or s < 2:
            return StopStatus(self.name, False, None, None, None, "no relevant record yet")
        found = np.cumsum(labels)
        i = np.arange(1, s)
        knee = int(i[np.argmax(s * found[:-1] - r * i)])  # farthest above the diagonal
        ratio = (found[knee - 1] / knee) / ((r - found[knee - 1] + 1) / (s - knee))
        need = 156 - min(r, 150)
        met = s >= self.min_screened and ratio >= need
        return StopStatus(
            self.name,
            met,
            None,
            None,
            None,
            f"knee at {knee}, slope ratio {ratio:.1f} (needs {need})",
        )


class Safe(Stopper):
    """The stopping heuristics of the SAFE procedure (Boetje & van de Schoot 2024)."""

    name = "safe"
    title = "the SAFE procedure's stopping heuristics"
    monotone = False
    min_fraction = 0.1
    run = 50

    def criterion(self, settings: StopSettings) -> str:
        return (
            "at least 10% of the records screened and 50 irrelevant in a row, then another "
            "50 irrelevant in a row (SAFE, Boetje & van de Schoot 2024)"
        )

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        labels = history.labels()
        first = math.ceil(self.min_fraction * history.n_total)
        run, end_a = 0, None
        for i, value in enumerate(labels, start=1):
            run = 0 if value else run + 1
            if end_a is None and i >= first and run >= self.run and labels[:i].sum():
                end_a, run = i, 0
            elif end_a is not None and run >= self.run:
                return StopStatus(self.name, True, None, None, None, f"phase A ended at {end_a}")
        basis = "phase A" if end_a is None else f"phase A ended at {end_a}; {run} in a row"
        return StopStatus(self.name, False, None, None, None, basis)


class ConsecutiveIrrelevant(Stopper):
    name = "consecutive_irrelevant"
    title = "irrelevant records in a row (a heuristic)"

    def criterion(self, settings: StopSettings) -> str:
        return f"{settings.consecutive_irrelevant} irrelevant records in a row"

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        run = _trailing_zeros(history.ranked + history.sample)
        met = history.n_relevant > 0 and run >= settings.consecutive_irrelevant
        to_go = max(0, settings.consecutive_irrelevant - run)
        return StopStatus(self.name, met, None, None, None, f"{run} irrelevant in a row", to_go)


class FractionScreened(Stopper):
    name = "fraction_screened"
    title = "a share of the records screened (a heuristic)"

    def criterion(self, settings: StopSettings) -> str:
        return f"{settings.fraction_screened:.0%} of the records screened"

    def status(self, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
        n = history.n_screened
        frac = n / history.n_total if history.n_total else 1.0
        to_go = max(0, math.ceil(settings.fraction_screened * history.n_total) - n)
        met = frac >= settings.fraction_screened
        return StopStatus(self.name, met, None, None, None, f"{frac:.1%} screened", to_go)


#: Stopping-rule name -> rule. Unknown names fail with the list of these.
STOPPERS: dict[str, Stopper] = {
    s.name: s
    for s in (
        BiasedUrn(),
        Buscar(),
        BuscarRanked(),
        PointProcess(),
        Quant(),
        Knee(),
        Safe(),
        ConsecutiveIrrelevant(),
        FractionScreened(),
    )
}


def get_stopper(name: str) -> Stopper:
    if name not in STOPPERS:
        options = ", ".join(sorted(STOPPERS))
        raise ConfigError(f"unknown stopping rule {name!r}. Available options: {options}")
    return STOPPERS[name]


def evaluate_stopper(name: str, history: ScreeningHistory, settings: StopSettings) -> StopStatus:
    return get_stopper(name).status(history, settings)


def records_to_go(
    name: str, history: ScreeningHistory, settings: StopSettings, status: StopStatus | None = None
) -> int | None:
    """Fewest further records, none relevant, before the rule could be met (0 if met).

    Rules that know it say so in their status; for the other monotone rules it is found
    by bisection over added irrelevant records. None for non-monotone rules.
    """
    stopper = get_stopper(name)
    status = status or stopper.status(history, settings)
    if status.met:
        return 0
    if status.records_to_go is not None:
        return status.records_to_go
    if not stopper.monotone or history.n_relevant == 0:
        return None
    left = history.n_total - history.n_screened
    if left <= 0 or not stopper.met(history.with_irrelevant(left), settings):
        return left
    lo, hi = 0, left
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if stopper.met(history.with_irrelevant(mid), settings):
            hi = mid
        else:
            lo = mid
    return hi


def phase_of(history: ScreeningHistory, settings: StopSettings) -> str:
    """``ranked``, ``sampling``, ``stopped`` (rule met) or ``complete`` (all screened)."""
    if history.n_screened >= history.n_total:
        return "complete"
    if evaluate_stopper(settings.rule, history, settings).met:
        return "stopped"
    return "sampling" if history.switched else "ranked"


def recall_words(
    *,
    certifies: bool,
    met: bool,
    estimate: float | None,
    bound: float | None,
    recall_target: float | None,
    confidence: float | None,
) -> str:
    """What a rule says about recall, in one sentence the progress table and report share.

    A test-based rule certifies "recall >= target" at the confidence, or not yet; that is
    said first, with its lower bound. A point estimate is shown only where the rule has an
    honest one (never the biased urn's window count, which reads 100 % when it is 0).
    """
    more = []
    sure = "the stated" if confidence is None else f"{confidence:.0%}"
    if estimate is not None:
        more.append(f"estimated recall {estimate:.1%}")
    if bound is not None:
        more.append(f"recall is at least {bound:.1%} with {sure} confidence")
    if certifies and recall_target is not None:
        head = f"Recall ≥ {recall_target:.0%} with {sure} confidence: {'met' if met else 'not yet'}"
        return head + (f" ({'; '.join(more)})." if more else ".")
    if more:
        text = "; ".join(more)
        return text[0].upper() + text[1:] + "."
    return "This rule gives no estimate of recall."


def to_go_words(records_to_go: int | None, left: int) -> str:
    """How many records remain before the rule could be met, if none more is relevant."""
    if records_to_go is None:
        return "The rule cannot say how many more records it needs."
    if records_to_go >= left:
        return (
            f"Even if none of the {left} records left is relevant, it could be met only by "
            f"screening all of them."
        )
    return (
        f"If none of the next records is relevant, it could be met after {records_to_go} "
        f"more of the {left} records left."
    )


@dataclass(frozen=True)
class CurrentStatus:
    """Where screening stands against the configured rule, for the stage and any app."""

    rule: str
    screened: int
    total: int
    relevant_found: int
    recall_estimate: float | None
    recall_lower_bound: float | None
    p_value: float | None
    criterion: str
    met: bool
    records_to_go: int | None
    phase: str
    basis: str
    recall_target: float
    confidence: float
    certifies: bool = False

    def sentence(self) -> str:
        """The status in plain words, as the progress table and the report print it:
        screened, relevant found, what the rule says about recall, the stop criterion
        and whether it is met, and the records to go if no more relevant ones turn up."""
        parts = [
            f"{self.screened} of {self.total} records screened, {self.relevant_found} relevant found.",
            recall_words(
                certifies=self.certifies,
                met=self.met,
                estimate=self.recall_estimate,
                bound=self.recall_lower_bound,
                recall_target=self.recall_target,
                confidence=self.confidence,
            ),
        ]
        if self.phase == "complete":
            parts.append(f"Stop criterion: {self.criterion}. Every record has been screened.")
        elif self.met:
            parts.append(f"Stop criterion: {self.criterion}: met, screening may stop.")
        else:
            parts.append(f"Stop criterion: {self.criterion}: not met yet.")
            parts.append(to_go_words(self.records_to_go, self.total - self.screened))
        return " ".join(parts)


def current_status(history: ScreeningHistory, settings: StopSettings) -> CurrentStatus:
    """The configured rule's verdict on a screening history, with everything a reviewer asks."""
    stopper = get_stopper(settings.rule)
    status = stopper.status(history, settings)
    complete = history.n_screened >= history.n_total
    if complete:
        phase = "complete"
    elif status.met:
        phase = "stopped"
    else:
        phase = "sampling" if history.switched else "ranked"
    return CurrentStatus(
        rule=settings.rule,
        screened=history.n_screened,
        total=history.n_total,
        relevant_found=history.n_relevant,
        recall_estimate=status.recall_estimate,
        recall_lower_bound=status.recall_lower_bound,
        p_value=status.p_value,
        criterion=stopper.criterion(settings),
        met=status.met or complete,
        records_to_go=0 if complete else records_to_go(settings.rule, history, settings, status),
        phase=phase,
        basis=status.basis,
        recall_target=settings.recall_target,
        confidence=settings.confidence,
        certifies=stopper.certifies,
    )
