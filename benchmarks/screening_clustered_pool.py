#!/usr/bin/env python3
"""A large pool of near-copies: how long ``reviewflow simulate`` takes, and what the stop
does when relevant records come in tight groups.

Every public labelled set's records are pooled (Bannach-Brown 2019's relevant ones stay
relevant, every other record is irrelevant) and copied ``--copies`` times, each copy's
title given two random filler words, so the pool is as large as the largest real searches
(8 copies: 48,680 records, 2,240 relevant) and each relevant record has near-twins the
model ranks together. The copies are what deduplication would remove; the pool is not a
real review, so its recall says nothing of a real one, but it is the extreme of the
clustering that makes the biased urn's independent draws too trusting (docs/screening.md).
Printed: wall time, retrainings and peak memory of ``reviewflow simulate --stop-output``,
the order's WSS@95 and the stop's records screened and recall, scored by
../shared/bench/screening_metrics.py, and how many copies of each relevant record the stop
missed.

    python benchmarks/screening_clustered_pool.py --copies 8 --out /tmp/clustered
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screening as bench  # noqa: E402

FILLER = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
    "rho sigma tau upsilon"
).split()


def clustered_pool(copies: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for path in sorted(bench.DATA.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame[["title", "abstract", "label_included"]]
        if path.stem != "Bannach-Brown_2019":
            frame = frame.assign(label_included="0")
        frames.append(frame)
    base = pd.concat(frames, ignore_index=True)
    out = []
    for _ in range(copies):
        first, second = rng.choice(FILLER, len(base)), rng.choice(FILLER, len(base))
        out.append(base.assign(title=base["title"] + " " + first + " " + second))
    return pd.concat(out, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="folder for the pool and the runs")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pool = clustered_pool(args.copies)
    pool.to_csv(out / "pool.csv", index=False)
    started = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewflow",
            "simulate",
            str(out / "pool.csv"),
            "--output",
            str(out / "order.csv"),
            "--seed",
            str(args.seed),
            "--stop-output",
            str(out / "stop.csv"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6

    def score(name: str) -> dict:
        command = [sys.executable, str(bench.METRICS), str(out / name), str(out / "pool.csv")]
        done = subprocess.run(
            [*command, "--match", "row"], capture_output=True, text=True, check=True
        )
        return dict(json.loads(done.stdout))

    stop, order = score("stop.csv"), score("order.csv")
    relevant = int((pool["label_included"] == "1").sum())
    print("| records | relevant | wall time | peak memory | WSS@95 | stop: screened | recall |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(pool):,} | {relevant:,} | {seconds / 60:.1f} min | {peak_gb:.1f} GB | "
        f"{order['wss_95']:.3f} | {stop['n_ranked']:,} ({stop['n_ranked'] / len(pool):.3f}) | "
        f"{stop['recall_at_end_of_ranking']:.3f} |"
    )
    print(run.stderr.strip().splitlines()[-1])
    screened = set(pd.read_csv(out / "stop.csv")["row"])
    missed = [i for i in np.flatnonzero(pool["label_included"] == "1") if i not in screened]
    groups = pd.Series([i % (len(pool) // args.copies) for i in missed]).value_counts()
    print(
        f"The stop missed {len(missed)} relevant records: {len(groups)} records of the pooled "
        f"sets, {', '.join(f'{n} with {k} copies missed' for k, n in groups.value_counts().items())}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
