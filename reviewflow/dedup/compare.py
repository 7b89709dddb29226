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
    "details_conflict",
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


def _author_sim(prep: Prepared, i: int, j: int) -> float | None:
    """Surnames in order over the shorter list (some databases cut lists short), or the
    overlap of all name words when databases disagree on which name is the surname."""
    a, b = prep.surnames[i], prep.surnames[j]
    if not a or not b:
        return None
    sim = _surname_sim(a, b)
    ta, tb = prep.author_tokens[i], prep.author_tokens[j]
    if sim < 0.9 and min(len(ta), len(tb)) >= 3:
        sim = max(sim, 0.95 * len(ta & tb) / min(len(ta), len(tb)))
        if not (prep.first_author_tokens[i] & prep.first_author_tokens[j]):
            # a different first author is a different paper, however many co-authors match
            sim = min(sim, 0.7)
    return sim


def _surname_sim(a: tuple[str, ...], b: tuple[str, ...]) -> float:
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


def _contained(a: str, b: str) -> bool:
    """One title is the other plus or minus a prefix or suffix (``Medical progress:``, a
    subtitle one database dropped, a truncated field)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 25 or len(short.split()) < 4:
        return False
    return fuzz.partial_ratio(short, long_) >= 97


def _journal_compatible(a: str, b: str) -> bool | None:
    """Same journal, allowing for ISO abbreviations (``j neurol sci`` ~ ``journal neurological
    sciences``) and acronyms; ``None`` when one side has no journal."""
    if not a or not b:
        return None
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    # the abbreviation is the shorter text, not always the one with fewer words
    # (``new engl j med`` / ``new england journal medicine``)
    short, long_ = (ta, tb) if len(a) <= len(b) else (tb, ta)
    if len(short) == 1 and len(short[0]) >= 2 and short[0] == "".join(w[0] for w in long_):
        return True
    if _abbreviates(short, long_):
        return True
    return fuzz.token_set_ratio(a, b) >= 85


def _abbreviates(short: list[str], long_: list[str]) -> bool:
    """Every word of ``short`` starts a later word of ``long_``, in order."""
    pos = 0
    for word in short:
        while pos < len(long_) and not long_[pos].startswith(word):
            pos += 1
        if pos == len(long_):
            return False
        pos += 1
    return True


def incompatible(prep: Prepared, i: int, j: int) -> str:
    """Why ``i`` and ``j`` can never be one publication (``""`` if nothing forbids it).

    Used both for a pair's outcome and when two clusters are about to merge: every pair
    across them must pass, so one weak link cannot chain distinct publications together.
    """
    va, vb = prep.volume[i], prep.volume[j]
    pa, pb = prep.fpage[i], prep.fpage[j]
    same_place = bool(va and pa and va == vb and pa == pb)
    ya, yb = prep.year[i], prep.year[j]
    for name, label in (("doi", "DOIs"), ("pmid", "PMIDs"), ("pmcid", "PMCIDs")):
        a, b = prep.ids[name][i], prep.ids[name][j]
        if a and b and a != b and not (a.startswith(b) or b.startswith(a)):
            # a database sometimes attaches another work's DOI (a 1995 paper with a 2016
            # DOI); an identical title, year, volume and first page outweigh it
            if not (same_place and ya == yb and _title_sim(prep.title[i], prep.title[j]) >= 0.98):
                return f"different {label}"
    if prep.kind[i] != prep.kind[j] and not same_place:
        # an erratum or comment never starts on its target's first page; records that agree
        # on volume and first page are one item, whatever one database's title says
        kinds = sorted(k or "article" for k in (prep.kind[i], prep.kind[j]))
        return f"{kinds[0]} vs {kinds[1]}"
    if prep.parts[i] and prep.parts[j] and prep.parts[i] != prep.parts[j]:
        return "different part numbers"
    if prep.protocol[i] != prep.protocol[j]:
        return "protocol vs results"
    if ya and yb and abs(ya - yb) > 1:
        return "years differ"
    if prep.conference[i] != prep.conference[j]:
        full = j if prep.conference[i] else i
        # 3-60 pages is an article; hundreds of pages is the abstract supplement itself
        same_start = _same_start(pa, pb)
        # ... unless one database registered both under one DOI or PMID
        same_id = any(
            prep.ids[name][i] and prep.ids[name][i] == prep.ids[name][j] for name in ("doi", "pmid")
        )
        if (3 <= prep.npages[full] <= 60 or (ya and yb and ya != yb)) and not (
            same_start or same_id
        ):
            return "conference abstract vs full paper"
    if va and vb and va != vb and _pages_agree(prep, i, j) is False:
        return "different volume and pages"
    if prep.title[i] and prep.title[j] and prep.title[i] == prep.title[j] and ya != yb:
        if ya and yb and not _same_start(pa, pb):
            ja, jb = prep.journal[i], prep.journal[j]
            if ja and jb and ja != jb:
                return "same title in different years and journals"
    return ""


def _shifted_locator(prep: Prepared, i: int, j: int) -> bool:
    """Does ``i`` carry ``j``'s volume in its issue field and ``j``'s issue as its page?"""
    return bool(
        not prep.volume[i]
        and prep.volume[j]
        and prep.issue[j]
        and prep.issue[i] == prep.volume[j]
        and prep.fpage[i] == prep.issue[j]
    )


def _online_first(prep: Prepared, i: int, j: int) -> bool:
    """Exactly one of the two records has neither volume nor pages."""
    bare = [not prep.volume[k] and not prep.fpage[k] for k in (i, j)]
    return bare[0] != bare[1]


def _retitled(a: str, b: str) -> bool:
    """Do the titles share a run of at least five words at the start or at the end that
    makes up two thirds of each (``Eculizumab in severe Shiga-toxin-associated HUS`` /
    ``Complement blockade in severe ...``)? Words replaced here and there do not count."""
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return False
    head = 0
    while head < min(len(wa), len(wb)) and wa[head] == wb[head]:
        head += 1
    tail = 0
    while tail < min(len(wa), len(wb)) and wa[-1 - tail] == wb[-1 - tail]:
        tail += 1
    run = max(head, tail)
    return run >= 5 and run >= 2 * max(len(wa), len(wb)) / 3


def _same_start(pa: str, pb: str) -> bool:
    """Same first page once a locator letter is dropped (``S197``/``197``, ``c37``/``37``):
    a supplement or online locator of the same page, not another item."""
    return bool(
        pa
        and pb
        and pa.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == pb.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    )


def _pages_agree(prep: Prepared, i: int, j: int) -> bool | None:
    """Do the first pages agree? ``None`` when they cannot be compared.

    Equal first pages agree; so do ranges that overlap or a single page inside the other's
    range (one database's typo). A plain page against an electronic locator (``e12724``,
    BMJ's ``a1754``) cannot be compared: the same article carries both.
    """
    pa, pb = prep.fpage[i], prep.fpage[j]
    if not pa or not pb:
        return None
    if pa == pb:
        return True
    if pa.isdigit() != pb.isdigit():
        return None
    if pa.isdigit() and pb.isdigit():
        if not prep.volume[i] or prep.volume[i] != prep.volume[j]:
            return False  # overlapping ranges only mean one item within one volume
        sa, sb = int(pa), int(pb)
        ea, eb = sa + max(prep.npages[i], 1) - 1, sb + max(prep.npages[j], 1) - 1
        return sa <= eb and sb <= ea
    return False


def _details(prep: Prepared, i: int, j: int) -> tuple[int, int]:
    """(agreeing, conflicting) counts over volume and first page; the issue counts only as
    agreement (issues are written ``2``, ``2-3``, ``Suppl 1``... and are often wrong)."""
    agree = conflict = 0
    va, vb = prep.volume[i], prep.volume[j]
    if va and vb:
        agree, conflict = (agree + 1, conflict) if va == vb else (agree, conflict + 1)
    pages = _pages_agree(prep, i, j)
    if pages is not None:
        agree, conflict = (agree + 1, conflict) if pages else (agree, conflict + 1)
    if prep.issue[i] and prep.issue[i] == prep.issue[j] and agree:
        agree += 1
    return agree, conflict


def details_conflict(prep: Prepared, i: int, j: int) -> bool:
    """Do volume or first page, present in both records, disagree?"""
    return _details(prep, i, j)[1] > 0


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

    authors = _author_sim(prep, i, j)
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

    same_place = bool(
        prep.volume[i] and prep.volume[i] == prep.volume[j] and _pages_agree(prep, i, j)
    )
    if title >= dup_t and same_year and same_place:
        # same title, year, volume and first page: two renderings of one item, whatever the
        # author lists look like (given and family names swapped, group authors)
        return PairResult(DUPLICATE, score, "fuzzy: title+year+volume+pages")
    if (
        title < dup_t
        and same_year
        and same_place
        and authors is not None
        and authors >= 0.8
        and _contained(prep.title[i], prep.title[j])
    ):
        return PairResult(DUPLICATE, score, "fuzzy: title contained+authors+year+volume+pages")
    if (
        title >= 0.6
        and same_year
        and journal
        and authors is not None
        and authors >= 0.8
        and prep.volume[i]
        and prep.volume[i] == prep.volume[j]
        and prep.fpage[i]
        and prep.fpage[i] == prep.fpage[j]
        and prep.npages[i] >= 2
        and prep.npages[i] == prep.npages[j]
        and not numbers_differ
    ):
        # one journal volume never prints two items on the same page range: the titles
        # are two translations or renderings of one article
        return PairResult(DUPLICATE, score, "fuzzy: authors+year+journal+volume+page range")
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
        if (
            evidence
            and conflict == 0
            and year_ok
            and (
                prep.meeting_venue[i]
                or prep.meeting_venue[j]
                or (agree >= 1 and not (prep.conference[i] or prep.conference[j]))
            )
        ):
            # journal names that do not match as abbreviations are usually one journal
            # renamed or translated, when volume or pages agree; without them the same
            # title in two journals is a joint publication (guidelines, consensus
            # statements), and abstracts are presented again at other meetings
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year, journal differs")
        if evidence and conflict == 0 and agree >= 2:
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+volume+pages")
        if (
            not numbers_differ
            and not year_ok
            and authors is not None
            and authors >= 0.9
            and conflict == 0
            and prep.volume[i]
            and prep.volume[i] == prep.volume[j]
            and journal
        ):
            # one year apart: online-first and print years; the same volume of the same
            # journal rules out a yearly item with the same title
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+journal+volume, year+-1")
        if (
            not numbers_differ
            and not year_ok
            and authors is not None
            and authors >= 0.9
            and prep.fpage[i]
            and prep.fpage[i] == prep.fpage[j]
            and prep.npages[i] >= 2
            and prep.npages[i] == prep.npages[j]
        ):
            # one year apart (a proceedings volume dated by meeting or by print) but the
            # same page range: one item
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+page range, year+-1")
        if (
            same_year
            and journal
            and authors is not None
            and authors >= 0.9
            and _pages_agree(prep, i, j)
            and not numbers_differ
        ):
            # everything agrees but the volume: one database put the issue or a supplement
            # number in the volume field
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year+journal+pages")
        if (
            title >= 0.98
            and same_year
            and journal
            and authors is not None
            and authors >= 0.95
            and prep.volume[i]
            and prep.volume[i] == prep.volume[j]
            and prep.issue[i]
            and prep.issue[i] == prep.issue[j]
            and not numbers_differ
        ):
            # one issue of one journal does not print two items with the same title and
            # authors (errata, replies and comments are caught by the guards): the pages
            # differ because one database has an abstract-supplement or typo page
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year+journal+issue")
        if (
            same_year
            and journal
            and authors is not None
            and authors >= 0.9
            and not numbers_differ
            and (_shifted_locator(prep, i, j) or _shifted_locator(prep, j, i))
        ):
            # one database moved issue into volume and page into issue (``vol -, no 26,
            # p 9`` for ``vol 26, no 9, p 1746``): the same item, one field to the left
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+year+journal, shifted")
        if (
            title == 1.0
            and same_year
            and journal
            and authors is not None
            and authors >= 0.95
            and min(len(prep.surnames[i]), len(prep.surnames[j])) >= 3
            and (prep.conference[i] or prep.conference[j])
            and prep.volume[i]
            and prep.volume[i] == prep.volume[j]
            and max(prep.npages[i], prep.npages[j]) <= 1
        ):
            # one abstract in one supplement volume, numbered by abstract in one database
            # and by page in the other: identical title and author list, single pages
            return PairResult(DUPLICATE, score, "fuzzy: title+authors+journal+volume, abstract")
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
    if (
        authors is not None
        and authors >= 0.95
        and min(len(prep.surnames[i]), len(prep.surnames[j])) >= 4
        and same_year
        and journal
        and conflict == 0
        and not numbers_differ
        and _online_first(prep, i, j)
        and _retitled(prep.title[i], prep.title[j])
    ):
        # the online-first record (no volume, no pages) of an article whose title the
        # journal changed for print: same author list, journal and year, and only the
        # lead or the tail of the title reworded
        return PairResult(DUPLICATE, score, "fuzzy: authors+year+journal, online first")
    return PairResult(DISTINCT, score, "distinct: titles differ")
