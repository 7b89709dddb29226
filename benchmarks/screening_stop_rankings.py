#!/usr/bin/env python3
"""The biased urn's biases chosen on the runs of several rankings, one data set left out.

Held-back reviews bring their relevant records in patterns the public runs did not show.
Rankings that differ only in how they weigh the hardest records (the default, ASReview's
class weights, a blend with ASReview's model) give the same seven sets other such
patterns, so a setting chosen on all their runs is chosen on more of the variety the stop
must survive. Leaving one set out (all its runs, of every ranking), the setting of the
default's family (``bias_single`` for the hardest record supposed missed, ``bias`` for the
others, the urn at their mean) is chosen that, on the other sets' runs of every ranking:

* reaches the target in at least 95 % of the runs, and of the runs and low-prevalence
  variants together;
* and whose next larger ``bias`` (the same ``bias_single``) does too;
* and screens least on those runs.

It is scored on the left-out set's runs of the first ranking (the one a review gets) and
of all of them. The replay is ``screening_stop_families.py``'s fast one (the current run
of irrelevant records only, so it stops a little later than the rule), on runs cached by
``benchmarks/screening.py --model`` or ``benchmarks/screening_ranking_tried.py``:

    python benchmarks/screening_stop_rankings.py \\
        --runs DIR:reviewflow-default,DIR:ridge-balancer9.8,DIR:tried/u4-blend
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screening as bench  # noqa: E402
from screening_stop_families import Setting, grid, stop_at  # noqa: E402

from reviewflow.screening.simulate import read_labelled  # noqa: E402

RELIABLE = 0.95


def load_runs(sources: list[tuple[Path, str]], seeds: list[int], variant_seeds: int) -> list[dict]:
    """Every cached run of every ranking: its set, ranking index, variant or not, labels."""
    runs = []
    for rank, (cache, model) in enumerate(sources):
        for dataset in sorted(bench.DATA.glob("*.csv")):
            n_relevant = int(read_labelled(dataset)["_label"].sum())
            jobs: list[tuple[int, int | None]] = [(s, None) for s in seeds]
            jobs += [(s, k) for k in bench.KEEP if k < n_relevant for s in seeds[:variant_seeds]]
            for seed, keep in jobs:
                result = bench.load_or_simulate(cache, model, dataset, seed, keep)
                y = result.labels[result.order].astype(int)
                runs.append(
                    {"set": dataset.stem, "rank": rank, "variant": keep is not None, "y": y}
                )
    return runs


def next_step(settings: list[Setting], j: int) -> int | None:
    """The setting with the next larger ``bias`` and the same ``bias_single``."""
    larger = [
        k
        for k, s in enumerate(settings)
        if s["single"] == settings[j]["single"] and s["bias"] > settings[j]["bias"]
    ]
    return min(larger, key=lambda k: settings[k]["bias"]) if larger else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", required=True, help="CACHE:MODEL,... the first is scored")
    parser.add_argument("--seeds", default="42,43,44,45,46")
    parser.add_argument("--variant-seeds", type=int, default=3)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args(argv)
    sources = [(Path(c), m) for c, m in (item.split(":", 1) for item in args.runs.split(","))]
    runs = load_runs(sources, [int(s) for s in args.seeds.split(",")], args.variant_seeds)
    settings = grid("mean")
    # cells[j][i] = (share screened, target reached) of setting j on run i
    cells = []
    for s in settings:
        row = []
        for r in runs:
            n = stop_at(r["y"], args.target, 0.05, "mean", s)
            need = math.ceil(args.target * r["y"].sum() - 1e-9)
            row.append((n / len(r["y"]), bool(r["y"][:n].sum() >= need)))
        cells.append(row)

    def meets(j: int, idx: list[int]) -> bool:
        main = [i for i in idx if not runs[i]["variant"]]
        reach = [cells[j][i][1] for i in idx]
        return float(np.mean([cells[j][i][1] for i in main])) >= RELIABLE and (
            float(np.mean(reach)) >= RELIABLE
        )

    print(f"Target {args.target:.0%}; rankings: {', '.join(m for _, m in sources)}.\n")
    print("| left-out set | chosen on the other sets' runs of every ranking |\n|---|---|")
    held: dict[str, list[tuple[float, bool, bool, int]]] = {}
    for left in sorted({r["set"] for r in runs}):
        train = [i for i, r in enumerate(runs) if r["set"] != left]
        fine = [j for j in range(len(settings)) if meets(j, train)]
        eligible = [
            j for j in fine if (k := next_step(settings, j)) is not None and meets(k, train)
        ]
        pool = eligible or fine or list(range(len(settings)))
        main = [i for i in train if not runs[i]["variant"]]
        best = min(pool, key=lambda j: np.mean([cells[j][i][0] for i in main]))
        s = settings[best]
        print(f"| {left} | bias {s['bias']:g}, hardest missed {s['single']:g} |")
        held[left] = [
            (cells[best][i][0], cells[best][i][1], r["variant"], r["rank"])
            for i, r in enumerate(runs)
            if r["set"] == left
        ]
    rows = [h for hs in held.values() for h in hs]
    print("\nHeld out (runs reaching the target, mean share screened):\n")
    print("| runs of | runs | share | variants | share |\n|---|---|---|---|---|")
    for label, ranks in (("the first ranking", {0}), ("every ranking", set(range(len(sources))))):
        cols = []
        for variant in (False, True):
            sel = [h for h in rows if h[2] == variant and h[3] in ranks]
            cols += [f"{sum(h[1] for h in sel)}/{len(sel)}", f"{np.mean([h[0] for h in sel]):.3f}"]
        print(f"| {label} | {' | '.join(cols)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
