"""Comparison levels: how far two records agree, field by field.

Each comparison sorts a pair into one of a few ordered levels (Fellegi & Sunter 1969; the
"comparison levels" of Splink): the title is exact, a spelling variant, contained in the
other, close, ... or different; the authors are the same list, the same first author, ...
Each level later carries a weight for or against the pair being one publication
(:mod:`reviewflow.dedup.model`), estimated from labelled pairs, never set by hand. A level
``missing`` (a field empty on either side) always weighs nothing: absence is not evidence.

The levels also carry the facts the guards (:mod:`reviewflow.dedup.guards`) need: whether a
title differs in a content token, the page agreement, the title similarity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from reviewflow.dedup.prepare import STOP_WORDS, Prepared

__all__ = [
    "COMPARISONS",
    "MISSING",
    "Evidence",
    "compare_fields",
    "journal_compatible",
    "page_relation",
    "pages_agree",
    "same_start",
]

MISSING = "missing"

#: Every comparison and its levels, strongest agreement first. The order is the order of
#: :attr:`Evidence.levels`.
COMPARISONS: dict[str, tuple[str, ...]] = {
    "doi": (MISSING, "same", "same_shared", "related", "foreign", "different"),
    "pmid": (MISSING, "same", "different"),
    "title": (
        MISSING,
        "exact",
        "exact_recurring",
        "variant",
        "contained",
        "close",
        "similar",
        "loose",
        "different",
    ),
    # substantive words changed, for titles that are neither exact nor spelling variants
    "title_words": (MISSING, "none", "one", "several"),
    "authors": (MISSING, "exact_many", "exact_few", "high", "first_same", "overlap", "different"),
    "year": (MISSING, "same", "one_apart", "apart"),
    "journal": (MISSING, "same", "compatible", "different"),
    "venue": ("same_kind", "meeting_vs_journal"),
    "volume": (MISSING, "same", "different"),
    "issue": (MISSING, "same", "different"),
    "pages": (
        MISSING,
        "same_range",
        "same_first",
        "overlap",
        "adjacent",
        "incomparable",
        "different",
    ),
    "abstract": (MISSING, "same", "similar", "different"),
}
_INDEX = {
    name: {level: n for n, level in enumerate(levels)} for name, levels in COMPARISONS.items()
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One pair's comparison levels (level names, in :data:`COMPARISONS` order) and facts."""

    levels: tuple[str, ...]
    title_sim: float
    content_differs: bool  # the titles differ in a number, Greek letter or single letter
    pages: bool | None  # first pages agree / disagree / cannot be compared

    def level(self, name: str) -> str:
        return self.levels[_POSITION[name]]


_POSITION = {name: n for n, name in enumerate(COMPARISONS)}


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return 1.0 if a == b else fuzz.ratio(a, b) / 100.0


@lru_cache(maxsize=200_000)
def _spelling_key(word: str) -> str:
    """British and American spellings of one word as one key (``tumour``/``tumor``,
    ``randomised``/``randomized``, ``haemorrhage``/``hemorrhage``, ``sulphur``/``sulfur``)."""
    for old, new in (("ae", "e"), ("oe", "e"), ("our", "or"), ("yse", "yze"), ("ph", "f")):
        word = word.replace(old, new)
    word = word.replace("isa", "iza").replace("ise", "ize").replace("isi", "izi")
    return word.replace("ll", "l")


def _variant(a: str, b: str) -> bool:
    """Are two differing words one word spelled two ways (``stabilises``/``stabilizes``,
    ``oxidative``/``oxidatives``, a one-letter typo past the third letter), rather than two
    words (``hyperglycaemia``/``hypoglycaemia``, ``methyl``/``ethyl``, ``apoe``/``apoa``)?"""
    if abs(len(a) - len(b)) > 3:
        return False
    if _spelling_key(a) == _spelling_key(b):
        return True
    if min(len(a), len(b)) < 6 or a[:3] != b[:3]:
        return False
    return Levenshtein.distance(a, b) <= 1


def content_words(words: tuple[str, ...]) -> frozenset[str]:
    """The words of a title that say what it is about: no small words, no numbers (judged
    by :class:`~reviewflow.dedup.prepare.ContentKey`)."""
    return frozenset(w for w in words if w not in STOP_WORDS and not w.isdigit())


def changed_words(a: frozenset[str], b: frozenset[str]) -> int:
    """Substantive words changed between two titles' :func:`content_words`.

    A word one side writes as two (``dose dependently`` / ``dose-dependently``) and spelling
    variants (``stabilises`` / ``stabilizes``) do not count; what is left on the longer side
    is the number of changed words (more than three are not paired up: "several" either
    way). Word order does not matter.
    """
    only_a, only_b = a - b, b - a
    if not only_a and not only_b:
        return 0
    most = max(len(only_a), len(only_b))
    if not only_a or not only_b or most > 3 or most - min(len(only_a), len(only_b)) > 2:
        return most  # nothing to pair up, or "several" however they pair
    left, right = set(only_a), set(only_b)
    for mine, theirs, whole in ((left, right, b), (right, left, a)):
        for word in sorted(theirs):
            for head in sorted(mine):
                if len(word) > len(head) and word.startswith(head):
                    tail = word[len(head) :]
                    if tail in mine or tail in whole:
                        theirs.discard(word)
                        mine.discard(head)
                        mine.discard(tail)
                        break
    others = sorted(right)
    for word in sorted(left):
        match = next((w for w in others if w in right and _variant(word, w)), None)
        if match is not None:
            left.discard(word)
            right.discard(match)
    return max(len(left), len(right))


def word_changes(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Substantive words changed between two titles' words (:func:`changed_words`)."""
    return changed_words(content_words(a), content_words(b))


def _contained(a: str, b: str, words_a: frozenset[str], words_b: frozenset[str]) -> bool:
    """One title is the other plus or minus a lead or a tail (``Medical progress:``, a
    subtitle one database dropped, a truncated field): its words are all in the other."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 25 or len(long_) - len(short) < 4 or short.count(" ") < 3:
        return False
    if short in long_:
        return True
    few, many = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    return len(few) >= 4 and few < many


def journal_compatible(a: str, b: str) -> bool | None:
    """Same journal, allowing for ISO abbreviations (``j neurol sci`` ~ ``journal neurological
    sciences``, ``j am chem soc`` ~ ``journal american chemical society``) and acronyms;
    ``None`` when one side has no journal."""
    if not a or not b:
        return None
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    # the abbreviation is the shorter text, not always the one with fewer words
    # (``new engl j med`` / ``new england journal medicine``)
    short, long_ = (ta, tb) if len(a) <= len(b) else (tb, ta)
    named = [w for w in short if not w.isdigit() and w not in _VENUE_WORDS]
    if len(named) == 1 and len(named[0]) >= 3 and _acronym(named[0], long_):
        return True  # AMCIS 2017 Proceedings / Americas Conference on Information Systems
    if _abbreviates(short, long_):
        return True
    return fuzz.token_set_ratio(a, b) >= 85


#: Words a proceedings title adds around a conference's name or acronym.
_VENUE_WORDS = frozenset(
    "proceedings proc conference conf annual international meeting symposium workshop "
    "congress abstracts".split()
)


def _acronym(letters: str, words: list[str]) -> bool:
    """Is ``letters`` made of a leading part of every word in turn (``jama`` = journal
    american medical association, ``amcis`` = americas conference information systems)?"""
    if not words:
        return not letters
    if not letters:
        return False
    word = words[0]
    for n in range(min(len(word), len(letters)), 0, -1):
        if word[:n] == letters[:n] and _acronym(letters[n:], words[1:]):
            return True
    return False


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


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def same_start(pa: str, pb: str) -> bool:
    """Same first page once a locator prefix is dropped (``S197``/``197``, ``e0137960``/
    ``137960``, ``iii613``/``613``): one page written two ways, not another item."""
    return bool(pa and pb and pa.lstrip(_LETTERS) == pb.lstrip(_LETTERS))


def page_relation(prep: Prepared, i: int, j: int) -> str:
    """How the two records' pages relate: one of the ``pages`` levels of :data:`COMPARISONS`.

    ``same_first``: one first page, written with or without a locator prefix. ``overlap``:
    different first pages whose ranges share more than one page, or a single page that ends
    the other's range (some databases keep only the last page: ``488`` for ``487-488``).
    ``adjacent``: ranges that only touch (``542-544`` / ``544-546``: two letters on one page,
    or one range mistyped). Numeric pages are compared only within one volume or where no
    volume is known. ``incomparable``: a plain page against an electronic locator
    (``e12724``, BMJ's ``a1754``): the same article carries both.
    """
    pa, pb = prep.fpage[i], prep.fpage[j]
    if not pa or not pb:
        return MISSING
    if same_start(pa, pb):
        na, nb = prep.npages[i], prep.npages[j]
        return "same_range" if na >= 2 and na == nb else "same_first"
    na_, nb_ = pa.lstrip(_LETTERS), pb.lstrip(_LETTERS)
    if pa.isdigit() != pb.isdigit() and not (na_.isdigit() and nb_.isdigit()):
        return "incomparable"
    if pa[: len(pa) - len(na_)] != pb[: len(pb) - len(nb_)]:
        # one page with and one without a locator prefix: a plain page against an
        # electronic locator (e12724 / 1746) says nothing; S354 against 354 was handled above
        return "incomparable" if pa.isdigit() != pb.isdigit() else "different"
    va, vb = prep.volume[i], prep.volume[j]
    if va and vb and va != vb:
        return "different"
    sa, sb = int(na_), int(nb_)
    ea, eb = sa + max(prep.npages[i], 1) - 1, sb + max(prep.npages[j], 1) - 1
    if max(sa, sb) < min(ea, eb):
        return "overlap"
    if (sa == ea and sa == eb) or (sb == eb and sb == ea):
        return "overlap"  # a single page that ends the other's range
    if max(sa, sb) == min(ea, eb):
        return "adjacent"
    return "different"


def pages_agree(prep: Prepared, i: int, j: int) -> bool | None:
    """Do the pages say one item (True), two items (False), or nothing (None)?"""
    relation = page_relation(prep, i, j)
    if relation in ("same_range", "same_first", "overlap"):
        return True
    return False if relation == "different" else None


def _surname_sim(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    k = min(len(a), len(b), 8)
    left, right = " ".join(a[:k]), " ".join(b[:k])
    if left == right:
        return 1.0
    return max(fuzz.ratio(left, right), 0.95 * fuzz.token_sort_ratio(left, right)) / 100.0


def _authors(prep: Prepared, i: int, j: int) -> str:
    a, b = prep.surnames[i], prep.surnames[j]
    if not a or not b:
        return MISSING
    if a == b:
        return "exact_many" if len(a) >= 3 else "exact_few"
    first_same = a[0] == b[0] or fuzz.ratio(a[0], b[0]) >= 85
    first_same = first_same or bool(prep.first_author_tokens[i] & prep.first_author_tokens[j])
    if first_same and _surname_sim(a, b) >= 0.9:
        return "high"
    if first_same:
        return "first_same"
    ta, tb = prep.author_tokens[i], prep.author_tokens[j]
    if min(len(ta), len(tb)) >= 3 and len(ta & tb) >= 0.5 * min(len(ta), len(tb)):
        return "overlap"
    return "different"


def _title(prep: Prepared, i: int, j: int) -> tuple[str, str, float, bool]:
    if not (prep.title_usable[i] and prep.title_usable[j]):
        return MISSING, MISSING, 0.0, False
    a, b = prep.title[i], prep.title[j]
    if a == b:
        weak = prep.generic[i] or prep.recurring[i] or prep.recurring[j]
        return ("exact_recurring" if weak else "exact"), MISSING, 1.0, False
    sim = _ratio(a, b)
    wa, wb = prep.word_sets[i], prep.word_sets[j]
    contained = _contained(a, b, wa, wb)
    if sim < 0.6 and not contained:
        return "different", MISSING, sim, False
    changed = changed_words(wa, wb)
    content = prep.content[i].differs(prep.content[j])
    words = "none" if changed == 0 else "one" if changed == 1 else "several"
    if changed == 0 and not content:
        level, words = "variant", MISSING  # the level says it all
    elif contained and sim < 0.93:
        level = "contained"
    elif sim >= 0.93:
        level = "close"
    elif sim >= 0.85:
        level = "similar"
    elif sim >= 0.7:
        level = "loose"
    else:
        level = "different"
    return level, words, sim, content


def _doi(prep: Prepared, i: int, j: int) -> str:
    a, b = prep.ids["doi"][i], prep.ids["doi"][j]
    if not a or not b:
        return MISSING
    if a == b:
        return "same_shared" if prep.doi_shared[i] or prep.doi_shared[j] else "same"
    if a.startswith(b) or b.startswith(a):
        return "related"  # cut short by an exporter, or a supplement item under its issue
    if prep.doi_foreign[i] or prep.doi_foreign[j]:
        return "foreign"  # one of them belongs to another work: it contradicts nothing
    return "different"


def _abstract(a: str, b: str) -> str:
    if len(a) < 100 or len(b) < 100:
        return MISSING
    sim = _ratio(a, b)
    return "same" if sim >= 0.9 else "similar" if sim >= 0.6 else "different"


def _equal(a: object, b: object) -> str:
    if not a or not b:
        return MISSING
    return "same" if a == b else "different"


def compare_fields(prep: Prepared, i: int, j: int) -> Evidence:
    """Every comparison level of records ``i`` and ``j``."""
    title, words, sim, content = _title(prep, i, j)
    ya, yb = prep.year[i], prep.year[j]
    year = MISSING if not ya or not yb else "same" if ya == yb else "one_apart"
    if ya and yb and abs(ya - yb) > 1:
        year = "apart"
    ja, jb = prep.journal[i], prep.journal[j]
    if not ja or not jb:
        journal_level = MISSING
    elif ja == jb:
        journal_level = "same"
    else:
        journal_level = "compatible" if journal_compatible(ja, jb) else "different"
    relation = page_relation(prep, i, j)
    agree = (
        True
        if relation in ("same_range", "same_first", "overlap")
        else False
        if relation == "different"
        else None
    )
    venue = "same_kind" if prep.conference[i] == prep.conference[j] else "meeting_vs_journal"
    levels = (
        _doi(prep, i, j),
        _equal(pmid[i], pmid[j]) if (pmid := prep.ids["pmid"])[i] else MISSING,
        title,
        words,
        _authors(prep, i, j),
        year,
        journal_level,
        venue,
        _equal(prep.volume[i], prep.volume[j]),
        _equal(prep.issue[i], prep.issue[j]),
        relation,
        _abstract(prep.abstract[i], prep.abstract[j]),
    )
    return Evidence(levels=levels, title_sim=sim, content_differs=content, pages=agree)


def level_index(name: str, level: str) -> int:
    """Position of ``level`` among the levels of comparison ``name``."""
    return _INDEX[name][level]
