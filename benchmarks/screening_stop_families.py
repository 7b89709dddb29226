#!/usr/bin/env python3
"""Families of biased-urn biases compared by a fast replay, each chosen one set left out.

The biased urn's test, replayed only on the current run of irrelevant records (the rule in
``reviewflow.screening.stopping`` also tests windows holding a few relevant records, so it
stops a little sooner), in its large-urn form: with ``m`` relevant records supposed missed
at an urn bias ``b``, a run of ``g`` of the records left after the last relevant one
rejects "recall < target" once ``(1 - g) ** (m * b) < 1 - confidence``. That takes
microseconds per run, so whole families of settings can be chosen by leaving one data set
out on the runs ``benchmarks/screening.py`` cached (run it first, same ``--cache``):

* ``two``: ``bias_single`` while a single miss breaks the target, ``bias`` after (the
  previous default's family);
* ``three``: one bias per number of records supposed missed, 1, 2, 3 or more;
* ``learnt``: the bias learnt from the review itself, a gamma prior on it updated by how
  deep in the records left each of the last ``last`` relevant records was found, and the
  posterior predictive chance of the current run of irrelevant records;
* ``mean``: the hardest missed record at ``bias_single``, the others at ``bias``, the urn at
  their mean (the default's family);
* ``pairs``: the records supposed missed come in pairs the model ranks together, each pair
  drawn as one record: the pair holding the hardest at ``bias_single``, every further pair
  at ``bias`` (with ``m`` missed, ``bias_single + (ceil(m / 2) - 1) * bias`` over ``m``).

``--model`` replays another cached ranking: a preset of ``benchmarks/screening_presets.py``
that ``benchmarks/screening.py --model`` simulated, or ``tried/VARIANT``, a variant of
``benchmarks/screening_ranking_tried.py`` run on the same sets (and with ``--keep 10`` and
``--keep 20`` on the variants). The last table holds the default's biases fixed, to see
how far they hold on a ranking they were not chosen on.

It also prints how long the relevant record that reaches the target kept the reviewer
waiting, which is what a bet on a single missed record must cover, and where the model
ranked that record when the wait began: a rule that bet only on the records the model
finds plausible would have to cover the gap in those. For each family, the
setting that on the other sets misses no run and reaches the target in 95 %
of their runs and low-prevalence variants together, and screens least; printed: held-out
runs reaching the target and mean share screened, for the runs and for the variants.

    python benchmarks/screening_stop_families.py --cache results/benchmarks/screening
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screening as bench  # noqa: E402

from reviewflow.screening.simulate import read_labelled  # noqa: E402
from reviewflow.screening.stopping import (  # noqa: E402
    BiasedUrn,
    StopSettings,
    missed_under_h0,
)

Setting = dict[str, float]


def urn_bias_of(family: str, s: Setting, target: float) -> Callable[[int], float]:
    """The urn's bias as a function of the relevant records found: the package's rule
    for ``mean``, the benchmark's previous default for ``two``, a lookup for ``three``."""
    if family == "three":
        levels = (s["b1"], s["b2"], s["b3"])
        return lambda r: levels[min(missed_under_h0(r, target), 3) - 1]
    if family == "pairs":

        def paired(r: int) -> float:
            m = missed_under_h0(r, target)
            return (s["single"] + (math.ceil(m / 2) - 1) * s["bias"]) / m

        return paired
    urn = BiasedUrn() if family == "mean" else bench.PreviousUrn()
    settings = replace(
        StopSettings.defaults(), recall_target=target, bias=s["bias"], bias_single=s["single"]
    )
    return lambda r: urn.bias(settings, r)


def stop_at(y: np.ndarray, target: float, alpha: float, family: str, s: Setting) -> int:
    """Records screened when the family's rule first stops (all of them if never)."""
    N = len(y)
    pos = np.flatnonzero(y) + 1
    prev = np.concatenate([[0], pos[:-1]])
    depth = -np.log1p(-np.clip((pos - prev) / (N - prev), 0, 1 - 1e-12))
    bias = None if family == "learnt" else urn_bias_of(family, s, target)
    for r in range(1, len(pos) + 1):
        m = missed_under_h0(r, target)
        if bias is None:  # learnt
            found = range(max(1, r - int(s["last"])), r)  # the prior's depth is no evidence
            shape = s["strength"] + len(found)
            rate = s["strength"] / s["bias"] + sum((m + r - i) * depth[i] for i in found)
            tau = rate * (alpha ** (-1 / shape) - 1) / m
        else:
            tau = -math.log(alpha) / (bias(r) * m)
        n = pos[r - 1] + math.ceil((1 - math.exp(-tau)) * (N - pos[r - 1]))
        if n < (pos[r] if r < len(pos) else N + 1):
            return min(n, N)
    return N


def reaches(y: np.ndarray, n: int, target: float) -> bool:
    """Whether the first ``n`` records of the order ``y`` hold the target's share of the
    relevant ones."""
    return bool(y[:n].sum() >= math.ceil(target * y.sum() - 1e-9))


def cached_runs(
    cache: Path, model: str, seeds: list[int], variant_seeds: int
) -> Iterator[tuple[Path, int, int | None, Any]]:
    """Every cached run of a ranking: (data set, seed, relevant records kept or None, run),
    the public sets with every seed, their low-prevalence variants with the first
    ``variant_seeds``."""
    for dataset in sorted(bench.DATA.glob("*.csv")):
        n_relevant = int(read_labelled(dataset)["_label"].sum())
        jobs: list[tuple[int, int | None]] = [(s, None) for s in seeds]
        jobs += [(s, k) for k in bench.KEEP if k < n_relevant for s in seeds[:variant_seeds]]
        for seed, keep in jobs:
            yield dataset, seed, keep, bench.load_or_simulate(cache, model, dataset, seed, keep)


def needed_find(y: np.ndarray, target: float) -> tuple[int, int]:
    """Records screened when the relevant record before the one that reaches the target
    was found (0 if that one is the first), and when that one was."""
    pos = np.flatnonzero(y) + 1
    need = math.ceil(target * len(pos) - 1e-9)
    return (int(pos[need - 2]) if need >= 2 else 0), int(pos[need - 1])


def last_needed_gap(y: np.ndarray, target: float) -> tuple[float, float, float]:
    """How much of what was left the relevant record that reaches the target waited for:
    the records screened after the relevant record before it, as a share of those left
    then (a rule that bets on a single missed record must wait at least that long); and
    where, as shares of the order, the one before it and it were found."""
    before, at = needed_find(y, target)
    if before == 0:
        return 0.0, 0.0, at / len(y)
    return (at - before) / (len(y) - before), before / len(y), at / len(y)


def plausible_pool(result, target: float) -> tuple[float, float, int, int] | None:
    """What the model in force at the find before the needed relevant record said of it.

    The needed record's rank among the records left, by that model's scores, as a share of
    them; and the records left scoring above the median of the irrelevant records screened
    so far (a "plausible pool" a rule could bet on instead of all the records left), with
    the gap measured in them. ``None`` when one relevant record already reaches the target.
    """
    before, at = needed_find(result.labels[result.order], target)
    if before == 0 or not result.snapshots:
        return None
    in_force = [s for n, s in result.snapshots if n <= before][-1].astype(float)
    left = np.ones(len(result.order), dtype=bool)
    left[result.order[:before]] = False
    seen = result.order[:before]
    median = np.median(in_force[seen[result.labels[seen] == 0]])
    record = result.order[at - 1]
    rank = float((in_force[left] > in_force[record]).sum() / left.sum())
    plausible = int((in_force[left] >= median).sum())
    return rank, (at - before) / max(plausible, 1), plausible, int(left.sum())


def grid(family: str) -> list[Setting]:
    if family in ("two", "mean", "pairs"):
        return [
            {"single": a, "bias": b}
            for a in (1.5, 2.0, 2.5, 3.0)
            for b in (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0)
            if b >= a
        ]
    if family == "three":
        return [
            {"b1": a, "b2": b, "b3": c}
            for a, b, c in itertools.product(
                (1.5, 2.0, 2.5, 3.0), (2.0, 2.5, 3.0, 4.0, 5.0), (3.0, 4.0, 5.0, 6.0, 8.0)
            )
            if a <= b <= c
        ]
    return [
        {"bias": b, "strength": nu, "last": last}
        for b in (2.0, 3.0, 4.0, 5.0)
        for nu in (1.0, 2.0, 5.0, 10.0)
        for last in (3, 5, 10, 20)
    ]


def held_out(
    runs: list[dict], target: float, family: str
) -> tuple[int, int, float, int, int, float]:
    def cell(y: np.ndarray, setting: Setting) -> tuple[float, bool]:
        n = stop_at(y, target, 0.05, family, setting)
        return n / len(y), reaches(y, n, target)

    table = [[cell(r["y"], setting) for r in runs] for setting in grid(family)]
    held: list[tuple[float, bool, bool]] = []
    for left in sorted({r["set"] for r in runs}):
        train = [i for i, r in enumerate(runs) if r["set"] != left]
        main = [i for i in train if not runs[i]["variant"]]

        def ok(row: list[tuple[float, bool]], idx: list[int]) -> float:
            return float(np.mean([row[i][1] for i in idx]))

        eligible = [
            j for j, row in enumerate(table) if ok(row, main) == 1.0 and ok(row, train) >= 0.95
        ]
        pool = eligible or list(range(len(table)))
        best = min(pool, key=lambda j: np.mean([table[j][i][0] for i in train]))
        for i, r in enumerate(runs):
            if r["set"] == left:
                held.append((table[best][i][0], table[best][i][1], r["variant"]))
    m = [h for h in held if not h[2]]
    v = [h for h in held if h[2]]
    return (
        sum(h[1] for h in m),
        len(m),
        float(np.mean([h[0] for h in m])),
        sum(h[1] for h in v),
        len(v),
        float(np.mean([h[0] for h in v])),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43,44,45,46")
    parser.add_argument("--variant-seeds", type=int, default=3)
    parser.add_argument("--cache", default=str(bench.ROOT / "results/benchmarks/screening"))
    parser.add_argument("--target", type=float, default=0.95)
    parser.add_argument("--model", default=bench.DEFAULT_PRESET, help="the cached ranking")
    args = parser.parse_args(argv)
    cache, seeds = Path(args.cache), [int(s) for s in args.seeds.split(",")]
    runs = []
    for dataset, seed, keep, result in cached_runs(cache, args.model, seeds, args.variant_seeds):
        runs.append(
            {
                "set": dataset.stem,
                "variant": keep is not None,
                "y": result.labels[result.order].astype(int),
                "name": f"{dataset.stem}{'' if keep is None else f'-r{keep}'} seed {seed}",
                "pool": plausible_pool(result, args.target),
            }
        )
    gaps = [last_needed_gap(r["y"], args.target) for r in runs]
    print(f"The gap before the relevant record that reaches {args.target:.0%}, as a share of the")
    print("records left after the one before it, over every run and variant:\n")
    print("| above | runs |\n|---|---|")
    for level in (0.5, 0.6, 0.7, 0.8, 0.86):
        print(f"| {level:g} | {sum(g[0] > level for g in gaps)}/{len(gaps)} |")
    print("\nThe runs above 0.7 (where the record before it and it were found):\n")
    print("| run | relevant | gap | the one before | the record |\n|---|---|---|---|---|")
    for r, (gap, before, at) in zip(runs, gaps, strict=True):
        if gap > 0.7:
            print(f"| {r['name']} | {int(r['y'].sum())} | {gap:.3f} | {before:.3f} | {at:.3f} |")
    print("\nWhere the model in force at the find before it ranked that record among the records")
    print("left, and the gap in records scoring above the median of the irrelevant ones screened")
    print("(a pool of plausible records a rule could bet on instead), for the runs above 0.5:\n")
    print("| run | rank among those left | plausible / left | gap / plausible |")
    print("|---|---|---|---|")
    for r, (gap, _, _) in zip(runs, gaps, strict=True):
        if gap > 0.5 and r["pool"] is not None:
            rank, in_plausible, plausible, left = r["pool"]
            print(f"| {r['name']} | {rank:.3f} | {plausible}/{left} | {in_plausible:.2f} |")
    print(f"\nTarget {args.target:.0%}, held out (runs; variants):\n")
    print("| family | runs reaching | share screened | variants reaching | variants screened |")
    print("|---|---|---|---|---|")
    for family in ("two", "three", "learnt", "mean", "pairs"):
        ok, n, frac, vok, vn, vfrac = held_out(runs, args.target, family)
        print(f"| {family} | {ok}/{n} | {frac:.3f} | {vok}/{vn} | {vfrac:.3f} |")
    fixed = StopSettings.defaults()
    setting = {"single": fixed.bias_single, "bias": fixed.bias}
    print(
        f"\nThe default's biases fixed (bias {fixed.bias:g}, hardest missed "
        f"{fixed.bias_single:g}), not chosen: on another ranking (--model), how far they hold:\n"
    )
    print("| family | runs reaching | share screened | variants reaching | variants screened |")
    print("|---|---|---|---|---|")
    missed = []
    for family in ("mean", "pairs"):
        cells: dict[bool, list[tuple[float, bool]]] = {False: [], True: []}
        for r in runs:
            stop = stop_at(r["y"], args.target, 0.05, family, setting)
            cells[r["variant"]].append((stop / len(r["y"]), reaches(r["y"], stop, args.target)))
            if family == "mean" and not reaches(r["y"], stop, args.target):
                missed.append((r, stop))
        row = [f"| {family}"]
        for kind in (False, True):
            share, reached = zip(*cells[kind], strict=True)
            row += [f"{sum(reached)}/{len(reached)}", f"{np.mean(share):.3f}"]
        print(" | ".join(row) + " |")
    print("\nThe runs the default's biases miss, where they stop and where the relevant records")
    print("come (the last found before the stop, then the next three):\n")
    print("| run | records | relevant | stop | found by then | last found before | next |")
    print("|---|---|---|---|---|---|---|")
    for r, stop in missed:
        pos = np.flatnonzero(r["y"]) + 1
        found = int((pos <= stop).sum())
        after = ", ".join(str(p) for p in pos[found : found + 3])
        print(
            f"| {r['name']} | {len(r['y'])} | {len(pos)} | {stop} | {found} | "
            f"{pos[found - 1] if found else '-'} | {after} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
