"""Every table the demo run leaves under results/ is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re
from pathlib import Path

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def test_no_csv_or_xlsx_under_results_holds_a_live_formula(demo_run: Path) -> None:
    from openpyxl import load_workbook

    results = demo_run / "results"
    live = []
    csvs = sorted(results.rglob("*.csv"))
    books = sorted(p for p in results.rglob("*.xlsx") if not p.name.startswith("~$"))
    assert csvs and books
    for path in csvs:
        with open(path, encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                live += [
                    f"{path.relative_to(results)}:{number}: {cell[:40]}"
                    for cell in row
                    if cell[:1] and cell[0] in "=+-@" and not _NUMBER.fullmatch(cell)
                ]
    for path in books:
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                live += [
                    f"{path.relative_to(results)}:{sheet.title}!{cell.coordinate}"
                    for cell in row
                    if cell.data_type == "f"
                ]
    assert live == []
