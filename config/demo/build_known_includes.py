"""Write the demo's known_includes.csv: the studies Nagtegaal et al. (2019) included.

Usage (from the repository root)::

    python config/demo/build_known_includes.py [--dataset ../shared/data/screening/Nagtegaal_2019.csv]

The dataset is the review's published screening data (ASReview systematic-review-datasets,
``Nagtegaal_2019.csv``): one row per search record with the authors' final decision in
``label_included``. Every record with ``label_included = 1`` becomes one known include. The
dataset gives titles only (no DOI, year or authors), so each row carries the title as its
label and as the field to match; the trace then shows the matcher working on citations as
thin as that.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATASET = HERE.parents[2] / "shared" / "data" / "screening" / "Nagtegaal_2019.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--out", type=Path, default=HERE / "known_includes.csv")
    args = parser.parse_args()
    with args.dataset.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["label_included"].strip() == "1"]
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# The studies Nagtegaal et al. (2019) included: label_included = 1 in the review's\n"
            "# published screening data (Nagtegaal_2019.csv, ASReview systematic-review-datasets).\n"
            "# Written by config/demo/build_known_includes.py; do not edit by hand.\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["label", "title", "note"])
        for row in rows:
            title = " ".join(row["title"].split())
            writer.writerow(
                [title, title, f"dataset record_id {row['record_id']} (label_included = 1)"]
            )
    print(f"{args.out}: {len(rows)} known includes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
