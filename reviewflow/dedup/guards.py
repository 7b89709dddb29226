"""Guards: what no weight of agreement may overrule.

Weighed evidence (:mod:`reviewflow.dedup.model`) says how alike two records are; some
differences mean they cannot be one publication however alike the rest is, and some
similarities mean nothing. A *hard* guard makes a pair distinct and keeps the two records
out of one cluster; a *soft* guard only forbids an automatic merge, so the pair goes to a
person when the evidence is otherwise strong. Every guard is a property of bibliographic
records in general, not of one data set:

* hard: different PMIDs or PMCIDs; different DOIs that are both specific (a DOI names one
  work); a DOI collision (one DOI on records whose titles or pages clearly differ); an
  erratum, comment, reply or retraction against its target; different part numbers;
  protocol against results; years more than one apart; a conference abstract against a
  full paper; different pages in one journal, or in different volumes; titles that differ in
  a content token (number, Greek letter, single letter) with different pages; a generic
  recurring title (``Editorial``, ``Reply``) in different issues or on different pages;
* soft: a title that is empty, a spreadsheet error (``#NAME?``) or the journal's name;
  titles that differ in a content token where the pages cannot tell; titles that differ in
  a word (a compound, a population) when no DOI, pages or issue place the records together;
  page ranges that only touch (two letters on one page, or a mistyped range); a generic or
  recurring
  title without agreeing issue, pages or DOI; different DOIs on records that agree on
  everything else (a database attached another work's DOI, or it is another version).

These are the classic false merges described for ASySD (Hair et al. 2023) and bib-dedupe.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewflow.dedup.evidence import MISSING, Evidence, same_start
from reviewflow.dedup.prepare import Prepared

__all__ = ["DOI_COLLISION", "Guard", "guard"]

DOI_COLLISION = "DOI collision"


@dataclass(frozen=True, slots=True)
class Guard:
    """Why a pair may not be merged automatically; ``hard``: never one publication."""

    reason: str
    hard: bool


def _same_place(prep: Prepared, i: int, j: int) -> bool:
    va, pa = prep.volume[i], prep.fpage[i]
    return bool(va and pa and va == prep.volume[j] and same_start(pa, prep.fpage[j]))


def _placed_together(ev: Evidence) -> bool:
    """Does a DOI, the pages, or volume and issue put the two records in one place?"""
    return (
        ev.level("doi") == "same"
        or ev.level("pages") in ("same_range", "same_first", "overlap")
        or (ev.level("volume") == "same" and ev.level("issue") == "same")
    )


def guard(prep: Prepared, i: int, j: int, evidence: Evidence) -> Guard | None:
    """The first guard that holds for the pair, hard ones first; ``None`` when none does."""
    found = _hard(prep, i, j, evidence)
    return found if found is not None else _soft(prep, i, j, evidence)


def _hard(prep: Prepared, i: int, j: int, ev: Evidence) -> Guard | None:
    same_place = _same_place(prep, i, j)
    for name, label in (("pmid", "PMIDs"), ("pmcid", "PMCIDs")):
        a, b = prep.ids[name][i], prep.ids[name][j]
        if a and b and a != b:
            return Guard(f"different {label}", True)
    doi = ev.level("doi")
    title = ev.level("title")
    if doi == "different" and not (
        same_place and prep.year[i] == prep.year[j] and title in ("exact", "variant")
    ):
        return Guard("different DOIs", True)
    if doi in ("same", "same_shared") and (title == "different" or ev.pages is False):
        return Guard(DOI_COLLISION, True)
    if prep.kind[i] != prep.kind[j]:
        # an erratum or comment never starts on its target's first page; records that agree
        # on volume and first page are one item, whatever one database's title says
        kinds = sorted(k or "article" for k in (prep.kind[i], prep.kind[j]))
        return Guard(f"{kinds[0]} vs {kinds[1]}", True)
    if prep.parts[i] and prep.parts[j] and prep.parts[i] != prep.parts[j]:
        return Guard("different part numbers", True)
    if prep.protocol[i] != prep.protocol[j]:
        return Guard("protocol vs results", True)
    if ev.level("year") == "apart":
        return Guard("years differ", True)
    if prep.conference[i] != prep.conference[j]:
        full = j if prep.conference[i] else i
        one_id = doi in ("same", "same_shared") or ev.level("pmid") == "same"
        years = prep.year[i] and prep.year[j] and prep.year[i] != prep.year[j]
        # 3-60 pages is an article; hundreds of pages is the abstract supplement itself
        if (3 <= prep.npages[full] <= 60 or years) and not (
            same_start(prep.fpage[i], prep.fpage[j]) or one_id
        ):
            return Guard("conference abstract vs full paper", True)
    if ev.pages is False:
        if ev.level("volume") == "different":
            return Guard("different volume and pages", True)
        if ev.level("journal") in ("same", "compatible"):
            # a journal prints an item in one place: other pages (not overlapping ranges)
            # in the same journal, volume or issue are another item
            return Guard("different pages in one journal", True)
        if ev.content_differs:
            return Guard("title differs in a number or letter, pages differ", True)
    weak_title = prep.generic[i] or prep.generic[j] or prep.recurring[i] or prep.recurring[j]
    if weak_title and (
        ev.pages is False or ev.level("issue") == "different" or ev.level("volume") == "different"
    ):
        return Guard("recurring title in another issue or on other pages", True)
    return None


def _soft(prep: Prepared, i: int, j: int, ev: Evidence) -> Guard | None:
    title = ev.level("title")
    if title == MISSING:
        return Guard("title missing or unusable", False)
    if ev.content_differs:
        return Guard("title differs in a number or letter", False)
    if ev.level("pages") == "adjacent":
        return Guard("page ranges only touch", False)
    if ev.level("title_words") in ("one", "several") and not _placed_together(ev):
        # high similarity is not identity: "... by compound-A" / "... by compound-B" by the
        # same authors in one journal and year are two papers unless a place says otherwise
        return Guard("titles differ in a word and nothing places them together", False)
    weak_title = prep.generic[i] or prep.generic[j] or prep.recurring[i] or prep.recurring[j]
    if weak_title:
        # one place: the same specific DOI, or the same pages in the same issue, volume or
        # journal
        located = ev.level("doi") == "same" or (
            ev.level("pages") in ("same_range", "same_first", "overlap")
            and "same" in (ev.level("issue"), ev.level("volume"), ev.level("journal"))
        )
        if not located:
            return Guard("recurring title without the same issue, pages or DOI", False)
    if ev.level("doi") == "different":
        return Guard("different DOIs, all else the same", False)
    return None
