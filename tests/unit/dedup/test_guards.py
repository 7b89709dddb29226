"""Guards against false merges, on real records (tests/fixtures/dedup/hard_cases.csv)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reviewflow.dedup import deduplicate, read_dedup_input
from reviewflow.dedup.compare import DISTINCT, DUPLICATE, UNCERTAIN, compare_pair
from reviewflow.dedup.prepare import prepare_records

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dedup"


@pytest.fixture(scope="module")
def hard() -> pd.DataFrame:
    return read_dedup_input(FIXTURES / "hard_cases.csv")


def _judge(frame: pd.DataFrame, a: str, b: str) -> tuple[str, str]:
    prep = prepare_records(frame)
    ids = frame["record_id"].tolist()
    i, j = sorted((ids.index(a), ids.index(b)))
    result = compare_pair(prep, i, j)
    return result.outcome, result.reason


def test_hard_cases_match_the_labels(hard: pd.DataFrame) -> None:
    result = deduplicate(hard)
    truth = pd.read_csv(FIXTURES / "hard_cases_truth.csv", dtype=str)
    expected = dict(zip(truth["record_id"], truth["cluster_id"], strict=True))
    found = dict(zip(result.record_ids, result.study_ids, strict=True))
    for a in expected:
        for b in expected:
            assert (expected[a] == expected[b]) == (found[a] == found[b]), (a, b)


def test_a_generic_title_merges_only_in_one_place(hard: pd.DataFrame) -> None:
    # "Editorial", World J Biol Psychiatry: 2017 18(4):255 twice, and 2016 17(3):173
    same = _judge(hard, "neuroimaging:id_0000144", "neuroimaging:id_0002225")
    other = _judge(hard, "neuroimaging:id_0000144", "neuroimaging:id_0000361")
    assert same[0] == DUPLICATE
    assert other[0] == DISTINCT


def test_a_generic_title_without_issue_or_pages_goes_to_a_person(hard: pd.DataFrame) -> None:
    bare = hard.copy()
    rows = bare["record_id"].isin(["neuroimaging:id_0000144", "neuroimaging:id_0002225"])
    bare.loc[rows, ["volume", "issue", "pages", "doi", "abstract"]] = ""
    outcome, reason = _judge(bare, "neuroimaging:id_0000144", "neuroimaging:id_0002225")
    assert outcome == UNCERTAIN
    assert "recurring title" in reason


def test_one_differing_content_token_with_other_pages_is_distinct(hard: pd.DataFrame) -> None:
    # "Mutations in complement C3 ..." / "Mutations in complement factor I ...", two papers
    outcome, _ = _judge(hard, "haematology:id_0000176", "haematology:id_0000885")
    assert outcome == DISTINCT


def test_a_supplement_doi_on_several_abstracts_identifies_none(hard: pd.DataFrame) -> None:
    prep = prepare_records(hard)
    ids = hard["record_id"].tolist()
    for rid in ("asysd:509", "asysd:507", "asysd:1254", "asysd:510"):
        assert prep.doi_shared[ids.index(rid)]
    # two renderings of one abstract still merge, on their other fields
    assert _judge(hard, "asysd:1254", "asysd:510")[0] == DUPLICATE
    # another abstract printed on the same page under the same DOI does not
    assert _judge(hard, "asysd:509", "asysd:1254")[0] == DISTINCT


def test_doi_collisions_are_reported_not_merged(hard: pd.DataFrame) -> None:
    result = deduplicate(hard)
    study = dict(zip(result.record_ids, result.study_ids, strict=True))
    assert study["asysd:509"] != study["asysd:1254"]
    reported = {frozenset((c["record_id_a"], c["record_id_b"])) for c in result.doi_collisions}
    assert frozenset(("asysd:509", "asysd:1254")) in reported
    assert all(c["doi"] == "10.1007/s00125-014-3355-0" for c in result.doi_collisions)


def test_a_corrupted_title_is_never_matched_on(hard: pd.DataFrame) -> None:
    broken = hard.copy()
    broken.loc[broken["record_id"] == "neuroimaging:id_0002225", "title"] = "#NAME?"
    outcome, reason = _judge(broken, "neuroimaging:id_0000144", "neuroimaging:id_0002225")
    assert outcome != DUPLICATE
    assert "title missing or unusable" in reason


def test_a_title_that_is_the_journal_name_is_never_matched_on(hard: pd.DataFrame) -> None:
    broken = hard.copy()
    rows = broken["record_id"].isin(["asysd:1254", "asysd:510"])
    broken.loc[rows, "title"] = "Diabetologia"
    outcome, _ = _judge(broken, "asysd:1254", "asysd:510")
    assert outcome != DUPLICATE


def test_a_truncated_doi_is_no_evidence() -> None:
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "doi": ["10.1016/", "10.1002/(sici"],
        }
    )
    assert prepare_records(frame).ids["doi"] == ["", ""]


def test_a_changed_compound_without_a_common_place_is_not_merged(hard: pd.DataFrame) -> None:
    # two renderings of one abstract (ASySD 1254, 510: same authors, journal, year) made into
    # two papers on two compounds, as consecutive papers by one group are, pages removed
    pair = hard[hard["record_id"].isin(["asysd:1254", "asysd:510"])].copy()
    pair[["pages", "doi", "volume", "issue", "abstract"]] = ""
    pair["title"] = [
        "Dapagliflozin suppresses atherosclerotic lesions in the aorta of diabetic mice",
        "Empagliflozin suppresses atherosclerotic lesions in the aorta of diabetic mice",
    ]
    outcome, reason = _judge(pair, "asysd:1254", "asysd:510")
    assert outcome != DUPLICATE
    assert "nothing places them together" in reason
