"""The order in which a person sees uncertain pairs: the answers that remove most doubt first.

A person's time is part of what deduplication costs, and most people stop after a few dozen
pairs. An answer removes the doubt of its pair, ``H(p) = -p log2 p - (1-p) log2(1-p)`` bits
for a match probability ``p`` (1 bit at p = 0.5, little near 0 or 1), for every pair of
records it settles: joining a cluster of ``a`` records with one of ``b`` settles ``a x b``
record pairs. Pairs are ranked by that product. A second pair between the same two clusters
is redundant once the first is answered (a ``duplicate`` joins the clusters, a ``distinct``
keeps them apart), so every cluster pair's best representative comes before any repeat.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["doubt", "rank_uncertain"]


def doubt(p: float) -> float:
    """Binary entropy of a match probability, in bits."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def rank_uncertain(
    pairs: Sequence[tuple[int, int, float, str]],
    cluster_of: Sequence[str],
    sizes: Mapping[str, int],
) -> list[tuple[int, int, float, str]]:
    """``pairs`` (position a, position b, match probability, reason) in the order to ask."""
    best: dict[tuple[str, str], float] = {}
    keyed: list[tuple[tuple[str, str], float, tuple[int, int, float, str]]] = []
    for pair in pairs:
        i, j, p, _ = pair
        ca, cb = sorted((cluster_of[i], cluster_of[j]))
        value = doubt(p) * sizes.get(ca, 1) * sizes.get(cb, 1)
        keyed.append(((ca, cb), value, pair))
        best[(ca, cb)] = max(best.get((ca, cb), 0.0), value)
    seen: set[tuple[str, str]] = set()
    first: list[tuple[int, int, float, str]] = []
    repeats: list[tuple[int, int, float, str]] = []
    for key, _value, pair in sorted(keyed, key=lambda k: (-best[k[0]], k[0], -k[1], k[2][:2])):
        (repeats if key in seen else first).append(pair)
        seen.add(key)
    return first + repeats
