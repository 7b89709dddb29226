"""Full-text decisions: the demo's real decisions, and every kind of bad row named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.clusters import record_study_map
from reviewflow.errors import DecisionFileError
from reviewflow.fulltext.decisions import read_fulltext_decisions
from reviewflow.fulltext.stage import FulltextSettings, run_fulltext_stage

from .conftest import DEMO_INCLUDED, REPO

HEADER = "record_id,decision,reason,reviewer,date,note\n"


def _run(tmp_path: Path, included: Path, clusters: Path, decisions: list[str], reasons):
    return run_fulltext_stage(
        settings=FulltextSettings.from_raw({"exclusion_reasons": list(reasons)}),
        included_path=str(included),
        clusters_path=str(clusters),
        decision_paths=decisions,
        out_decisions_applied=str(tmp_path / "decisions_applied.csv"),
        out_included=str(tmp_path / "included.csv"),
        audit_path=str(tmp_path / "assess_fulltexts.audit.json"),
    )


def test_demo_decisions_give_the_22_published_inclusions(
    tmp_path, demo_config, screening_included, clusters
):
    settings = demo_config["fulltext"]
    result = _run(
        tmp_path,
        screening_included,
        clusters,
        [str(REPO / settings["decisions"])],
        settings["exclusion_reasons"],
    )
    assert sorted(int(s.split(":")[1]) for s in result["study_id"]) == DEMO_INCLUDED
    audit = json.loads((tmp_path / "assess_fulltexts.audit.json").read_text())
    counts = audit["counts"]
    assert counts["reports_sought"] == 79
    assert counts["reports_assessed"] == 79
    assert counts["excluded"] == 57
    assert counts["included"] == 22
    assert counts["reports_not_retrieved"] == 0
    assert counts["awaiting_fulltext_decision"] == 0
    label = "Excluded at full text by the review authors (reason not published with the dataset)"
    assert audit["reasons"] == {f"excluded: {label}": 57}
    written = pd.read_csv(tmp_path / "included.csv", dtype=str, keep_default_na=False)
    assert list(written.columns[:2]) == ["record_id", "title"]
    assert "study_id" in written.columns


def test_every_bad_row_is_reported_with_file_line_and_field(tmp_path, clusters):
    bad = tmp_path / "ft.csv"
    bad.write_text(
        HEADER
        + "nagtegaal_records:40,include,,R1,2026-11-24,\n"
        + "nagtegaal_records:999999,include,,R1,2026-11-24,\n"
        + "nagtegaal_records:85,maybe,,R1,2026-11-24,\n"
        + "nagtegaal_records:227,exclude,,R1,2026-11-24,\n"
        + "nagtegaal_records:370,exclude,wrong_moon,R1,2026-11-24,\n"
        + "nagtegaal_records:487,include,,R1,24/11/2026,\n",
        encoding="utf-8",
    )
    mapping = record_study_map(clusters)
    with pytest.raises(DecisionFileError) as caught:
        read_fulltext_decisions([bad], record_to_study=mapping, reason_codes=["wrong_population"])
    message = str(caught.value)
    assert "5 problem(s)" in message
    assert f"{bad}, line 3, field 'record_id': unknown record id" in message
    assert f"{bad}, line 4, field 'decision': 'maybe' is not one of" in message
    assert f"{bad}, line 5, field 'reason': an exclusion needs a reason code" in message
    assert f"{bad}, line 6, field 'reason': unknown reason code 'wrong_moon'" in message
    assert f"{bad}, line 7, field 'date'" in message


def test_a_decision_on_any_member_record_applies_to_the_study(tmp_path, screening_included):
    clusters = tmp_path / "clusters.csv"
    frame = pd.read_csv(screening_included, dtype=str, keep_default_na=False)
    rows = [{"record_id": r, "study_id": r} for r in frame["record_id"]]
    # a second record of study 40 (as dedup would write it for a duplicate from a search)
    rows.append({"record_id": "pubmed_search:12345", "study_id": "nagtegaal_records:40"})
    pd.DataFrame(rows).to_csv(clusters, index=False)
    decisions = tmp_path / "ft.csv"
    decisions.write_text(
        HEADER
        + "pubmed_search:12345,include,,R1,2026-11-20,\n"
        + "nagtegaal_records:85,not_retrieved,,R1,2026-11-20,library could not supply\n"
        + "nagtegaal_records:227,not_retrieved,,R1,2026-11-20,\n"
        + "nagtegaal_records:227,exclude,wrong_population,R1,2026-11-24,found later\n",
        encoding="utf-8",
    )
    reasons = [{"code": "wrong_population", "label": "Population not healthcare professionals"}]
    result = _run(tmp_path, screening_included, clusters, [str(decisions)], reasons)
    assert list(result["study_id"]) == ["nagtegaal_records:40"]
    audit = json.loads((tmp_path / "assess_fulltexts.audit.json").read_text())
    assert audit["counts"]["reports_not_retrieved"] == 1
    assert audit["counts"]["reports_assessed"] == 2
    assert audit["counts"]["awaiting_fulltext_decision"] == 76
    assert audit["reasons"] == {"excluded: Population not healthcare professionals": 1}
    applied = pd.read_csv(tmp_path / "decisions_applied.csv", dtype=str, keep_default_na=False)
    assert applied.loc[2, "status"] == "superseded by a later decision"
    assert applied.loc[3, "status"] == "applied"


def test_an_undo_takes_back_the_latest_decision_and_the_one_before_stands(
    tmp_path, screening_included
):
    clusters = tmp_path / "clusters.csv"
    frame = pd.read_csv(screening_included, dtype=str, keep_default_na=False)
    pd.DataFrame({"record_id": frame["record_id"], "study_id": frame["record_id"]}).to_csv(
        clusters, index=False
    )
    decisions = tmp_path / "ft.csv"
    decisions.write_text(
        HEADER
        + "nagtegaal_records:40,include,,R1,2026-11-20,\n"
        + "nagtegaal_records:40,exclude,wrong_population,R2,2026-11-21,\n"
        + "nagtegaal_records:40,undo,,R2,2026-11-21,pressed the wrong key\n"
        + "nagtegaal_records:85,include,,R1,2026-11-20,\n"
        + "nagtegaal_records:85,undo,,R1,2026-11-20,\n"
        + "nagtegaal_records:85,undo,,R1,2026-11-20,nothing left to take back\n",
        encoding="utf-8",
    )
    reasons = [{"code": "wrong_population", "label": "Population not healthcare professionals"}]
    result = _run(tmp_path, screening_included, clusters, [str(decisions)], reasons)
    # 40: the exclusion was taken back, the inclusion before it stands; 85: nothing stands
    assert list(result["study_id"]) == ["nagtegaal_records:40"]
    audit = json.loads((tmp_path / "assess_fulltexts.audit.json").read_text())
    assert audit["counts"]["reports_assessed"] == 1
    assert audit["counts"]["excluded"] == 0
    assert "nagtegaal_records:85" in audit["details"]["awaiting_fulltext_decision"]
    applied = pd.read_csv(tmp_path / "decisions_applied.csv", dtype=str, keep_default_na=False)
    assert list(applied["status"]) == [
        "applied",
        "taken back by the undo in ft.csv, line 4",
        "undo: takes back the decision before it",
        "taken back by the undo in ft.csv, line 6",
        "undo: takes back the decision before it",
        "undo: takes back the decision before it",
    ]
