"""Appending to decision files: rows read back as the pipeline reads them, never lost or mixed."""

from __future__ import annotations

import multiprocessing as mp
import threading
from pathlib import Path

import pytest

from reviewflow.app.decision_log import DecisionLog, utc_timestamp
from reviewflow.config import REPO_ROOT
from reviewflow.errors import DecisionFileError
from reviewflow.screening.decisions import DECISION_COLUMNS, read_decision_file

DEMO_FILE = REPO_ROOT / "config" / "demo" / "decisions" / "screening_nagtegaal.csv"


def _study_map(ids: list[str]) -> dict[str, str]:
    return {i: i for i in ids}


def _log(path: Path, study_of: dict[str, str], lock_dir: Path) -> DecisionLog:
    return DecisionLog(
        path,
        columns=DECISION_COLUMNS,
        parse=lambda p: read_decision_file(p, study_of),
        lock_dir=lock_dir,
    )


def _demo_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    target = tmp_path / "screening.csv"
    target.write_bytes(DEMO_FILE.read_bytes())
    ids = [f"nagtegaal_records:{i}" for i in range(1, 2020)]
    return target, _study_map(ids)


def test_append_keeps_every_old_byte_and_reads_back(tmp_path):
    path, study_of = _demo_copy(tmp_path)
    before = path.read_bytes()
    log = _log(path, study_of, tmp_path / "locks")
    log.refresh()
    assert len(log.rows) == 400
    stamp = utc_timestamp()
    log.append(
        [
            {
                "record_id": "nagtegaal_records:2",
                "decision": "include",
                "reviewer": "A. Reviewer",
                "date": stamp,
                "note": "reminder, in wards",
            },
            {
                "record_id": "nagtegaal_records:3",
                "decision": "exclude",
                "reviewer": "A. Reviewer",
                "date": stamp,
                "note": '=HYPERLINK("x")\nsecond line',
            },
        ]
    )
    after = path.read_bytes()
    assert after.startswith(before)
    added = after[len(before) :].decode().splitlines()
    assert added == [
        f'nagtegaal_records:2,include,A. Reviewer,{stamp},"reminder, in wards"',
        f'nagtegaal_records:3,exclude,A. Reviewer,{stamp},"\'=HYPERLINK(""x"") second line"',
    ]
    rows = read_decision_file(path, study_of)
    assert rows[-2:] == log.rows[-2:]  # the log's own rows are what the pipeline reads
    assert rows[-1].line == 403 and rows[-1].note.startswith("'=")


def test_crlf_bom_no_final_newline_and_missing_columns(tmp_path):
    path = tmp_path / "hand.csv"
    path.write_bytes(b"\xef\xbb\xbfrecord_id,decision\r\ns1,include")  # Excel-style, no EOL
    log = _log(path, _study_map(["s1", "s2"]), tmp_path / "locks")
    log.append([{"record_id": "s2", "decision": "maybe", "reviewer": "B", "date": "2026-01-02"}])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrecord_id,decision,reviewer,date,note\r\ns1,include\r\n")
    assert data.endswith(b"s2,maybe,B,2026-01-02,\r\n")
    rows = read_decision_file(path, _study_map(["s1", "s2"]))
    assert [(r.record_id, r.decision, r.reviewer) for r in rows] == [
        ("s1", "include", ""),
        ("s2", "maybe", "B"),
    ]


def test_new_file_gets_the_header(tmp_path):
    path = tmp_path / "decisions" / "screening_bob.csv"
    log = _log(path, _study_map(["s1"]), tmp_path / "locks")
    log.refresh()
    assert log.rows == [] and log.error is None
    log.append(
        [{"record_id": "s1", "decision": "exclude", "reviewer": "bob", "date": "2026-01-02"}]
    )
    assert path.read_text() == "record_id,decision,reviewer,date,note\ns1,exclude,bob,2026-01-02,\n"


def test_malformed_file_is_left_untouched_and_named(tmp_path):
    path, study_of = _demo_copy(tmp_path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("nagtegaal_records:7,includ,Hand Editor,2026-12-01,\n")
    broken = path.read_bytes()
    log = _log(path, study_of, tmp_path / "locks")
    with pytest.raises(DecisionFileError) as err:
        log.append([{"record_id": "nagtegaal_records:8", "decision": "include"}])
    assert (err.value.line, err.value.field) == (402, "decision")
    assert path.read_bytes() == broken
    assert log.error is not None


def _writer(path: str, lock_dir: str, who: str, n: int) -> None:
    ids = [f"s{i}" for i in range(n)]
    log = _log(Path(path), _study_map(ids), Path(lock_dir))
    for i in range(n):
        log.append(
            [
                {
                    "record_id": f"s{i}",
                    "decision": "exclude",
                    "reviewer": who,
                    "date": "2026-01-02",
                    "note": who * 40,
                }
            ]
        )


def test_two_processes_and_two_threads_never_lose_or_interleave_a_row(tmp_path):
    path = tmp_path / "shared.csv"
    path.write_text("record_id,decision,reviewer,date,note\n", encoding="utf-8")
    n = 60
    context = mp.get_context("spawn")
    procs = [
        context.Process(target=_writer, args=(str(path), str(tmp_path / "locks"), who, n))
        for who in ("procA", "procB")
    ]
    threads = [
        threading.Thread(target=_writer, args=(str(path), str(tmp_path / "locks"), who, n))
        for who in ("tabA", "tabB")
    ]
    for worker in [*procs, *threads]:
        worker.start()
    for worker in [*procs, *threads]:
        worker.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    rows = read_decision_file(path, _study_map([f"s{i}" for i in range(n)]))
    assert len(rows) == 4 * n
    for who in ("procA", "procB", "tabA", "tabB"):
        mine = [r for r in rows if r.reviewer == who]
        assert [r.record_id for r in mine] == [f"s{i}" for i in range(n)]  # in order, none lost
        assert all(r.note == who * 40 for r in mine)  # no row mixed with another
