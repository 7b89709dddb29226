"""Comparison keys for deduplication, computed once per record before any pair is compared.

Databases render one publication differently: HTML in titles, ``[Chinese]`` language tags,
bracketed translated titles, UTF-8 read as Latin-1 (``KÃ¶nig``), Excel turning ``6-10`` into
``06-Oct``, author lists in four styles. Everything here reduces a record to keys on which
equal means equal, so that pair comparison (:mod:`reviewflow.dedup.compare`) is cheap and
its guards see the signals that separate distinct publications: errata, comments and replies,
part numbers, conference abstracts, protocols.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from reviewflow.normalize import normalize_author, split_list, strip_html

__all__ = [
    "Prepared",
    "clean_title",
    "first_page",
    "fix_mojibake",
    "journal_key",
    "prepare_records",
    "split_authors",
]

_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u20ac\u0152-\u0178]")
_LANG_TAG = re.compile(
    r"\[(?:article|text|abstract)?\s*in\s+[a-z ,]+\]|\[(?:chinese|german|french|spanish|"
    r"japanese|russian|italian|portuguese|polish|dutch|korean|czech|hungarian|turkish|"
    r"danish|swedish|norwegian|finnish|hebrew|persian|croatian|serbian|slovak|greek)"
    r"(?: with english abstract)?\]",
    re.IGNORECASE,
)
#: Notes that databases append to a title and that are not part of it: MEDLINE's
#: "[Erratum appears in ...]", "[Comment in: ...]", Ovid's "[Review] [45 refs]", DARE's
#: "(Provisional abstract)", "[corrected]".
_ANNOTATION = re.compile(
    r"(?:(?<=[\w.\])\]])\s*|^\s*\[)\[?\s*(?:corrected\s*\]\s*\[)?(?:published\s+)?(?:erratum|comment|retraction|update|"
    r"republished|expression of concern|retracted)s?(?:\s+appears)?\s+in\b[^\]]*(?:\]|$)|"
    r"\[\s*corrected\s*\]|\[?\s*review\s*\]?\s*\[?\s*\d+\s+refs?\s*\]?|"
    r"\(?\b(?:provisional|structured)\s+abstract\)?\.?\s*$|"
    r"\[\s*(?:review|editorial|letter|comment)\s*\]",
    re.IGNORECASE,
)
#: Web of Science titles a correction "<original title> (vol 360, pg 542, 2009)".
_WOS_CORRECTION = re.compile(r"\(\s*vol\s*\d+\s*,\s*pg\s*\w+\s*,\s*\d{4}\s*\)", re.I)
#: Embase titles a correction "<original title> (New England Journal of Medicine (2009) 360
#: (542-544))": the corrected article's citation in brackets.
_EMBASE_CORRECTION = re.compile(
    r"\(\s*[A-Z][^()]{2,120}\(\s*(?:1[89]|20)\d\d\s*\)\s*\d+\s*(?:\(\s*[\w ]+\s*\))?\s*"
    r"\(\s*[A-Za-z]?\d+[^()]*\)\s*\)\s*$"
)
#: A database note appended to a title, cut off or nested ("...syndrome.[Erratum appears in
#: Am J Transplant. 2009 Sep;9(9):2205 Note: ... [added]].[Erratum"): from the note to the end.
_NOTE_TAIL = re.compile(
    r"\s*\[\s*(?:published\s+)?(?:erratum|corrigendum|comment|retraction|retracted|update|"
    r"republished|expression of concern|corrected|summary for patients)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
#: The MEDLINE citation of a commented article appended to a comment's title ("More on ...
#: syndrome... N Engl J Med. 2009 Jan 29;360(5):544-6").
_CITATION_TAIL = re.compile(
    r"(?:\.{1,3}|\s)\s*[A-Z][\w.&' -]{1,80}?\.?\s+(?:1[89]|20)\d\d(?:\s+[A-Z][a-z]{2}"
    r"(?:\s+\d{1,2})?)?\s*;\s*\d+\s*(?:\([^)]*\))?\s*:\s*[A-Za-z]?\d+(?:\s*-\s*[A-Za-z]?\d+)?\.?\s*$"
)
#: Embase's "(multiple letters)" and a reference marker "[1]" after a letter's title.
_LETTER_NOTE = re.compile(r"\(\s*multiple letters\s*\)|\s*\[\d{1,2}\]\s*$", re.IGNORECASE)
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}
_PART = re.compile(
    r"\b(part|phase|study|trial|paper|series|report|stage|type|grade|class|section|chapter)"
    r"\s+([ivx]{1,4}|\d{1,3}|[a-d])\b",
    re.IGNORECASE,
)
_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,3}")
#: An initial glued to the surname before it (``LinC.``, ``SmithJ.A.``, ``RhodesC T``).
_GLUED_INITIAL = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z](?:[.\s-]|[A-Z]|$))")
#: Where the next author's surname starts right after an initial (``A.Rhodes``, ``TLin``).
_NAME_AFTER_INITIAL = re.compile(r"(?<=[A-Z.])\s*(?=[A-Z][a-z])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out, n = out + numeral, n - value
    return out


#: Roman page numbers of front matter (a preface on pp. v-vii), 1-89.
_ROMAN_PAGES = {_roman(n): n for n in range(1, 90)}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

#: Kinds of publication that are about another publication and usually share its title,
#: authors and journal: merging one with its target loses a record (Hair et al. 2023 and
#: bib-dedupe both treat them as distinct). Matched at the start of the title, or as
#: "<kind> to/on/of:" anywhere.
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "erratum",
        re.compile(
            r"^(?:\W*)(?:errat(?:um|a)|corrigend(?:um|a)|correction|addendum|"
            r"author correction|publisher correction)\b|\b(?:erratum|corrigendum|correction|"
            r"addendum) (?:to|for|in|on)\b|\[erratum|\(erratum",
            re.IGNORECASE,
        ),
    ),
    (
        "retraction",
        re.compile(
            r"^(?:\W*)(?:retract(?:ion|ed)|notice of retraction|withdrawn|expression of concern)"
            r"\b|\bretraction (?:of|notice)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "reply",
        re.compile(
            r"^(?:\W*)(?:reply|response|in reply|authors? reply|author response)\b|"
            r"\b(?:reply|response) (?:to|from)\b|\b(?:authors?'? )?reply\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "comment",
        re.compile(
            r"^(?:\W*)(?:comment(?:ary)?|re|letter|editorial comment|invited commentary)\s*(?::|on|to|regarding)|"
            r"\bcomment(?:ary)? (?:on|to)\b|\[comment\]",
            re.IGNORECASE,
        ),
    ),
)
_PROTOCOL = re.compile(r"\b(?:study|trial|review) protocol\b|\bprotocol for\b|^protocol\b", re.I)
_CONFERENCE_VENUE = re.compile(
    r"(?<!dissertation )\b(?:abstracts?|meeting|congress|conference|proceedings|symposium|supplement|suppl|"
    r"annual|summit|workshop|colloquium|convention|poster)\b",
    re.IGNORECASE,
)
#: Journals called "Proceedings" (PNAS, Proc R Soc B, Mayo Clinic Proceedings) are journals.
_JOURNAL_PROCEEDINGS = re.compile(
    r"proceedings (?:national academy|royal society|.*\bsociety\b|.*\bacademy\b)|"
    r"\bclinic proceedings|proceedings baylor",
)
_CONFERENCE_TYPES = {"inproceedings", "conference", "proceedings", "conference paper", "abstract"}
_JOURNAL_STOP = {"the", "of", "and", "for", "in", "on", "de", "la", "et", "a", "an", "und", "fur"}


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 bytes decoded as Latin-1/cp1252 (``KÃ¶nig`` -> ``König``) when it is that.

    Only applied when the tell-tale pairs are present and the round trip decodes cleanly, so
    correct text is never changed.
    """
    if not text or not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def _ASCII_LOWER(text: str) -> str:  # noqa: N802 - used like a constant table
    return _ascii(text).lower()


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _ascii(text: str) -> str:
    """Accents dropped (``König`` -> ``Konig``); other characters kept."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def split_authors(text: str) -> list[str]:
    """Split an author cell written in any database style into one string per author.

    Handles BibTeX (``Last, F. and Last, F.``), the record model and RIS exports
    (``Last, F; Last, G``), MEDLINE-like comma lists (``Last F, Last G``), given-name-first
    lists (``F. Last, G. Last``) and the run-together forms some EndNote exports produce
    (``Pala A.Schmitz A. L.Knoll A.``, with initials glued on: ``LinC. H. A.RhodesC. T.``,
    ``SmithJ.A.JonesK.``).
    """
    text = fix_mojibake(strip_html(text))
    text = re.sub(r",\s*null\b", "", text)  # "Kang, null": an empty given name exported as text
    if not text:
        return []
    if re.search(r"\s+and\s+", text) or ";" in text:
        parts = re.split(r"\s+and\s+|;", text)
    elif "," not in text and (_GLUED_INITIAL.search(text) or re.search(r"[A-Z]\.[A-Z][a-z]", text)):
        # "LinC. H. A.RhodesC. T." / "Pala A.Schmitz A. L.": surname, initials, next surname
        spaced = _GLUED_INITIAL.sub(" ", text)
        parts = _NAME_AFTER_INITIAL.split(spaced)
    elif "," in text:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if (
            all(
                len(p.split()) >= 2
                and (_INITIALS.fullmatch(p.split()[-1]) or _INITIALS.fullmatch(p.split()[0]))
                for p in parts
            )
            and len(parts) > 1
        ):
            pass  # "Last F, Last G" or "F. Last, G. Last": one author per comma
        elif len(parts) == 2:
            parts = [f"{parts[0]}, {parts[1]}"]  # "Last, First": one author
        elif all(len(p.split()) == 1 for p in parts) and len(parts) % 2 == 0:
            # "Last, F, Other, G": comma pairs of surname and initials
            parts = [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    else:
        parts = [text]
    return [p.strip() for p in parts if p.strip()]


@lru_cache(maxsize=200_000)
def _surname(author: str) -> str:
    # record-model cells are already "Surname, Given"; only other shapes need normalising
    name = author if "," in author else normalize_author(author)
    surname = name.split(",", 1)[0] if "," in name else name
    surname = re.sub(r"[^a-z ]", "", _ascii(surname).lower()).strip()
    return surname.split()[-1] if surname.split() else ""


def first_page(pages: str) -> str:
    """The first page as digits with any locator prefix (``S123``, ``E12``, ``III613``).

    Excel-mangled ranges (``06-Oct`` for 6-10) are read back; leading zeros are dropped;
    ``(no pagination)`` and other words without a number give ``""``.
    """
    text = pages.strip()
    if not text or "pagination" in text.lower():
        return ""
    roman = re.fullmatch(r"([ivxlc]+)\s*(?:-+\s*[ivxlc]+)?", text.lower())
    if roman and roman.group(1) in _ROMAN_PAGES:
        return f"R{_ROMAN_PAGES[roman.group(1)]}"  # front matter: a preface on p. v-vii
    match = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})", text)
    if match and match.group(2).lower() in _MONTHS:
        return str(int(match.group(1)))
    match = re.fullmatch(r"([A-Za-z]{3})-(\d{2})", text)
    if match and match.group(1).lower() in _MONTHS:
        return str(_MONTHS[match.group(1).lower()])
    match = re.match(r"\s*([A-Za-z]{0,4})0*(\d+)", text)
    if not match:
        return ""
    return f"{match.group(1).upper()}{match.group(2)}"


def _last_page(pages: str, first: str) -> int | None:
    match = re.fullmatch(r"[A-Za-z]{0,4}0*(\d+)\s*-+\s*[A-Za-z]{0,4}0*(\d+)", pages.strip())
    if not match:
        return None
    start, end = match.group(1), match.group(2)
    if len(end) < len(start):  # "543-7" -> 547
        end = start[: len(start) - len(end)] + end
    return int(end)


@lru_cache(maxsize=100_000)
def journal_key(journal: str) -> str:
    """Journal name reduced to lower-case words without stop words or punctuation."""
    text = _ascii(fix_mojibake(strip_html(journal))).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = text.split(":")[0] if len(text.split(":")[0]) > 3 else text
    text = re.sub(r"[^a-z0-9 ]", " ", text.replace("&", " "))
    return " ".join(w for w in text.split() if w not in _JOURNAL_STOP)


def clean_title(title: str) -> str:
    """The title without markup, language tags and database notes (errata, review refs)."""
    text = fix_mojibake(strip_html(title) if "<" in title or "&" in title else title.strip())
    if "[" in text:
        text = _LANG_TAG.sub(" ", text)
    tail = _NOTE_TAIL.search(text) if "[" in text else None
    if tail and tail.start() >= 15:
        text = text[: tail.start()]
    if ";" in text:
        text = _CITATION_TAIL.sub("", text)
    if "(" in text or "[" in text:
        text = _LETTER_NOTE.sub(" ", text)
    lowered = text.lower()
    without_notes = _ANNOTATION.sub(" ", text) if "[" in text or "abstract" in lowered else text
    if without_notes != text:  # drop what a nested note leaves behind ("... severity. ]")
        text = re.sub(r"[\s.;:\]]+$", "", without_notes)
    stripped = text.strip().rstrip(".")
    if stripped.startswith("[") and stripped.endswith("]"):
        stripped = stripped[1:-1]
    return stripped


def _part_labels(text: str) -> frozenset[str]:
    found = set()
    for word, value in _PART.findall(text):
        value = value.lower()
        number = _ROMAN.get(value, value)
        found.add(f"{word.lower()} {number}")
    return frozenset(found)


_KIND_HINT = re.compile(
    r"errat|corrig|correct|addend|retract|withdrawn|concern|repl|respon|comment|letter|"
    r"editorial|^\W*re\b",
    re.IGNORECASE,
)


def _kind(title: str) -> str:
    if ")" in title and (_WOS_CORRECTION.search(title) or _EMBASE_CORRECTION.search(title)):
        return "erratum"
    if not _KIND_HINT.search(title):
        return ""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(title):
            return kind
    return ""


_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "µ": "mu",
    "ß": "beta",  # a German sharp s typed for a beta (``amyloid ß``, ``Aß42``)
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_GREEK_NAMES = frozenset(_GREEK.values()) | {"omicron"}
_GREEK_CHARS = re.compile("[" + "".join(_GREEK) + "]")
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_NOT_WORD = re.compile(r"[^\w\s]|_")
_ANY_DIGIT = re.compile(r"\d")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
#: Words after which a single ``i``, ``v`` or ``x`` is a numeral (``Part I``, ``type V``).
_NUMBERED = frozenset(
    "part phase study trial paper series report stage type grade class section chapter "
    "volume book level group".split()
)
#: Small words whose presence or absence never changes which publication a title names.
STOP_WORDS = frozenset(
    "a an the of in on for and or to with by from at as is are be its their this that "
    "into via vs versus".split()
)
#: Words of titles that name a kind of recurring item rather than a publication's content
#: (an editorial, a reply, the abstracts of a meeting): a title made only of these, a year
#: or a number is generic, and identifies nothing without the issue, pages or DOI.
GENERIC_WORDS = frozenset(
    "editorial editorials editor editors comment comments commentary commentaries reply "
    "replies response responses rejoinder correction corrections corrigendum corrigenda "
    "erratum errata addendum retraction introduction introductory preface foreword "
    "afterword prologue epilogue letter letters note notes news newsletter abstract "
    "abstracts index indexes contents content announcement announcements book books review "
    "reviews reviewer reviewers referees acknowledgment acknowledgments acknowledgement "
    "acknowledgements obituary obituaries in memoriam issue issues guest invited message "
    "president presidents presidential address summary summaries highlights overview "
    "conference meeting meetings proceedings report reports update updates discussion "
    "notice notices cover front matter back supplement author authors information "
    "instructions erratum call papers volume special section perspective perspectives "
    "viewpoint opinion welcome farewell thanks thank you year new our".split()
)
#: Cells that are not a title: spreadsheet errors (``#NAME?``, ``#VALUE!``) and placeholders.
_NOT_A_TITLE = re.compile(
    r"^\s*(?:#[A-Z/0]+[!?]?|\[?\s*(?:no title|untitled|title not available|not available)"
    r"\s*\]?|n/?a|null|none)\s*$",
    re.IGNORECASE,
)


def title_words(title: str) -> tuple[str, ...]:
    """The words of a cleaned title as dedup compares them.

    Lower case without accents, punctuation or apostrophes (``Editor's`` = ``Editors``),
    Greek letters spelled out (``β`` = ``beta``), letters and digits apart (``IL-1β`` and
    ``IL1beta`` are one key), Roman numerals as numbers (``type II`` =
    ``type 2``; a lone ``I``/``V``/``X`` only after ``part``, ``type``...).
    """
    text = _GREEK_CHARS.sub(lambda m: _GREEK[m.group(0)], title) if not title.isascii() else title
    if "<" in text or "&" in text:
        text = strip_html(text)
    if "'" in text or "’" in text:
        text = _APOSTROPHE.sub("", text)
    text = _NOT_WORD.sub(" ", _ascii(text).lower())
    if _ANY_DIGIT.search(text):
        text = _LETTER_DIGIT.sub(" ", text)
    words = text.split()
    out = []
    for n, word in enumerate(words):
        if word in _ROMAN and (len(word) >= 2 or (n and words[n - 1] in _NUMBERED)):
            word = str(_ROMAN[word])
        out.append(word)
    return tuple(out)


#: Greek letters that end a token in exports that drop the space or the hyphen
#: (``ebpbeta``, ``tnfalpha``, ``abeta``); the short ones (``eta``, ``mu``) end too many words.
_GREEK_SUFFIXES = ("alpha", "beta", "gamma", "delta", "kappa", "lambda", "sigma", "omega")


@dataclass(frozen=True, slots=True)
class ContentKey:
    """What carries a title's meaning in a character or a number: its digits in order, and
    its symbols: Greek letters (as their Latin initial: exports write ``a`` for ``α``) and
    single letters. Two titles that differ here (``type 1`` / ``type 2``, ``delta 8`` /
    ``delta 9``, ``hepatitis B`` / ``hepatitis C``) are two papers.

    Digits are compared as one string, so the notations of one isotope (``[18F]``, ``F-18``,
    ``(18)F``) and of one locant (``3,6-`` / ``36-``) agree. Symbols differ only when each
    side has one the other lacks: a symbol present on one side only is an export that lost
    it (``interferon γ`` as ``interferon``), or one that glued it to a word (``18FET``).
    """

    digits: str
    symbols: tuple[str, ...]

    def differs(self, other: ContentKey) -> bool:
        if self.digits != other.digits:
            return True
        if self.symbols == other.symbols or not self.symbols or not other.symbols:
            return False
        mine, theirs = Counter(self.symbols), Counter(other.symbols)
        return bool(mine - theirs) and bool(theirs - mine)


def content_key(words: tuple[str, ...]) -> ContentKey:
    symbols: list[str] = []
    digits: list[str] = []
    for word in words:
        if len(word) == 1:
            (digits if word.isdigit() else symbols).append(word)
        elif word.isdigit():
            digits.append(word)
        elif word in _GREEK_NAMES:
            symbols.append(word[0])
        elif word[-1] == "a" and len(word) > 4:
            symbols.extend(g[0] for g in _GREEK_SUFFIXES if word.endswith(g))
    return ContentKey("".join(digits), tuple(sorted(symbols)))


def content_tokens(words: tuple[str, ...]) -> frozenset[str]:
    """Digits, Greek letters and single letters among ``words``."""
    return frozenset(
        w for w in words if w.isdigit() or w in _GREEK_NAMES or (len(w) == 1 and w != "a")
    )


def is_generic(words: tuple[str, ...]) -> bool:
    """Is the title only a kind of recurring item (``Editorial``, ``Reply``, ``Editor's
    comments``, ``Correction``), with at most a year or a number?"""
    content = [w for w in words if w not in STOP_WORDS and not w.isdigit()]
    return bool(words) and all(w in GENERIC_WORDS for w in content)


@lru_cache(maxsize=100_000)
def _volume(value: str) -> str:
    """The volume number; ``""`` when the field does not start with one.

    Exports cut ``53 (Suppl 1)`` to ``1)`` and write ``Suppl 1`` or ``Meeting Abstracts`` in
    the volume field: those are not a volume, and reading a number out of them would make
    two renderings of one article disagree.
    """
    match = re.match(r"\s*(?:vol(?:ume)?\.?\s*)?0*(\d+)(?!\d|\s*\))", value, re.IGNORECASE)
    return match.group(1) if match else ""


@lru_cache(maxsize=100_000)
def _issue(value: str) -> str:
    """The issue as its number plus ``s<n>`` for a supplement (``Suppl 3`` = ``suppl_3`` =
    ``Supplement 3`` -> ``s3``; ``1 SUPPL. 1`` -> ``1s1``); words alone give ``""``."""
    text = value.lower()
    supplement = re.search(r"\b(?:suppl?[a-z]*[\s._-]*(\d*)|s[\s._-]?(\d+)\b)", text)
    before = text[: supplement.start()] if supplement else text
    main = re.search(r"\d+", before)
    key = main.group(0).lstrip("0") if main else ""
    if supplement:
        key += "s" + (supplement.group(1) or supplement.group(2) or "")
    return key


_TAG = re.compile(r"<[^>]{0,200}>")


def _abstract_key(text: str) -> str:
    """The abstract's first 120 words, lower case: enough to tell two abstracts apart."""
    head = text[:1000]
    if "<" in head:
        head = _TAG.sub(" ", head)
    return " ".join(re.findall(r"[^\W_]+", head.lower())[:120])


@dataclass(slots=True)
class Prepared:
    """Comparison keys of every record, position-aligned with the record table."""

    record_ids: list[str]
    title: list[str] = field(default_factory=list)  # title words joined by spaces
    word_sets: list[frozenset[str]] = field(default_factory=list)  # content words
    content: list[ContentKey] = field(default_factory=list)
    title_usable: list[bool] = field(default_factory=list)
    generic: list[bool] = field(default_factory=list)  # Editorial, Reply, Correction...
    recurring: list[bool] = field(default_factory=list)  # title at >= 3 places in the data
    parts: list[frozenset[str]] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # erratum / retraction / reply / comment
    protocol: list[bool] = field(default_factory=list)
    surnames: list[tuple[str, ...]] = field(default_factory=list)
    author_tokens: list[frozenset[str]] = field(default_factory=list)  # every name word
    first_author_tokens: list[frozenset[str]] = field(default_factory=list)
    year: list[int] = field(default_factory=list)  # 0 when missing
    journal: list[str] = field(default_factory=list)
    volume: list[str] = field(default_factory=list)
    issue: list[str] = field(default_factory=list)
    fpage: list[str] = field(default_factory=list)
    npages: list[int] = field(default_factory=list)  # page count, 0 when unknown
    conference: list[bool] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)  # first 120 words, lower case
    ids: dict[str, list[str]] = field(default_factory=dict)
    doi_shared: list[bool] = field(default_factory=list)  # an issue's or supplement's DOI
    doi_foreign: list[bool] = field(default_factory=list)  # not the journal's DOI prefix

    def __len__(self) -> int:
        return len(self.record_ids)


_ID_FIELDS = ("doi", "pmid", "pmcid", "openalex_id", "s2_id")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_JOURNAL_CONFERENCE_TAIL = re.compile(r"\.\s*(?:conference|meeting)\b.*$", re.IGNORECASE)


def _digits(value: str) -> str:
    match = re.search(r"\d+", value)
    return match.group(0).lstrip("0") if match else ""


def _specific_doi(doi: str) -> str:
    """The DOI if it can name one work; ``""`` for a bare or cut-off one: ``10.1016/``, a
    suffix shorter than four characters, unbalanced brackets (``10.1002/(sici``, cut at
    ``[``), a SICI DOI without its ``<...>`` part (cut at ``<`` by an exporter)."""
    prefix, _, suffix = doi.partition("/")
    if not prefix.startswith("10.") or len(re.sub(r"[^a-z0-9]", "", suffix)) < 4:
        return ""
    if suffix.endswith(("(", "-", "<", "[", ":")):
        return ""
    if suffix.count("(") != suffix.count(")") or suffix.count("[") != suffix.count("]"):
        return ""
    if "(sici)" in suffix and ">" not in suffix:
        return ""
    return doi


@dataclass(frozen=True, slots=True)
class _TitleKeys:
    key: str
    compact: str
    words: tuple[str, ...]
    word_set: frozenset[str]
    content: ContentKey
    usable: bool  # not empty, not a spreadsheet error (the journal is checked per record)
    generic: bool
    parts: frozenset[str]
    kind: str
    protocol: bool


def _title_keys(raw: str) -> _TitleKeys:
    cleaned = clean_title(raw)
    bare = _WOS_CORRECTION.sub(" ", cleaned) if ")" in cleaned else cleaned
    bare = _EMBASE_CORRECTION.sub(" ", bare) if ")" in bare else bare
    words = title_words(bare)
    key = " ".join(words)
    compact = key.replace(" ", "")
    return _TitleKeys(
        key=key,
        compact=compact,
        words=words,
        word_set=frozenset(w for w in words if w not in STOP_WORDS and not w.isdigit()),
        content=content_key(words),
        usable=len(compact) >= 4 and not _NOT_A_TITLE.match(raw),
        generic=is_generic(words),
        parts=_part_labels(cleaned) if _NUMBERED.intersection(words) else frozenset(),
        kind=_kind(cleaned),
        protocol="protocol" in words and bool(_PROTOCOL.search(cleaned)),
    )


@lru_cache(maxsize=200_000)
def _author_keys(cell: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """(surnames in order, name words of the first eight authors, of the first author)."""
    authors = split_list(cell)
    surnames = tuple(s for s in (_surname(a) for a in authors) if s)
    tokens = frozenset(re.findall(r"[a-z]{2,}", _ASCII_LOWER(" ".join(authors[:8]))))
    first = (
        frozenset(re.findall(r"[a-z]{2,}", _ASCII_LOWER(authors[0]))) if authors else frozenset()
    )
    return surnames, tokens, first


@lru_cache(maxsize=200_000)
def _page_keys(pages: str) -> tuple[str, int]:
    """(first page, page count or 0)."""
    fp = first_page(pages)
    last = _last_page(pages, fp)
    digits = re.sub(r"\D", "", fp)
    first_num = int(digits) if digits else 0
    return fp, (last - first_num + 1 if last and first_num and last >= first_num else 0)


@lru_cache(maxsize=100_000)
def _journal_keys(journal: str) -> tuple[str, str, str]:
    """(journal without Embase's ``. Conference: ...`` tail, its key, its title words)."""
    bare = _JOURNAL_CONFERENCE_TAIL.sub("", fix_mojibake(journal))
    return bare, journal_key(bare), " ".join(title_words(bare))


@lru_cache(maxsize=100_000)
def _meeting_venue(journal: str) -> bool:
    """Is the venue named as a meeting (``Abstracts of ...``, ``Journal. Conference: ...``)?"""
    bare, key, _ = _journal_keys(journal)
    named = bool(_CONFERENCE_VENUE.search(key)) or bare != fix_mojibake(journal)
    return named and not _JOURNAL_PROCEEDINGS.search(key)


def prepare_records(frame: pd.DataFrame) -> Prepared:
    """Compute every comparison key of a record table (record-model columns)."""
    columns: Mapping[str, list[str]] = {
        name: (frame[name].astype(str).tolist() if name in frame.columns else [""] * len(frame))
        for name in (
            "record_id",
            "title",
            "authors",
            "year",
            "journal",
            "volume",
            "issue",
            "pages",
            "entry_type",
            "publication_type",
            "abstract",
            *_ID_FIELDS,
        )
    }
    prepared = Prepared(record_ids=columns["record_id"])
    prepared.ids = {name: [v.strip() for v in columns[name]] for name in _ID_FIELDS}
    prepared.ids["doi"] = [_specific_doi(v) for v in prepared.ids["doi"]]
    # duplicates repeat their fields: every key is computed once per distinct value
    titles: dict[str, _TitleKeys] = {}
    abstracts: dict[str, str] = {}
    for i in range(len(frame)):
        raw = columns["title"][i]
        keys = titles.get(raw)
        if keys is None:
            keys = titles[raw] = _title_keys(raw)
        key = keys.key
        _, journal, journal_words = _journal_keys(columns["journal"][i])
        prepared.title.append(key)
        prepared.word_sets.append(keys.word_set)
        prepared.content.append(keys.content)
        usable = keys.usable and journal.replace(" ", "") != keys.compact and key != journal_words
        prepared.title_usable.append(usable)
        prepared.generic.append(usable and keys.generic)
        prepared.parts.append(keys.parts)
        prepared.kind.append(keys.kind)
        prepared.protocol.append(keys.protocol)
        surnames, tokens, first = _author_keys(columns["authors"][i])
        prepared.surnames.append(surnames)
        prepared.author_tokens.append(tokens)
        prepared.first_author_tokens.append(first)
        year = columns["year"][i].strip()
        prepared.year.append(int(year[:4]) if year[:4].isdigit() else 0)
        prepared.journal.append(journal)
        volume, issue = columns["volume"][i], columns["issue"][i]
        prepared.volume.append(_volume(volume))
        prepared.issue.append(_issue(issue))
        pages = columns["pages"][i]
        if "pagination" in volume.lower() or "pagination" in issue.lower():
            # Embase's "10 (9) (no pagination)": what the pages field holds is not a page
            pages = ""
        fp, npages = _page_keys(pages)
        prepared.fpage.append(fp)
        prepared.npages.append(npages)
        entry = (columns["entry_type"][i] + " " + columns["publication_type"][i]).lower()
        meeting = _meeting_venue(columns["journal"][i])
        prepared.conference.append(
            meeting or fp.startswith("S") or any(t in entry for t in _CONFERENCE_TYPES)
        )
        text = columns["abstract"][i]
        abstract = abstracts.get(text)
        if abstract is None:
            abstract = abstracts[text] = _abstract_key(text)
        prepared.abstract.append(abstract)
    _mark_recurring(prepared)
    _mark_shared_dois(prepared)
    _mark_foreign_dois(prepared)
    return prepared


def _mark_recurring(prep: Prepared) -> None:
    """A title printed in three or more places in the data is a recurring item's title
    (``Editor's comments`` in every issue, one abstract at several meetings), whatever its
    words: it cannot tell the items apart by itself. A place is a page range; ranges that
    share a page (``488``, ``487-488``) are one place written two ways."""
    ranges: dict[str, set[tuple[int, int]]] = {}
    for key, page, npages in zip(prep.title, prep.fpage, prep.npages, strict=True):
        digits = page.lstrip(_LETTERS)
        if key and digits.isdigit():
            start = int(digits)
            ranges.setdefault(key, set()).add((start, start + max(npages, 1) - 1))
    recurring = {key for key, found in ranges.items() if len(found) >= 3 and _places(found) >= 3}
    prep.recurring = [key in recurring for key in prep.title]


def _places(ranges: set[tuple[int, int]]) -> int:
    """How many separate places the page ranges cover (sharing a page joins two)."""
    count, end = 0, -1
    for start, stop in sorted(ranges):
        if start > end:
            count += 1
        end = max(end, stop)
    return count


def _mark_shared_dois(prep: Prepared) -> None:
    """A DOI carried by records whose titles start differently (their first five words) names
    an issue, a supplement or nothing in particular (an exporter's copy): it identifies none
    of them. Two titles are enough: a supplement's DOI may reach a data set on two abstracts."""
    titles: dict[str, set[str]] = {}
    for doi, key in zip(prep.ids["doi"], prep.title, strict=True):
        if doi:
            titles.setdefault(doi, set()).add(" ".join(key.split()[:5]))
    prep.doi_shared = [bool(doi) and len(titles[doi]) >= 2 for doi in prep.ids["doi"]]


def _mark_foreign_dois(prep: Prepared) -> None:
    """A DOI whose registrant prefix is not the one the data set's other records of the same
    journal carry (``10.4161/onci...`` on a *Nature Medicine* record whose other copies say
    ``10.1038/nm...``) was attached from another work: it cannot contradict them."""
    prefixes: dict[str, Counter[str]] = {}
    for doi, journal in zip(prep.ids["doi"], prep.journal, strict=True):
        if doi and journal:
            prefixes.setdefault(journal, Counter())[doi.split("/", 1)[0]] += 1
    foreign = []
    for doi, journal in zip(prep.ids["doi"], prep.journal, strict=True):
        seen = prefixes.get(journal) if doi and journal else None
        if not seen:
            foreign.append(False)
            continue
        (top, top_count), *_ = seen.most_common(1)
        mine = doi.split("/", 1)[0]
        foreign.append(mine != top and top_count >= 2 and seen[mine] < top_count)
    prep.doi_foreign = foreign
