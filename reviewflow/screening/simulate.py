"""Simulated screening on labelled data: the order a screener would see, and when to stop.

``reviewflow simulate`` reads a CSV of real screened records (``title``, ``abstract``,
``label_included``), starts from one random relevant and one random irrelevant record
(seeded), and reveals labels in the order the active learning loop asks for them. The order
is scored with the shared metric script (WSS@95, ATD, ...); the stopping report replays
each stopping rule on the same run, including the random-sampling phase of the
hypergeometric rule, and says which recall each rule achieved.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reviewflow.errors import DataError
from reviewflow.io import atomic_open
from reviewflow.screening.active_learning import ModelSettings, simulate_order
from reviewflow.screening.features import (
    FeatureSettings,
    author_texts,
    build_features,
    record_texts,
)
from reviewflow.screening.models import make_ranker
from reviewflow.screening.stopping import (
    STOPPERS,
    ScreeningHistory,
    StopSettings,
    buscar_p_values,
    get_stopper,
    switch_point,
)

__all__ = [
    "SimulationResult",
    "read_labelled",
    "run_simulation",
    "first_stop",
    "replay_rule",
    "stopping_report",
    "write_order",
    "write_stop_order",
]

log = logging.getLogger(__name__)
DEFAULT_PRESET = "reviewflow-default"


@dataclass
class SimulationResult:
    order: np.ndarray
    labels: np.ndarray
    priors: list[int]
    fits: int
    seconds: float
    #: (records screened, scores of every row) at each retraining, when kept
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)


def read_labelled(
    path: str | os.PathLike[str], label_column: str = "label_included"
) -> pd.DataFrame:
    """Read a labelled screening CSV; errors name the file, line and field."""
    try:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except UnicodeDecodeError:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="latin-1")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read labelled data: {exc}", path=str(path)) from exc
    for column in ("title", label_column):
        if column not in frame.columns:
            raise DataError(
                f"no {column!r} column (columns: {', '.join(frame.columns)})",
                path=str(path),
                line=1,
                field=column,
            )
    if "abstract" not in frame.columns:
        frame["abstract"] = ""
    labels = frame[label_column].str.strip().replace({"1.0": "1", "0.0": "0"})
    bad = ~labels.isin(["0", "1"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"must be 0 or 1, got {frame[label_column].iloc[row]!r}",
            path=str(path),
            line=row + 2,
            field=label_column,
        )
    frame["_label"] = labels.astype(int)
    if frame["_label"].sum() == 0:
        raise DataError(
            "no included record (label 1): a simulation needs at least one to start from",
            path=str(path),
            field=label_column,
        )
    if (frame["_label"] == 0).sum() == 0:
        raise DataError(
            "no excluded record (label 0): nothing to rank against",
            path=str(path),
            field=label_column,
        )
    return frame


def run_simulation(
    frame: pd.DataFrame,
    *,
    seed: int = 42,
    model: Mapping[str, Any] | None = None,
    features: Mapping[str, Any] | None = None,
    on_fit: Callable[[int, np.ndarray], None] | None = None,
    keep_scores: bool = False,
) -> SimulationResult:
    """Screen every record of a labelled frame in active learning order.

    ``keep_scores`` keeps the model's scores at every retraining (float32), which the
    score-based stopping rules need when they are replayed.
    """
    started = time.perf_counter()
    y = frame["_label"].to_numpy(dtype=int)
    rng = np.random.default_rng(seed)
    priors = [int(rng.choice(np.flatnonzero(y == 1))), int(rng.choice(np.flatnonzero(y == 0)))]
    fsettings = FeatureSettings.from_raw(features or {}, source="screening.features")
    texts = record_texts(
        frame, title_repeat=fsettings.title_repeat, use_keywords=fsettings.use_keywords
    )
    X = build_features(texts, fsettings, authors=author_texts(frame))
    loop = ModelSettings.from_raw(model or {}, source="screening.model")
    name, params = loop.resolved()
    ranker = make_ranker(name, params, seed=seed)
    snapshots: list[tuple[int, np.ndarray]] = []

    def record(n_screened: int, scores: np.ndarray) -> None:
        if keep_scores:
            snapshots.append((n_screened, scores.astype(np.float32)))
        if on_fit is not None:
            on_fit(n_screened, scores)

    order, fits = simulate_order(X, y, priors, ranker, loop, on_fit=record)
    return SimulationResult(order, y, priors, fits, time.perf_counter() - started, snapshots)


def write_order(result: SimulationResult, path: str | os.PathLike[str]) -> None:
    """``row`` (0-based data row), ``label_included`` and ``prior`` in screening order."""
    out = pd.DataFrame(
        {
            "row": result.order,
            "label_included": result.labels[result.order],
            "prior": [1 if i < len(result.priors) else 0 for i in range(len(result.order))],
        }
    )
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        out.to_csv(handle, index=False, lineterminator="\n")


def _prefix_history(y_order: np.ndarray, n: int, snapshots: _Snapshots | None) -> ScreeningHistory:
    history = ScreeningHistory(n_total=len(y_order), ranked=y_order[:n].tolist())
    if snapshots is not None:
        history.scores = snapshots.at(n)
    return history


class _Snapshots:
    """The model's scores at each retraining, to replay score-based rules.

    A screened record's score is the one it had when the model offered it (out of sample:
    the model had not seen its label); unscreened records carry the latest scores.
    """

    def __init__(self, order: np.ndarray, fits: list[tuple[int, np.ndarray]]) -> None:
        self.order = order
        self.n = np.asarray([n for n, _ in fits], dtype=int)
        self.scores = [s for _, s in fits]
        self.offered = np.full(len(order), np.nan)
        for j, start in enumerate(self.n):
            end = self.n[j + 1] if j + 1 < len(self.n) else len(order)
            rows = order[start:end]
            self.offered[start:end] = self.scores[j][rows]

    def at(self, n_screened: int) -> tuple[np.ndarray, np.ndarray] | None:
        j = int(np.searchsorted(self.n, n_screened, side="right")) - 1
        if j < 0:
            return None
        seen = self.offered[:n_screened]
        if np.isnan(seen).any():  # the priors were never offered by a model
            seen = np.where(
                np.isnan(seen), np.nanmean(seen) if (~np.isnan(seen)).any() else 0, seen
            )
        return seen, self.scores[j][self.order[n_screened:]]


def first_stop(
    rule: str,
    y_order: np.ndarray,
    settings: StopSettings,
    snapshots: _Snapshots | None = None,
    checks: int = 250,
) -> int:
    """Records screened in model order when a ranked-phase rule is first met (all if never).

    The rule is checked every ``N / checks`` records (every record on small pools); once
    met, the last step is searched for the first record at which it was met: by bisection
    for monotone rules, record by record for the others.
    """
    stopper = get_stopper(rule)
    n_total = len(y_order)
    step = max(1, n_total // checks)

    def met(n: int) -> bool:
        return stopper.met(_prefix_history(y_order, n, snapshots), settings)

    prev = 0
    for n in range(min(step, n_total), n_total + step, step):
        n = min(n, n_total)
        if met(n):
            if stopper.monotone:
                lo, hi = prev, n
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if met(mid):
                        hi = mid
                    else:
                        lo = mid
                return hi
            return next((m for m in range(prev + 1, n) if met(m)), n)
        prev = n
        if n == n_total:
            break
    return n_total


def sample_order(remaining: np.ndarray, seed: int) -> np.ndarray:
    """The random order in which records left at the switch are drawn (seeded)."""
    urn = np.asarray(remaining).copy()
    np.random.default_rng(seed + 7919).shuffle(urn)
    return urn


def replay_rule(
    rule: str,
    result: SimulationResult,
    settings: StopSettings,
    seed: int,
    snapshots: _Snapshots | None = None,
) -> tuple[np.ndarray, int | None]:
    """Rows a reviewer screens, in order, until ``rule`` says stop; and the switch point.

    Ranked-phase rules screen a prefix of the model's order. ``buscar`` screens in model
    order until its switch, then draws the records left at random until its test rejects
    "recall < target".
    """
    y_order = result.labels[result.order]
    n_total = len(y_order)
    if not get_stopper(rule).needs_sample:
        stop = first_stop(rule, y_order, settings, snapshots)
        return result.order[:stop], None
    switch = switch_point(y_order.tolist(), n_total, settings)
    if switch is None:
        return result.order, None
    r_al = int(y_order[:switch].sum())
    urn = sample_order(result.order[switch:], seed)
    p = buscar_p_values(len(urn), result.labels[urn], r_al, settings.recall_target)
    hit = np.flatnonzero(p < settings.alpha)
    drawn = int(hit[0]) + 1 if len(hit) else len(urn)
    return np.concatenate([result.order[:switch], urn[:drawn]]), switch


def stopping_report(
    result: SimulationResult,
    settings: StopSettings | None = None,
    seed: int = 42,
    rules: list[str] | None = None,
) -> list[dict[str, Any]]:
    """For each stopping rule: records screened when it fires and the recall reached."""
    settings = settings or StopSettings.defaults()
    snapshots = _Snapshots(result.order, result.snapshots) if result.snapshots else None
    n, total = len(result.order), int(result.labels.sum())
    report = []
    for rule in rules or list(STOPPERS):
        rows, switch = replay_rule(rule, result, settings, seed, snapshots)
        found = int(result.labels[rows].sum())
        recall = found / total
        report.append(
            {
                "rule": rule,
                "default": rule == settings.rule,
                "recall_target": settings.recall_target,
                "confidence": settings.confidence,
                "records": n,
                "relevant": total,
                "records_screened": len(rows),
                "fraction_screened": round(len(rows) / n, 4),
                "relevant_found": found,
                "recall": round(recall, 4),
                "target_reached": bool(recall >= settings.recall_target - 1e-9),
                "switched_to_sampling_at": "" if switch is None else switch,
                "work_saved": round(1 - len(rows) / n, 4),
            }
        )
    return report


def write_stop_order(
    result: SimulationResult,
    path: str | os.PathLike[str],
    settings: StopSettings,
    seed: int,
) -> np.ndarray:
    """Every row the configured rule has a reviewer screen, in screening order."""
    snapshots = _Snapshots(result.order, result.snapshots) if result.snapshots else None
    rows, switch = replay_rule(settings.rule, result, settings, seed, snapshots)
    phase = ["ranked" if switch is None or i < switch else "sampling" for i in range(len(rows))]
    out = pd.DataFrame(
        {
            "row": rows,
            "label_included": result.labels[rows],
            "prior": [1 if i < len(result.priors) else 0 for i in range(len(rows))],
            "phase": phase,
        }
    )
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        out.to_csv(handle, index=False, lineterminator="\n")
    return rows


def needed_for(target: float, relevant: int) -> int:
    return int(math.ceil(target * relevant - 1e-9))
