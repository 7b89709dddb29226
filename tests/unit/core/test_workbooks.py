"""Workbooks are byte-identical for equal content: no save time in them."""

from __future__ import annotations

import time
import zipfile

from openpyxl import Workbook, load_workbook

from reviewflow.io import WORKBOOK_EPOCH, newest_time, save_workbook


def _book() -> Workbook:
    book = Workbook()
    book.active.append(["study_id", "title"])
    book.active.append(["s1", "=not a formula"])
    return book


def test_the_same_workbook_saved_twice_is_the_same_bytes(tmp_path) -> None:
    save_workbook(_book(), tmp_path / "a.xlsx", as_of="2025-11-17T17:13:37Z")
    time.sleep(1.1)  # the ZIP entries' clock has a two-second step; openpyxl's a second
    save_workbook(_book(), tmp_path / "b.xlsx", as_of="2025-11-17T17:13:37Z")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_the_workbook_states_the_data_time(tmp_path) -> None:
    save_workbook(_book(), tmp_path / "a.xlsx", as_of="2025-11-17T17:13:37Z")
    read = load_workbook(tmp_path / "a.xlsx")
    assert read.properties.created.isoformat() == "2025-11-17T17:13:37"
    assert read.properties.modified == read.properties.created
    assert read.active["B2"].value == "=not a formula" or read.active["B2"].data_type == "s"
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 11, 17, 17, 13, 36)}


def test_without_a_data_time_the_zip_epoch(tmp_path) -> None:
    save_workbook(_book(), tmp_path / "a.xlsx")
    assert load_workbook(tmp_path / "a.xlsx").properties.created == WORKBOOK_EPOCH


def test_newest_time_of_the_rows() -> None:
    assert newest_time(["", "2019-01-02T00:00:00Z", "2025-11-17T17:13:37Z", None]) == (
        "2025-11-17T17:13:37Z"
    )
    assert newest_time(["", "not a time"]) == ""
