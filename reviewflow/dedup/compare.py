"""Pair comparison: duplicate, distinct or uncertain, with the rule and score that decided.

Two records are duplicates when they are the same publication, however differently the
databases render it. Further reports of one study are *not* duplicates, and merging two
distinct publications loses a study for good, whereas a missed duplicate costs a reviewer a
few seconds. So guards run first and veto a merge whenever the records disagree on something
a second rendering of one publication would not change: different DOIs or PMIDs, an erratum,
comment, reply or retraction against its target, different part numbers (``Part I`` /
``Part II``), a conference abstract against a full paper, a protocol against its results,
years more than one apart, conflicting volume and pages. Only then do identifiers and fuzzy
similarity (rapidfuzz) decide, and anything in between goes to a person as ``uncertain``.
These are the classic false merges described for ASySD (Hair et al. 2023) and bib-dedupe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from reviewflow.dedup.prepare import Prepared

__all__ = [
    "DEFAULT_THRESHOLDS",
    "DISTINCT",
    "DUPLICATE",
    "UNCERTAIN",
    "PairResult",
    "compare_pair",
    "incompatible",
]

DUPLICATE = "duplicate"
DISTINCT = "distinct"
UNCERTAIN = "uncertain"

#: ``duplicate``: title similarity at or above which two records with consistent authors,
#: year and venue are merged without asking; ``uncertain``: similarity at or above which a
#: pair that is not merged is shown to a person. Chosen on the labelled sets in
#: ``../shared/data/dedup`` (benchmarks/dedup.py) so that no pair below ``duplicate`` was a
#: safe automatic merge.
DEFAULT_THRESHOLDS: dict[str, float] = {"duplicate": 0.95, "uncertain": 0.85}

_ID_REASONS = (
    ("doi", "same DOI"),
    ("pmid", "same PMID"),
    ("pmcid", "same PMCID"),
    ("openalex_id", "same OpenAlex id"),
    ("s2_id", "same Semantic Scholar id"),
)


@dataclass(frozen=True, slots=True)
class PairResult:
    """The outcome for one pair; ``reason`` names the rule, ``score`` the similarity."""

    outcome: str
    score: float
    reason: str


def _title_sim(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return fuzz.ratio(a, b) / 100.0


def _author_sim(a: tuple[str, ...], b: tuple[str, ...]) -> float | None:
    """Surnames compared in order over the shorter list (some databases cut lists short)."""
    if not a or not b:
        return None
    k = min(len(a), len(b), 8)
    left, right = " ".join(a[:k]), " ".join(b[:k])
    if left == right:
        return 1.0
    ordered = fuzz.ratio(left, right) / 100.0
    unordered = fuzz.token_sort_ratio(left, right) / 100.0
    sim = max(ordered, unordered * 0.95)
    if a[0] != b[0] and fuzz.ratio(a[0], b[0]) < 80:
        sim = min(sim, 0.7)
    return sim


def _journal_compatible(a: str, b: str) -> bool | None:
    """Same journal, allowing for ISO abbreviations (``j neurol sci`` ~ ``journal neurological
    sciences``) and acronyms; ``None`` when one side has no journal."""
    if not a or not b:
        return None
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(short) == 1 and len(short[0]) >= 2 and short[0] == "".join(w[0] for w in long_):
        return True
    pos = 0
    for word in short:
        while pos < len(long_) and not long_[pos].startswith(word[: max(1, len(word))]):
            pos += 1
        if pos == len(long_):
            break
        pos += 1
    else:
        return True
    return fuzz.token_set_ratio(a, b) >= 85


def incompatible(prep: Prepared, i: int, j: int) -> str:
    """Why ``i`` and ``j`` can never be one publication (``""`` if nothing forbids it).

    Used both for a pair's outcome and when two clusters are about to merge: every pair
    across them must pass, so one weak link cannot chain distinct publications together.
    """
    for name, label in (("doi", "DOIs"), ("pmid", "PMIDs"), ("pmcid", "PMCIDs")):
        a, b = prep.ids[name][i], prep.ids[name][j]
        if a and b and a != b:
            return f"different {label}"
    if prep.kind[i] != prep.kind[j]:
        kinds = sorted(k or "article" for k in (prep.kind[i], prep.kind[j]))
        return f"{kinds[0]} vs {kinds[1]}"
    if prep.parts[i] and prep.parts[j] and prep.parts[i] != prep.parts[j]:
        return "different part numbers"
    if prep.protocol[i] != prep.protocol[j]:
        return "protocol vs results"
    ya, yb = prep.year[i], prep.year[j]
    if ya and yb and abs(ya - yb) > 1:
        return "years differ"
    if prep.conference[i] != prep.conference[j]:
        full = j if prep.conference[i] else i
        if prep.npages[full] >= 3 or (ya and yb and ya != yb):
            return "conference abstract vs full paper"
    va, vb = prep.volume[i], prep.volume[j]
    pa, pb = prep.fpage[i], prep.fpage[j]
    if va and vb and va != vb and pa and pb and pa != pb:
        return "different volume and pages"
    if prep.title[i] and prep.title[j] and prep.title[i] == prep.title[j] and ya != yb:
        if ya and yb and not (pa and pa == pb):
            ja, jb = prep.journal[i], prep.journal[j]
            if ja and jb and ja != jb:
                return "same title in different years and journals"
    return ""


def _details(prep: Prepared, i: int, j: int) -> tuple[int, int]:
    """(agreeing, conflicting) counts over volume, issue and first page."""
    agree = conflict = 0
    for values in (prep.volume, prep.issue, prep.fpage):
        a, b = values[i], values[j]
        if a and b:
            if a == b:
                agree += 1
            else:
                conflict += 1
    return agree, conflict


def compare_pair(
    prep: Prepared, i: int, j: int, thresholds: dict[str, Any] | None = None
) -> PairResult:
    """Judge one candidate pair; guards first, then identifiers, then fuzzy similarity."""
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    dup_t, unc_t = float(limits["duplicate"]), float(limits["uncertain"])
    title = _title_sim(prep.title[i], prep.title[j])
    guard = incompatible(prep, i, j)
    if guard:
        if title >= dup_t and guard in ("different volume and pages",):
            return PairResult(UNCERTAIN, round(title, 3), f"uncertain: {guard}")
        return PairResult(DISTINCT, round(title, 3), f"distinct: {guard}")

    for name, label in _ID_REASONS:
        a, b = prep.ids[name][i], prep.ids[name][j]
        if a and a == b:
            if not prep.title[i] or not prep.title[j] or title >= 0.6:
                return PairResult(DUPLICATE, 1.0, label)
            return PairResult(UNCERTAIN, round(title, 3), f"uncertain: {label}, titles differ")

    authors = _author_sim(prep.surnames[i], prep.surnames[j])
    journal = _journal_compatible(prep.journal[i], prep.journal[j])
    agree, conflict = _details(prep, i, j)
    ya, yb = prep.year[i], prep.year[j]
    same_year = bool(ya and yb and ya == yb)
    year_ok = same_year or not ya or not yb
    numbers_differ = (
        prep.title_numbers[i] != prep.title_numbers[j]
        and bool(prep.title_numbers[i])
        and bool(prep.title_numbers[j])
    )
    short = min(len(prep.title[i].split()), len(prep.title[j].split())) <= 4
    score = round(title if authors is None else 0.7 * title + 0.3 * authors, 3)

    if title >= dup_t:
        evidence = (authors is not None and authors >= 0.75) or (
            authors is None and (agree >= 2 or (agree >= 1 and journal))
        )
        if short:
            evidence = evidence and agree >= 1 and authors is not None and authors >= 0.9
        if numbers_differ:
            evidence = False
        if evidence and conflict == 0 and journal is not False and year_ok:
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year")
        if evidence and conflict == 0 and year_ok:
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year, journal differs")
        if evidence and conflict == 0 and agree >= 2:
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+volume+pages")
        return PairResult(UNCERTAIN, score, "uncertain: similar title, other fields disagree")

    if title >= unc_t:
        if (
            authors is not None
            and authors >= 0.9
            and same_year
            and conflict == 0
            and agree >= 2
            and not numbers_differ
        ):
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year+volume+pages")
        return PairResult(UNCERTAIN, score, "uncertain: titles differ slightly")

    if (
        authors is not None
        and authors >= 0.9
        and same_year
        and agree >= 2
        and conflict == 0
        and prep.fpage[i]
    ):
        return PairResult(UNCERTAIN, score, "uncertain: same authors, year, volume, pages")
    return PairResult(DISTINCT, score, "distinct: titles differ")
