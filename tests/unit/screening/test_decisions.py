"""Decision files: validation errors name file, line and field; reviewers merge; kappa."""

from __future__ import annotations

import pytest

from reviewflow.errors import DecisionFileError
from reviewflow.screening.decisions import cohen_kappa, merge_decisions, read_decision_file

from .conftest import REVIEWER, nagtegaal_rows, published_decisions, write_decisions

STUDY_OF = {
    "demo:168": "S168",
    "demo:169": "S168",
    "demo:1": "S1",
    "demo:2": "S2",
    "S168": "S168",
}


def test_member_record_maps_to_its_study(tmp_path):
    path = write_decisions(tmp_path / "d.csv", [("demo:169", "Include", REVIEWER, "2019-01-01")])
    (row,) = read_decision_file(path, STUDY_OF)
    assert (row.study_id, row.decision, row.line) == ("S168", "include", 2)


def test_unknown_record_id_names_file_line_and_field(tmp_path):
    path = write_decisions(
        tmp_path / "d.csv",
        [("demo:1", "exclude", "A", "2019-01-01"), ("demo:999999", "exclude", "A", "2019-01-01")],
    )
    with pytest.raises(DecisionFileError) as err:
        read_decision_file(path, STUDY_OF)
    assert err.value.line == 3 and err.value.field == "record_id"
    assert str(path) in str(err.value) and "demo:999999" in str(err.value)


def test_bad_decision_value_is_refused(tmp_path):
    path = write_decisions(tmp_path / "d.csv", [("demo:1", "excluded", "A", "2019-01-01")])
    with pytest.raises(DecisionFileError) as err:
        read_decision_file(path, STUDY_OF)
    assert (err.value.line, err.value.field) == (2, "decision")


def test_bad_date_and_missing_column(tmp_path):
    path = write_decisions(tmp_path / "d.csv", [("demo:1", "exclude", "A", "01/02/2019")])
    with pytest.raises(DecisionFileError) as err:
        read_decision_file(path, STUDY_OF)
    assert err.value.field == "date"
    bad = tmp_path / "e.csv"
    bad.write_text("id,decision\ndemo:1,exclude\n", encoding="utf-8")
    with pytest.raises(DecisionFileError) as err:
        read_decision_file(bad, STUDY_OF)
    assert (err.value.line, err.value.field) == (1, "record_id")


def test_line_numbers_count_multiline_cells_and_comments(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "# screening decisions\nrecord_id,decision,reviewer,date,note\n"
        'demo:1,exclude,A,2019-01-01,"two\nlines"\ndemo:2,nope,A,2019-01-01,\n',
        encoding="utf-8",
    )
    with pytest.raises(DecisionFileError) as err:
        read_decision_file(path, STUDY_OF)
    assert err.value.line == 5


def test_two_reviewers_conflicts_and_kappa(tmp_path):
    # two real label sets of the same records: the title/abstract call and the final call
    data = nagtegaal_rows().iloc[:100]
    study_of = {f"demo:{r}": f"S{r}" for r in data["record_id"]}
    a = write_decisions(tmp_path / "a.csv", published_decisions(100))
    b = write_decisions(
        tmp_path / "b.csv",
        [
            (f"demo:{r}", "include" if lab == "1" else "exclude", "final", "2019-02-01")
            for r, lab in zip(data["record_id"], data["label_included"], strict=True)
        ],
    )
    rows = read_decision_file(a, study_of, file_index=0) + read_decision_file(
        b, study_of, file_index=1
    )
    merged = merge_decisions(rows)
    disagree = (data["label_abstract_screening"] != data["label_included"]).sum()
    assert len(merged.conflicts) == disagree > 0
    assert all(merged.final[s] == "maybe" for s in merged.conflicts)
    # hand-computed kappa from the two label columns
    x, y = data["label_abstract_screening"], data["label_included"]
    po = (x == y).mean()
    pe = (x == "1").mean() * (y == "1").mean() + (x == "0").mean() * (y == "0").mean()
    kappa = cohen_kappa(merged)
    assert kappa[f"{REVIEWER} vs final"] == pytest.approx((po - pe) / (1 - pe), abs=1e-4)
    # an adjudicator's later decision settles a conflict
    sid = next(iter(merged.conflicts))
    rid = next(r for r, s in study_of.items() if s == sid)
    c = write_decisions(tmp_path / "c.csv", [(rid, "exclude", "adjudicator", "2019-03-01")])
    rows += read_decision_file(c, study_of, file_index=2)
    settled = merge_decisions(rows, adjudicator="adjudicator")
    assert settled.final[sid] == "exclude" and sid in settled.resolved


def test_later_decision_of_same_reviewer_wins(tmp_path):
    path = write_decisions(
        tmp_path / "d.csv",
        [("demo:2", "include", "A", "2019-01-02"), ("demo:2", "exclude", "A", "2019-01-01")],
    )
    merged = merge_decisions(read_decision_file(path, STUDY_OF))
    assert merged.final["S2"] == "include" and not merged.conflicts


def test_undo_takes_back_the_reviewers_latest_decision(tmp_path):
    path = write_decisions(
        tmp_path / "d.csv",
        [
            ("demo:1", "include", "A", "2019-01-01"),
            ("demo:2", "exclude", "A", "2019-01-02"),
            ("demo:1", "exclude", "A", "2019-01-03"),  # changed mind
            ("demo:1", "undo", "A", "2019-01-04T10:00:00Z"),  # back to include
            ("demo:2", "undo", "A", "2019-01-04T10:00:05Z"),  # S2 undecided again
            ("demo:2", "undo", "A", "2019-01-04T10:00:06Z"),  # nothing left: no-op
            ("demo:169", "exclude", "B", "2019-01-05"),
        ],
    )
    merged = merge_decisions(read_decision_file(path, STUDY_OF))
    assert merged.final == {"S1": "include", "S168": "exclude"}
    assert merged.order == ["S1", "S168"]
    assert merged.by_reviewer["S1"]["A"].date == "2019-01-01"


def test_a_study_undone_and_decided_again_counts_from_the_new_decision(tmp_path):
    path = write_decisions(
        tmp_path / "d.csv",
        [
            ("demo:1", "include", "A", "2019-01-01"),
            ("demo:2", "exclude", "A", "2019-01-02"),
            ("demo:1", "undo", "A", "2019-01-03"),
            ("demo:1", "exclude", "A", "2019-01-04"),
        ],
    )
    merged = merge_decisions(read_decision_file(path, STUDY_OF))
    assert merged.order == ["S2", "S1"] and merged.final["S1"] == "exclude"


def test_undo_by_the_adjudicator_reopens_the_conflict(tmp_path):
    a = write_decisions(tmp_path / "a.csv", [("demo:1", "include", "A", "2019-01-01")])
    b = write_decisions(
        tmp_path / "b.csv",
        [
            ("demo:1", "exclude", "B", "2019-01-01"),
            ("demo:1", "include", "C", "2019-01-02"),
            ("demo:1", "undo", "C", "2019-01-03"),
        ],
    )
    rows = read_decision_file(a, STUDY_OF) + read_decision_file(b, STUDY_OF, file_index=1)
    merged = merge_decisions(rows, adjudicator="C")
    assert merged.conflicts == {"S1": {"A": "include", "B": "exclude"}}
    assert merged.final["S1"] == "maybe" and not merged.adjudicated
