"""Text features for screening: one TF-IDF matrix from title, abstract and keywords.

Screening decisions turn on a few words in the title and abstract, so the representation is
a sparse bag of word unigrams and bigrams, optionally stacked with character n-grams (which
catch spelling variants, plurals and hyphenation that word tokens split apart). The title
is repeated so that its words weigh more than the abstract's, as a screener reads it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

from reviewflow.normalize import clean_text, normalize_authors, split_list, strip_html
from reviewflow.settings import Settings

__all__ = ["FeatureSettings", "author_texts", "build_features", "record_texts"]


@dataclass(frozen=True)
class FeatureSettings(Settings):
    """How records become vectors; every field is a config key under ``screening.features``."""

    SCHEMA: ClassVar[str] = "schemas/screening.schema.yaml#/properties/features"

    word_ngram_max: int
    char_ngrams: bool
    char_ngram_min: int
    char_ngram_max: int
    char_weight: float
    title_repeat: int
    use_keywords: bool
    author_weight: float
    min_df: int
    max_df: float


def record_texts(
    frame: pd.DataFrame, *, title_repeat: int = 2, use_keywords: bool = True
) -> list[str]:
    """One text per record: title (repeated), abstract without markup, keywords."""

    def column(name: str) -> list[str]:
        if name not in frame.columns:
            return [""] * len(frame)
        return [strip_html(v) for v in frame[name].tolist()]

    titles = column("title")
    abstracts = column("abstract")
    keywords = column("keywords") if use_keywords else [""] * len(frame)
    texts = []
    for title, abstract, kw in zip(titles, abstracts, keywords, strict=True):
        parts = [title] * max(1, title_repeat) + [abstract, kw.replace(";", " ")]
        texts.append(clean_text(" ".join(p for p in parts if p)))
    return texts


def _char_ngram_tfidf(texts: list[str], settings: FeatureSettings, max_df: float) -> sp.csr_matrix:
    """TF-IDF of character n-grams inside words (what ``analyzer="char_wb"`` counts).

    Counting n-grams document by document in Python is slow (seconds for 300 abstracts);
    n-grams inside words depend only on the word, so they are counted once per distinct
    word and spread to documents by one sparse product: word counts x n-grams per word.
    """
    words = CountVectorizer(token_pattern=r"(?u)\b\w+\b", strip_accents="unicode")
    counts = words.fit_transform(texts)
    lo, hi = settings.char_ngram_min, settings.char_ngram_max
    index: dict[str, int] = {}
    rows, cols = [], []
    for w_id, word in enumerate(words.get_feature_names_out()):
        padded = f" {word} "
        for n in range(lo, hi + 1):
            for start in range(max(1, len(padded) - n + 1)):
                gram = padded[start : start + n]
                rows.append(w_id)
                cols.append(index.setdefault(gram, len(index)))
    spread = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(counts.shape[1], len(index)),
    )
    grams = sp.csr_matrix(counts.astype(np.float32) @ spread)
    df = np.asarray((grams > 0).sum(axis=0)).ravel()
    min_df = max(settings.min_df, 2) if len(texts) >= 20 else 1
    keep = np.flatnonzero((df >= min_df) & (df <= max_df * len(texts)))
    grams = grams[:, keep]
    return TfidfTransformer(sublinear_tf=True).fit_transform(grams).astype(np.float32)


def author_texts(frame: pd.DataFrame) -> list[str]:
    """One token per author surname (``smith_j``): a research group's studies share them."""
    if "authors" not in frame.columns:
        return [""] * len(frame)
    out = []
    for cell in frame["authors"].tolist():
        tokens = []
        for author in split_list(normalize_authors(clean_text(cell))):
            surname, _, given = author.partition(",")
            key = re.sub(r"\W+", "", surname.lower())
            if key:
                tokens.append(f"{key}_{given.strip()[:1].lower()}")
        out.append(" ".join(tokens))
    return out


def build_features(
    texts: list[str],
    settings: FeatureSettings | None = None,
    authors: list[str] | None = None,
) -> sp.csr_matrix:
    """Fit TF-IDF on every record (unsupervised, so no label leaks) and return rows L2-normed.

    Fitting on the whole pool, labelled and unlabelled, is what ASReview and other screening
    tools do: the vocabulary is known before screening starts and new labels only move the
    classifier, not the features.
    """
    settings = settings or FeatureSettings.defaults()
    if not texts:
        return sp.csr_matrix((0, 0))
    safe = [t if t.strip() else "emptyrecord" for t in texts]
    max_df = settings.max_df if len(safe) >= 20 else 1.0
    words = TfidfVectorizer(
        ngram_range=(1, settings.word_ngram_max),
        sublinear_tf=True,
        min_df=settings.min_df,
        max_df=max_df,
        stop_words="english",
        strip_accents="unicode",
        dtype=np.float32,
    )
    try:
        blocks = [words.fit_transform(safe)]
    except ValueError:  # only stop words everywhere: fall back to keeping them
        words.set_params(stop_words=None, max_df=1.0)
        blocks = [words.fit_transform(safe)]
    if settings.char_ngrams:
        blocks.append(_char_ngram_tfidf(safe, settings, max_df) * settings.char_weight)
    if settings.author_weight > 0 and authors and any(authors):
        people = TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, min_df=2 if len(safe) >= 20 else 1
        )
        try:
            blocks.append(people.fit_transform(authors) * settings.author_weight)
        except ValueError:  # no surname shared by two records
            pass
    matrix = sp.hstack(blocks, format="csr")
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    # float64: liblinear copies float32 input to float64 on every fit
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix, dtype=np.float64)
