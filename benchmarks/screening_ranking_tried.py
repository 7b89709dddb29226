#!/usr/bin/env python3
"""Ranking ideas measured against the default and not adopted, paired on the same runs.

Each variant is simulated on every public labelled set and seed and compared with the
default on the same (set, seed) pairs: mean WSS@95 and ATD (scored with
../shared/bench/screening_metrics.py), the paired difference with its standard error and
the number of sets where the variant is better. The figures are in docs/screening.md
("What was tried for the ranking this round").

* ``ratio3``, ``ratio9.8``: the default's ridge with the relevant records weighted 3 or 9.8
  times the irrelevant ones in all, in the form the SVM's ``ratio`` takes (each relevant
  record weighs 1; 9.8 is ASReview's value, in another form);
* ``balancer3``, ``balancer9.8``, ...: the default with its ``balancer`` weight changed
  (ASReview's form: the relevant records together weigh that many times the irrelevant
  ones, the weights scaled to sum to the records screened; the default's 1 is sklearn's
  "balanced" weighting, and ``balancer1`` reproduces it run for run);
* ``split-scale``: the model's scores standardised separately within the records with and
  without an abstract, so records without one are ranked on their own scale;
* ``title-1in2``, ``title-1in4``: every second or fourth pick taken from a title-only
  model's order instead of the default's;
* ``u4-view``: ASReview elas_u4's features and classifier inside reviewflow's loop;
* ``u4-every``: the same, retrained after every record as ASReview does;
* ``u4-blend``: the mean of the default's standardised scores and those of ``u4-view``'s
  model on its own features; ``u4-blend-balancer9.8`` the same with the default's
  ridge at ``balancer9.8``;
* any preset of ``benchmarks/screening_presets.py`` (``ridge-alpha3``: a stronger ridge
  penalty).

The default's runs are read from ``benchmarks/screening.py``'s cache (simulated there if
missing). ``--keep 10`` pairs the same variants on the low-prevalence variants of that
script instead (each set with 10 of its relevant records, drawn per seed as there): data
of another shape, where a gain measured on the full sets must hold too. ``--abstracts`` prints, for the default's order, the share of relevant records
without an abstract among all of them and among the last tenth found: why the two
abstract variants were tried.

    python benchmarks/screening_ranking_tried.py --variant ratio3 --seeds 42,43,44,45,46
    python benchmarks/screening_ranking_tried.py --variant balancer9.8 --keep 10 --seeds 42,43,44
    python benchmarks/screening_ranking_tried.py --abstracts
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import RidgeClassifier
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent))

import screening as bench  # noqa: E402
from screening_presets import BENCH_PRESETS, model_config  # noqa: E402

from reviewflow.normalize import strip_html  # noqa: E402
from reviewflow.screening import models  # noqa: E402
from reviewflow.screening.active_learning import (  # noqa: E402
    ModelSettings,
    score_pool,
    simulate_order,
)
from reviewflow.screening.features import (  # noqa: E402
    FeatureSettings,
    author_texts,
    build_features,
    record_texts,
)
from reviewflow.screening.simulate import read_labelled, run_simulation  # noqa: E402

VARIANTS = (
    "ratio3",
    "ratio9.8",
    "balancer1",
    "balancer9.8",
    "split-scale",
    "title-1in2",
    "title-1in4",
    "u4-view",
    "u4-every",
    "u4-blend",
    "u4-blend-balancer9.8",
    *BENCH_PRESETS,
)


def without_abstract(frame: Any) -> np.ndarray:
    """Records whose abstract holds no text once markup is gone."""
    return np.array([not strip_html(a).strip() for a in frame["abstract"]])


def _default_ranker(seed: int) -> Any:
    return models.make_ranker(bench.DEFAULT_PRESET, seed=seed)


def _default_with(**params: Any) -> Any:
    """The default preset with some of its parameters changed."""
    preset = models.PRESETS[bench.DEFAULT_PRESET]
    return models.make_ranker(preset["name"], {**preset["params"], **params})


class RatioRidge:
    """The default's ridge + feedback with the relevant records weighing ``ratio`` times
    the irrelevant ones in the SVM's ``ratio`` form (each relevant record weighing 1)."""

    def __init__(self, ratio: float) -> None:
        params = models.PRESETS[bench.DEFAULT_PRESET]["params"]
        ridge = models._SklearnRanker("ridge", RidgeClassifier(alpha=params["alpha"]), ratio)
        self.inner = models._FeedbackRanker(
            "ridge+feedback", ridge, k=params["k"], irrelevant=params["irrelevant"]
        )

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> RatioRidge:
        self.inner.fit(X, y)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        return self.inner.score(X)

    def get_params(self) -> dict[str, Any]:
        return self.inner.get_params()


class SplitScale:
    """Scores standardised within the records with and within those without an abstract."""

    def __init__(self, seed: int, no_abstract: np.ndarray) -> None:
        self.inner = _default_ranker(seed)
        self.no_abstract = no_abstract

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> SplitScale:
        self.inner.fit(X, y)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        s = self.inner.score(X)
        out = s.copy()
        for group in (self.no_abstract, ~self.no_abstract):
            if group.sum() > 1:
                out[group] = models._standardise(s[group])
        return out

    def get_params(self) -> dict[str, Any]:
        return self.inner.get_params()


def u4_features(frame: Any) -> sp.csr_matrix:
    """ASReview elas_u4's view: word 1-2-gram TF-IDF of title and abstract, sublinear tf,
    max_df 0.95, no stop words removed, no character n-grams."""
    texts = (frame["title"].fillna("") + " " + frame["abstract"].fillna("")).map(strip_html)
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95)
    return sp.csr_matrix(vectoriser.fit_transform(texts))


def u4_ranker(seed: int) -> Any:
    """elas_u4's classifier: linear SVM, C 0.11, relevant records weighing 9.8 times the
    irrelevant ones in all (its balancer)."""
    svm = LinearSVC(C=0.11, max_iter=5000, random_state=seed)
    return models._SklearnRanker("svm", svm, balancer=9.8)


class Blend:
    """Mean of the standardised scores of the default (on its own columns) and elas_u4's
    model (on the u4 columns) of one stacked matrix: two views that err on other records."""

    def __init__(self, seed: int, width: int, ratio: float | None = None) -> None:
        default = _default_ranker(seed) if ratio is None else _default_with(balancer=ratio)
        self.default, self.u4, self.width = default, u4_ranker(seed), width

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> Blend:
        self.default.fit(X[:, : self.width], y)
        self.u4.fit(X[:, self.width :], y)
        return self

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        a = models._standardise(self.default.score(X[:, : self.width]))
        return (a + models._standardise(self.u4.score(X[:, self.width :]))) / 2

    def get_params(self) -> dict[str, Any]:
        return {"model": "u4-blend"}


def _start(frame: Any, seed: int) -> tuple[np.ndarray, list[int], sp.csr_matrix]:
    """Labels, the seeded priors and the default features, as the simulation makes them."""
    y = frame["_label"].to_numpy(int)
    rng = np.random.default_rng(seed)
    priors = [int(rng.choice(np.flatnonzero(y == 1))), int(rng.choice(np.flatnonzero(y == 0)))]
    fs = FeatureSettings.defaults()
    X = build_features(
        record_texts(frame, title_repeat=fs.title_repeat, use_keywords=fs.use_keywords),
        fs,
        authors=author_texts(frame),
    )
    return y, priors, X


def _title_interleaved(frame: Any, seed: int, every: int) -> np.ndarray:
    """Labels in screening order when every ``every``-th pick is the title model's."""
    y, priors, X = _start(frame, seed)
    titles = frame.assign(abstract="", keywords="")
    Xt = build_features(
        record_texts(titles, title_repeat=1, use_keywords=False), FeatureSettings.defaults()
    )
    loop = ModelSettings.defaults()
    main, title = _default_ranker(seed), _default_ranker(seed)
    screened = np.zeros(len(y), dtype=bool)
    screened[priors] = True
    order, picks = list(priors), 0
    while len(order) < len(y):
        labelled = np.asarray(order)
        s1, _ = score_pool(main, X, labelled, y[labelled])
        s2, _ = score_pool(title, Xt, labelled, y[labelled])
        free = np.flatnonzero(~screened)
        queues = [free[np.lexsort((free, -s[free]))].tolist() for s in (s1, s2)]
        for _ in range(min(loop.step(len(order)), len(free))):
            queue = queues[1] if picks % every == every - 1 else queues[0]
            while screened[queue[0]]:
                queue.pop(0)
            idx = queue.pop(0)
            order.append(idx)
            screened[idx] = True
            picks += 1
            if y[idx] == 1:
                break
    return y[np.asarray(order)]


def labels_in_order(variant: str, frame: Any, seed: int) -> np.ndarray:
    if variant.startswith("title-1in"):
        return _title_interleaved(frame, seed, int(variant.removeprefix("title-1in")))
    if variant in BENCH_PRESETS:
        result = run_simulation(frame, seed=seed, model=model_config(variant))
        return result.labels[result.order]
    y, priors, X = _start(frame, seed)
    if variant in ("u4-view", "u4-every"):
        loop = ModelSettings.defaults()
        if variant == "u4-every":
            loop = replace(loop, retrain_every_until=len(y))
        order, _ = simulate_order(u4_features(frame), y, priors, u4_ranker(seed), loop)
        return y[order]
    if variant.startswith("u4-blend"):
        stacked = sp.hstack([X, u4_features(frame)], format="csr")
        ratio = variant.removeprefix("u4-blend").removeprefix("-balancer")
        blend = Blend(seed, X.shape[1], float(ratio) if ratio else None)
        order, _ = simulate_order(stacked, y, priors, blend, ModelSettings.defaults())
        return y[order]
    if variant.startswith("ratio"):
        ranker: Any = RatioRidge(float(variant.removeprefix("ratio")))
    elif variant.startswith("balancer"):
        ranker = _default_with(balancer=float(variant.removeprefix("balancer")))
    else:
        ranker = SplitScale(seed, without_abstract(frame))
    order, _ = simulate_order(X, y, priors, ranker, ModelSettings.defaults())
    return y[order]


def _number(variant: str) -> bool:
    try:
        float(variant.removeprefix("ratio").removeprefix("balancer"))
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", help=f"one or more, comma-separated: {', '.join(VARIANTS)}")
    parser.add_argument(
        "--abstracts", action="store_true", help="the records-without-abstract table"
    )
    parser.add_argument("--seeds", default="42,43,44,45,46")
    parser.add_argument(
        "--keep",
        type=int,
        help="the low-prevalence variants with this many relevant records (10 or 20)",
    )
    parser.add_argument("--data", default=str(bench.DATA))
    parser.add_argument(
        "--cache",
        default=str(bench.ROOT / "results" / "benchmarks" / "screening"),
        help="run cache",
    )
    args = parser.parse_args(argv)
    if not args.variant and not args.abstracts:
        parser.error("give --variant or --abstracts")
    unknown = set((args.variant or "").split(",")) - set(VARIANTS) - {""}
    unknown = {u for u in unknown if not (u.startswith(("ratio", "balancer")) and _number(u))}
    if unknown:
        parser.error(
            f"unknown variant(s) {', '.join(sorted(unknown))}; one of {', '.join(VARIANTS)}"
        )
    seeds = [int(s) for s in args.seeds.split(",")]
    cache = Path(args.cache)
    if args.abstracts:
        print("| data set | relevant without an abstract | among the last tenth found |")
        print("|---|---|---|")
        for dataset in sorted(Path(args.data).glob("*.csv")):
            empty = without_abstract(read_labelled(dataset))
            share, last = [], []
            for seed in seeds:
                result = bench.load_or_simulate(cache, bench.DEFAULT_PRESET, dataset, seed)
                found = result.order[result.labels[result.order] == 1]
                share.append(empty[found].mean())
                last.append(empty[found[-max(1, len(found) // 10) :]].mean())
            print(f"| {dataset.stem} | {np.mean(share):.2f} | {np.mean(last):.2f} |")
        return 0
    variants = args.variant.split(",")
    sets = sorted(Path(args.data).glob("*.csv"))
    if args.keep:
        sets = [d for d in sets if int(read_labelled(d)["_label"].sum()) > args.keep]
    names = [d.stem for d in sets]
    # metrics[setting][set] = [(wss, atd) per seed]
    metrics: dict[str, dict[str, list[tuple[float, float]]]] = {"default": {}}
    for variant in variants:
        metrics[variant] = {}
    for dataset in sets:
        full = read_labelled(dataset)
        for seed in seeds:
            run = bench.load_or_simulate(cache, bench.DEFAULT_PRESET, dataset, seed, args.keep)
            b = bench.ranking_metrics(run.labels[run.order])
            metrics["default"].setdefault(dataset.stem, []).append((b["wss_95"], b["atd"]))
            frame = bench.variant_frame(full, args.keep, seed) if args.keep else full
            name = f"{dataset.stem}-r{args.keep}" if args.keep else dataset.stem
            for variant in variants:
                v = variant_metrics(cache, variant, name, frame, seed)
                metrics[variant].setdefault(dataset.stem, []).append(v)
            print(f"{dataset.stem} seed {seed}", file=sys.stderr, flush=True)
    print("| setting | WSS@95 | ATD | paired difference, sets better |\n|---|---|---|---|")
    base = np.asarray([metrics["default"][n] for n in names])  # set x seed x metric
    print(f"| default | {base[..., 0].mean():.3f} | {base[..., 1].mean():.4f} | |")
    for variant in variants:
        a = np.asarray([metrics[variant][n] for n in names])
        dw, da = (a - base)[..., 0].ravel(), (a - base)[..., 1].ravel()
        se = np.sqrt(len(dw))
        wins_w = int((a[..., 0].mean(1) > base[..., 0].mean(1)).sum())
        wins_a = int((a[..., 1].mean(1) < base[..., 1].mean(1)).sum())
        print(
            f"| {variant} | {a[..., 0].mean():.3f} | {a[..., 1].mean():.4f} | "
            f"WSS {dw.mean():+.3f} (SE {dw.std(ddof=1) / se:.3f}), {wins_w}/{len(names)}; "
            f"ATD {da.mean():+.4f} (SE {da.std(ddof=1) / se:.4f}), {wins_a}/{len(names)} |"
        )
    spread = base.mean(axis=0).std(axis=0, ddof=1)  # the default's 7-set mean, over seeds
    print(
        f"\nThe default's mean over the sets from one seed to another (sd), the noise a gain "
        f"must beat: WSS@95 {spread[0]:.3f}, ATD {spread[1]:.4f}."
    )
    print(
        "\nEach gain seed by seed (the variant's mean over the sets minus the default's on "
        "the same seed; ATD lower is better):\n\n"
        "| setting | WSS@95 gain per seed | mean (sd) | ATD gain per seed | mean (sd) |\n"
        "|---|---|---|---|---|"
    )
    for variant in variants:
        gain = (np.asarray([metrics[variant][n] for n in names]) - base).mean(axis=0)
        cells = []
        for m, fmt in ((0, "+.3f"), (1, "+.4f")):
            g = gain[:, m]
            cells += [
                " ".join(format(x, fmt) for x in g),
                f"{g.mean():{fmt}} ({g.std(ddof=1):{fmt[1:]}})",
            ]
        print(f"| {variant} | {' | '.join(cells)} |")
    if len(variants) > 1:
        table = {k: np.asarray([metrics[k][n] for n in names]) for k in metrics}
        print_held_out(table, names)
    return 0


def variant_metrics(
    cache: Path, variant: str, name: str, frame: Any, seed: int
) -> tuple[float, float]:
    """WSS@95 and ATD of one variant's run on the data set ``name`` (a low-prevalence
    variant's name ends in ``-r10``), kept in ``cache/tried`` once measured.

    The run's labels in screening order are kept beside the figures, in the layout of
    ``benchmarks/screening.py``'s cache, so the stop can be replayed on the variant's runs
    (``screening_stop_families.py --model tried/VARIANT``).
    """
    path = cache / "tried" / variant / f"{name}.{seed}.json"
    if path.exists():
        kept = json.loads(path.read_text())
        if path.with_suffix(".npz").exists():
            return kept["wss_95"], kept["atd"]
    labels = labels_in_order(variant, frame, seed)
    m = bench.ranking_metrics(labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path.with_suffix(".npz"),
        order=np.arange(len(labels)),
        labels=labels,
        priors=np.arange(2),
        snap_n=np.zeros(0, dtype=int),
        snaps=np.zeros((0, len(labels))),
        seconds=0.0,
    )
    path.write_text(json.dumps({"wss_95": m["wss_95"], "atd": m["atd"]}))
    return m["wss_95"], m["atd"]


def print_held_out(table: dict[str, np.ndarray], names: list[str]) -> None:
    """Leave one set out: the setting with the lowest mean ATD on the other sets (set
    means, ties to the default), scored on the set left out. ``table`` holds each
    setting's figures as set x seed x (WSS@95, ATD)."""
    means = {k: v.mean(axis=1) for k, v in table.items()}  # set x metric
    picks, held = [], []
    for left in range(len(names)):
        rest = [i for i in range(len(names)) if i != left]
        pick = min(means, key=lambda k: (means[k][rest, 1].mean(), k != "default"))
        picks.append(f"{names[left][:12]} {pick}")
        held.append(means[pick][left])
    wss, atd = np.mean(held, axis=0)
    print(f"\nHeld out, chosen by ATD on the other sets: WSS@95 {wss:.3f}, ATD {atd:.4f};")
    print(f"picks {', '.join(picks)}.")


if __name__ == "__main__":
    raise SystemExit(main())
