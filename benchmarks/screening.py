#!/usr/bin/env python3
"""Benchmark screening: the ranking against ASReview LAB, and every stopping rule.

For every labelled data set in ../shared/data/screening/ and every seed, the active
learning simulation runs once per model and is cached (``--cache``, default
``results/benchmarks/screening/``): the screening order and the model's scores at each
retraining. Everything else is computed offline from those runs, so rerunning costs little:

* ranking: WSS@95, recall at 10 % screened and ATD from ../shared/bench/screening_metrics.py
  (the same definitions for every tool); with several models, each data set's model is the
  one with the best mean WSS@95 on the other data sets (leave one data set out) and only
  those held-out figures are averaged. ``--asreview PATH`` adds ASReview LAB's default
  ``elas_u4`` on the same seeds (1 + 1 random priors, prior seed and seed = the seed).
* stopping, for recall targets 0.9, 0.95 and 0.99 (confidence 0.95): each rule replayed on
  the default model's runs exactly as ``reviewflow simulate --stop-output`` does; per rule
  the share of runs reaching the target, mean and worst recall, mean share of records
  screened, beside the oracle's (the first point at which the order reached the target).
  The default is chosen by leaving one data set out: on the other six sets, the rule (and
  biases) that reaches the target in every one of their runs, and in 95 % of their runs
  and low-prevalence variants together, with the setting one bias step more trusting
  meeting the same, and screens least; its figures on the left-out set are the held-out
  ones. Tables without the step (and with 95 % of the runs only) are printed beside it.

    nice -n 10 python benchmarks/screening.py --seeds 42,43,44,45,46 \\
        --asreview /tmp/asrvenv/bin/asreview

``--model a,b`` compares presets (names from reviewflow.screening.models.PRESETS or
benchmarks/screening_presets.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "screening"
METRICS = SHARED / "bench" / "screening_metrics.py"
sys.path.insert(0, str(ROOT / "benchmarks"))

from screening_presets import model_config  # noqa: E402

from reviewflow.screening.simulate import (  # noqa: E402
    DEFAULT_PRESET,
    SimulationResult,
    read_labelled,
    replay_rule,
    run_simulation,
)
from reviewflow.screening.stopping import (  # noqa: E402
    STOPPERS,
    BiasedUrn,
    StopSettings,
    missed_under_h0,
)

TARGETS = (0.9, 0.95, 0.99)
BIASES = (1.5, 2.0, 2.5, 3.0, 4.0, 5.0)
#: Low-prevalence variants: each set with only this many of its relevant records (drawn
#: at random, the rest dropped), so that rules are also judged where 95 % recall means
#: finding every relevant record but one or none, as in many real reviews.
KEEP = (10, 20)
RELIABLE = 0.95  # share of runs that must reach the target
#: The biased urn's two biases: (``bias_single``, for the hardest of the relevant records
#: "recall < target" supposes missed, ``bias`` for the others; the urn takes their mean).
#: One bias throughout is the grid BIASES with both equal.
SPLITS = tuple(
    (lo, hi) for lo in (1.5, 2.0, 2.5, 3.0) for hi in (2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0) if hi > lo
)


def split_label(single: float, many: float) -> str:
    return f"biased_urn bias {many:g}, hardest missed {single:g}"


def _metrics_module():
    spec = importlib.util.spec_from_file_location("screening_metrics", METRICS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SM = _metrics_module()


# ------------------------------------------------------------------ simulation cache
def variant_frame(frame, keep: int, seed: int):
    """The labelled frame with ``keep`` of its relevant records, drawn with the seed."""
    labels = frame["_label"].to_numpy()
    relevant = np.flatnonzero(labels == 1)
    rng = np.random.default_rng(1000 + seed)
    drop = rng.choice(relevant, size=len(relevant) - keep, replace=False)
    return frame.drop(index=frame.index[drop]).reset_index(drop=True)


def load_or_simulate(
    cache: Path, model: str, dataset: Path, seed: int, keep: int | None = None
) -> SimulationResult:
    name = dataset.stem if keep is None else f"{dataset.stem}-r{keep}"
    path = cache / model / f"{name}.{seed}.npz"
    if path.exists():
        z = np.load(path)
        snaps = [(int(n), s) for n, s in zip(z["snap_n"], z["snaps"], strict=True)]
        return SimulationResult(
            z["order"], z["labels"], z["priors"].tolist(), len(snaps), float(z["seconds"]), snaps
        )
    frame = read_labelled(dataset)
    if keep is not None:
        frame = variant_frame(frame, keep, seed)
    result = run_simulation(frame, seed=seed, model=model_config(model), keep_scores=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        order=result.order,
        labels=result.labels,
        priors=np.asarray(result.priors),
        seconds=result.seconds,
        snap_n=np.asarray([n for n, _ in result.snapshots]),
        snaps=np.asarray([s.astype(np.float16) for _, s in result.snapshots]),
    )
    return result


def ranking_metrics(labels_in_order: np.ndarray) -> dict:
    m = SM.compute_metrics(labels_in_order)
    keys = ("wss_95", "atd", "recall_at_10pct", "n_screened_recall_100", "n_records", "n_included")
    return {k: m[k] for k in keys}


def run_asreview(cache: Path, asreview: str, dataset: Path, seed: int) -> dict:
    project = cache / "asreview" / f"{dataset.stem}.{seed}.asreview"
    if not project.exists():
        project.parent.mkdir(parents=True, exist_ok=True)
        cmd = [asreview, "simulate", str(dataset), "--n-prior-included", "1"]
        cmd += ["--n-prior-excluded", "1", "--prior-seed", str(seed), "--seed", str(seed)]
        subprocess.run([*cmd, "-o", str(project)], check=True, capture_output=True)
    ranking, kind = SM.load_ranking(str(project))
    y, _ = SM.labels_in_screening_order(ranking, kind, SM.load_dataset(str(dataset)), "row")
    return ranking_metrics(y)


def asreview_paired(
    runs: list[dict],
    asr: dict[tuple[str, int], dict],
    model: str,
    sets: list[str],
    seeds: list[int],
) -> str:
    """The model against ASReview paired on the same (set, seed) runs: the difference of
    the seven-set means seed by seed, its mean and spread, and the sets where the model is
    better. Both tools start from the same priors, so the paired spread, not either tool's
    own seed-to-seed spread, says whether a lead is noise."""
    own = {(r["set"], r["seed"]): r for r in runs if r["model"] == model}
    lines = [f"\nPaired on the same runs, {model} minus ASReview, seed by seed:\n"]
    lines += ["| measure | per seed | mean | sd | sets better |", "|---|---|---|---|---|"]
    for key, higher_better in (("wss_95", True), ("atd", False)):
        per_seed = [
            float(np.mean([own[(s, x)][key] - asr[(s, x)][key] for s in sets])) for x in seeds
        ]
        per_set = [np.mean([own[(s, x)][key] - asr[(s, x)][key] for x in seeds]) for s in sets]
        better = sum((d > 0) if higher_better else (d < 0) for d in per_set)
        sd = float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else float("nan")
        lines.append(
            f"| {'WSS@95' if key == 'wss_95' else 'ATD'} | "
            + " ".join(f"{d:+.4f}" for d in per_seed)
            + f" | {np.mean(per_seed):+.4f} | {sd:.4f} | {better}/{len(sets)} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------ stopping
#: The default before the urn took the mean over the missed records, replayed beside it.
PREVIOUS = "biased_urn previous default (2 while one miss breaks the target, then 3)"


class PreviousUrn(BiasedUrn):
    """The previous default: ``bias_single`` while a single miss breaks the target, then
    ``bias`` for every record supposed missed, the hardest included."""

    def bias(self, settings: StopSettings, relevant_found: int) -> float:
        if missed_under_h0(relevant_found, settings.recall_target) == 1:
            return settings.bias_single
        return settings.bias


def replay(label: str, rule: str, result, settings: StopSettings, seed: int, snapshots=None):
    """``replay_rule``, with the previous default's urn in place for its label."""
    if label != PREVIOUS:
        return replay_rule(rule, result, settings, seed, snapshots)
    current = STOPPERS["biased_urn"]
    STOPPERS["biased_urn"] = PreviousUrn()  # replay_rule looks the rule up by name
    try:
        return replay_rule("biased_urn", result, settings, seed, snapshots)
    finally:
        STOPPERS["biased_urn"] = current


def oracle_at(y_order: np.ndarray, target: float) -> int:
    """Records screened when the order first reaches the target (the oracle's stop)."""
    found = np.cumsum(y_order)
    return int(np.searchsorted(found, math.ceil(target * found[-1] - 1e-9)) + 1)


def _rule_variants() -> list[tuple[str, str, dict]]:
    """(label, rule, settings overrides): every rule, the biased urn with one bias
    throughout (BIASES) and with two (SPLITS), and the previous default for comparison
    (not a setting config can ask for, so never chosen)."""
    variants: list[tuple[str, str, dict[str, float]]] = [
        (name, name, {}) for name in STOPPERS if name != "biased_urn"
    ]
    variants.append((PREVIOUS, "biased_urn", {"bias": 3.0, "bias_single": 2.0}))
    variants += [
        (f"biased_urn bias {b:g}", "biased_urn", {"bias": b, "bias_single": b}) for b in BIASES
    ]
    variants += [
        (split_label(lo, hi), "biased_urn", {"bias_single": lo, "bias": hi}) for lo, hi in SPLITS
    ]
    return variants


def stop_results(cache: Path, model: str, name: str, seed: int, result) -> dict:
    """{target: {variant: [records screened, relevant found]}} for one run, cached."""
    path = cache / model / f"{name}.{seed}.stop.json"
    done = json.loads(path.read_text()) if path.exists() else {}
    y_order = result.labels[result.order]
    changed = False
    from reviewflow.screening.simulate import _Snapshots

    snapshots = _Snapshots(result.order, result.snapshots) if result.snapshots else None
    for target in TARGETS:
        key = f"{target:g}"
        row = done.setdefault(key, {})
        if "oracle" not in row:
            row["oracle"] = [oracle_at(y_order, target), math.ceil(target * y_order.sum() - 1e-9)]
            changed = True
        for label, rule, overrides in _rule_variants():
            if label in row:
                continue
            settings = replace(
                StopSettings.from_raw(dict(rule=rule, recall_target=target)), **overrides
            )
            rows, _ = replay(label, rule, result, settings, seed, snapshots)
            row[label] = [len(rows), int(result.labels[rows].sum())]
            changed = True
    if changed:
        path.write_text(json.dumps(done, indent=1), encoding="utf-8")
    return done


# -------------------------------------------------------------------------- tables
def _fmt_rule_rows(runs: list[dict], target: float, labels: list[str]) -> list[str]:
    lines = [
        f"| rule | runs reaching {target:.0%} | mean recall | worst recall | "
        "mean share screened | oracle's share |",
        "|---|---|---|---|---|---|",
    ]
    oracle = np.mean([r["stop"][f"{target:g}"]["oracle"][0] / r["n"] for r in runs])
    for label in labels:
        rec = [r["stop"][f"{target:g}"][label][1] / r["R"] for r in runs]
        frac = [r["stop"][f"{target:g}"][label][0] / r["n"] for r in runs]
        ok = sum(x >= target - 1e-9 for x in rec)
        lines.append(
            f"| {label} | {ok}/{len(runs)} | {np.mean(rec):.3f} | {min(rec):.3f} | "
            f"{np.mean(frac):.3f} | {oracle:.3f} |"
        )
    return lines


def _reach(runs: list[dict], target: float, label: str) -> tuple[float, float]:
    rec = [r["stop"][f"{target:g}"][label][1] / r["R"] for r in runs]
    frac = [r["stop"][f"{target:g}"][label][0] / r["n"] for r in runs]
    return float(np.mean([x >= target - 1e-9 for x in rec])), float(np.mean(frac))


def more_trusting(label: str) -> str | None:
    """The biased-urn setting one grid step more trusting than ``label`` (the next larger
    ``bias``, the same ``bias_single``); None at the grid's edge or for other rules."""
    for b, nxt in zip(BIASES, BIASES[1:], strict=False):
        if label == f"biased_urn bias {b:g}":
            return f"biased_urn bias {nxt:g}"
    rows: dict[float, list[float]] = {}
    for lo, hi in SPLITS:
        rows.setdefault(lo, []).append(hi)
    for lo, his in rows.items():
        for hi, nxt in zip(his, his[1:], strict=False):
            if label == split_label(lo, hi):
                return split_label(lo, nxt)
    return None


def held_out_choice(
    runs: list[dict],
    variants: list[dict],
    target: float,
    labels: list[str],
    runs_reliable: float = RELIABLE,
    stable: bool = False,
) -> list[str]:
    """Leave one data set out: on the other sets, the rule (and setting) that reaches the
    target in at least ``runs_reliable`` of their runs and 95 % of their runs and variants
    together, and screens least over both; then its figures on the left-out set's runs and
    variants. ``runs_reliable`` 1 asks for a margin: a setting that already misses the
    target in one of the other sets' 30 runs is at the 95 % limit, so held out it falls
    below it about as often as not. ``stable`` asks for a margin in the setting too: the
    biased urn's setting one step more trusting (the next larger bias) must meet the same
    conditions, so the choice is not the last setting before training runs start to miss;
    rules without a bias to step are eligible as they are, a bias at the grid's edge not."""

    def reliable(train: list[dict], vtrain: list[dict], label: str) -> bool:
        return (
            _reach(train, target, label)[0] >= runs_reliable - 1e-9
            and _reach(train + vtrain, target, label)[0] >= RELIABLE
        )

    def eligible(train: list[dict], vtrain: list[dict], label: str) -> bool:
        if not reliable(train, vtrain, label):
            return False
        if not stable or not label.startswith("biased_urn"):
            return True
        step = more_trusting(label)
        return step is not None and reliable(train, vtrain, step)

    sets = sorted({r["set"] for r in runs})
    lines = [
        f"| left-out set | rule chosen on the others | runs reaching {target:.0%} | "
        "worst recall | share screened (oracle) | variants reaching | variants screened (oracle) |",
        "|---|---|---|---|---|---|---|",
    ]
    totals: dict[str, list] = {"ok": [], "frac": [], "rec": [], "vok": [], "vfrac": []}

    def oracle(group: list[dict]) -> float:
        return float(np.mean([r["stop"][f"{target:g}"]["oracle"][0] / r["n"] for r in group]))

    for left in sets:
        train = [r for r in runs if r["set"] != left]
        vtrain = [r for r in variants if r["set"] != left]
        test = [r for r in runs if r["set"] == left]
        vtest = [r for r in variants if r["set"] == left]
        chosen = [lab for lab in labels if eligible(train, vtrain, lab)]
        if chosen:
            label = min(chosen, key=lambda x: _reach(train + vtrain, target, x)[1])
        else:  # nothing reliable enough: the most reliable
            label = max(labels, key=lambda x: _reach(train + vtrain, target, x)[0])
        rec = [r["stop"][f"{target:g}"][label][1] / r["R"] for r in test]
        frac = [r["stop"][f"{target:g}"][label][0] / r["n"] for r in test]
        ok = [x >= target - 1e-9 for x in rec]
        vrec = [r["stop"][f"{target:g}"][label][1] / r["R"] for r in vtest]
        vfrac = [r["stop"][f"{target:g}"][label][0] / r["n"] for r in vtest]
        vok = [x >= target - 1e-9 for x in vrec]
        for key, values in zip(totals, (ok, frac, rec, vok, vfrac), strict=True):
            totals[key] += values
        vcell = (
            f"{sum(vok)}/{len(vok)} | {np.mean(vfrac):.3f} ({oracle(vtest):.3f})"
            if vtest
            else "- | -"
        )
        lines.append(
            f"| {left} | {label} | {sum(ok)}/{len(ok)} | {min(rec):.3f} | "
            f"{np.mean(frac):.3f} ({oracle(test):.3f}) | {vcell} |"
        )
    t = totals
    lines.append(
        f"| **held out, all** | | **{sum(t['ok'])}/{len(t['ok'])}** | {min(t['rec']):.3f} | "
        f"**{np.mean(t['frac']):.3f}** ({oracle(runs):.3f}) | **{sum(t['vok'])}/{len(t['vok'])}** | "
        f"**{np.mean(t['vfrac']):.3f}** ({oracle(variants):.3f}) |"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,43,44,45,46", help="comma-separated seeds")
    parser.add_argument("--asreview", help="path of the asreview command in its own venv")
    parser.add_argument("--model", default=DEFAULT_PRESET, help="preset(s), comma-separated")
    parser.add_argument("--data", default=str(DATA), help="folder of labelled CSV files")
    parser.add_argument(
        "--cache", default=str(ROOT / "results" / "benchmarks" / "screening"), help="run cache"
    )
    parser.add_argument("--no-stopping", action="store_true", help="ranking tables only")
    parser.add_argument(
        "--variant-seeds", type=int, default=3, help="seeds per low-prevalence variant (3)"
    )
    parser.add_argument("--json", help="also write every run's figures to this JSON file")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    models = args.model.split(",")
    cache = Path(args.cache)
    datasets = sorted(Path(args.data).glob("*.csv"))
    runs: list[dict] = []
    asr: dict[tuple[str, int], dict] = {}
    for dataset in datasets:
        for seed in seeds:
            for model in models:
                started = time.perf_counter()
                result = load_or_simulate(cache, model, dataset, seed)
                run = {"set": dataset.stem, "seed": seed, "model": model}
                run.update(ranking_metrics(result.labels[result.order]))
                run["n"], run["R"] = len(result.order), int(result.labels.sum())
                run["seconds"] = result.seconds
                if model == models[0] and not args.no_stopping:
                    run["stop"] = stop_results(cache, model, dataset.stem, seed, result)
                runs.append(run)
                print(
                    f"{dataset.stem} seed {seed} {model}: {time.perf_counter() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
            if args.asreview:
                asr[(dataset.stem, seed)] = run_asreview(cache, args.asreview, dataset, seed)
    variants: list[dict] = []
    if not args.no_stopping:
        for dataset in datasets:
            n_relevant = int(read_labelled(dataset)["_label"].sum())
            for keep in (k for k in KEEP if k < n_relevant):
                for seed in seeds[: args.variant_seeds]:
                    result = load_or_simulate(cache, models[0], dataset, seed, keep)
                    name = f"{dataset.stem}-r{keep}"
                    variants.append(
                        {
                            "set": dataset.stem,
                            "variant": name,
                            "seed": seed,
                            "n": len(result.order),
                            "R": int(result.labels.sum()),
                            "stop": stop_results(cache, models[0], name, seed, result),
                        }
                    )
                    print(f"{name} seed {seed}", file=sys.stderr, flush=True)
    sets = [d.stem for d in datasets]

    def mean(model: str, s: str, key: str) -> float:
        return float(np.mean([r[key] for r in runs if r["model"] == model and r["set"] == s]))

    print(f"## Ranking ({len(seeds)} seeds; priors counted as screened)\n")
    print(
        f"ATD to four places in the mean row; 'last' is where {models[0]} (and ASReview) "
        "found the last relevant record, mean over the seeds.\n"
    )
    head = (
        " | ".join(f"WSS@95 {m}" for m in models) + " | " + " | ".join(f"ATD {m}" for m in models)
    )
    head += f" | last {models[0]}"
    if asr:
        head += " | WSS@95 ASReview | ATD ASReview | last ASReview"
    print(f"| data set | N | R | {head} |")
    print("|---|---|---|" + "---|" * (2 * len(models) + 1 + (3 if asr else 0)))
    last = "n_screened_recall_100"
    for s in sets:
        r0 = next(r for r in runs if r["set"] == s)
        cells = [f"{mean(m, s, 'wss_95'):.3f}" for m in models]
        cells += [f"{mean(m, s, 'atd'):.3f}" for m in models]
        cells.append(f"{mean(models[0], s, last):.0f}")
        if asr:
            cells += [
                f"{np.mean([asr[(s, x)]['wss_95'] for x in seeds]):.3f}",
                f"{np.mean([asr[(s, x)]['atd'] for x in seeds]):.3f}",
                f"{np.mean([asr[(s, x)][last] for x in seeds]):.0f}",
            ]
        print(f"| {s} | {r0['n']} | {r0['R']} | " + " | ".join(cells) + " |")
    cells = [f"{np.mean([mean(m, s, 'wss_95') for s in sets]):.3f}" for m in models]
    cells += [f"{np.mean([mean(m, s, 'atd') for s in sets]):.4f}" for m in models]
    cells.append("")
    if asr:
        cells += [
            f"{np.mean([asr[k]['wss_95'] for k in asr]):.3f}",
            f"{np.mean([asr[k]['atd'] for k in asr]):.4f}",
            "",
        ]
    print("| **mean** | | | " + " | ".join(cells) + " |")
    if asr:
        print(asreview_paired(runs, asr, models[0], sets, seeds))
    if len(models) > 1:
        print("\nLeave one data set out (model with the best mean WSS@95 on the other sets):\n")
        print("| left-out set | chosen | held-out WSS@95 | held-out ATD |")
        print("|---|---|---|---|")
        wss, atd = [], []
        for s in sets:
            others = [x for x in sets if x != s]
            best = max(models, key=lambda m: np.mean([mean(m, x, "wss_95") for x in others]))
            wss.append(mean(best, s, "wss_95"))
            atd.append(mean(best, s, "atd"))
            print(f"| {s} | {best} | {wss[-1]:.3f} | {atd[-1]:.3f} |")
        print(f"| **held-out mean** | | **{np.mean(wss):.3f}** | **{np.mean(atd):.3f}** |")

    if not args.no_stopping:
        stop_runs = [r for r in runs if "stop" in r]
        labels = [v[0] for v in _rule_variants()]
        choices = [label for label in labels if label != PREVIOUS]
        for target in TARGETS:
            print(f"\n## Stopping, recall target {target:.0%}, confidence 95 %\n")
            print(
                f"{len(stop_runs)} runs of {models[0]} ({len(sets)} sets x {len(seeds)} seeds):\n"
            )
            print("\n".join(_fmt_rule_rows(stop_runs, target, labels)))
            print(
                f"\n{len(variants)} runs of the low-prevalence variants (each set with "
                f"{' or '.join(map(str, KEEP))} of its relevant records, "
                f"{args.variant_seeds} seeds):\n"
            )
            print("\n".join(_fmt_rule_rows(variants, target, labels)))
            print(
                f"\nRule chosen by leaving one data set out, on the other sets' runs and "
                f"variants (target {target:.0%}); figures for the left-out set's own runs, "
                f"then its variants:\n"
            )
            print("\n".join(held_out_choice(stop_runs, variants, target, choices)))
            print(
                "\nThe same, asking for every one of the other sets' runs to reach the "
                "target (and 95 % of their runs and variants together):\n"
            )
            print("\n".join(held_out_choice(stop_runs, variants, target, choices, 1.0)))
            print(
                "\nThe same, and the biased urn one step more trusting (the next larger bias) "
                "must meet it too (how the default is chosen):\n"
            )
            print("\n".join(held_out_choice(stop_runs, variants, target, choices, 1.0, True)))
        d = StopSettings.defaults()
        default = (
            f"biased_urn bias {d.bias:g}"
            if d.bias == d.bias_single
            else split_label(d.bias_single, d.bias)
        )
        print(f"\n## The default ({default}) per data set, target 95 %\n")
        print(
            "| data set | runs reaching 95 % | mean recall | worst recall | share screened | oracle |"
        )
        print("|---|---|---|---|---|---|")
        for group in (stop_runs, variants):
            for name in sorted({r.get("variant", r["set"]) for r in group}):
                sub = [r for r in group if r.get("variant", r["set"]) == name]
                rec = [r["stop"]["0.95"][default][1] / r["R"] for r in sub]
                frac = [r["stop"]["0.95"][default][0] / r["n"] for r in sub]
                ora = [r["stop"]["0.95"]["oracle"][0] / r["n"] for r in sub]
                ok = sum(x >= 0.95 - 1e-9 for x in rec)
                print(
                    f"| {name} | {ok}/{len(sub)} | {np.mean(rec):.3f} | {min(rec):.3f} | "
                    f"{np.mean(frac):.3f} | {np.mean(ora):.3f} |"
                )
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
