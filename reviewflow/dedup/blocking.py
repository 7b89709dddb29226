"""Candidate pairs: only records sharing a blocking key are ever compared.

Comparing every pair is quadratic (200,000 records give 2 x 10^10 pairs). Records are grouped
by several cheap keys, each catching duplicates the others miss: an identifier, the start of
the title (catches truncated titles and suffixes like ``[Chinese]``), the end of the title
(catches prefixes such as ``Review:``), first author + year, and volume + first page
(catches titles translated or badly garbled). A key shared by too many records (a common
surname in a big year, an empty-ish title) is not a useful block: its members are sorted by
title and only neighbours within a window are paired, which keeps the cost near-linear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from reviewflow.dedup.prepare import Prepared

__all__ = ["blocking_keys", "candidate_pairs"]


def blocking_keys(prep: Prepared, i: int) -> Iterable[str]:
    """Every blocking key of record ``i`` (prefixed by the key's kind so kinds never mix)."""
    for name, values in prep.ids.items():
        if values[i]:
            yield f"{name}:{values[i]}"
    compact = prep.title[i].replace(" ", "")
    if len(compact) >= 12:
        yield f"t<{compact[:24]}"
        yield f"t>{compact[-24:]}"
    if prep.surnames[i] and prep.year[i]:
        yield f"ay:{prep.surnames[i][0]}:{prep.year[i]}"
    if prep.fpage[i] and prep.volume[i]:
        yield f"vp:{prep.volume[i]}:{prep.fpage[i]}"
    if prep.fpage[i] and prep.year[i] and prep.surnames[i]:
        yield f"ap:{prep.surnames[i][0]}:{prep.fpage[i]}"


def candidate_pairs(
    prep: Prepared,
    *,
    max_block: int = 64,
    window: int = 8,
    only: set[int] | None = None,
) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of records that share at least one blocking key.

    ``only``: positions of new records in an incremental run; a pair is kept only if at
    least one side is new, so the existing deduplicated set is not compared again.
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    for i in range(len(prep)):
        for key in blocking_keys(prep, i):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if only is not None and not any(m in only for m in members):
            continue
        if len(members) <= max_block:
            for a_pos, a in enumerate(members):
                for b in members[a_pos + 1 :]:
                    _add(pairs, a, b, only)
        else:
            ordered = sorted(members, key=lambda m: prep.title[m])
            for a_pos, a in enumerate(ordered):
                for b in ordered[a_pos + 1 : a_pos + 1 + window]:
                    _add(pairs, a, b, only)
    return pairs


def _add(pairs: set[tuple[int, int]], a: int, b: int, only: set[int] | None) -> None:
    if a == b:
        return
    if only is not None and a not in only and b not in only:
        return
    pairs.add((a, b) if a < b else (b, a))
