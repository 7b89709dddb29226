"""Import benchmark: every export of a corpus with a manifest, counted against the manifest.

Runs the importer (format detected from the content, as ``reviewflow import FILE`` does) on
each file listed in a ``MANIFEST.tsv`` (``file``, ``expected_records``; an empty count means
"not counted upstream", and such files are reported as read or refused only), and prints one
row per format: files, files with exactly the expected count, files refused, files with a
different count, and warnings. Files refused or miscounted are listed with the reason. The
default corpus is ``../shared/fixtures/foreign/``; any folder with the same manifest works::

    python benchmarks/import_corpus.py [--corpus ../shared/fixtures/foreign] [--hand-counts]

``--hand-counts`` adds the counts of the files the manifest leaves empty, counted by hand in
the raw files (ProQuest: its ``Document n of m`` headers; Ovid: its ``<n>`` numbers).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

from reviewflow.errors import ReviewflowError
from reviewflow.importers import read_export, records_from_export

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "fixtures" / "foreign"
HAND_COUNTS = {
    "other/metaknowledge_ProQuest_TestFile.txt": 100,
    "other/jabref_OvidImporterTest4.txt": 1,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--hand-counts", action="store_true")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # warnings are counted, not printed
    manifest = args.corpus / "MANIFEST.tsv"
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    problems: list[str] = []
    started = time.perf_counter()
    for row in rows:
        name = row["file"]
        expected = row["expected_records"] or (
            str(HAND_COUNTS[name]) if args.hand_counts and name in HAND_COUNTS else ""
        )
        path = args.corpus / name
        try:
            parsed = read_export(path)
            records = records_from_export(parsed, path=path, search_id="b")
        except ReviewflowError as error:
            table[name.split("/")[0]]["files"] += 1
            table[name.split("/")[0]]["refused"] += 1
            problems.append(f"refused  {name}: {error}")
            continue
        counts = table[parsed.format]
        counts["files"] += 1
        counts["warnings"] += len(parsed.warnings)
        counts["records"] += len(records)
        if not expected:
            counts["uncounted"] += 1
        elif int(expected) == len(records):
            counts["exact"] += 1
        else:
            counts["miscounted"] += 1
            problems.append(f"count    {name}: {len(records)} records, manifest {expected}")
    columns = ("files", "exact", "uncounted", "miscounted", "refused", "records", "warnings")
    print(f"| format | {' | '.join(columns)} |")
    print(f"|---|{'---:|' * len(columns)}")
    total: dict[str, int] = defaultdict(int)
    for fmt in sorted(table):
        print(f"| {fmt} | {' | '.join(str(table[fmt][c]) for c in columns)} |")
        for c in columns:
            total[c] += table[fmt][c]
    print(f"| **all** | {' | '.join(str(total[c]) for c in columns)} |")
    print(f"\n{len(rows)} files in {time.perf_counter() - started:.1f} s")
    for problem in problems:
        print(problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
