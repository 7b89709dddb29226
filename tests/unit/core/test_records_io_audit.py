"""The record model, atomic writes and audit records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewflow.audit import StageAudit, load_audits
from reviewflow.collect import collect_records, run_collect_stage
from reviewflow.errors import DataError
from reviewflow.io import atomic_write_text, sha256_file
from reviewflow.records import (
    make_record_id,
    normalize_record,
    read_records,
    records_frame,
    write_records,
)
from reviewflow.vocab import RECORD_FIELDS


def _record(search_id: str, native: str, title: str) -> dict[str, str]:
    return normalize_record(
        {
            "record_id": make_record_id(search_id, native),
            "title": title,
            "doi": "https://doi.org/10.1000/ABC",
            "pmid": "PMID: 0123",
            "authors": ["Smith JA", "Jones, K."],
            "year": "2019 Mar",
            "search_id": search_id,
        }
    )


def test_normalize_record_fills_every_field() -> None:
    record = _record("s1", "1", "A <b>title</b>")
    assert set(record) == set(RECORD_FIELDS)
    assert record["doi"] == "10.1000/abc"
    assert record["pmid"] == "123"
    assert record["authors"] == "Smith, J A; Jones, K"
    assert record["title"] == "A title"
    assert record["year"] == "2019"
    with pytest.raises(ValueError, match="unknown record fields"):
        normalize_record({"titel": "typo"})


def test_record_ids_are_stable() -> None:
    assert make_record_id("pubmed", "123") == "pubmed:123"
    a = make_record_id("scopus", content=["title", "2019"])
    assert a == make_record_id("scopus", content=["title", "2019"])
    assert a != make_record_id("scopus", content=["title", "2020"])


def test_round_trip_keeps_identifiers_as_text(tmp_path: Path) -> None:
    frame = records_frame([_record("s1", "1", "One"), _record("s1", "2", "Two")])
    frame.loc[0, "pmid"] = "00012"  # a leading zero must survive the CSV round trip
    path = tmp_path / "records.csv"
    write_records(frame, path)
    back = read_records(path)
    assert list(back.columns) == list(RECORD_FIELDS)
    assert back.loc[0, "pmid"] == "00012"
    assert back.loc[1, "year"] == "2019"


def test_read_records_rejects_other_tables(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("title\nA\n", encoding="utf-8")
    with pytest.raises(DataError, match="record_id"):
        read_records(path)


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    atomic_write_text(path, "old\n")

    class Boom(Exception):
        pass

    from reviewflow.io import atomic_open

    with pytest.raises(Boom), atomic_open(path, "w", encoding="utf-8") as handle:
        handle.write("half")
        raise Boom
    assert path.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [path]


def test_stage_audit_records_hashes_and_counts(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("x\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    audit_path = tmp_path / "stage" / "rule.audit.json"
    with StageAudit(
        audit_path,
        stage="dedup",
        rule="rule",
        inputs=[source],
        outputs=[out],
        parameters={"t": 0.9},
    ) as audit:
        out.write_text("y\n", encoding="utf-8")
        audit.counts["records_in"] = 3
        audit.add_reason("merged: same DOI", 2)
    record = json.loads(audit_path.read_text(encoding="utf-8"))
    assert record["inputs"] == [{"path": source.as_posix(), "sha256": sha256_file(source)}]
    assert record["outputs"][0]["sha256"] == sha256_file(out)
    assert record["counts"] == {"records_in": 3}
    assert record["reasons"] == {"merged: same DOI": 2}
    assert record["parameters"] == {"t": 0.9}
    assert "python" in record["versions"]
    assert load_audits(tmp_path)[0]["stage"] == "dedup"


def test_failed_stage_writes_no_audit(tmp_path: Path) -> None:
    audit_path = tmp_path / "rule.audit.json"
    with pytest.raises(RuntimeError), StageAudit(audit_path, stage="x", rule="r"):
        raise RuntimeError("boom")
    assert not audit_path.exists()


def test_collect_refuses_an_id_claimed_twice(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_records(records_frame([_record("s1", "1", "One")]), a)
    write_records(records_frame([_record("s2", "1", "Two"), _record("s1", "1", "One")]), b)
    with pytest.raises(DataError) as err:
        collect_records([a, b])
    assert "line 3" in str(err.value) and "record_id" in str(err.value)


def test_collect_stage_counts_by_origin(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    rows = [_record("s1", "1", "One"), _record("s1", "2", "Two")]
    rows[1]["found_by"] = "citation"
    write_records(records_frame(rows), a)
    run_collect_stage(
        record_tables=[str(a)],
        out_records=str(tmp_path / "all.csv"),
        audit_path=str(tmp_path / "collect.audit.json"),
    )
    audit = json.loads((tmp_path / "collect.audit.json").read_text(encoding="utf-8"))
    assert audit["counts"]["records_out"] == 2
    assert audit["counts"]["found_by_citation"] == 1


def test_update_carries_earlier_records_forward_and_marks_new_ones(tmp_path: Path) -> None:
    previous_run = tmp_path / "runs" / "2026-11-24" / "results"
    first = [_record("s1", "1", "One"), _record("s1", "2", "Two")]
    write_records(records_frame(first), previous_run / "records" / "all_records.csv")
    # the update's search window finds record 2 again (title corrected) and a new record 3
    again = _record("s1", "2", "Two (corrected)")
    table = tmp_path / "s1.csv"
    write_records(records_frame([again, _record("s1", "3", "Three")]), table)
    out = tmp_path / "all.csv"
    run_collect_stage(
        record_tables=[str(table)],
        out_records=str(out),
        audit_path=str(tmp_path / "collect.audit.json"),
        previous_tables=[str(previous_run / "records" / "all_records.csv")],
        run_label="2026-12-24",
    )
    records = read_records(out).set_index("record_id")
    assert records.loc["s1:1", "first_seen"] == "2026-11-24"  # carried forward
    assert records.loc["s1:2", "first_seen"] == "2026-11-24"  # seen before: not new
    assert records.loc["s1:2", "title"] == "Two (corrected)"  # with this run's metadata
    assert records.loc["s1:3", "first_seen"] == "2026-12-24"  # new
    audit = json.loads((tmp_path / "collect.audit.json").read_text(encoding="utf-8"))
    assert audit["counts"]["records_new"] == 1
    assert audit["counts"]["records_seen_before"] == 1
    assert audit["counts"]["records_carried_forward"] == 1
