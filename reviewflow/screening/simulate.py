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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reviewflow.errors import DataError
from reviewflow.io import atomic_open
from reviewflow.screening.active_learning import LoopSettings, simulate_order
from reviewflow.screening.features import (
    FeatureSettings,
    author_texts,
    build_features,
    record_texts,
)
from reviewflow.screening.models import PRESETS, make_ranker
from reviewflow.screening.stopping import (
    ScreeningHistory,
    StopSettings,
    buscar_p_values,
    evaluate_stopper,
    switch_point,
)

__all__ = [
    "SimulationResult",
    "read_labelled",
    "run_simulation",
    "stopping_report",
    "write_order",
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


def resolve_model(
    params: Mapping[str, Any] | None,
) -> tuple[str, dict[str, Any], LoopSettings]:
    """``screening.model`` config -> (ranker name, its params, loop settings).

    A preset supplies all three; keys set in config override the preset's.
    """
    params = dict(params or {})
    name = params.get("name") or params.get("preset") or DEFAULT_PRESET
    overrides = dict(params.get("params") or {})
    loop = {k: v for k, v in params.items() if k not in ("name", "preset", "params")}
    if name in PRESETS:
        preset = PRESETS[name]
        return (
            preset["name"],
            {**preset["params"], **overrides},
            LoopSettings.from_config({**preset.get("loop", {}), **loop}),
        )
    return name, overrides, LoopSettings.from_config(loop)


def run_simulation(
    frame: pd.DataFrame,
    *,
    seed: int = 42,
    model: Mapping[str, Any] | None = None,
    features: Mapping[str, Any] | None = None,
) -> SimulationResult:
    """Screen every record of a labelled frame in active learning order."""
    started = time.perf_counter()
    y = frame["_label"].to_numpy(dtype=int)
    rng = np.random.default_rng(seed)
    priors = [int(rng.choice(np.flatnonzero(y == 1))), int(rng.choice(np.flatnonzero(y == 0)))]
    fsettings = FeatureSettings.from_config(features)
    texts = record_texts(
        frame, title_repeat=fsettings.title_repeat, use_keywords=fsettings.use_keywords
    )
    X = build_features(texts, fsettings, authors=author_texts(frame))
    name, params, loop = resolve_model(model)
    ranker = make_ranker(name, params, seed=seed)
    order, fits = simulate_order(X, y, priors, ranker, loop)
    return SimulationResult(order, y, priors, fits, time.perf_counter() - started)


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


def _buscar_run(
    ranked_labels: np.ndarray, n_total: int, settings: StopSettings, seed: int
) -> tuple[int, int, int | None]:
    """(records screened, relevant found, switch point) under the two-phase buscar rule."""
    switch = switch_point(ranked_labels.tolist(), n_total, settings)
    if switch is None:
        return n_total, int(ranked_labels.sum()), None
    r_al = int(ranked_labels[:switch].sum())
    urn = ranked_labels[switch:].copy()
    np.random.default_rng(seed + 7919).shuffle(urn)
    n_urn = len(urn)
    p = buscar_p_values(n_urn, urn, r_al, settings.recall_target)
    hit = np.flatnonzero(p < settings.alpha)
    drawn = int(hit[0]) + 1 if len(hit) else n_urn
    return switch + drawn, r_al + int(urn[:drawn].sum()), switch


def stopping_report(
    result: SimulationResult, settings: StopSettings | None = None, seed: int = 42
) -> list[dict[str, Any]]:
    """For each stopping rule: records screened when it fires and the recall reached."""
    settings = settings or StopSettings()
    y_order = result.labels[result.order]
    n, total = len(y_order), int(y_order.sum())
    rows = []
    screened, found, switch = _buscar_run(y_order, n, settings, seed)
    rows.append(("buscar", screened, found, switch))
    for rule in ("buscar_ranked", "consecutive_irrelevant", "fraction_screened"):
        stop_at = n
        step = 1 if rule != "buscar_ranked" else max(1, n // 200)
        for i in range(1, n + 1):
            if rule == "buscar_ranked" and i % step and i != n:
                continue
            history = ScreeningHistory(n_total=n, ranked=y_order[:i].tolist())
            if evaluate_stopper(rule, history, settings).met:
                stop_at = i
                break
        rows.append((rule, stop_at, int(y_order[:stop_at].sum()), None))
    report = []
    for rule, screened, found, switch in rows:
        recall = found / total
        report.append(
            {
                "rule": rule,
                "recall_target": settings.recall_target,
                "confidence": settings.confidence,
                "records": n,
                "relevant": total,
                "records_screened": screened,
                "fraction_screened": round(screened / n, 4),
                "relevant_found": found,
                "recall": round(recall, 4),
                "target_reached": bool(recall >= settings.recall_target - 1e-9),
                "switched_to_sampling_at": "" if switch is None else switch,
                "work_saved": round(1 - screened / n, 4),
            }
        )
    return report


def needed_for(target: float, relevant: int) -> int:
    return int(math.ceil(target * relevant - 1e-9))
