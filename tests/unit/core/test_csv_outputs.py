"""Tables a person opens never hold a live formula: one CSV writer, text cells in workbooks.

The cells come from real records: the cytology-screening dedup set lists the author of the
FUTURE II trial report as ``-FUTURE-II-Study-Group`` (a spreadsheet reads that as the
formula ``=-FUTURE-II-Study-Group``), and a Bannach-Brown 2019 abstract starts with ``-ATP``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.dedup.stage import UNCERTAIN_COLUMNS, _write_csv, write_uncertain_xlsx
from reviewflow.fulltext.stage import _write_table
from reviewflow.io import escape_cell, unescape_cell, write_csv
from reviewflow.records import read_records, records_frame, write_records
from reviewflow.screening.stage import _write_csv as write_screening_csv

#: id_0001717 of the cytology-screening set (title, year, authors, pages, volume, journal)
FUTURE_II = {
    "record_id": "cytology:id_0001717",
    "title": "Quadrivalent vaccine against human papillomavirus to prevent high-grade cervical lesions",
    "year": "2007",
    "authors": "-FUTURE-II-Study-Group",
    "pages": "1915-1927",
    "volume": "356",
    "journal": "The New England journal of medicine",
    "abstract": "-ATP-sensitive potassium (K(ATP)) channels were discovered in ventricular myocytes",
}
LIVE = ('=HYPERLINK("http://example.org")', "+1+cmd|' /C calc'!A0", "@SUM(A1:A2)")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def live_cells_in_csv(path: Path) -> list[str]:
    """Cells a spreadsheet would run as formulas (plain numbers are numbers, not formulas)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            cell
            for row in csv.reader(handle)
            for cell in row
            if cell[:1] and cell[0] in "=+-@" and not _NUMBER.fullmatch(cell)
        ]


def live_cells_in_xlsx(path: Path) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str)
                    and cell.value.startswith("=")
                    and cell.data_type != "s"
                ):
                    found.append(str(cell.value))
    return found


def test_escape_is_the_next_batch_rule_and_numbers_stay_numbers() -> None:
    for text in (FUTURE_II["authors"], *LIVE, "-", "=1"):
        assert escape_cell(text) == "'" + text
        assert unescape_cell(escape_cell(text)) == text
    for number in ("-0.53", "+1", "-1e-3", ".5", "2007", "1915-1927"):
        assert escape_cell(number) == number
    assert escape_cell(3.5) == 3.5 and escape_cell("") == ""


def test_record_tables_are_safe_and_read_back_unchanged(tmp_path: Path) -> None:
    rows = [FUTURE_II] + [
        {**FUTURE_II, "record_id": f"x:{i}", "title": t} for i, t in enumerate(LIVE)
    ]
    frame = records_frame(rows)
    write_records(frame, tmp_path / "all_records.csv")
    assert live_cells_in_csv(tmp_path / "all_records.csv") == []
    back = read_records(tmp_path / "all_records.csv")
    assert back["authors"].iloc[0] == "-FUTURE-II-Study-Group"
    assert list(back["title"].iloc[1:]) == list(LIVE)
    assert back.equals(read_records(tmp_path / "all_records.csv"))


@pytest.mark.parametrize("writer", [_write_csv, write_screening_csv, write_csv])
def test_stage_writers_share_the_escaping(writer, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"record_id": ["a:1", "a:2"], "authors": [FUTURE_II["authors"], "Smith, J"],
         "score": [-0.53, 0.9], "title": [LIVE[0], FUTURE_II["title"]]}
    )  # fmt: skip
    writer(frame, tmp_path / "out.csv")
    assert live_cells_in_csv(tmp_path / "out.csv") == []
    assert "-0.53" in (tmp_path / "out.csv").read_text()


def test_fulltext_availability_is_safe(tmp_path: Path) -> None:
    _write_table(
        [{"study_id": "s1", "note": LIVE[1]}], ["study_id", "note"], str(tmp_path / "a.csv")
    )
    assert live_cells_in_csv(tmp_path / "a.csv") == []


def test_uncertain_pairs_workbook_holds_text_without_a_visible_apostrophe(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    row = {c: "" for c in UNCERTAIN_COLUMNS}
    row.update(
        record_id_a="a:1", record_id_b="b:2", authors_a=FUTURE_II["authors"], title_b=LIVE[0]
    )
    path = tmp_path / "uncertain_pairs.xlsx"
    write_uncertain_xlsx([row], path)
    assert live_cells_in_xlsx(path) == []
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    cells = {header[i]: c for i, c in enumerate(sheet[2])}
    assert cells["authors_a"].value == "-FUTURE-II-Study-Group"  # as typed, no apostrophe
    assert cells["authors_a"].data_type == "s" and cells["authors_a"].quotePrefix
    assert cells["title_b"].value == LIVE[0] and cells["title_b"].data_type == "s"
