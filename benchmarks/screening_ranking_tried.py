#!/usr/bin/env python3
"""Ranking ideas measured against the default and not adopted, paired on the same runs.

Each variant is simulated on every public labelled set and seed and compared with the
default on the same (set, seed) pairs: mean WSS@95 and ATD (scored with
../shared/bench/screening_metrics.py), the paired difference with its standard error and
the number of sets where the variant is better. The figures are in docs/screening.md
("What was tried for the ranking this round").

* ``ratio3``, ``ratio9.8``: the default's ridge with the relevant records weighted 3 or 9.8
  times the irrelevant ones in all, in the form the SVM's ``ratio`` takes (each relevant
  record weighs 1), which ASReview's balancer uses with 9.8;
* ``split-scale``: the model's scores standardised separately within the records with and
  without an abstract, so records without one are ranked on their own scale;
* ``title-1in2``, ``title-1in4``: every second or fourth pick taken from a title-only
  model's order instead of the default's;
* any preset of ``benchmarks/screening_presets.py`` (``ridge-alpha3``: a stronger ridge
  penalty).

The default's runs are read from ``benchmarks/screening.py``'s cache (simulated there if
missing). ``--abstracts`` prints, for the default's order, the share of relevant records
without an abstract among all of them and among the last tenth found: why the two
abstract variants were tried.

    python benchmarks/screening_ranking_tried.py --variant ratio3 --seeds 42,43,44,45,46
    python benchmarks/screening_ranking_tried.py --abstracts
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import RidgeClassifier

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

VARIANTS = ("ratio3", "ratio9.8", "split-scale", "title-1in2", "title-1in4", *BENCH_PRESETS)


def without_abstract(frame: Any) -> np.ndarray:
    """Records whose abstract holds no text once markup is gone."""
    return np.array([not strip_html(a).strip() for a in frame["abstract"]])


def _default_ranker(seed: int) -> Any:
    return models.make_ranker(bench.DEFAULT_PRESET, seed=seed)


class RatioRidge:
    """The default's ridge + feedback with the SVM's class-weight ratio."""

    def __init__(self, ratio: float) -> None:
        params = models.PRESETS[bench.DEFAULT_PRESET]["params"]
        ridge = models._SklearnRanker(
            "ridge", RidgeClassifier(alpha=params["alpha"], class_weight="balanced"), ratio
        )
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
    if variant.startswith("ratio"):
        ranker: Any = RatioRidge(float(variant.removeprefix("ratio")))
    else:
        ranker = SplitScale(seed, without_abstract(frame))
    order, _ = simulate_order(X, y, priors, ranker, ModelSettings.defaults())
    return y[order]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=VARIANTS)
    parser.add_argument(
        "--abstracts", action="store_true", help="the records-without-abstract table"
    )
    parser.add_argument("--seeds", default="42,43,44,45,46")
    parser.add_argument("--data", default=str(bench.DATA))
    parser.add_argument(
        "--cache",
        default=str(bench.ROOT / "results" / "benchmarks" / "screening"),
        help="run cache",
    )
    args = parser.parse_args(argv)
    if not args.variant and not args.abstracts:
        parser.error("give --variant or --abstracts")
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
    rows = []
    for dataset in sorted(Path(args.data).glob("*.csv")):
        frame = read_labelled(dataset)
        for seed in seeds:
            base = bench.load_or_simulate(cache, bench.DEFAULT_PRESET, dataset, seed)
            b = bench.ranking_metrics(base.labels[base.order])
            v = bench.ranking_metrics(labels_in_order(args.variant, frame, seed))
            rows.append((dataset.stem, b["wss_95"], b["atd"], v["wss_95"], v["atd"]))
            print(f"{dataset.stem} seed {seed}", file=sys.stderr, flush=True)
    a = np.asarray([r[1:] for r in rows], dtype=float)
    sets = sorted({r[0] for r in rows})

    def set_mean(col: int) -> np.ndarray:
        return np.asarray([a[[r[0] == s for r in rows], col].mean() for s in sets])

    dw, da = a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]
    se = np.sqrt(len(a))
    print("| setting | WSS@95 | ATD | paired difference, sets better |\n|---|---|---|---|")
    print(f"| default | {set_mean(0).mean():.3f} | {set_mean(1).mean():.4f} | |")
    print(
        f"| {args.variant} | {set_mean(2).mean():.3f} | {set_mean(3).mean():.4f} | "
        f"WSS {dw.mean():+.3f} (SE {dw.std(ddof=1) / se:.3f}), "
        f"{int((set_mean(2) > set_mean(0)).sum())}/{len(sets)}; ATD {da.mean():+.4f} "
        f"(SE {da.std(ddof=1) / se:.4f}), {int((set_mean(3) < set_mean(1)).sum())}/{len(sets)} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
