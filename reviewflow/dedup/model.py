"""Match weights: how much each comparison level says for or against one publication.

A Fellegi-Sunter model (Fellegi & Sunter 1969, as in Splink): for comparison *c* at level *l*,
``m = P(l | same publication)`` and ``u = P(l | different publications)`` among the
candidate pairs blocking proposes; the level's weight is ``log2(m / u)``, and a pair's match
weight is the prior log-odds plus the weights of its levels. ``missing`` levels weigh 0.
Here m and u are counted on labelled pairs (:func:`fit`) rather than estimated by EM: the
labelled public sets give them directly, and leaving one set out at a time
(``benchmarks/dedup.py``) shows what they are worth on data they were not counted on.

Each labelled set counts equally (its level frequencies are averaged, not pooled), so that the
largest set does not decide what a level means. The shipped weights
(``reviewflow/data/dedup_model.json``) were counted on every public labelled set; its
``trained_on`` and ``thresholds_from`` fields say which, and how the thresholds were chosen.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from operator import getitem
from typing import Any

from reviewflow.dedup.evidence import COMPARISONS, MISSING

__all__ = ["MatchModel", "default_model", "fit"]


@dataclass(frozen=True)
class MatchModel:
    """Level weights (log2 Bayes factors), the prior and the two probability thresholds.

    ``merge_at``: match probability from which a pair no guard forbids is merged without
    asking; ``review_at``: probability from which a pair that is not merged goes to a person.
    """

    weights: Mapping[str, Mapping[str, float]]
    prior: float
    merge_at: float
    review_at: float
    trained_on: tuple[str, ...] = ()
    thresholds_from: str = ""
    _order: tuple[dict[str, float], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        order = tuple(
            {level: float(self.weights.get(name, {}).get(level, 0.0)) for level in levels}
            for name, levels in COMPARISONS.items()
        )
        object.__setattr__(self, "_order", order)

    def weight(self, levels: Sequence[str]) -> float:
        """The pair's match weight: prior log2-odds plus the weight of every level."""
        return self.prior + sum(map(getitem, self._order, levels))

    def probability(self, levels: Sequence[str]) -> float:
        return probability(self.weight(levels))

    def contributions(self, levels: Sequence[str]) -> dict[str, float]:
        """Each comparison's weight for this pair (what a person sees next to the pair)."""
        return {
            name: row[level]
            for name, level, row in zip(COMPARISONS, levels, self._order, strict=True)
        }

    def with_thresholds(self, merge_at: float, review_at: float, how: str = "") -> MatchModel:
        return MatchModel(
            self.weights,
            self.prior,
            merge_at,
            review_at,
            self.trained_on,
            how or self.thresholds_from,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "prior": round(self.prior, 4),
            "merge_at": self.merge_at,
            "review_at": self.review_at,
            "trained_on": list(self.trained_on),
            "thresholds_from": self.thresholds_from,
            "weights": {
                name: {level: round(float(w), 4) for level, w in levels.items()}
                for name, levels in self.weights.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatchModel:
        return cls(
            weights={k: dict(v) for k, v in data["weights"].items()},
            prior=float(data["prior"]),
            merge_at=float(data["merge_at"]),
            review_at=float(data["review_at"]),
            trained_on=tuple(data.get("trained_on", ())),
            thresholds_from=str(data.get("thresholds_from", "")),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MatchModel:
        with open(path, encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    def save(self, path: str | os.PathLike[str]) -> None:
        from reviewflow.io import atomic_write_text

        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")


def probability(weight: float) -> float:
    """Match probability of a log2-odds match weight."""
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-weight))


def fit(
    groups: Mapping[str, tuple[Sequence[Sequence[str]], Sequence[bool]]],
    *,
    pseudo_count: float = 1.0,
    min_present: int = 5,
    merge_at: float = 0.5,
    review_at: float = 0.5,
) -> MatchModel:
    """Count m and u on labelled candidate pairs, each group (labelled set) weighing equally.

    ``groups``: set name -> (levels of each pair, whether the pair is one publication).
    ``pseudo_count`` is added to every level's count (Laplace smoothing), so a level never
    seen among matches in the training data gets a large but finite weight against. A set
    counts for a comparison only if at least ``min_present`` of its matching and of its other
    pairs have the field on both sides.
    """
    names = list(COMPARISONS)
    m_freq = {n: dict.fromkeys(COMPARISONS[n], 0.0) for n in names}
    u_freq = {n: dict.fromkeys(COMPARISONS[n], 0.0) for n in names}
    sets_with = dict.fromkeys(names, 0)
    priors = []
    used = []
    for group, (rows, labels) in groups.items():
        matches = sum(1 for label in labels if label)
        if not matches or matches == len(labels):
            continue
        used.append(group)
        priors.append(math.log2(matches / (len(labels) - matches)))
        counts = {
            flag: {n: dict.fromkeys(COMPARISONS[n], 0) for n in names} for flag in (True, False)
        }
        for levels, label in zip(rows, labels, strict=True):
            target = counts[bool(label)]
            for name, level in zip(names, levels, strict=True):
                target[name][level] += 1
        for name in names:
            present = [lv for lv in COMPARISONS[name] if lv != MISSING]
            totals = {flag: sum(counts[flag][name][lv] for lv in present) for flag in counts}
            if min(totals.values()) < min_present:
                continue  # a field this set (nearly) never has on both sides says nothing here
            sets_with[name] += 1
            for flag, freq in ((True, m_freq), (False, u_freq)):
                for level in present:
                    # among this set's pairs with the field on both sides, smoothed
                    freq[name][level] += (counts[flag][name][level] + pseudo_count) / (
                        totals[flag] + pseudo_count * len(present)
                    )
    if not used:
        raise ValueError("no labelled set has both matching and non-matching pairs")
    weights: dict[str, dict[str, float]] = {}
    for name in names:
        weights[name] = {MISSING: 0.0} if MISSING in COMPARISONS[name] else {}
        for level in COMPARISONS[name]:
            if level != MISSING:
                weights[name][level] = (
                    math.log2(m_freq[name][level] / u_freq[name][level]) if sets_with[name] else 0.0
                )
    return MatchModel(
        weights=weights,
        prior=sum(priors) / len(priors),
        merge_at=merge_at,
        review_at=review_at,
        trained_on=tuple(used),
    )


@cache
def default_model() -> MatchModel:
    """The shipped model (``reviewflow/data/dedup_model.json``)."""
    text = resources.files("reviewflow").joinpath("data/dedup_model.json").read_text("utf-8")
    return MatchModel.from_dict(json.loads(text))
