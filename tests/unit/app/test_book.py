"""The book of decisions: who writes where, what comes next, undo, hand edits, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.app.book import ScreeningBook, read_studies, read_study_map
from reviewflow.app.review import decision_file_for, load_review
from reviewflow.errors import ConfigError
from reviewflow.screening.decisions import read_decision_file

from .conftest import HEADER, published_rows, write_config, write_decisions


def _book(root: Path) -> ScreeningBook:
    review = load_review(root)
    studies = read_studies(review.files.studies)
    return ScreeningBook(review, studies, read_study_map(review.files.clusters, studies))


def _order(book: ScreeningBook) -> list[str]:
    return [s for s in book.pool if s not in book.merged.final]


def test_decisions_are_rows_the_pipeline_reads(review_dir):
    book = _book(review_dir)
    assert len(book.merged.final) == 40
    first, second = _order(book)[:2]
    assert book.decide("alice", first, "include", "reminder for GPs") is None
    assert book.decide("alice", second, "exclude") is None
    path = review_dir / "decisions" / "screening.csv"
    rows = read_decision_file(path, book.study_of)
    assert rows == book.logs[0].rows  # the in-memory rows are what a rerun reads
    assert [(r.record_id, r.decision, r.reviewer) for r in rows[-2:]] == [
        (first, "include", "alice"),
        (second, "exclude", "alice"),
    ]
    assert rows[-2].note == "reminder for GPs" and rows[-2].date.endswith("+00:00")
    assert book.merged.final[first] == "include" and len(book.merged.final) == 42


def test_undo_appends_a_correcting_row_and_repeats_backwards(review_dir):
    book = _book(review_dir)
    a, b = _order(book)[:2]
    book.decide("alice", a, "include")
    book.decide("alice", b, "exclude")
    assert book.undo("alice") == (b, None)
    assert book.undo("alice") == (a, None)
    assert book.undo("alice") == (None, None)  # the published labels are not alice's
    lines = (review_dir / "decisions" / "screening.csv").read_text().splitlines()[-4:]
    assert [line.split(",")[:3] for line in lines] == [
        [a, "include", "alice"],
        [b, "exclude", "alice"],
        [b, "undo", "alice"],
        [a, "undo", "alice"],
    ]
    assert a not in book.merged.final and b not in book.merged.final
    assert book.queue("alice", book.pool)[0][0] == a  # undecided again, first in file order


def test_shared_file_splits_the_work_own_files_screen_twice(review_dir):
    book = _book(review_dir)
    order = _order(book)
    book.decide("alice", order[0], "include")
    # alice and bob share the review's only file: bob is not asked alice's study again
    assert [s for s, _ in book.queue("bob", order)] == order[1:3]
    assert [why for _, why in book.queue("bob", order)] == ["next", "next"]

    for name in ("alice", "bob"):
        write_decisions(review_dir / "decisions" / f"screening_{name}.csv", [])
    write_config(
        review_dir,
        decisions=[
            "decisions/screening.csv",
            "decisions/screening_alice.csv",
            "decisions/screening_bob.csv",
        ],
    )
    book = _book(review_dir)
    assert book.file_for("bob").name == "screening_bob.csv"
    assert book.file_for("Alice").name == "screening_alice.csv"
    with pytest.raises(ConfigError):
        book.file_for("carol")  # three files, none hers: the error says which to add
    queue = book.queue("bob", order)
    # with his own file bob screens independently: the 40 published and alice's study first
    assert queue[0] == (book.merged.order[0], "second")
    book.decide("bob", order[0], "exclude")
    assert book.merged.conflicts == {order[0]: {"alice": "include", "bob": "exclude"}}
    assert [k["kappa"] for k in book.kappa() if k["pair"] == "alice vs bob"] == [0.0]


def test_reviewer_file_rules_and_the_error_that_names_the_fix(tmp_path):
    files = [tmp_path / "decisions" / "screening.csv", tmp_path / "decisions" / "screening_bob.csv"]
    assert decision_file_for("Bob", files, {}) == files[1]
    assert decision_file_for("A. Reviewer", files, {files[0]: {"A. Reviewer"}}) == files[0]
    assert decision_file_for("dave", files[:1], {}) == files[0]
    with pytest.raises(ConfigError) as err:
        decision_file_for("dave", files, {files[0]: {"A. Reviewer"}})
    assert "decisions/screening_dave.csv" in str(err.value)


def test_hand_edit_is_picked_up(review_dir):
    book = _book(review_dir)
    target = _order(book)[0]
    path = review_dir / "decisions" / "screening.csv"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{target},maybe,Hand Editor,2026-12-01,typed in a spreadsheet\n")
    assert book.refresh() is True
    assert book.merged.final[target] == "maybe"
    assert book.refresh() is False  # nothing changed since


def test_malformed_file_keeps_the_decision_pending_until_fixed(review_dir):
    book = _book(review_dir)
    first, second = _order(book)[:2]
    path = review_dir / "decisions" / "screening.csv"
    good = path.read_text()
    path.write_text(good + "demo:999999,include,Hand Editor,2026-12-01,\n")
    broken = path.read_bytes()
    book.refresh()
    error = book.decide("alice", first, "exclude")
    assert error is not None and "line 42" in str(error) and "record_id" in str(error)
    assert path.read_bytes() == broken  # nothing written, nothing lost
    assert [p.cells["record_id"] for p in book.pending] == [first]
    assert book.queue("alice", book.pool)[0][0] != first  # decided, waiting to be written
    path.write_text(good)  # the reviewer removes the bad line
    book.refresh()
    assert book.pending == [] and book.errors() == []
    rows = read_decision_file(path, book.study_of)
    assert [(r.record_id, r.decision) for r in rows[-1:]] == [(first, "exclude")]
    assert book.decide("alice", second, "include") is None


def test_studies_and_header_only_file(review_dir):
    (review_dir / "decisions" / "screening.csv").write_text(HEADER)
    book = _book(review_dir)
    assert len(book.pool) == 298 and book.merged.final == {}
    assert published_rows(1)[0][0] in book.study_of
