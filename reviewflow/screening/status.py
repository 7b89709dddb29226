"""Where screening stands, as the stage writes it, in one call for callers outside the stage.

The screening app shows the numbers of ``progress.csv`` (screened, relevant so far, recall
estimate and bound, whether the stop criterion is met) and of ``thresholds.csv`` (the fewest
records left before the rule could stop) while a reviewer screens. They must be the
pipeline's numbers, not a second implementation, so this module asks the stage's own
functions for one progress row, taken at the decisions made so far. It is the one place
outside :mod:`reviewflow.screening.stage` that knows which functions those are: a new
stopping module changes this file, not its callers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewflow.screening.decisions import MergedDecisions

__all__ = ["ScreeningStatus", "screening_status"]


@dataclass(frozen=True)
class ScreeningStatus:
    """The stage's verdict on the decisions so far.

    ``progress`` is the row ``progress.csv`` ends with for these decisions (its column names
    as keys, less the batch number); ``records_left`` the ``min_records_left_to_screen`` of the current settings in
    ``thresholds.csv``; ``phase`` is ``ranked``, ``sampling``, ``stopped`` or ``complete``;
    ``sample_order`` the studies still undrawn from the random-sampling urn, in draw order
    (empty outside the sampling phase): the stage's next batch in that phase.
    """

    phase: str
    stop_rule: str
    stop_met: bool
    screened: int
    total: int
    relevant: int
    estimated_recall: float | None
    recall_lower_bound: float | None
    p_value: float | None
    basis: str
    records_left: int
    progress: dict[str, Any] = field(default_factory=dict)
    sample_order: tuple[str, ...] = ()


def _number(value: Any) -> float | None:
    return None if value in ("", None) else float(value)


def screening_status(
    merged: MergedDecisions, pool: Sequence[str], params: Mapping[str, Any]
) -> ScreeningStatus:
    """The stage's progress row and stop verdict for ``merged`` over the study ids ``pool``.

    ``params`` is the ``screening`` block as the stage's audit records it
    (:meth:`~reviewflow.screening.settings.ScreeningSettings.parameters`: every default
    filled in), so nothing here writes a default of its own.
    """
    from reviewflow.screening import stage
    from reviewflow.screening.stopping import StopSettings

    settings = StopSettings.from_config(params["stopping"], where="screening.stopping")
    seed = int(params["seed"])
    pool = list(pool)
    known = set(pool)
    ordered = [
        (sid, int(merged.final[sid] in stage._RELEVANT)) for sid in merged.order if sid in known
    ]
    rows = stage._progress_rows(ordered, pool, settings, seed, max(1, len(ordered)))
    row = rows[-1]
    current = [
        r for r in stage._threshold_rows(ordered, pool, settings, seed) if r["is_current_config"]
    ]
    _, _, urn_left = stage.split_history(ordered, pool, settings, seed)
    phase = str(row["phase"])
    return ScreeningStatus(
        phase=phase,
        stop_rule=settings.rule,
        stop_met=bool(row["stop_criterion_met"]),
        screened=int(row["records_screened"]),
        total=int(row["records_total"]),
        relevant=int(row["included_so_far"]),
        estimated_recall=_number(row["estimated_recall"]),
        recall_lower_bound=_number(row["recall_lower_bound"]),
        p_value=_number(row["p_value"]),
        basis=str(row["basis"]),
        records_left=int(current[0]["min_records_left_to_screen"]) if current else len(pool),
        progress={k: v for k, v in row.items() if k != "batch"},
        sample_order=tuple(urn_left) if phase == "sampling" else (),
    )
