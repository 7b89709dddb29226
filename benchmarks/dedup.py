"""Deduplication benchmark: in-sample and held-out accuracy side by side with bib-dedupe, and scale.

Every labelled set (``benchmarks/dedup_sets.py``: the five in ``../shared/data/dedup/``,
ASySD's labelled test set, CoLRev's dedupe case) is run through ``reviewflow dedup`` twice:

* **held out**: with a model (weights *and* thresholds, :func:`reviewflow.dedup.training.
  fit_model`) counted on the other sets only, so the set scored played no part in it;
* **in sample**: with the shipped model (``reviewflow/data/dedup_model.json``), counted on
  every set, the one scored included.

Both are scored with ``../shared/bench/dedup_metrics.py`` (pair precision, recall, F1, false
merges), with the uncertain pairs left for a person, wall time and peak memory of the
process. bib-dedupe (0.11.0) runs on the same records from its own virtual environment, so it
never becomes a dependency of this project; its "maybe" pairs are its uncertain pairs::

    python -m venv /tmp/bdvenv && /tmp/bdvenv/bin/pip install bib-dedupe==0.11.0
    python benchmarks/dedup.py --bib-dedupe-python /tmp/bdvenv/bin/python

``--fit`` rewrites the shipped model from all sets first. Scale runs (``--scale 50000
80000 200000``) use synthetic inputs built from the five shared sets; see :func:`synthesise`.
Targets: no false merge held out, pooled pair recall at least bib-dedupe's, 80,000 records
well under a minute with memory growing linearly.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "benchmarks"))

from dedup_sets import LabelledSet, bib_shaped, labelled_sets  # noqa: E402

MODEL_PATH = ROOT / "reviewflow" / "data" / "dedup_model.json"
SHARED_SETS = ("special_cases", "stroke", "haematology", "cytology_screening", "neuroimaging")
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
matched = match(block(prep(records, verbosity_level=0), verbosity_level=0), verbosity_level=0)
groups = cluster(matched, verbosity_level=0)
cluster_of = {rid: rid for rid in records["ID"]}
for group in groups:
    first = min(group)
    for rid in group:
        cluster_of[rid] = first
pd.DataFrame({"record_id": list(cluster_of), "cluster_id": list(cluster_of.values())}).to_csv(
    sys.argv[2], index=False)
maybe = int((matched["duplicate_label"] == "maybe").sum()) if len(matched) else 0
open(sys.argv[3], "w").write(str(maybe))
"""


@dataclass
class Row:
    """One tool on one set."""

    set: str
    records: int
    tool: str
    seconds: float = 0.0
    peak_mb: float = 0.0
    error: str = ""
    metrics: dict[str, float] = field(default_factory=dict)


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
    pairs = metrics["pairs"]
    return {
        "precision": pairs["precision"],
        "recall": pairs["recall"],
        "f1": pairs["f1"],
        "tp": pairs["tp"],
        "fp": pairs["fp"],
        "fn": pairs["fn"],
        "false_merges": metrics["false_merges"],
    }


def run_reviewflow(data: LabelledSet, work: Path, model: Path | None, tag: str) -> Row:
    prediction = work / f"reviewflow_{tag}_{data.name}.csv"
    uncertain = work / f"reviewflow_{tag}_{data.name}_uncertain.csv"
    command = [sys.executable, "-m", "reviewflow", "dedup", str(data.records)]
    command += ["--output", str(prediction), "--uncertain", str(uncertain)]
    if model is not None:
        command += ["--model", str(model)]
    wall, peak, status = run_measured(command)
    row = Row(data.name, _count(data), "reviewflow", wall, peak)
    if status != 0:
        row.error = f"exit {status}"
        return row
    row.metrics = score(prediction, data.truth)
    with open(uncertain, encoding="utf-8", newline="") as handle:
        row.metrics["uncertain"] = sum(1 for _ in csv.DictReader(handle))
    return row


def run_bib_dedupe(data: LabelledSet, work: Path, python: str) -> Row:
    records = bib_shaped(data, work / f"bib_{data.name}.csv")
    prediction = work / f"bib_dedupe_{data.name}.csv"
    maybe = work / f"bib_dedupe_{data.name}_maybe.txt"
    runner = work / "bib_dedupe_runner.py"
    runner.write_text(BIB_DEDUPE_RUNNER, encoding="utf-8")
    wall, peak, status = run_measured(
        [python, str(runner), str(records), str(prediction), str(maybe)]
    )
    row = Row(data.name, _count(data), "bib-dedupe", wall, peak)
    if status != 0:
        row.error = f"exit {status}"
        return row
    row.metrics = score(prediction, data.truth)
    row.metrics["uncertain"] = int(maybe.read_text())
    return row


def _count(data: LabelledSet) -> int:
    with open(data.truth, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def _labelled_pairs(sets: list[LabelledSet]) -> dict:
    from reviewflow.dedup.stage import read_dedup_input
    from reviewflow.dedup.training import labelled_pairs

    found = {}
    for data in sets:
        with open(data.truth, encoding="utf-8", newline="") as handle:
            truth = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(handle)}
        found[data.name] = labelled_pairs(data.name, read_dedup_input(data.records), truth)
    return found


def pooled(rows: list[Row]) -> dict[str, float]:
    done = [r for r in rows if not r.error]
    tp = sum(r.metrics["tp"] for r in done)
    fp = sum(r.metrics["fp"] for r in done)
    fn = sum(r.metrics["fn"] for r in done)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "tp": tp,
        "fn": fn,
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "false_merges": sum(x.metrics["false_merges"] for x in done),
        "uncertain": sum(x.metrics.get("uncertain", 0) for x in done),
        "seconds": sum(x.seconds for x in done),
        "records": sum(x.records for x in done),
    }


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}\n")
    print(
        "| set | records | tool | P | R | F1 | pairs found | false merges | uncertain pairs "
        "| s | peak MB |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        if row.error:
            print(f"| {row.set} | {row.records:,} | {row.tool} | {row.error} | | | | | | | |")
            continue
        m = row.metrics
        unc = f"{int(m['uncertain']):,}" if "uncertain" in m else ""
        found = f"{int(m['tp']):,} / {int(m['tp'] + m['fn']):,}"
        print(
            f"| {row.set} | {row.records:,} | {row.tool} | {m['precision']:.4f} | "
            f"{m['recall']:.4f} | {m['f1']:.4f} | {found} | {int(m['false_merges'])} | {unc} | "
            f"{row.seconds:.1f} | {row.peak_mb:.0f} |"
        )
    for tool in dict.fromkeys(r.tool for r in rows):
        mine = [r for r in rows if r.tool == tool and r.metrics.get("tp") is not None]
        if not mine:
            continue
        t = pooled(mine)
        found = f"{int(t['tp']):,} / {int(t['tp'] + t['fn']):,}"
        print(
            f"| **pooled** | {int(t['records']):,} | {tool} | {t['precision']:.4f} | "
            f"{t['recall']:.4f} | {t['f1']:.4f} | {found} | {int(t['false_merges'])} | "
            f"{int(t['uncertain']):,} | {t['seconds']:.1f} | |"
        )


_SURNAMES: list[str] = []


def _read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def synthesise(n: int, out_records: Path, out_truth: Path, seed: int = 13) -> None:
    """Write ``n`` realistic records with known duplicate groups, built from the real sets.

    Copy ``c`` of every shared labelled set is a new, distinct corpus: for each true
    duplicate group, the same substitutions are made in all its members (three title words
    replaced by words drawn from the whole corpus, the first author's surname replaced by
    another real surname, the volume moved by ``100 * c`` and the first page by ``7 * c``,
    the DOI suffix prefixed with ``c<copy>.``), so the group stays a group of duplicates and
    differs from the same group in other copies the way two different papers on one topic
    differ. Then each record gets database-typical noise independently: title case changed
    (20 %), punctuation dropped (20 %), an adjacent letter swap in the title (5 %), the
    journal abbreviated to word stems (20 %), authors rewritten MEDLINE-style ``Last FM``
    (30 %), pages, volume, journal or DOI dropped (10 % each). Truth:
    ``<copy>:<set>:<true cluster>``.
    """
    rng = random.Random(seed)
    base: list[tuple[str, dict[str, str], str]] = []
    for name in SHARED_SETS:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [s.name for s in labelled_sets()]
    parser.add_argument("--sets", nargs="*", default=names, help="labelled sets to run")
    parser.add_argument(
        "--bib-dedupe-python",
        default=os.environ.get("BIB_DEDUPE_PYTHON", "/tmp/bdvenv/bin/python"),
        help="python of a venv with bib-dedupe==0.11.0 (skipped when missing)",
    )
    parser.add_argument("--fit", action="store_true", help="rewrite the shipped model first")
    parser.add_argument("--no-in-sample", action="store_true", help="held-out table only")
    parser.add_argument(
        "--scale", nargs="*", type=int, default=[], help="synthetic sizes, e.g. 50000 200000"
    )
    parser.add_argument(
        "--bib-dedupe-scale", action="store_true", help="also run bib-dedupe on scale inputs"
    )
    args = parser.parse_args()
    from reviewflow.dedup.training import fit_model

    bd_python = args.bib_dedupe_python if Path(args.bib_dedupe_python).exists() else None
    every = labelled_sets()
    chosen = [s for s in every if s.name in args.sets]
    pairs = _labelled_pairs(every)
    if args.fit:
        model = fit_model(list(pairs.values()))
        model.save(MODEL_PATH)
        print(
            f"wrote {MODEL_PATH.relative_to(ROOT)}: merge_at {model.merge_at}, "
            f"review_at {model.review_at}",
            file=sys.stderr,
        )
    held_out: list[Row] = []
    in_sample: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        work = Path(tmp)
        for data in chosen:
            others = [p for name, p in pairs.items() if name != data.name]
            path = work / f"model_without_{data.name}.json"
            fit_model(others).save(path)
            held_out.append(run_reviewflow(data, work, path, "held_out"))
            if not args.no_in_sample:
                in_sample.append(run_reviewflow(data, work, None, "in_sample"))
            if bd_python:
                bib = run_bib_dedupe(data, work, bd_python)
                held_out.append(bib)
                in_sample.append(bib)
            print(f"done: {data.name}", file=sys.stderr)
        print_table(
            "Held out (each set scored by a model counted without it; bib-dedupe as shipped)",
            held_out,
        )
        if in_sample:
            print_table("In sample (the shipped model, counted on every set)", in_sample)
        scale_rows = []
        for n in args.scale:
            records, truth = work / f"synthetic_{n}.csv", work / f"synthetic_{n}_truth.csv"
            synthesise(n, records, truth)
            data = LabelledSet(f"synthetic {n // 1000}k", records, truth)
            scale_rows.append(run_reviewflow(data, work, None, "scale"))
            if bd_python and args.bib_dedupe_scale:
                scale_rows.append(run_bib_dedupe(data, work, bd_python))
            print(f"done: {data.name}", file=sys.stderr)
        if scale_rows:
            print_table("Scale (synthetic records built from the shared sets)", scale_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
