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
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_stop_families import Setting, cached_runs, grid, reaches, stop_at  # noqa: E402

from reviewflow.screening.stopping import StopSettings  # noqa: E402

RELIABLE = 0.95


def load_runs(sources: list[tuple[Path, str]], seeds: list[int], variant_seeds: int) -> list[dict]:
    """Every cached run of every ranking: its set, ranking index, variant or not, labels."""
    return [
        {
            "set": dataset.stem,
            "rank": rank,
            "variant": keep is not None,
            "y": result.labels[result.order].astype(int),
        }
        for rank, (cache, model) in enumerate(sources)
        for dataset, _, keep, result in cached_runs(cache, model, seeds, variant_seeds)
    ]


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
            row.append((n / len(r["y"]), reaches(r["y"], n, args.target)))
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
    single = StopSettings.defaults().bias_single
    print(
        f"\nThe default's bias_single ({single:g}) with each bias, held fixed over every "
        "ranking's runs (runs reaching the target, mean share screened):\n"
    )
    print("| bias | runs | share | variants | share |\n|---|---|---|---|---|")
    for j, s in enumerate(settings):
        if s["single"] != single:
            continue
        cols = []
        for variant in (False, True):
            fixed = [cells[j][i] for i, r in enumerate(runs) if r["variant"] == variant]
            cols += [
                f"{sum(c[1] for c in fixed)}/{len(fixed)}",
                f"{np.mean([c[0] for c in fixed]):.3f}",
            ]
        print(f"| {s['bias']:g} | {' | '.join(cols)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
