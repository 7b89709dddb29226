"""The model learning as the reviewer screens: the stage's ranker, refitted in the background.

A separate process (``spawn``) builds the stage's text features once and then, for every
new state of the decisions, refits the stage's ranker, orders the studies nobody has decided
the way the stage orders its next batch, and asks
:func:`reviewflow.screening.status.screening_status` where screening stands. The web
process never imports the model libraries and never waits for a fit: it keeps serving the
previous ranking's next pick until the new one arrives. Only the latest state is fitted;
states that arrive while a fit runs are skipped over.

Until the first refit is back, the ranking is the one the pipeline last wrote
(``results/screening/next_batch.csv`` then ``ranking.csv``), and its progress numbers are
shown only when the decision files are byte for byte those that run read.
"""

from __future__ import annotations

import csv
import json
import logging
import multiprocessing as mp
import os
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from reviewflow.io import sha256_file
from reviewflow.screening.decisions import MergedDecisions
from reviewflow.screening.status import ScreeningStatus

__all__ = ["Ranking", "RankingRefresher", "pipeline_ranking"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ranking:
    """One ranking of the studies and the stop status that goes with it.

    ``order``: the studies nobody had decided, in the order the stage would hand them out
    (model order when ranked, draw order when sampling, model order past a met stop);
    ``version``: the state of the decisions it was computed on (-1: the pipeline's last
    run); ``status`` is None when no trustworthy status is known yet.
    """

    version: int
    order: tuple[str, ...]
    scores: Mapping[str, float] = field(default_factory=dict)
    basis: str = ""
    status: ScreeningStatus | None = None
    seconds: float = 0.0
    source: str = "model"


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _status_from_pipeline(progress: Path, thresholds: Path) -> ScreeningStatus | None:
    rows = _read_csv(progress)
    if not rows:
        return None
    row = rows[-1]
    current = [r for r in _read_csv(thresholds) if r.get("is_current_config") == "True"]

    def number(value: str) -> float | None:
        return float(value) if value not in ("", None) else None

    return ScreeningStatus(
        phase=row["phase"],
        stop_rule=row["stop_rule"],
        stop_met=row["stop_criterion_met"] == "True",
        screened=int(row["records_screened"]),
        total=int(row["records_total"]),
        relevant=int(row["included_so_far"]),
        estimated_recall=number(row["estimated_recall"]),
        recall_lower_bound=number(row["recall_lower_bound"]),
        p_value=number(row["p_value"]),
        basis=row["basis"],
        records_left=int(current[0]["min_records_left_to_screen"]) if current else 0,
        progress=dict(row),
    )


def pipeline_ranking(
    root: Path, studies: Path, decision_files: Sequence[Path], results: Path
) -> Ranking | None:
    """The ranking (and, if still current, the status) of the pipeline's last run."""
    ranking_rows = _read_csv(results / "ranking.csv")
    if not ranking_rows:
        return None
    batch = [r["study_id"] for r in _read_csv(results / "next_batch.csv")]
    ranked = sorted((r for r in ranking_rows if r.get("rank")), key=lambda r: int(float(r["rank"])))
    order = list(dict.fromkeys(batch + [r["study_id"] for r in ranked]))
    scores = {r["study_id"]: float(r["score"]) for r in ranking_rows if r.get("score")}
    basis = ranking_rows[0].get("score_basis", "")
    status = None
    audit_path = results / "screen_records.audit.json"
    if audit_path.is_file():
        audit = json.loads(audit_path.read_text(encoding="utf-8"))
        recorded = {i["path"]: i.get("sha256") for i in audit.get("inputs", [])}
        current = {}
        for path in [studies, *decision_files]:
            try:
                rel = path.relative_to(root).as_posix()
            except ValueError:
                rel = str(path)
            current[rel] = sha256_file(path) if path.is_file() else None
        expected = {k: v for k, v in recorded.items() if not k.endswith("clusters.csv")}
        if current == expected:
            status = _status_from_pipeline(results / "progress.csv", results / "thresholds.csv")
    return Ranking(
        version=-1,
        order=tuple(order),
        scores=scores,
        basis=basis,
        status=status,
        source="pipeline",
    )


# --- the background process -----------------------------------------------------------


def _exit_with_parent(parent: int) -> None:
    """End this process when the app that started it is gone, however it ended."""
    import os

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _worker(conn: Connection, studies_path: str, params: dict[str, Any], parent: int) -> None:
    """Child process: features once, then one refit per job until told to stop."""
    import os

    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    os.nice(5)  # the web process answers clicks first; a refit may wait
    try:
        import numpy as np

        from reviewflow.records import read_records
        from reviewflow.screening.active_learning import ModelSettings, next_order, score_pool
        from reviewflow.screening.features import (
            FeatureSettings,
            author_texts,
            build_features,
            record_texts,
        )
        from reviewflow.screening.models import make_ranker
        from reviewflow.screening.status import screening_status
        from reviewflow.vocab import Decision

        started = time.perf_counter()
        studies = read_records(studies_path)
        if "study_id" not in studies.columns:
            studies["study_id"] = studies["record_id"]
        studies = studies.reset_index(drop=True)
        pool = studies["study_id"].tolist()
        position = {sid: i for i, sid in enumerate(pool)}
        fsettings = FeatureSettings.from_config(params["features"])
        texts = record_texts(
            studies, title_repeat=fsettings.title_repeat, use_keywords=fsettings.use_keywords
        )
        X = build_features(texts, fsettings, authors=author_texts(studies))
        seed = int(params["seed"])
        loop = ModelSettings.from_config(params["model"])
        name, model_params = loop.resolved()
        run_label = str(params["run_label"])
        new_ids: set[str] = set()
        if run_label and "first_seen" in studies.columns:
            new_ids = set(studies.loc[studies["first_seen"] == run_label, "study_id"])
        only_new = bool(run_label) and bool(params["screen_only_new"])
        conn.send({"ready": time.perf_counter() - started})
    except Exception:  # report and stop: the app keeps the pipeline's ranking
        conn.send({"error": traceback.format_exc()})
        return

    while True:
        job = conn.recv()
        if job is None:
            return
        try:
            t0 = time.perf_counter()
            version: int = job["version"]
            merged: MergedDecisions = job["merged"]
            relevant = {Decision.INCLUDE.value, Decision.MAYBE.value}  # as the stage counts
            ordered = [(s, int(merged.final[s] in relevant)) for s in merged.order if s in position]
            labelled = np.asarray([position[s] for s, _ in ordered], dtype=int)
            labels = np.asarray([lab for _, lab in ordered], dtype=int)
            ranker = make_ranker(name, model_params, seed=seed)
            if pool:
                scores, basis = score_pool(
                    ranker, X, labelled, labels, seed=seed, pseudo_negatives=loop.pseudo_negatives
                )
            else:
                scores, basis = np.zeros(0), "no studies"
            undecided = np.asarray(
                [i for i, s in enumerate(pool) if s not in merged.final], dtype=int
            )
            n_uncertain = max(0, loop.uncertainty_queries - len(ordered))
            model_order = [
                pool[int(i)]
                for i in next_order(scores, undecided, query=loop.query, n_uncertain=n_uncertain)
            ]
            status = screening_status(merged, pool, params)
            # the stage's next batch: draw order while sampling, model order otherwise
            order = list(status.sample_order) if status.phase == "sampling" else model_order
            if only_new:
                order = [s for s in order if s in new_ids]
            conn.send(
                {
                    "version": version,
                    "order": tuple(order),
                    "scores": {s: float(v) for s, v in zip(pool, scores, strict=True)},
                    "basis": basis,
                    "status": status,
                    "seconds": time.perf_counter() - t0,
                }
            )
        except Exception:
            conn.send({"version": job.get("version", -1), "error": traceback.format_exc()})


class RankingRefresher:
    """Parent side: hands the latest decisions to the worker, publishes its rankings.

    ``on_ranking`` is called from a background thread with each new :class:`Ranking`;
    :attr:`error` holds the worker's last failure (shown in the page).
    """

    def __init__(
        self,
        studies_path: Path,
        params: Mapping[str, Any],
        on_ranking: Callable[[Ranking], None],
    ) -> None:
        self._on_ranking = on_ranking
        self._cond = threading.Condition()
        self._job: dict[str, Any] | None = None
        self._closed = False
        self.busy = False
        self.ready = False
        self.feature_seconds: float | None = None
        self.error: str | None = None
        context = mp.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_worker,
            args=(child, str(studies_path), dict(params), os.getpid()),
            name="reviewflow-app-ranker",
            daemon=True,
        )
        self._process.start()
        child.close()
        self._thread = threading.Thread(target=self._run, name="ranking-refresh", daemon=True)
        self._thread.start()

    def submit(self, version: int, merged: MergedDecisions) -> None:
        """Ask for a refit on these decisions; replaces any job not yet started."""
        with self._cond:
            self._job = {"version": version, "merged": merged}
            self._cond.notify()

    @property
    def pending(self) -> bool:
        with self._cond:
            return self.busy or self._job is not None

    def _run(self) -> None:
        try:
            first = self._conn.recv()
        except (EOFError, OSError):
            if not self._closed:
                self.error = "the ranking process ended before it was ready"
            return
        if "error" in first:
            self.error = first["error"].strip().splitlines()[-1]
            log.error("ranking process failed:\n%s", first["error"])
            return
        self.ready = True
        self.feature_seconds = float(first["ready"])
        while True:
            with self._cond:
                while self._job is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job, self._job = self._job, None
                self.busy = True
            try:
                self._conn.send(job)
                answer = self._conn.recv()
            except (EOFError, OSError):
                if not self._closed:
                    self.error = "the ranking process stopped; the last ranking stays in use"
                self.busy = False
                return
            self.busy = False
            if "error" in answer:
                self.error = answer["error"].strip().splitlines()[-1]
                log.error("ranking refresh failed:\n%s", answer["error"])
                continue
            self.error = None
            self._on_ranking(
                Ranking(
                    version=answer["version"],
                    order=answer["order"],
                    scores=answer["scores"],
                    basis=answer["basis"],
                    status=answer["status"],
                    seconds=answer["seconds"],
                )
            )

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        try:
            if not self.busy:
                self._conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=2)
