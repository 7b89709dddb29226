"""Deduplication benchmark: accuracy on the labelled sets, side by side with bib-dedupe, and scale.

Runs ``reviewflow dedup`` on every labelled set in ``../shared/data/dedup/`` and scores it with
``../shared/bench/dedup_metrics.py`` (pair precision, recall, F1, false merges), with wall
time and peak memory of the process. bib-dedupe (0.11.0) runs on the same files from its own
virtual environment, so it never becomes a dependency of this project::

    python -m venv /tmp/bdvenv && /tmp/bdvenv/bin/pip install bib-dedupe==0.11.0
    python benchmarks/dedup.py --bib-dedupe-python /tmp/bdvenv/bin/python

Scale runs (``--scale 50000 80000 200000``) use synthetic inputs built from the real sets;
see :func:`synthesise` for how. Targets: zero false merges on every set, pair recall at
least bib-dedupe's, 80,000 records in under a minute and under 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETS = ("special_cases", "stroke", "haematology", "cytology_screening", "neuroimaging")
BIB_COLUMNS = (
    "ID",
    "ENTRYTYPE",
    "author",
    "title",
    "year",
    "journal",
    "booktitle",
    "volume",
    "number",
    "pages",
    "doi",
    "abstract",
)

BIB_DEDUPE_RUNNER = """
import sys
import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep

records = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
records = records.replace("", pd.NA)
groups = cluster(match(block(prep(records, verbosity_level=0), verbosity_level=0),
                       verbosity_level=0), verbosity_level=0)
cluster_of = {rid: rid for rid in records["ID"]}
for group in groups:
    first = min(group)
    for rid in group:
        cluster_of[rid] = first
pd.DataFrame({"record_id": list(cluster_of), "cluster_id": list(cluster_of.values())}).to_csv(
    sys.argv[2], index=False)
"""


def run_measured(command: list[str]) -> tuple[float, float, int]:
    """Run a command; return wall seconds, peak resident memory in MB, exit status."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if process.stderr is not None:
        err = process.stderr.read().decode(errors="replace")
        if status != 0:
            print(err[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def score(prediction: Path, truth: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, str(SHARED / "bench" / "dedup_metrics.py"), str(prediction), str(truth)],
        capture_output=True,
        text=True,
        check=True,
    )
    metrics = json.loads(out.stdout)
    false_merges = metrics.get("false_merges", 0)
    if isinstance(false_merges, list | dict):
        false_merges = len(false_merges)
    return {
        "precision": metrics["pairs"]["precision"],
        "recall": metrics["pairs"]["recall"],
        "f1": metrics["pairs"]["f1"],
        "false_merges": false_merges,
    }


def run_tool(tool: str, records: Path, truth: Path, work: Path, bd_python: str | None) -> dict:
    prediction = work / f"{tool}_{records.parent.name}_{records.stem}.csv"
    if tool == "reviewflow":
        command = [
            sys.executable,
            "-m",
            "reviewflow",
            "dedup",
            str(records),
            "--output",
            str(prediction),
        ]
    else:
        runner = work / "bib_dedupe_runner.py"
        runner.write_text(BIB_DEDUPE_RUNNER, encoding="utf-8")
        command = [str(bd_python), str(runner), str(records), str(prediction)]
    wall, peak, status = run_measured(command)
    row: dict = {"tool": tool, "seconds": wall, "peak_mb": peak}
    if status != 0:
        row["error"] = f"exit {status}"
        return row
    row.update(score(prediction, truth))
    return row


def _read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


_SURNAMES: list[str] = []


def synthesise(n: int, out_records: Path, out_truth: Path, seed: int = 13) -> None:
    """Write ``n`` realistic records with known duplicate groups, built from the real sets.

    Copy ``c`` of every labelled set is a new, distinct corpus: for each true duplicate
    group, the same substitutions are made in all its members (three title words replaced
    by words drawn from the whole corpus, the first author's surname replaced by another
    real surname, the volume moved by ``100 * c`` and the first page by ``7 * c``, the DOI suffix
    prefixed with ``c<copy>.``), so the
    group stays a group of duplicates and differs from the same group in other copies the
    way two different papers on one topic differ. Then each record gets database-typical
    noise independently: title case changed (20 %), punctuation dropped (20 %), an adjacent
    letter swap in the title (5 %), the journal abbreviated to word stems (20 %), authors
    rewritten MEDLINE-style ``Last FM`` (30 %), pages, volume, journal or DOI dropped (10 %
    each). Truth: ``<copy>:<set>:<true cluster>``.
    """
    rng = random.Random(seed)
    base: list[tuple[str, dict[str, str], str]] = []
    for name in SETS:
        folder = SHARED / "data" / "dedup" / name
        truth = {r["record_id"]: r["cluster_id"] for r in _read_rows(folder / "truth.csv")}
        for row in _read_rows(folder / "records_pre_merged.csv"):
            base.append((name, row, truth[row["ID"]]))
    vocabulary = sorted(
        {w for _, row, _ in base for w in re.findall(r"[a-z]{5,}", row.get("title", "").lower())}
    )
    surnames = sorted(
        {
            a.split(",")[0].strip()
            for _, row, _ in base
            for a in row.get("author", "").split(" and ")
            if "," in a
        }
    )
    written = 0
    copy = 0
    with (
        open(out_records, "w", encoding="utf-8", newline="") as rec_handle,
        open(out_truth, "w", encoding="utf-8", newline="") as truth_handle,
    ):
        records = csv.DictWriter(rec_handle, fieldnames=list(BIB_COLUMNS))
        truth_out = csv.writer(truth_handle)
        records.writeheader()
        truth_out.writerow(["record_id", "cluster_id"])
        while written < n:
            for name, row, cluster in base:
                if written >= n:
                    break
                group_rng = random.Random(f"{seed}:{copy}:{name}:{cluster}")
                new = {c: row.get(c, "") for c in BIB_COLUMNS}
                new["ID"] = f"c{copy:03d}_{name}_{row['ID']}"
                if copy:
                    words = new["title"].split()
                    for _ in range(3):
                        if words:
                            words[group_rng.randrange(len(words))] = group_rng.choice(vocabulary)
                    new["title"] = " ".join(words)
                    authors = new["author"].split(" and ")
                    if authors and authors[0] and surnames:
                        first = authors[0].split(",", 1)
                        first[0] = group_rng.choice(surnames)
                        authors[0] = ",".join(first)
                        new["author"] = " and ".join(authors)
                    new["volume"] = _shift(new["volume"], 100 * copy)
                    new["pages"] = _shift(new["pages"], 7 * copy)
                    if "/" in new["doi"]:
                        prefix, _, suffix = new["doi"].partition("/")
                        new["doi"] = f"{prefix}/c{copy}.{suffix}"
                _noise(new, rng)
                records.writerow(new)
                truth_out.writerow([new["ID"], f"{copy}:{name}:{cluster}"])
                written += 1
            copy += 1


def _shift(value: str, by: int) -> str:
    """Move the first number in a volume or page field (``169-178`` -> ``176-178``)."""
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + by), value, count=1)


def _noise(row: dict[str, str], rng: random.Random) -> None:
    title = row["title"]
    if rng.random() < 0.2:
        title = title.upper() if rng.random() < 0.5 else title.lower()
    if rng.random() < 0.2:
        title = re.sub(r"[^\w\s]", "", title)
    if rng.random() < 0.05 and len(title) > 10:
        k = rng.randrange(1, len(title) - 2)
        title = title[:k] + title[k + 1] + title[k] + title[k + 2 :]
    row["title"] = title
    if rng.random() < 0.2 and row["journal"]:
        row["journal"] = " ".join(w[:4] for w in row["journal"].split() if len(w) > 2)
    if rng.random() < 0.3 and row["author"]:
        names = []
        for author in row["author"].split(" and "):
            last, _, given = author.partition(",")
            initials = "".join(p[0] for p in re.findall(r"[A-Za-z]+", given))
            names.append(f"{last.strip()} {initials}".strip())
        row["author"] = ", ".join(names)
    for column in ("pages", "volume", "journal", "doi"):
        if rng.random() < 0.1:
            row[column] = ""


def print_table(rows: list[dict]) -> None:
    header = f"{'set':<22}{'records':>9} {'tool':<11}{'P':>7}{'R':>7}{'F1':>7}"
    header += f"{'false merges':>14}{'seconds':>9}{'peak MB':>9}"
    print(header)
    print("-" * len(header))
    for row in rows:
        if "error" in row:
            print(f"{row['set']:<22}{row['records']:>9} {row['tool']:<11}  {row['error']}")
            continue
        print(
            f"{row['set']:<22}{row['records']:>9} {row['tool']:<11}{row['precision']:>7.3f}"
            f"{row['recall']:>7.3f}{row['f1']:>7.3f}{row['false_merges']:>14}"
            f"{row['seconds']:>9.1f}{row['peak_mb']:>9.0f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS), help="labelled sets to run")
    parser.add_argument(
        "--bib-dedupe-python",
        default=os.environ.get("BIB_DEDUPE_PYTHON", "/tmp/bdvenv/bin/python"),
        help="python of a venv with bib-dedupe==0.11.0 (skipped when missing)",
    )
    parser.add_argument(
        "--scale", nargs="*", type=int, default=[], help="synthetic sizes, e.g. 50000 200000"
    )
    parser.add_argument(
        "--bib-dedupe-scale", action="store_true", help="also run bib-dedupe on scale inputs"
    )
    args = parser.parse_args()
    bd_python = args.bib_dedupe_python if Path(args.bib_dedupe_python).exists() else None
    rows = []
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        work = Path(tmp)
        jobs = []
        for name in args.sets:
            folder = SHARED / "data" / "dedup" / name
            jobs.append((name, folder / "records_pre_merged.csv", folder / "truth.csv", True))
        for n in args.scale:
            records, truth = work / f"synthetic_{n}.csv", work / f"synthetic_{n}_truth.csv"
            synthesise(n, records, truth)
            jobs.append((f"synthetic {n // 1000}k", records, truth, args.bib_dedupe_scale))
        for name, records, truth, with_bd in jobs:
            n_records = sum(1 for _ in _read_rows(records))
            tools = ["reviewflow"] + (["bib-dedupe"] if bd_python and with_bd else [])
            for tool in tools:
                row = run_tool(tool, records, truth, work, bd_python)
                row.update(set=name, records=n_records)
                rows.append(row)
                print(f"done: {name} {tool} {row.get('seconds', 0):.1f}s", file=sys.stderr)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
