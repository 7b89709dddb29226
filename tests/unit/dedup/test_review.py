"""What a person sees: encodings and shapes accepted, pairs ranked, answers applied."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reviewflow.cli import main
from reviewflow.dedup import read_decisions, read_dedup_input
from reviewflow.dedup.review import doubt, rank_uncertain
from reviewflow.dedup.stage import write_uncertain_xlsx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dedup"
EXCERPT = FIXTURES / "asysd_excerpt_cp1252.csv"


def _groups(frame: pd.DataFrame, rid: str = "record_id", cid: str = "cluster_id") -> set:
    found: dict[str, set[str]] = {}
    for r, c in zip(frame[rid], frame[cid], strict=True):
        found.setdefault(c, set()).add(r)
    return {frozenset(g) for g in found.values()}


def test_a_windows_1252_asysd_file_is_deduplicated(tmp_path: Path) -> None:
    with pytest.raises(UnicodeDecodeError):
        EXCERPT.read_text(encoding="utf-8")
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(EXCERPT), "--output", str(out)]) == 0
    clusters = pd.read_csv(out, dtype=str)
    truth = pd.read_csv(FIXTURES / "asysd_excerpt_truth.csv", dtype=str)
    assert _groups(clusters, cid="study_id") == _groups(truth)


def test_asysd_columns_and_na_cells_are_read() -> None:
    records = read_dedup_input(EXCERPT)
    first = records.iloc[0]
    assert first["record_id"] == "1"
    assert first["authors"] == "Adeli, K; Lewis, G F"
    assert first["issue"] == "3" and first["volume"] == "19"
    assert (records["pages"] != "NA").all() and (records["doi"] != "NA").all()


def test_doubt_is_largest_at_even_odds() -> None:
    assert doubt(0.5) == pytest.approx(1.0)
    assert doubt(0.9) < doubt(0.6) < doubt(0.5)
    assert doubt(0.0) == doubt(1.0) == 0.0


def test_the_answer_that_settles_most_comes_first() -> None:
    clusters = ["A", "A", "A", "B", "C", "D", "E"]
    sizes = {"A": 3, "B": 1, "C": 1, "D": 1, "E": 1}
    pairs = [
        (3, 4, 0.5, "one record each, even odds"),
        (0, 3, 0.45, "joins a cluster of three"),
        (1, 3, 0.4, "the same two clusters again"),
        (5, 6, 0.99, "nearly certain"),
    ]
    order = [reason for *_, reason in rank_uncertain(pairs, clusters, sizes)]
    assert order == [
        "joins a cluster of three",
        "one record each, even odds",
        "nearly certain",
        "the same two clusters again",
    ]


def _uncertain_run(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    data = FIXTURES / "labelled_pairs.csv"
    pairs = tmp_path / "pairs.csv"
    assert main(["dedup", str(data), "-o", str(tmp_path / "c.csv"), "--uncertain", str(pairs)]) == 0
    listed = pd.read_csv(pairs, dtype=str, keep_default_na=False)
    assert listed["rank"].tolist() == [str(n) for n in range(1, len(listed) + 1)]
    assert listed["evidence"].str.len().gt(0).all()
    return data, listed


def test_a_partly_answered_pairs_file_is_the_next_runs_decisions(tmp_path: Path) -> None:
    data, listed = _uncertain_run(tmp_path)
    first = listed.iloc[0]
    listed.loc[0, ["decision", "reviewer", "date"]] = ["duplicate", "AB", "2026-12-01"]
    answered = tmp_path / "answered.csv"
    listed.to_csv(answered, index=False)
    decisions = read_decisions(answered, set(read_dedup_input(data)["record_id"]))
    assert [(d.record_id_a, d.record_id_b) for d in decisions] == [
        tuple(sorted((first["record_id_a"], first["record_id_b"])))
    ]
    out = tmp_path / "again.csv"
    assert main(["dedup", str(data), "-o", str(out), "--decisions", str(answered)]) == 0
    clusters = dict(pd.read_csv(out, dtype=str).values)
    assert clusters[first["record_id_a"]] == clusters[first["record_id_b"]]


def test_the_pairs_workbook_is_a_decisions_file_too(tmp_path: Path) -> None:
    data, listed = _uncertain_run(tmp_path)
    rows = listed.to_dict("records")
    rows[0].update(decision="distinct", reviewer="AB", date="2026-12-01")
    book = tmp_path / "pairs.xlsx"
    write_uncertain_xlsx(rows, book)
    decisions = read_decisions(book, set(read_dedup_input(data)["record_id"]))
    assert [d.decision for d in decisions] == ["distinct"]


def test_doi_collisions_are_written_for_a_person(tmp_path: Path) -> None:
    out = tmp_path / "collisions.csv"
    data = FIXTURES / "hard_cases.csv"
    assert (
        main(["dedup", str(data), "-o", str(tmp_path / "c.csv"), "--doi-collisions", str(out)]) == 0
    )
    collisions = pd.read_csv(out, dtype=str)
    assert len(collisions) and set(collisions["doi"]) == {"10.1007/s00125-014-3355-0"}


def test_a_bad_model_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "model.json"
    bad.write_text("{}", encoding="utf-8")
    data = FIXTURES / "special_cases.csv"
    assert main(["dedup", str(data), "-o", str(tmp_path / "c.csv"), "--model", str(bad)]) == 2
    assert "model.json: not a dedup model" in capsys.readouterr().err
