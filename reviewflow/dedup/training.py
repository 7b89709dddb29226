"""Estimating the match model from labelled sets, with thresholds chosen out of sample.

A labelled set is a record table plus its true clustering. Blocking proposes its candidate
pairs as it would in a run; each pair's comparison levels and guard are computed, and the
truth says whether it is one publication. :func:`fit_model` counts the level weights on the
given sets and chooses both thresholds from leave-one-set-out weights *inside* them: each
set's pairs are weighed by a model counted on the other sets only, so the thresholds are set
on weights as the model will see them on new data. ``benchmarks/dedup.py`` goes one level
further out, leaving every public set out of this whole procedure in turn to score it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from reviewflow.dedup.blocking import candidate_pairs
from reviewflow.dedup.evidence import compare_fields
from reviewflow.dedup.guards import guard
from reviewflow.dedup.model import MatchModel, fit, probability
from reviewflow.dedup.prepare import prepare_records

__all__ = ["LabelledPairs", "ThresholdRule", "fit_model", "labelled_pairs"]


@dataclass(frozen=True)
class LabelledPairs:
    """Candidate pairs of one labelled set: levels, guard (``""``, ``soft``, ``hard``), truth."""

    name: str
    levels: list[tuple[str, ...]]
    guards: list[str]
    same: list[bool]


def labelled_pairs(name: str, records: pd.DataFrame, truth: Mapping[str, str]) -> LabelledPairs:
    """The candidate pairs of ``records`` (record-model columns) labelled by ``truth``
    (record_id -> true cluster id)."""
    records = records.reset_index(drop=True)
    prep = prepare_records(records)
    labels = [truth[str(rid)] for rid in records["record_id"]]
    levels, guards, same = [], [], []
    for i, j in sorted(candidate_pairs(prep)):
        evidence = compare_fields(prep, i, j)
        found = guard(prep, i, j, evidence)
        levels.append(evidence.levels)
        guards.append("" if found is None else "hard" if found.hard else "soft")
        same.append(labels[i] == labels[j])
    return LabelledPairs(name, levels, guards, same)


@dataclass(frozen=True)
class ThresholdRule:
    """How thresholds follow from leave-one-set-out weights of the training pairs.

    ``merge_margin``: bits added to the highest weight any non-matching, unguarded training
    pair reached out of sample; ``review_share``: share of the matching pairs not merged
    (below the merge threshold, or held back by a soft guard) that the review threshold
    keeps above it, so a person sees them (the rest nobody sees).
    """

    merge_margin: float = 4.0
    review_share: float = 0.95
    pseudo_count: float = 1.0


def _fit(sets: Sequence[LabelledPairs], pseudo_count: float) -> MatchModel:
    return fit({s.name: (s.levels, s.same) for s in sets}, pseudo_count=pseudo_count)


def fit_model(sets: Sequence[LabelledPairs], rule: ThresholdRule = ThresholdRule()) -> MatchModel:
    """Weights counted on every set; thresholds from their leave-one-set-out weights."""
    model = _fit(sets, rule.pseudo_count)
    others: list[float] = []
    matches: list[tuple[float, bool]] = []
    for held in sets:
        rest = [s for s in sets if s.name != held.name]
        if not any(any(s.same) for s in rest):
            continue
        inner = _fit(rest, rule.pseudo_count)
        for levels, found, same in zip(held.levels, held.guards, held.same, strict=True):
            if found == "hard":
                continue  # never one publication, whatever the weight
            weight = inner.weight(levels)
            if same:
                matches.append((weight, found == "soft"))
            elif not found:
                others.append(weight)  # a soft guard keeps it from merging anyway
    merge_weight = (max(others) if others else 0.0) + rule.merge_margin
    # the matching pairs left to a person: below the merge threshold, or held by a soft guard
    below = sorted(w for w, soft in matches if soft or w < merge_weight)
    if below:
        cut = below[min(len(below) - 1, math.floor((1 - rule.review_share) * len(below)))]
    else:
        cut = merge_weight - 1.0
    how = (
        f"leave-one-set-out over {', '.join(s.name for s in sets)}: merge at the highest "
        f"weight of a non-matching unguarded pair + {rule.merge_margin} bits; review from the "
        f"weight keeping {rule.review_share:.0%} of the matching pairs below it"
    )
    return model.with_thresholds(
        round(probability(merge_weight), 6), round(probability(min(cut, merge_weight)), 6), how
    )
