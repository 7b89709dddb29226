"""The screening stage: decisions in, retrained ranking, next batch, stopping estimate out.

One rerun = one step of the active learning loop. The stage reads the deduplicated studies
and every decision file, maps decisions to studies, retrains the model, and writes the next
batch to screen. A study already decided is never asked again, also after a search update
adds new studies (decisions are keyed by record id and follow the record into its study).

Phases (see :mod:`reviewflow.screening.stopping`): ``ranked`` (batches in model order)
until the configured rule is met (``stopped``) or nothing is left (``complete``). Rules that
end with a random sample (``buscar``) switch to ``sampling`` when their trigger fires on the
decision history: batches are then drawn at random from the studies left at that point, in
a fixed seeded order so reruns agree. Every row of ``progress.csv`` and the audit record
say in plain words where screening stands (:func:`~reviewflow.screening.stopping.current_status`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.errors import DataError
from reviewflow.io import escape_frame, save_workbook, write_csv
from reviewflow.records import read_records, write_records
from reviewflow.screening.active_learning import next_order, score_pool
from reviewflow.screening.decisions import (
    MergedDecisions,
    cohen_kappa,
    merge_decisions,
    read_decision_file,
)
from reviewflow.screening.features import (
    author_texts,
    build_features,
    record_texts,
)
from reviewflow.screening.models import make_ranker
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.stopping import (
    CurrentStatus,
    ScreeningHistory,
    StopSettings,
    current_status,
    evaluate_stopper,
    get_stopper,
    switch_point,
)
from reviewflow.vocab import Decision, PrismaCount, Stage

__all__ = [
    "BATCH_COLUMNS",
    "SCREENING_COUNTS",
    "SCREENING_UPDATE_COUNTS",
    "run_screening_stage",
    "sample_key",
    "split_history",
]

log = logging.getLogger(__name__)

#: Columns of ``next_batch.csv/.xlsx``: what a screener needs, then the cells to fill in.
BATCH_COLUMNS = (
    "rank",
    "study_id",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "doi",
    "score",
    "phase",
    "decision",
    "note",
)
_RELEVANT = {Decision.INCLUDE.value, Decision.MAYBE.value}

#: The PRISMA boxes screen_records counts (and pass_studies_through_screening, switched off).
SCREENING_COUNTS = (
    PrismaCount.RECORDS_SCREENED,
    PrismaCount.RECORDS_EXCLUDED,
    PrismaCount.RECORDS_AWAITING,
)
#: ... and in an update, the same boxes for the studies first seen in this run.
SCREENING_UPDATE_COUNTS = (
    PrismaCount.NEW_RECORDS_SCREENED,
    PrismaCount.NEW_RECORDS_EXCLUDED,
    PrismaCount.NEW_RECORDS_AWAITING,
)


def sample_key(study_id: str, seed: int) -> str:
    """Fixed pseudo-random position of a study in the sampling phase (stable across reruns)."""
    return hashlib.sha256(f"{seed}:{study_id}".encode()).hexdigest()


def _read_clusters(path: str | os.PathLike[str], studies: pd.DataFrame) -> dict[str, str]:
    """record_id -> study_id, plus every study id mapping to itself."""
    study_of: dict[str, str] = {}
    try:
        clusters = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read clusters: {exc}", path=str(path)) from exc
    for column in ("record_id", "study_id"):
        if column not in clusters.columns:
            raise DataError(f"no {column!r} column", path=str(path), line=1, field=column)
    known = set(studies["study_id"])
    for line, (rid, sid) in enumerate(
        zip(clusters["record_id"], clusters["study_id"], strict=True), start=2
    ):
        if sid not in known:
            raise DataError(
                f"study {sid!r} is not in studies.csv", path=str(path), line=line, field="study_id"
            )
        study_of[rid] = sid
    for sid in known:
        study_of.setdefault(sid, sid)
    return study_of


def _read_studies(path: str | os.PathLike[str]) -> pd.DataFrame:
    studies = read_records(path)
    if "study_id" not in studies.columns:
        studies["study_id"] = studies["record_id"]
    dup = studies["study_id"].duplicated()
    if dup.any():
        line = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise DataError("duplicate study_id", path=str(path), line=line, field="study_id")
    return studies.reset_index(drop=True)


def split_history(
    ordered_labels: Sequence[tuple[str, int]],
    pool: Sequence[str],
    settings: StopSettings,
    seed: int,
) -> tuple[ScreeningHistory, int | None, list[str]]:
    """Replay the decision history: which decisions were ranked, which random draws.

    ``ordered_labels`` is (study_id, relevant 0/1) in the order decided. The switch point is
    where the heuristic trigger first fired; the urn is every pool study not decided by
    then, in :func:`sample_key` order; the sample is the longest decided prefix of the urn.
    Decisions on urn studies outside that prefix (screened off-sample) count as ranked.
    Returns the history, the switch point and the undecided urn in draw order.
    """
    n_total = len(pool)
    labels = [lab for _, lab in ordered_labels]
    if not get_stopper(settings.rule).needs_sample:
        return ScreeningHistory(n_total=n_total, ranked=labels), None, []
    switch = switch_point(labels, n_total, settings)
    if switch is None:
        return ScreeningHistory(n_total=n_total, ranked=labels), None, []
    before = {sid for sid, _ in ordered_labels[:switch]}
    decided = dict(ordered_labels)
    urn = sorted((s for s in pool if s not in before), key=lambda s: sample_key(s, seed))
    sample: list[int] = []
    for sid in urn:
        if sid not in decided:
            break
        sample.append(decided[sid])
    in_sample = set(urn[: len(sample)])
    ranked = labels[:switch] + [lab for sid, lab in ordered_labels[switch:] if sid not in in_sample]
    undecided = [s for s in urn if s not in decided]
    return ScreeningHistory(n_total, ranked, sample, switched=True), switch, undecided


def _progress_rows(
    ordered: list[tuple[str, int]],
    pool: list[str],
    settings: StopSettings,
    seed: int,
    batch_size: int,
) -> list[dict[str, Any]]:
    rows = []
    checkpoints = list(range(batch_size, len(ordered), batch_size)) + [len(ordered)]
    for batch, upto in enumerate(checkpoints, start=1):
        history, switch, _ = split_history(ordered[:upto], pool, settings, seed)
        status = current_status(history, settings)
        heur = {
            name: evaluate_stopper(name, history, settings).met
            for name in ("consecutive_irrelevant", "fraction_screened")
        }
        rows.append(
            {
                "batch": batch,
                "records_screened": upto,
                "records_total": len(pool),
                "included_so_far": history.n_relevant,
                "phase": status.phase,
                "switched_at": "" if switch is None else switch,
                "sample_screened": len(history.sample),
                "sample_included": int(sum(history.sample)),
                "estimated_recall": _fmt(status.recall_estimate),
                "recall_lower_bound": _fmt(status.recall_lower_bound),
                "p_value": _fmt(status.p_value),
                "stop_rule": settings.rule,
                "recall_target": settings.recall_target,
                "confidence": settings.confidence,
                "stop_criterion_met": status.met,
                "records_to_go": "" if status.records_to_go is None else status.records_to_go,
                "consecutive_irrelevant_met": heur["consecutive_irrelevant"],
                "fraction_screened_met": heur["fraction_screened"],
                "status": status.sentence(),
                "basis": status.basis,
            }
        )
    return rows


def _cross_validated_scores(
    name: str,
    params: Mapping[str, Any],
    seed: int,
    X: Any,
    labelled: np.ndarray,
    labels: np.ndarray,
    folds: int = 5,
) -> np.ndarray:
    """Scores of the screened records by models that did not see their labels (k-fold)."""
    out = np.zeros(len(labelled))
    fold = np.arange(len(labelled)) % folds
    for f in range(folds):
        train = fold != f
        if len(set(labels[train].tolist())) < 2:
            continue
        ranker = make_ranker(name, params, seed=seed).fit(X[labelled[train]], labels[train])
        out[~train] = ranker.score(X[labelled[~train]])
    return out


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _threshold_variants(settings: StopSettings) -> tuple[str, list[Any]]:
    """The rule's own threshold and the values beside the current one to show."""
    if settings.rule == "biased_urn":
        return "bias", sorted({max(1.0, settings.bias / 2), settings.bias, settings.bias * 2})
    if settings.rule == "consecutive_irrelevant":
        base = settings.consecutive_irrelevant
        return "consecutive_irrelevant", sorted({max(10, base // 2), base, base * 2})
    base = settings.switch_after_consecutive_irrelevant
    return "switch_after_consecutive_irrelevant", sorted({max(10, base // 2), base, base * 2})


def _threshold_rows(
    ordered: list[tuple[str, int]], pool: list[str], settings: StopSettings, seed: int
) -> list[dict[str, Any]]:
    """What moving each threshold would change, on the decisions made so far.

    One row per (the rule's own threshold, recall target, confidence): the phase the
    review would be in, whether the stop criterion would be met, the recall estimate and
    bound, and the fewest records still to screen before the rule could stop if none of
    them is relevant (each relevant one adds more).
    """
    targets = sorted({0.8, 0.9, 0.95, 0.99, settings.recall_target})
    confidences = sorted({0.9, 0.95, 0.99, settings.confidence})
    key, values = _threshold_variants(settings)
    current = getattr(settings, key)
    rows = []
    for value in values:
        for target in targets:
            for conf in confidences:
                s = replace(settings, recall_target=target, confidence=conf, **{key: value})
                if key == "bias":  # the biased urn's two biases move by the same factor
                    s = replace(s, bias_single=max(1.0, s.bias_single * value / settings.bias))
                history, switch, _ = split_history(ordered, pool, s, seed)
                status = current_status(history, s)
                rows.append(
                    {
                        "rule": s.rule,
                        key: value,
                        **({"bias_single": s.bias_single} if key == "bias" else {}),
                        "recall_target": target,
                        "confidence": conf,
                        "phase": status.phase,
                        "switched_at": "" if switch is None else switch,
                        "stop_criterion_met": status.met,
                        "p_value": _fmt(status.p_value),
                        "estimated_recall": _fmt(status.recall_estimate),
                        "recall_lower_bound": _fmt(status.recall_lower_bound),
                        "min_records_left_to_screen": (
                            "" if status.records_to_go is None else int(status.records_to_go)
                        ),
                        "is_current_config": (
                            value == current
                            and target == settings.recall_target
                            and conf == settings.confidence
                        ),
                    }
                )
    return rows


def _write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    write_csv(frame, path)


def _write_batch_xlsx(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """The batch as a workbook: text cells stay text, decision column offers the choices."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on one empty worksheet
    ws.title = "next batch"
    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in frame.itertuples(index=False):
        ws.append([None if (isinstance(v, str) and v == "") else v for v in values])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    widths = {"title": 60, "abstract": 100, "authors": 30, "journal": 30, "note": 30}
    for idx, name in enumerate(frame.columns, start=1):
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = widths.get(name, 12)
        if name in ("title", "abstract"):
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if "decision" in frame.columns and len(frame):
        letter = get_column_letter(list(frame.columns).index("decision") + 1)
        dv = DataValidation(type="list", formula1='"include,exclude,maybe"', allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{len(frame) + 1}")
    ws.freeze_panes = "C2"
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    save_workbook(wb, path)


@dataclass(frozen=True)
class _Decided:
    """The studies and the decisions made on them, in the order they were made."""

    studies: pd.DataFrame
    merged: MergedDecisions
    pool: list[str]
    position: dict[str, int]
    #: (study_id, relevant 0/1) in the order decided
    ordered: list[tuple[str, int]]


@dataclass(frozen=True)
class _Ranked:
    """The model's scores of every study, how they were made, and the undecided in order."""

    scores: np.ndarray
    basis: str
    order: np.ndarray
    X: Any
    labelled: np.ndarray
    labels: np.ndarray


def _read_decided(
    studies_path: str | os.PathLike[str],
    clusters_path: str | os.PathLike[str],
    decision_paths: Sequence[str],
    adjudicator: str,
) -> _Decided:
    studies = _read_studies(studies_path)
    study_of = _read_clusters(clusters_path, studies)
    rows = []
    for index, path in enumerate(decision_paths):
        rows += read_decision_file(path, study_of, file_index=index)
    merged = merge_decisions(rows, adjudicator=adjudicator)
    pool = studies["study_id"].tolist()
    ordered = [(sid, int(merged.final[sid] in _RELEVANT)) for sid in merged.order]
    return _Decided(studies, merged, pool, {sid: i for i, sid in enumerate(pool)}, ordered)


def _rank(decided: _Decided, settings: ScreeningSettings, audit: StageAudit) -> _Ranked:
    """Fit the model on the decisions so far and order the undecided studies."""
    features, model, seed = settings.features, settings.model, settings.seed
    texts = record_texts(
        decided.studies, title_repeat=features.title_repeat, use_keywords=features.use_keywords
    )
    X = build_features(texts, features, authors=author_texts(decided.studies))
    labelled = np.asarray([decided.position[s] for s, _ in decided.ordered], dtype=int)
    labels = np.asarray([lab for _, lab in decided.ordered], dtype=int)
    name, model_params = model.resolved()
    ranker = make_ranker(name, model_params, seed=seed)
    if decided.pool:
        scores, basis = score_pool(
            ranker, X, labelled, labels, seed=seed, pseudo_negatives=model.pseudo_negatives
        )
    else:
        scores, basis = np.zeros(0), "no studies"
    if basis == "model":
        audit.parameters["model_fitted"] = ranker.get_params()
    undecided = np.asarray(
        [i for i, s in enumerate(decided.pool) if s not in decided.merged.final], dtype=int
    )
    n_uncertain = max(0, model.uncertainty_queries - len(decided.ordered))
    order = next_order(scores, undecided, query=model.query, n_uncertain=n_uncertain)
    return _Ranked(scores, basis, order, X, labelled, labels)


def _stop_status(
    decided: _Decided, ranked: _Ranked, settings: ScreeningSettings
) -> tuple[CurrentStatus, int | None, list[str]]:
    """Where screening stands: the rule's status, the switch point and the undrawn urn."""
    stop, seed = settings.stop, settings.seed
    history, switch, urn_left = split_history(decided.ordered, decided.pool, stop, seed)
    if stop.rule == "quant" and ranked.basis == "model" and len(ranked.labelled):
        name, model_params = settings.model.resolved()
        unscreened = np.setdiff1d(np.arange(len(decided.pool)), ranked.labelled)
        history.scores = (
            _cross_validated_scores(
                name, model_params, seed, ranked.X, ranked.labelled, ranked.labels
            ),
            ranked.scores[unscreened],
        )
    return current_status(history, stop), switch, urn_left


def _new_study_ids(studies: pd.DataFrame, run_label: str) -> set[str]:
    """Studies first seen in this run (an update), none outside one."""
    if run_label and "first_seen" in studies.columns:
        return set(studies.loc[studies["first_seen"] == run_label, "study_id"])
    return set()


def _next_batch(
    decided: _Decided,
    ranked: _Ranked,
    phase: str,
    urn_left: list[str],
    batch_size: int,
    only: set[str] | None,
) -> list[int]:
    """Rows of the next batch: urn draws while sampling, model order while ranked; ``only``
    the studies an update screens (update.screen_only_new), None for every study."""
    if phase == "sampling":
        left = [s for s in urn_left if only is None or s in only]
        return [decided.position[s] for s in left[:batch_size]]
    if phase == "ranked":
        order = [i for i in ranked.order if only is None or decided.pool[int(i)] in only]
        return [int(i) for i in order[:batch_size]]
    return []


def _write_ranking(decided: _Decided, ranked: _Ranked, path: str | os.PathLike[str]) -> None:
    pool = decided.pool
    rank_of = {int(i): r for r, i in enumerate(ranked.order, start=1)}
    ranking = pd.DataFrame(
        {
            "study_id": pool,
            "title": decided.studies["title"],
            "year": decided.studies["year"],
            "score": np.round(ranked.scores, 6) if len(pool) else [],
            "rank": [rank_of.get(i, "") for i in range(len(pool))],
            "decision": [decided.merged.final.get(s, "") for s in pool],
        }
    )
    ranking["_r"] = [rank_of.get(i, 10**9) for i in range(len(pool))]
    ranking = ranking.sort_values(["_r", "study_id"], kind="stable").drop(columns="_r")
    ranking["score_basis"] = ranked.basis
    _write_csv(ranking, path)


def _batch_frame(
    studies: pd.DataFrame, scores: np.ndarray, batch_idx: list[int], phase: str
) -> pd.DataFrame:
    batch = studies.iloc[batch_idx] if batch_idx else studies.iloc[0:0]
    return pd.DataFrame(
        {
            "rank": range(1, len(batch) + 1),
            "study_id": batch["study_id"].tolist(),
            "title": batch["title"].tolist(),
            "abstract": batch["abstract"].tolist(),
            "authors": batch["authors"].tolist(),
            "year": batch["year"].tolist(),
            "journal": batch["journal"].tolist(),
            "doi": batch["doi"].tolist(),
            "score": [round(float(scores[i]), 6) for i in batch_idx],
            "phase": [phase] * len(batch),
            "decision": [""] * len(batch),
            "note": [""] * len(batch),
        },
        columns=list(BATCH_COLUMNS),
    )


def _write_conflicts(decided: _Decided, path: str | os.PathLike[str]) -> None:
    merged = decided.merged
    rows = [
        {
            "study_id": sid,
            "title": decided.studies["title"].iloc[decided.position[sid]],
            "decisions": "; ".join(f"{r}: {d}" for r, d in sorted(votes.items())),
            "status": "resolved" if sid in merged.resolved else "open",
            "final": merged.final[sid],
        }
        for sid, votes in {**merged.conflicts, **merged.resolved}.items()
    ]
    columns = ["study_id", "title", "decisions", "status", "final"]
    _write_csv(pd.DataFrame(rows, columns=columns), path)
    if merged.conflicts:
        log.info("%d conflicts between reviewers: see %s", len(merged.conflicts), path)


def _write_included(decided: _Decided, path: str | os.PathLike[str]) -> None:
    merged = decided.merged
    included_ids = [s for s in decided.pool if merged.final.get(s) in _RELEVANT]
    included = decided.studies.iloc[[decided.position[s] for s in included_ids]].copy()
    included["screening_decision"] = [merged.final[s] for s in included_ids]
    included["screening_note"] = [merged.notes.get(s, "") for s in included_ids]
    write_records(included, path)


def _count(
    audit: StageAudit, decided: _Decided, new_ids: set[str], run_label: str, next_batch: int
) -> None:
    """The audit counts: the PRISMA screening boxes, and in an update those of new studies."""
    merged, pool = decided.merged, decided.pool
    finals = list(merged.final.values())
    n_excluded = finals.count(Decision.EXCLUDE.value)
    audit.counts.update(
        {
            "studies_in": len(pool),
            PrismaCount.RECORDS_SCREENED: len(finals),
            "included": finals.count(Decision.INCLUDE.value),
            PrismaCount.RECORDS_EXCLUDED: n_excluded,
            "maybe": finals.count(Decision.MAYBE.value),
            PrismaCount.RECORDS_AWAITING: len(pool) - len(finals),
            "conflicts": len(merged.conflicts),
            "next_batch": next_batch,
        }
    )
    if n_excluded:
        audit.add_reason("excluded at title/abstract", n_excluded)
    if run_label:
        new_finals = [d for sid, d in merged.final.items() if sid in new_ids]
        audit.counts.update(
            {
                "new_studies": len(new_ids),
                PrismaCount.NEW_RECORDS_SCREENED: len(new_finals),
                "new_included": new_finals.count(Decision.INCLUDE.value),
                PrismaCount.NEW_RECORDS_EXCLUDED: new_finals.count(Decision.EXCLUDE.value),
                PrismaCount.NEW_RECORDS_AWAITING: len(new_ids) - len(new_finals),
            }
        )


def _log_agreement(merged: MergedDecisions) -> dict[str, Any]:
    kappa = cohen_kappa(merged)
    for pair, value in kappa.items():
        if not pair.startswith("n_"):
            log.info("Cohen's kappa %s: %s (%s studies)", pair, value, kappa[f"n_{pair}"])
    return kappa


def run_screening_stage(
    *,
    studies_path: str | os.PathLike[str],
    clusters_path: str | os.PathLike[str],
    decision_paths: Sequence[str],
    settings: ScreeningSettings,
    run_label: str,
    screen_only_new: bool,
    out_ranking: str | os.PathLike[str],
    out_next_batch_csv: str | os.PathLike[str],
    out_next_batch_xlsx: str | os.PathLike[str],
    out_progress: str | os.PathLike[str],
    out_thresholds: str | os.PathLike[str],
    out_conflicts: str | os.PathLike[str],
    out_included: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> dict[str, Any]:
    """Run one screening step. ``run_label`` marks the studies first seen in this run (an
    update; "" otherwise), and ``screen_only_new`` puts only those in the next batch."""
    stop = settings.stop
    get_stopper(stop.rule)  # an unknown rule fails before any work
    outputs = [
        out_ranking,
        out_next_batch_csv,
        out_next_batch_xlsx,
        out_progress,
        out_thresholds,
        out_conflicts,
        out_included,
    ]
    with StageAudit(
        audit_path,
        stage=Stage.SCREENING.value,
        rule="screen_records",
        inputs=[studies_path, clusters_path, *decision_paths],
        outputs=outputs,
        parameters=settings.parameters(run_label=run_label, screen_only_new=screen_only_new),
        declares=SCREENING_COUNTS + (SCREENING_UPDATE_COUNTS if run_label else ()),
    ) as audit:
        decided = _read_decided(studies_path, clusters_path, decision_paths, settings.adjudicator)
        ranked = _rank(decided, settings, audit)
        status, switch, urn_left = _stop_status(decided, ranked, settings)
        # An update screens only studies first seen in this run (update.screen_only_new):
        # what an earlier run left unscreened after its stopping rule is not asked again.
        new_ids = _new_study_ids(decided.studies, run_label)
        only_new = bool(run_label) and screen_only_new
        batch_idx = _next_batch(
            decided,
            ranked,
            status.phase,
            urn_left,
            settings.batch_size,
            new_ids if only_new else None,
        )

        _write_ranking(decided, ranked, out_ranking)
        batch_frame = _batch_frame(decided.studies, ranked.scores, batch_idx, status.phase)
        _write_csv(_csv_safe(batch_frame), out_next_batch_csv)
        _write_batch_xlsx(batch_frame, out_next_batch_xlsx)
        ordered, pool, seed = decided.ordered, decided.pool, settings.seed
        progress = _progress_rows(ordered, pool, stop, seed, settings.batch_size) if ordered else []
        _write_csv(pd.DataFrame(progress, columns=_PROGRESS_COLUMNS), out_progress)
        _write_csv(pd.DataFrame(_threshold_rows(ordered, pool, stop, seed)), out_thresholds)
        _write_conflicts(decided, out_conflicts)
        kappa = _log_agreement(decided.merged)
        _write_included(decided, out_included)

        _count(audit, decided, new_ids, run_label, len(batch_idx))
        if run_label:
            audit.details["screen_only_new"] = only_new
        audit.details.update(
            kappa=kappa,
            phase=status.phase,
            switched_at=switch,
            score_basis=ranked.basis,
            stop_rule=stop.rule,
            stop_criterion=status.criterion,
            stop_criterion_met=status.met,
            estimated_recall=status.recall_estimate,
            recall_lower_bound=status.recall_lower_bound,
            p_value=status.p_value,
            records_to_go=status.records_to_go,
            stop_status=status.sentence() if ordered else "No study screened yet.",
        )
        log.info(
            "%d studies, phase %s, next batch %d. %s",
            len(pool),
            status.phase,
            len(batch_idx),
            status.sentence(),
        )
    return audit.record or {}


_PROGRESS_COLUMNS = [
    "batch",
    "records_screened",
    "records_total",
    "included_so_far",
    "phase",
    "switched_at",
    "sample_screened",
    "sample_included",
    "estimated_recall",
    "recall_lower_bound",
    "p_value",
    "stop_rule",
    "recall_target",
    "confidence",
    "stop_criterion_met",
    "records_to_go",
    "consecutive_irrelevant_met",
    "fraction_screened_met",
    "status",
    "basis",
]


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text a spreadsheet would run as a formula (``= + - @``) gets a leading apostrophe."""
    return escape_frame(frame)
