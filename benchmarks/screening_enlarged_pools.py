#!/usr/bin/env python3
"""The default stop on pools enlarged with records no reviewer would include.

Real searches return thousands of records, most of them plainly off-topic; the public
labelled sets are small topical pools. Here each set's pool is enlarged with every other
public set's records, labelled irrelevant (about 6,100 records), simulated once per seed,
and the default rule and the previous default are replayed on the same run: records
screened when each stops, the recall reached, and the oracle (where the order reached the
target). It checks that the rule stays reliable when the model's advantage is large, and
shows what its guarantee costs there.

    python benchmarks/screening_enlarged_pools.py --seeds 42,43
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screening as bench  # noqa: E402

from reviewflow.screening.simulate import read_labelled, run_simulation  # noqa: E402
from reviewflow.screening.stopping import StopSettings  # noqa: E402


def stops(result, seed: int, target: float) -> dict[str, tuple[float, float]]:
    y = result.labels[result.order]
    out = {"oracle": (bench.oracle_at(y, target) / len(y), target)}
    default = StopSettings.from_raw({"recall_target": target})
    rules = {
        "default": ("biased_urn", default),
        "previous (2 then 3)": (bench.PREVIOUS, replace(default, bias=3.0, bias_single=2.0)),
    }
    for label, (variant, settings) in rules.items():
        rows, _ = bench.replay(variant, "biased_urn", result, settings, seed)
        out[label] = (len(rows) / len(y), float(result.labels[rows].sum() / y.sum()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43")
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args(argv)
    frames = {d.stem: read_labelled(d) for d in sorted(bench.DATA.glob("*.csv"))}
    labels = ("oracle", "default", "previous (2 then 3)")
    print(
        "| data set | seed | records | "
        + " | ".join(f"{x}: share screened / recall" for x in labels)
        + " |"
    )
    print("|---|---|---|" + "---|" * len(labels))
    rows = []
    for name, frame in frames.items():
        others = [f.assign(_label=0) for k, f in frames.items() if k != name]
        pool = pd.concat([frame, *others], ignore_index=True)[["title", "abstract", "_label"]]
        for seed in (int(s) for s in args.seeds.split(",")):
            result = run_simulation(pool, seed=seed)
            got = stops(result, seed, args.target)
            rows.append(got)
            cells = " | ".join(f"{got[x][0]:.3f} / {got[x][1]:.3f}" for x in labels)
            print(f"| {name} | {seed} | {len(pool)} | {cells} |", flush=True)
    means = []
    for x in labels:
        reach = sum(r[x][1] >= args.target - 1e-9 for r in rows)
        means.append(f"{np.mean([r[x][0] for r in rows]):.3f} ({reach}/{len(rows)} reach)")
    print("| **mean** | | | " + " | ".join(means) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
