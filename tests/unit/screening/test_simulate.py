"""``reviewflow simulate`` on real labelled data: a full order, seeded, better than random."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reviewflow.cli import main
from reviewflow.errors import DataError
from reviewflow.screening.simulate import read_labelled, run_simulation
from reviewflow.screening.stopping import STOPPERS

from .conftest import COHEN_UI

METRICS = Path(__file__).resolve().parents[4] / "shared" / "bench" / "screening_metrics.py"


def _wss95(labels_in_order: np.ndarray) -> float:
    found = np.cumsum(labels_in_order)
    need = int(np.ceil(0.95 * found[-1] - 1e-9))
    n95 = int(np.searchsorted(found, need) + 1)
    return (len(found) - n95) / len(found) - 0.05


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """One CLI run on the 327 Cohen et al. records, shared by the tests below."""
    tmp = tmp_path_factory.mktemp("sim")
    out, stop, report = tmp / "order.csv", tmp / "stop.csv", tmp / "report.csv"
    args = ["simulate", str(COHEN_UI), "--output", str(out), "--seed", "7"]
    assert main([*args, "--stop-output", str(stop), "--stopping-report", str(report)]) == 0
    return out, report, stop


def test_simulate_command_writes_every_row_once_priors_first(simulated):
    out, stop, _ = simulated
    order = pd.read_csv(out)
    data = pd.read_csv(COHEN_UI)
    assert list(order.columns[:2]) == ["row", "label_included"]
    assert sorted(order["row"]) == list(range(len(data)))
    assert (
        order["label_included"].to_numpy() == data["label_included"].to_numpy()[order["row"]]
    ).all()
    assert order["label_included"].iloc[:2].tolist() == [1, 0]  # one included, one excluded prior
    # far better than a random order (expected WSS@95 of random is about -0.02 here)
    assert _wss95(order["label_included"].to_numpy()) > 0.3
    report = pd.read_csv(stop).set_index("rule")
    assert set(report.index) == set(STOPPERS)
    assert report["default"].sum() == 1 and report.loc["biased_urn", "default"]
    assert report.loc["buscar", "records_screened"] <= len(data)
    assert report.loc["buscar", "recall"] >= 0.95  # the random sample's guarantee
    assert report.loc["buscar", "switched_to_sampling_at"] > 0
    found = report["relevant_found"] / report["relevant"]
    assert (found.round(4) == report["recall"]).all()


def test_stop_output_is_what_the_default_rule_had_screened(simulated):
    out, report, stop = simulated
    order = pd.read_csv(out)
    screened = pd.read_csv(stop)
    assert list(screened.columns) == ["row", "label_included", "prior", "phase"]
    # a ranked-phase rule: a prefix of the full order, as many rows as the report says
    n = len(screened)
    assert screened["row"].tolist() == order["row"].iloc[:n].tolist()
    row = pd.read_csv(report).set_index("rule").loc["biased_urn"]
    assert n == row["records_screened"] < len(order)
    assert screened["label_included"].sum() == row["relevant_found"]


def test_buscar_stop_output_ends_with_its_random_sample(tmp_path):
    out, stop = tmp_path / "o.csv", tmp_path / "s.csv"
    args = ["simulate", str(COHEN_UI), "--output", str(out), "--seed", "3", "--rule", "buscar"]
    assert main([*args, "--stop-output", str(stop)]) == 0
    order, screened = pd.read_csv(out), pd.read_csv(stop)
    ranked = screened[screened["phase"] == "ranked"]
    sample = screened[screened["phase"] == "sampling"]
    assert len(sample) > 0 and not screened["row"].duplicated().any()
    assert ranked["row"].tolist() == order["row"].iloc[: len(ranked)].tolist()
    assert sample["row"].tolist() != order["row"].iloc[len(ranked) : len(screened)].tolist()


def test_same_seed_same_order_on_a_slice(tmp_path):
    data = pd.read_csv(COHEN_UI).iloc[:80]
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    frame = read_labelled(path)
    first, second = run_simulation(frame, seed=5), run_simulation(frame, seed=5)
    assert first.order.tolist() == second.order.tolist()
    assert read_labelled(path)["_label"].sum() > 2


def test_html_and_empty_abstracts_are_fine(tmp_path):
    data = pd.read_csv(COHEN_UI, dtype=str, keep_default_na=False).iloc[:60].copy()
    assert (data["abstract"] == "").any()  # the real file has records without abstracts
    data.loc[data.index[:5], "abstract"] = (
        "<h2>Abstract</h2><p>" + data["abstract"].iloc[:5] + "</p>"
    )
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    result = run_simulation(read_labelled(path), seed=1)
    assert sorted(result.order.tolist()) == list(range(60))


def test_no_included_record_is_a_clear_error(tmp_path, capsys):
    data = pd.read_csv(COHEN_UI).iloc[:50].copy()
    data["label_included"] = 0
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    with pytest.raises(DataError, match="no included record"):
        read_labelled(path)
    assert main(["simulate", str(path), "--output", str(tmp_path / "o.csv")]) == 2
    assert "no included record" in capsys.readouterr().err


def test_bad_label_names_line(tmp_path):
    data = pd.read_csv(COHEN_UI).iloc[:10].copy().astype({"label_included": object})
    data.loc[3, "label_included"] = "yes"
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_labelled(path)
    assert (err.value.line, err.value.field) == (5, "label_included")


@pytest.mark.skipif(not METRICS.exists() or shutil.which("python3") is None, reason="no metrics")
def test_order_is_accepted_by_the_shared_metric_script(simulated):
    spec = importlib.util.spec_from_file_location("screening_metrics", METRICS)
    sm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sm)
    out, _, stop = simulated
    ranking, kind = sm.load_ranking(str(out))
    y, info = sm.labels_in_screening_order(ranking, kind, sm.load_dataset(str(COHEN_UI)), "row")
    assert info["n_unranked"] == 0
    assert sm.compute_metrics(y)["wss_95"] > 0.3
    ranking, kind = sm.load_ranking(str(stop))
    y, info = sm.labels_in_screening_order(ranking, kind, sm.load_dataset(str(COHEN_UI)), "row")
    assert info["n_ranked"] == len(pd.read_csv(stop)) < len(y)
