"""The screening stage on real studies and the authors' published decisions."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from reviewflow.errors import DecisionFileError
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.stage import BATCH_COLUMNS, run_screening_stage
from reviewflow.screening.stopping import StopSettings

from .conftest import REVIEWER, nagtegaal_rows, published_decisions, write_decisions

PARAMS = {
    "seed": 42,
    "batch_size": 25,
    "stopping": {
        "rule": "buscar",
        "switch_after_consecutive_irrelevant": 30,
        "switch_after_fraction": 0.5,
    },
}


def _run(review, decisions, params=PARAMS, *, run_label="", screen_only_new=False):
    """Run the stage into ``<review>/results``; returns that folder and the audit record."""
    out = review["dir"] / "results"
    record = run_screening_stage(
        studies_path=review["studies"],
        clusters_path=review["clusters"],
        decision_paths=[str(d) for d in decisions],
        settings=ScreeningSettings.from_raw(params, source="screening"),
        run_label=run_label,
        screen_only_new=screen_only_new,
        out_ranking=out / "ranking.csv",
        out_next_batch_csv=out / "next_batch.csv",
        out_next_batch_xlsx=out / "next_batch.xlsx",
        out_progress=out / "progress.csv",
        out_thresholds=out / "thresholds.csv",
        out_conflicts=out / "conflicts.csv",
        out_included=out / "included.csv",
        audit_path=out / "screen_records.audit.json",
    )
    return out, record


def stage_parameters(params=PARAMS):
    """The complete screening block the stage records (what its callers outside it read)."""
    settings = ScreeningSettings.from_raw(params, source="screening")
    return settings.parameters(run_label="", screen_only_new=False)


def test_first_run_without_decisions_offers_a_batch(review):
    out, _ = _run(review, [])
    batch = pd.read_csv(out / "next_batch.csv", dtype=str, keep_default_na=False)
    assert list(batch.columns) == list(BATCH_COLUMNS) and len(batch) == 25
    assert (batch["decision"] == "").all()
    audit = json.loads((out / "screen_records.audit.json").read_text())
    assert audit["counts"]["studies_in"] == 298  # 300 records, two duplicate pairs merged
    assert audit["counts"]["awaiting"] == 298


def test_decided_studies_are_never_asked_again_member_ids_included(review):
    rows = published_decisions(120)
    # decide study S168 through its other member record 169
    rows.append(("demo:169", "exclude", REVIEWER, "2019-01-02"))
    out, _ = _run(review, [write_decisions(review["dir"] / "d.csv", rows)])
    decided = {f"S{r}" for r in range(1, 121)} | {"S168"}
    batch = pd.read_csv(out / "next_batch.csv", dtype=str)
    ranking = pd.read_csv(out / "ranking.csv", dtype=str, keep_default_na=False)
    assert not set(batch["study_id"]) & decided
    assert set(ranking.loc[ranking["decision"] == "", "study_id"]).isdisjoint(decided)
    audit = json.loads((out / "screen_records.audit.json").read_text())
    labels = nagtegaal_rows().iloc[:120]["label_abstract_screening"]
    assert audit["counts"]["screened"] == 121
    assert audit["counts"]["included"] == int((labels == "1").sum())
    assert audit["reasons"]["excluded at title/abstract"] == audit["counts"]["excluded"]
    included = pd.read_csv(out / "included.csv", dtype=str)
    assert "study_id" in included.columns and len(included) == audit["counts"]["included"]
    # the model ranks: included studies score higher on average than excluded ones among
    # the still-unscreened (judged with the authors' labels)
    rest = nagtegaal_rows().iloc[120:]
    truth = {
        f"S{r}": lab
        for r, lab in zip(rest["record_id"], rest["label_abstract_screening"], strict=True)
    }
    undecided = ranking[ranking["study_id"].isin(truth)]
    scores = undecided.assign(
        lab=undecided["study_id"].map(truth), s=undecided["score"].astype(float)
    )
    assert (
        scores.loc[scores["lab"] == "1", "s"].mean() > scores.loc[scores["lab"] == "0", "s"].mean()
    )
    wb = load_workbook(out / "next_batch.xlsx")
    ws = wb.active
    assert [c.value for c in ws[1]] == list(BATCH_COLUMNS)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_progress_switches_to_sampling_and_reports_recall(review):
    # every study decided in file order; the heuristic trigger fires on the way
    out, _ = _run(review, [write_decisions(review["dir"] / "d.csv", published_decisions(300))])
    progress = pd.read_csv(out / "progress.csv")
    assert progress["records_screened"].iloc[-1] == 298
    assert {"ranked"} <= set(progress["phase"])
    assert progress["included_so_far"].is_monotonic_increasing
    assert progress["estimated_recall"].notna().any()
    thresholds = pd.read_csv(out / "thresholds.csv")
    assert thresholds["is_current_config"].sum() == 1
    assert {"recall_target", "confidence", "min_records_left_to_screen"} <= set(thresholds.columns)
    batch = pd.read_csv(out / "next_batch.csv")
    assert len(batch) == 0  # nothing left to screen


def test_sampling_phase_batch_is_random_not_ranked(review):
    params = {**PARAMS, "stopping": {"rule": "buscar", "switch_after_consecutive_irrelevant": 10}}
    out, _ = _run(
        review, [write_decisions(review["dir"] / "d.csv", published_decisions(60))], params
    )
    progress = pd.read_csv(out / "progress.csv")
    assert progress["phase"].iloc[-1] == "sampling"
    batch = pd.read_csv(out / "next_batch.csv")
    assert (batch["phase"] == "sampling").all()
    ranking = pd.read_csv(out / "ranking.csv", dtype=str, keep_default_na=False)
    top = ranking[ranking["decision"] == ""]["study_id"].head(25).tolist()
    assert batch["study_id"].tolist() != top
    # the draw order is fixed: a rerun asks for the same sample
    again, _ = _run(review, [review["dir"] / "d.csv"], params)
    assert pd.read_csv(again / "next_batch.csv")["study_id"].tolist() == batch["study_id"].tolist()


def test_default_rule_reports_in_plain_words_and_stops_the_batches(review):
    """The biased-urn default on the published labels of the first 300 Nagtegaal records."""
    decisions = published_decisions(300)
    params = {"seed": 42, "batch_size": 50}
    out, _ = _run(review, [write_decisions(review["dir"] / "part.csv", decisions[:100])], params)
    progress = pd.read_csv(out / "progress.csv", keep_default_na=False)
    last = progress.iloc[-1]
    assert last["stop_rule"] == "biased_urn" and last["phase"] == "ranked"
    assert not last["stop_criterion_met"] and int(last["records_to_go"]) > 0
    found = int(last["included_so_far"])
    assert last["status"].startswith(f"100 of 298 records screened, {found} relevant found.")
    assert "Recall ≥ 95% with 95% confidence: not yet (recall is at least " in last["status"]
    assert "Estimated recall" not in last["status"] and last["estimated_recall"] == ""
    assert f"{float(last['recall_lower_bound']):.1%} with 95% confidence)" in last["status"]
    assert "and 2 times for the hardest of the relevant records" in last["status"]
    assert last["status"].endswith(
        f"not met yet. If none of the next records is relevant, it could be met after "
        f"{int(last['records_to_go'])} more of the 198 records left."
    )
    audit = json.loads((out / "screen_records.audit.json").read_text())
    assert audit["details"]["stop_status"] == last["status"]
    assert audit["details"]["records_to_go"] == int(last["records_to_go"])
    assert len(pd.read_csv(out / "next_batch.csv")) == 50
    thresholds = pd.read_csv(out / "thresholds.csv")
    bias, single = StopSettings.defaults().bias, StopSettings.defaults().bias_single
    assert set(thresholds["bias"]) == {max(1.0, bias / 2), bias, bias * 2}
    # the bias used while one miss breaks the target moves with it
    assert set(thresholds["bias_single"]) == {max(1.0, single / 2), single, single * 2}
    assert thresholds["is_current_config"].sum() == 1
    # a larger bias assumes a better model and so asks for fewer records, never more
    current = thresholds[(thresholds["recall_target"] == 0.95) & (thresholds["confidence"] == 0.95)]
    to_go = current.sort_values("bias")["min_records_left_to_screen"].tolist()
    assert to_go == sorted(to_go, reverse=True)


def test_two_reviewers_conflicts_file_and_kappa(review):
    a = write_decisions(review["dir"] / "a.csv", published_decisions(100))
    data = nagtegaal_rows().iloc[:100]
    b = write_decisions(
        review["dir"] / "b.csv",
        [
            (f"demo:{r}", "include" if lab == "1" else "exclude", "final labels", "2019-02-01")
            for r, lab in zip(data["record_id"], data["label_included"], strict=True)
        ],
    )
    out, _ = _run(review, [a, b])
    conflicts = pd.read_csv(out / "conflicts.csv")
    disagree = int((data["label_abstract_screening"] != data["label_included"]).sum())
    assert len(conflicts) == disagree and (conflicts["status"] == "open").all()
    audit = json.loads((out / "screen_records.audit.json").read_text())
    assert audit["counts"]["conflicts"] == disagree
    assert audit["details"]["kappa"][f"{REVIEWER} vs final labels"] is not None


def test_bad_decision_file_names_file_line_field_and_writes_nothing(review):
    path = write_decisions(
        review["dir"] / "d.csv",
        [("demo:1", "exclude", "A", "2019-01-01"), ("demo:1", "exclude?", "A", "2019-01-01")],
    )
    with pytest.raises(DecisionFileError) as err:
        _run(review, [path])
    assert (err.value.line, err.value.field) == (3, "decision")
    assert not (review["dir"] / "results" / "screen_records.audit.json").exists()


def test_stage_declares_its_prisma_counts_and_an_update_those_of_new_studies(review):
    """The PRISMA boxes are counted under their PrismaCount keys; in an update the batch
    holds only studies first seen in this run (update.screen_only_new)."""
    from reviewflow.screening.stage import SCREENING_COUNTS, SCREENING_UPDATE_COUNTS

    studies = pd.read_csv(review["studies"], dtype=str, keep_default_na=False)
    studies["first_seen"] = ["2025-01-01" if i % 3 else "2026-06-01" for i in range(len(studies))]
    studies.to_csv(review["studies"], index=False)
    decisions = write_decisions(review["dir"] / "d.csv", published_decisions(40))
    out, record = _run(review, [decisions], run_label="2026-06-01", screen_only_new=True)
    counts = record["counts"]
    assert {str(c) for c in SCREENING_COUNTS + SCREENING_UPDATE_COUNTS} <= set(counts)
    assert counts["screened"] + counts["awaiting"] == counts["studies_in"] == len(studies)
    new = set(studies.loc[studies["first_seen"] == "2026-06-01", "study_id"])
    assert counts["new_studies"] == len(new)
    assert counts["new_screened"] + counts["new_awaiting"] == len(new)
    batch = pd.read_csv(out / "next_batch.csv", dtype=str, keep_default_na=False)
    assert len(batch) == 25 and set(batch["study_id"]) <= new


def test_screen_command_writes_the_rules_files_with_the_configs_settings(review, capsys):
    """``reviewflow screen`` reads the screening block of --config (batch size 25 here) and
    writes the files rule screen_records writes, under --out."""
    from reviewflow import cli
    from reviewflow.paths import SCREENING

    config = review["dir"] / "config.yaml"
    config.write_text(
        "screening:\n  batch_size: 25\n  stopping:\n    rule: buscar\n    recall_target: 0.9\n",
        encoding="utf-8",
    )
    decisions = write_decisions(review["dir"] / "d.csv", published_decisions(60))
    out = review["dir"] / "elsewhere"
    args = ["screen", "--studies", str(review["studies"]), "--clusters", str(review["clusters"])]
    args += ["--decisions", str(decisions), "--config", str(config), "--out", str(out)]
    assert cli.main(args) == 0
    names = {
        getattr(SCREENING, f).rsplit("/", 1)[-1]
        for f in SCREENING.files()
        if f not in ("studies", "clusters", "decisions_checked")
    }
    assert names == {p.name for p in out.iterdir()}
    assert len(pd.read_csv(out / "next_batch.csv")) == 25
    audit = json.loads((out / "screen_records.audit.json").read_text(encoding="utf-8"))
    assert audit["parameters"]["stopping"]["rule"] == "buscar"
    assert audit["parameters"]["stopping"]["recall_target"] == 0.9
    assert set(pd.read_csv(out / "progress.csv")["recall_target"]) == {0.9}
    assert "studies screened" in capsys.readouterr().out
