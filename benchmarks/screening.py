#!/usr/bin/env python3
"""Benchmark reviewflow's screening simulation against ASReview LAB's default model.

Runs ``reviewflow simulate`` on every labelled data set in ../shared/data/screening/ for
several seeds, scores each screening order with ../shared/bench/screening_metrics.py (the
same definitions for every tool), and prints one table: WSS@95, recall at 10 % screened,
ATD, records screened to 95 % recall, wall time, peak memory, and the stopping rule's
achieved recall and records screened.

ASReview LAB (``asreview==3.0.8``, default ``elas_u4``: TF-IDF 1-2-grams, linear SVM, max
query; 1 + 1 random priors with prior seed and seed 42; priors counted as screened) runs
from a separate virtual environment given by ``--asreview`` (e.g. /tmp/asrvenv/bin/asreview):

    python benchmarks/screening.py --seeds 42,43,44 --asreview /tmp/asrvenv/bin/asreview

``--model a,b,c`` runs several presets; the table then ends with the model-selection check
(leave one data set out): for each data set, the preset with the best mean WSS@95 on the
other data sets, and its score on the held-out one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "screening"
METRICS = SHARED / "bench" / "screening_metrics.py"


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak resident memory in MB of that command).

    The peak comes from GNU time (``/usr/bin/time -f %M``) where it exists: getrusage on
    children reports the largest child so far, not this one.
    """
    with tempfile.NamedTemporaryFile(suffix=".txt") as peak_file:
        wrapped = cmd
        if Path("/usr/bin/time").exists():
            wrapped = ["/usr/bin/time", "-q", "-f", "%M", "-o", peak_file.name, *cmd]
        started = time.perf_counter()
        proc = subprocess.run(wrapped, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
        text = Path(peak_file.name).read_text().strip()
    peak_kb = float(text.splitlines()[-1]) if text else float("nan")
    return wall, peak_kb / 1024.0


def _score(ranking: str, dataset: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(METRICS), ranking, str(dataset), "--match", "row"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def run_reviewflow(dataset: Path, seed: int, tmp: str, preset: str | None) -> dict:
    order = os.path.join(tmp, f"{dataset.stem}.{seed}.csv")
    report = os.path.join(tmp, f"{dataset.stem}.{seed}.stop.csv")
    cmd = [sys.executable, "-m", "reviewflow", "simulate", str(dataset), "--output", order]
    cmd += ["--seed", str(seed), "--stopping-report", report]
    if preset:
        cmd += ["--model", preset]
    wall, peak = _timed(cmd)
    metrics = _score(order, dataset)
    import pandas as pd

    stops = pd.read_csv(report).set_index("rule")
    metrics["rules"] = {
        rule: (float(r["recall"]), int(r["records_screened"]), bool(r["target_reached"]))
        for rule, r in stops.iterrows()
    }
    metrics.update(
        wall=wall,
        peak_mb=peak,
        stop_recall=float(stops.loc["buscar", "recall"]),
        stop_screened=int(stops.loc["buscar", "records_screened"]),
        stop_ok=bool(stops.loc["buscar", "target_reached"]),
    )
    return metrics


def run_asreview(dataset: Path, asreview: str, tmp: str) -> dict:
    project = os.path.join(tmp, f"{dataset.stem}.asreview")
    cmd = [asreview, "simulate", str(dataset), "--n-prior-included", "1"]
    cmd += ["--n-prior-excluded", "1", "--prior-seed", "42", "--seed", "42", "-o", project]
    wall, peak = _timed(cmd)
    metrics = _score(project, dataset)
    metrics.update(wall=wall, peak_mb=peak)
    return metrics


def _mean(rows: list[dict], key: str) -> float:
    values = [r[key] for r in rows if r.get(key) is not None]
    return sum(values) / len(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43,44", help="comma-separated seeds")
    parser.add_argument("--asreview", help="path of the asreview command in its own venv")
    parser.add_argument(
        "--model", help="reviewflow model preset(s), comma-separated (default: the default)"
    )
    parser.add_argument("--data", default=str(DATA), help="folder of labelled CSV files")
    parser.add_argument("--json", help="also write every run's metrics to this JSON file")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    datasets = sorted(Path(args.data).glob("*.csv"))
    runs: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        presets = args.model.split(",") if args.model else [None]
        for dataset in datasets:
            for preset in presets:
                ours = [run_reviewflow(dataset, s, tmp, preset) for s in seeds]
                tool = f"reviewflow {preset}" if preset else "reviewflow"
                runs.append({"dataset": dataset.stem, "tool": tool, "runs": ours})
            if args.asreview:
                runs.append(
                    {
                        "dataset": dataset.stem,
                        "tool": "asreview elas_u4",
                        "runs": [run_asreview(dataset, args.asreview, tmp)],
                    }
                )
            print(f"done {dataset.stem}", file=sys.stderr, flush=True)
    header = (
        f"{'dataset':32s} {'tool':29s} {'N':>5s} {'R':>4s} {'WSS@95':>7s} {'R@10%':>6s} "
        f"{'ATD':>6s} {'n@95%':>6s} {'time s':>7s} {'MB':>5s} {'stop rec':>8s} "
        f"{'stop n':>7s} {'ok':>4s}"
    )
    print(header)
    print("-" * len(header))
    for row in runs:
        r = row["runs"]
        stop = (
            f"{_mean(r, 'stop_recall'):8.3f} {_mean(r, 'stop_screened'):7.0f} "
            f"{sum(x['stop_ok'] for x in r)}/{len(r)}"
            if "stop_recall" in r[0]
            else f"{'':8s} {'':7s} {'':>4s}"
        )
        print(
            f"{row['dataset']:32s} {row['tool']:29s} {r[0]['n_records']:5d} "
            f"{r[0]['n_included']:4d} {_mean(r, 'wss_95'):7.3f} "
            f"{_mean(r, 'recall_at_10pct'):6.3f} {_mean(r, 'atd'):6.3f} "
            f"{_mean(r, 'n_screened_recall_95'):6.0f} {_mean(r, 'wall'):7.1f} "
            f"{_mean(r, 'peak_mb'):5.0f} {stop}"
        )
    for tool in sorted({row["tool"] for row in runs}):
        all_runs = [x for row in runs if row["tool"] == tool for x in row["runs"]]
        per_set = [row for row in runs if row["tool"] == tool]
        wss = sum(_mean(row["runs"], "wss_95") for row in per_set) / len(per_set)
        atd = sum(_mean(row["runs"], "atd") for row in per_set) / len(per_set)
        line = f"MEAN {tool:29s} WSS@95 {wss:.3f}  ATD {atd:.3f}"
        if "stop_ok" in all_runs[0]:
            ok = sum(x["stop_ok"] for x in all_runs)
            line += f"  stopping rule reached target recall in {ok}/{len(all_runs)} runs"
        print(line)
    print("\nstopping rules on the same runs (recall target 0.95, confidence 0.95):")
    rule_runs = [x for row in runs for x in row["runs"] if "rules" in x]
    for rule in sorted({r for x in rule_runs for r in x["rules"]}):
        got = [x["rules"][rule] for x in rule_runs if rule in x["rules"]]
        frac = [g[1] / x["n_records"] for g, x in zip(got, rule_runs, strict=True)]
        print(
            f"  {rule:24s} mean recall {sum(g[0] for g in got) / len(got):.3f}  "
            f"target reached {sum(g[2] for g in got)}/{len(got)}  "
            f"mean share screened {sum(frac) / len(frac):.3f}"
        )
    ours = sorted({row["tool"] for row in runs if row["tool"].startswith("reviewflow")})
    if len(ours) > 1:
        print("\nleave-one-data-set-out model selection (WSS@95 on the held-out set):")
        score = {(r["dataset"], r["tool"]): _mean(r["runs"], "wss_95") for r in runs}
        held = []
        for dataset in datasets:
            others = [d.stem for d in datasets if d != dataset]
            best = max(ours, key=lambda t: sum(score[(d, t)] for d in others))
            held.append(score[(dataset.stem, best)])
            print(f"  {dataset.stem:32s} chosen {best:28s} held-out WSS@95 {held[-1]:.3f}")
        print(f"  mean held-out WSS@95 {sum(held) / len(held):.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
