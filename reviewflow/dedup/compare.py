"""Pair decisions: duplicate, distinct or uncertain, from weighed evidence and guards.

Two records are duplicates when they are the same publication, however differently the
databases render it. Further reports of one study are *not* duplicates, and merging two
distinct publications loses a study for good, whereas a missed duplicate costs a person a
few seconds. So a pair is merged only when the weighed evidence of every field
(:mod:`reviewflow.dedup.evidence`, :mod:`reviewflow.dedup.model`) puts its match probability
at or above the model's ``merge_at`` *and* no guard (:mod:`reviewflow.dedup.guards`) forbids
it. A pair whose probability reaches ``review_at``, or that a guard keeps from an otherwise
strong merge, goes to a person as *uncertain*; anything else is *distinct*.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewflow.dedup.evidence import MISSING, Evidence, compare_fields
from reviewflow.dedup.guards import DOI_COLLISION, Guard, guard
from reviewflow.dedup.model import MatchModel, default_model, probability
from reviewflow.dedup.prepare import Prepared

__all__ = [
    "DISTINCT",
    "DUPLICATE",
    "UNCERTAIN",
    "PairResult",
    "compare_pair",
    "details_conflict",
    "incompatible",
]

_SHARED_DOI = ("same", "same_shared")
DUPLICATE = "duplicate"
DISTINCT = "distinct"
UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class PairResult:
    """The outcome for one pair: ``score`` is its match probability, ``reason`` why."""

    outcome: str
    score: float
    reason: str
    weight: float = 0.0
    evidence: Evidence | None = field(default=None, repr=False)
    guard: Guard | None = None

    @property
    def doi_collision(self) -> bool:
        return self.guard is not None and self.guard.reason == DOI_COLLISION


def describe(model: MatchModel, evidence: Evidence, limit: int = 4) -> str:
    """The comparisons that weighed most, e.g. ``pages same_range +9.9, authors
    different -5.7``: what a person reading an uncertain pair wants to know first."""
    parts = [
        (abs(w), f"{name} {level} {w:+.1f}")
        for (name, w), level in zip(
            model.contributions(evidence.levels).items(), evidence.levels, strict=True
        )
        if level != MISSING and abs(w) >= 0.5
    ]
    return ", ".join(text for _, text in sorted(parts, reverse=True)[:limit])


def compare_pair(prep: Prepared, i: int, j: int, model: MatchModel | None = None) -> PairResult:
    """Judge one candidate pair: weigh the evidence, then let the guards veto."""
    model = model or default_model()
    evidence = compare_fields(prep, i, j)
    weight = model.weight(evidence.levels)
    p = probability(weight)
    score = round(p, 4)
    if p < model.review_at and evidence.levels[0] not in _SHARED_DOI:
        # nothing a guard says could lift this pair (only a DOI collision needs reporting)
        return PairResult(DISTINCT, score, "distinct: evidence against", weight, evidence)
    found = guard(prep, i, j, evidence)
    if found is not None:
        if p >= model.merge_at or (not found.hard and p >= model.review_at):
            # strong evidence that a guard overrules: a person decides
            return PairResult(
                UNCERTAIN, score, f"uncertain: {found.reason}", weight, evidence, found
            )
        return PairResult(DISTINCT, score, f"distinct: {found.reason}", weight, evidence, found)
    if p >= model.merge_at:
        return PairResult(DUPLICATE, score, "weighed evidence", weight, evidence)
    if p >= model.review_at:
        return PairResult(UNCERTAIN, score, "uncertain: evidence in between", weight, evidence)
    return PairResult(DISTINCT, score, "distinct: evidence against", weight, evidence)


def incompatible(prep: Prepared, i: int, j: int) -> str:
    """Why ``i`` and ``j`` can never be one publication (``""`` if no hard guard holds).

    Used when two clusters are about to merge: every pair across them must pass, so one
    weak link cannot chain distinct publications together.
    """
    found = guard(prep, i, j, compare_fields(prep, i, j))
    return found.reason if found is not None and found.hard else ""


def details_conflict(evidence: Evidence) -> bool:
    """Do volume, issue or pages, present in both records, disagree?"""
    return (
        evidence.level("volume") == "different"
        or evidence.level("pages") in ("different", "adjacent")
        or evidence.level("issue") == "different"
    )
