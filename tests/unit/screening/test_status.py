"""The stop status in one call is the stage's own: the row progress.csv ends with."""

from __future__ import annotations

import pandas as pd

from reviewflow.screening.decisions import merge_decisions, read_decision_file
from reviewflow.screening.stage import _read_clusters, _read_studies
from reviewflow.screening.status import screening_status

from .conftest import published_decisions, write_decisions
from .test_stage import PARAMS, _run, stage_parameters


def _status(review, path, params=PARAMS):
    studies = _read_studies(review["studies"])
    merged = merge_decisions(read_decision_file(path, _read_clusters(review["clusters"], studies)))
    return screening_status(merged, studies["study_id"].tolist(), stage_parameters(params))


def test_status_is_the_last_progress_row_in_each_phase(review):
    for first in (40, 200):  # ranked phase, then past the switch to random sampling
        path = write_decisions(review["dir"] / f"d{first}.csv", published_decisions(first))
        out, _ = _run(review, [path])
        status = _status(review, path)
        last = pd.read_csv(out / "progress.csv", dtype=str, keep_default_na=False).iloc[-1]
        expected = last.drop("batch").to_dict()
        assert {k: str(v) for k, v in status.progress.items()} == expected
        assert status.screened == int(last["records_screened"]) and status.phase == last["phase"]
        thresholds = pd.read_csv(out / "thresholds.csv")
        current = thresholds[thresholds["is_current_config"]].iloc[0]
        assert status.records_left == current["min_records_left_to_screen"]
        batch = pd.read_csv(out / "next_batch.csv", dtype=str)
        if status.phase == "sampling":
            assert list(status.sample_order[: len(batch)]) == list(batch["study_id"])
        else:
            assert status.sample_order == ()
    assert status.phase == "sampling"  # the second state did switch
