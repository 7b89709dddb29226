"""Deduplication on real record shapes: clustering, decisions, incremental runs, stage, CLI."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.cli import main
from reviewflow.dedup import (
    DedupResult,
    deduplicate,
    match_new_records,
    read_decisions,
    read_dedup_input,
    run_dedup_stage,
)
from reviewflow.dedup.cluster import Clusterer, Edge
from reviewflow.dedup.compare import DISTINCT, DUPLICATE, UNCERTAIN, compare_pair, incompatible
from reviewflow.dedup.prepare import first_page, prepare_records, split_authors
from reviewflow.dedup.settings import DedupSettings
from reviewflow.dedup.stage import UNCERTAIN_COLUMNS, write_uncertain_xlsx
from reviewflow.errors import DataError, DecisionFileError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dedup"
SPECIAL = FIXTURES / "special_cases.csv"
LABELLED = FIXTURES / "labelled_pairs.csv"


def _partition(record_ids: list[str], cluster_ids: list[str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for rid, cid in zip(record_ids, cluster_ids, strict=True):
        groups.setdefault(cid, set()).add(rid)
    return {frozenset(g) for g in groups.values()}


def _truth(path: Path) -> set[frozenset[str]]:
    truth = pd.read_csv(path, dtype=str)
    return _partition(truth["record_id"].tolist(), truth["cluster_id"].tolist())


def _pairs(partition: set[frozenset[str]]) -> set[tuple[str, ...]]:
    return {tuple(sorted(p)) for group in partition for p in combinations(group, 2)}


@pytest.fixture(scope="module")
def special() -> pd.DataFrame:
    return read_dedup_input(SPECIAL)


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return read_dedup_input(LABELLED)


def _pos(frame: pd.DataFrame, record_id: str) -> int:
    return int(frame.index[frame["record_id"] == record_id][0])


def test_special_cases_match_the_labels(special: pd.DataFrame) -> None:
    result = deduplicate(special)
    assert _partition(result.record_ids, result.study_ids) == _truth(
        FIXTURES / "special_cases_truth.csv"
    )


#: Labelled pairs that only a rule fitted to that one pair used to merge: an Embase record
#: with its locator fields shifted one to the left, one abstract numbered by abstract in one
#: database and by page in another, an online-first record under its earlier title. Nothing
#: in their fields says they are one item, so they are never merged automatically.
FOR_A_PERSON = [
    ("haematology:id_0000105", "haematology:id_0000106"),
    ("haematology:id_0001188", "haematology:id_0001189"),
    ("haematology:id_0000818", "haematology:id_0000819"),
]


def test_labelled_pairs_match_the_labels_but_fitted_rules(labelled: pd.DataFrame) -> None:
    result = deduplicate(labelled)
    truth = _truth(FIXTURES / "labelled_pairs_truth.csv")
    predicted = _partition(result.record_ids, result.study_ids)
    split = {frozenset(pair) for pair in FOR_A_PERSON}
    assert predicted - truth == {frozenset([rid]) for pair in FOR_A_PERSON for rid in pair}
    assert truth - predicted == split


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        # the erratum notice (142(6):616) and the article it corrects (142(3):310)
        ("haematology:id_0000021", "haematology:id_0000018", "erratum"),
        ("neuroimaging:id_0000071", "neuroimaging:id_0000075", "part numbers"),
        ("haematology:id_0000274", "haematology:id_0000443", "reply"),
    ],
)
def test_guards_keep_related_publications_apart(
    labelled: pd.DataFrame, a: str, b: str, reason: str
) -> None:
    # without DOIs, so that the guard under test is the one that speaks
    prep = prepare_records(labelled.assign(doi=""))
    i, j = sorted((_pos(labelled, a), _pos(labelled, b)))
    assert reason in incompatible(prep, i, j)
    assert compare_pair(prep, i, j).outcome != DUPLICATE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("id_0000003", "id_0000004"),  # same minitrack title, 2021 and 2022, different DOIs
        ("id_0000009", "id_0000010"),  # conference paper 2011, journal version 2014
        ("id_0000007", "id_0000012"),  # journal article 2004, conference paper 2003
    ],
)
def test_same_title_in_other_years_or_venues_is_distinct(
    special: pd.DataFrame, a: str, b: str
) -> None:
    prep = prepare_records(special)
    i, j = sorted((_pos(special, a), _pos(special, b)))
    assert compare_pair(prep, i, j).outcome == DISTINCT


@pytest.mark.parametrize(("a", "b"), FOR_A_PERSON)
def test_pairs_only_a_fitted_rule_merged_are_not_merged(
    labelled: pd.DataFrame, a: str, b: str
) -> None:
    prep = prepare_records(labelled)
    i, j = sorted((_pos(labelled, a), _pos(labelled, b)))
    assert compare_pair(prep, i, j).outcome in (UNCERTAIN, DISTINCT)


def test_one_commentary_printed_twice_is_not_merged(labelled: pd.DataFrame) -> None:
    # same title, authors, journal and volume, two issues and two page ranges: the truth
    # keeps them apart
    prep = prepare_records(labelled)
    i = _pos(labelled, "neuroimaging:id_0001202")
    j = _pos(labelled, "neuroimaging:id_0001232")
    result = compare_pair(prep, min(i, j), max(i, j))
    assert result.outcome != DUPLICATE
    assert "different pages" in result.reason


def test_a_shared_doi_merges_on_the_evidence_of_every_field(labelled: pd.DataFrame) -> None:
    prep = prepare_records(labelled)
    i = _pos(labelled, "neuroimaging:id_0001513")
    j = _pos(labelled, "neuroimaging:id_0001994")
    result = compare_pair(prep, i, j)
    assert result.outcome == DUPLICATE
    assert result.evidence is not None and result.evidence.level("doi") == "same"


def test_another_works_doi_does_not_block_an_identical_record(labelled: pd.DataFrame) -> None:
    # id_0003050 carries a 2016 DOI of another publisher on a 1995 paper whose other copies
    # carry the journal's own prefix; title, year, volume, pages all agree
    prep = prepare_records(labelled)
    i = _pos(labelled, "neuroimaging:id_0001513")
    j = _pos(labelled, "neuroimaging:id_0003050")
    assert prep.ids["doi"][i] != prep.ids["doi"][j]
    assert prep.doi_foreign[j] and not prep.doi_foreign[i]
    assert compare_pair(prep, i, j).outcome == DUPLICATE


def test_one_weak_link_cannot_chain_incompatible_records() -> None:
    conflicts = {(0, 2): "years differ"}
    clusterer = Clusterer(
        3,
        hard_conflict=lambda a, b: conflicts.get((min(a, b), max(a, b)), ""),
        soft_conflict=lambda a, b: False,
    )
    assert clusterer.union(Edge(0, 1, 0.99, "fuzzy", 2)) == "joined"
    assert clusterer.union(Edge(1, 2, 0.98, "fuzzy", 2)) == "years differ"
    assert sorted(map(sorted, clusterer.groups())) == [[0, 1], [2]]


def test_author_styles_and_excel_pages() -> None:
    assert split_authors("Pala A.Schmitz A. L.Knoll A.") == ["Pala A.", "Schmitz A. L.", "Knoll A."]
    assert split_authors("Park, K and Ellenson, L H and Pirog, E C") == [
        "Park, K",
        "Ellenson, L H",
        "Pirog, E C",
    ]
    assert split_authors("Stringer, A. Y.") == ["Stringer, A. Y."]
    assert split_authors("Si Hyun Kang, null and Kim, D. K.") == ["Si Hyun Kang", "Kim, D. K."]
    assert first_page("06-Oct") == "6"  # Excel's rendering of 6-10
    assert first_page("S284-S285") == "S284"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "record_id_a,record_id_b,decision,reviewer,date,note\n"


def test_manual_decisions_round_trip(special: pd.DataFrame, tmp_path: Path) -> None:
    decisions = _write(
        tmp_path / "decisions.csv",
        HEADER
        + "id_0000001,id_0000002,distinct,AB,2026-11-24,checked the two proceedings\n"
        + "id_0000003,id_0000004,duplicate,AB,2026-11-24,\n",
    )
    rows = read_decisions(decisions, set(special["record_id"]))
    result = deduplicate(special, decisions=rows)
    study = dict(zip(result.record_ids, result.study_ids, strict=True))
    assert study["id_0000001"] != study["id_0000002"]
    assert study["id_0000003"] == study["id_0000004"]
    assert result.manual_applied == 2
    assert {"reason": "manual decision"}.items() <= next(
        m
        for m in result.merges
        if {m["record_id_a"], m["record_id_b"]} == {"id_0000003", "id_0000004"}
    ).items()


@pytest.mark.parametrize(
    ("row", "line", "field"),
    [
        ("id_0000001,id_9999999,distinct,AB,2026-11-24,\n", 3, "record_id_b"),
        ("id_0000001,id_0000002,same,AB,2026-11-24,\n", 3, "decision"),
    ],
)
def test_bad_decision_rows_name_file_line_and_field(
    special: pd.DataFrame, tmp_path: Path, row: str, line: int, field: str
) -> None:
    path = _write(tmp_path / "d.csv", HEADER + "id_0000005,id_0000006,duplicate,AB,,\n" + row)
    with pytest.raises(DecisionFileError) as caught:
        read_decisions(path, set(special["record_id"]))
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), line, field)


def test_incremental_matching_keeps_earlier_clusters(labelled: pd.DataFrame) -> None:
    first = labelled.iloc[:22].reset_index(drop=True)
    earlier = deduplicate(first)
    update = match_new_records(earlier.clusters_frame(), labelled)
    full = deduplicate(labelled)
    assert _partition(update.record_ids, update.study_ids) == _partition(
        full.record_ids, full.study_ids
    )
    before = dict(zip(earlier.record_ids, earlier.study_ids, strict=True))
    after = dict(zip(update.record_ids, update.study_ids, strict=True))
    assert all(after[rid] == sid for rid, sid in before.items())
    assert update.pairs_compared < full.pairs_compared


def test_stage_writes_every_output_and_the_audit(tmp_path: Path) -> None:
    out = {name: tmp_path / name for name in ("s.csv", "c.csv", "m.csv", "u.csv", "u.xlsx")}
    audit = tmp_path / "deduplicate_records.audit.json"
    decisions = _write(tmp_path / "decisions.csv", HEADER)
    run_dedup_stage(
        [str(LABELLED)],
        str(decisions),
        DedupSettings.defaults(),
        str(out["s.csv"]),
        str(out["c.csv"]),
        str(out["m.csv"]),
        str(out["u.csv"]),
        str(out["u.xlsx"]),
        str(audit),
    )
    studies = pd.read_csv(out["s.csv"], dtype=str, keep_default_na=False)
    assert len(studies) == 21 + len(FOR_A_PERSON)
    stroke = studies[studies["study_id"] == "stroke:id_0000075"].iloc[0]
    assert stroke["n_records"] == "5"
    assert stroke["source_record_ids"].split("; ")[0] == "stroke:id_0000075"
    merges = pd.read_csv(out["m.csv"], dtype=str)
    assert len(merges) == 20 - len(FOR_A_PERSON) and merges["reason"].str.len().gt(0).all()
    record = json.loads(audit.read_text(encoding="utf-8"))
    assert record["counts"]["records_in"] == 41
    assert record["counts"]["duplicates_removed"] == 20 - len(FOR_A_PERSON)
    assert sum(record["reasons"].values()) == 20 - len(FOR_A_PERSON)
    assert all(k.startswith("merged: ") for k in record["reasons"])


def test_an_update_counts_the_studies_new_in_this_run(tmp_path: Path) -> None:
    """An update declares for PRISMA the studies none of whose records an earlier run had."""
    records = read_dedup_input(LABELLED)  # as a record table, the shape collect writes
    records["first_seen"] = ["2026-01-05" if n % 2 else "2025-06-01" for n in range(len(records))]
    table = tmp_path / "records.csv"
    records.to_csv(table, index=False)
    out = [str(tmp_path / n) for n in ("s.csv", "c.csv", "m.csv", "u.csv", "u.xlsx")]
    audit = tmp_path / "deduplicate_records.audit.json"
    run_dedup_stage(
        [str(table)], None, DedupSettings.defaults(), *out, str(audit), (), "2026-01-05"
    )
    studies = pd.read_csv(out[0], dtype=str, keep_default_na=False)
    counts = json.loads(audit.read_text(encoding="utf-8"))["counts"]
    assert counts["studies_new"] == int((studies["first_seen"] == "2026-01-05").sum())
    assert 0 < counts["studies_new"] < len(studies)


def test_study_id_prefers_the_previous_one(labelled: pd.DataFrame) -> None:
    previous = {"stroke:id_0000078": "stroke:id_0000078"}
    result = deduplicate(labelled, previous_clusters=previous)
    study = dict(zip(result.record_ids, result.study_ids, strict=True))
    assert study["stroke:id_0000075"] == "stroke:id_0000078"


def test_uncertain_workbook_cells_are_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "u.xlsx"
    write_uncertain_xlsx([{"record_id_a": "a", "title_a": "=HYPERLINK(1)", "score": "0.9"}], path)
    sheet = load_workbook(path).active
    column = UNCERTAIN_COLUMNS.index("title_a") + 1
    assert sheet.cell(row=2, column=column).value == "=HYPERLINK(1)"  # text, no visible apostrophe
    assert sheet.cell(row=2, column=column).data_type == "s"
    assert sheet.cell(row=2, column=column).quotePrefix


def test_cli_writes_the_rules_clusters_table(tmp_path: Path) -> None:
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(SPECIAL), "--output", str(out)]) == 0
    clusters = pd.read_csv(out, dtype=str)
    assert list(clusters.columns) == list(DedupResult([], [], None, [], []).clusters_frame())
    assert list(clusters.columns) == ["record_id", "study_id"]
    assert _partition(clusters["record_id"].tolist(), clusters["study_id"].tolist()) == _truth(
        FIXTURES / "special_cases_truth.csv"
    )


def test_cli_thresholds_obey_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(SPECIAL), "-o", str(out), "--duplicate-threshold", "0.4"]) == 2
    assert "dedup.thresholds.duplicate" in capsys.readouterr().err
    assert not out.exists()


def test_cli_reports_a_file_without_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path / "bad.csv", "title,year\nA study,2020\n")
    assert main(["dedup", str(bad), "--output", str(tmp_path / "o.csv")]) == 2
    assert "bad.csv, line 1: no record id column" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_reading_a_record_table_needs_ids(tmp_path: Path) -> None:
    bad = _write(tmp_path / "r.csv", "ID,title\nx,A\n,B\n")
    with pytest.raises(DataError, match="line 3"):
        read_dedup_input(bad)


def test_a_study_takes_the_fullest_value_of_every_field(labelled: pd.DataFrame) -> None:
    result = deduplicate(labelled)
    assert result.studies is not None
    studies = result.studies.set_index("study_id")
    stroke = studies.loc["stroke:id_0000075"]
    # the five records' titles; two carry MEDLINE erratum notes, which the study does not
    assert "rratum" not in stroke["title"]
    assert stroke["authors"] == "Stringer, Anthony Y; Small, Sarah K"
    assert stroke["pages"] == "169-178"
    members = labelled[labelled["record_id"].str.startswith("neuroimaging:id_000")]
    dois = set(members["doi"]) - {""}
    neuro = studies.loc["neuroimaging:id_0001513"]
    assert neuro["doi"] in dois
    assert neuro["n_records"] == "3"
    assert neuro["source_record_ids"].split("; ") == [
        "neuroimaging:id_0001513",
        "neuroimaging:id_0001994",
        "neuroimaging:id_0003050",
    ]


def test_a_later_distinct_decision_splits_an_earlier_study(
    labelled: pd.DataFrame, tmp_path: Path
) -> None:
    earlier = deduplicate(labelled)
    decisions = _write(
        tmp_path / "d.csv",
        HEADER + "stroke:id_0000090,stroke:id_0000091,distinct,AB,2026-11-24,\n",
    )
    rows = read_decisions(decisions, set(labelled["record_id"]))
    update = match_new_records(earlier.clusters_frame(), labelled, decisions=rows)
    study = dict(zip(update.record_ids, update.study_ids, strict=True))
    assert study["stroke:id_0000090"] != study["stroke:id_0000091"]
