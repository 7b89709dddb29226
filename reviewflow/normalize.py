"""Normalisation of identifiers, names and text, done once here for every stage.

Databases write the same DOI as ``https://dx.doi.org/10.1000/ABC.``, ``doi:10.1000/abc`` or
``10.1000/abc``, the same author as ``Smith JA``, ``Smith, J. A.`` or ``John A. Smith``. Every
importer and API client passes values through these functions before they enter a record
table, so that matching (dedup, citation seeds, decision carry-forward) compares like with like.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote

from reviewflow.markup import strip_markup
from reviewflow.vocab import LIST_SEPARATOR

__all__ = [
    "CorporateName",
    "clean_text",
    "join_list",
    "normalize_author",
    "normalize_authors",
    "normalize_doi",
    "normalize_isbn",
    "normalize_issn",
    "normalize_openalex_id",
    "normalize_pages",
    "normalize_pmcid",
    "normalize_pmid",
    "normalize_s2_id",
    "normalize_year",
    "is_corporate_name",
    "split_list",
    "strip_html",
    "title_key",
]

_DOI_PREFIX = re.compile(
    r"^(?:https?://)?(?:dx\.|www\.)?(?:doi\.org/|doi\.wiley\.com/)|^doi:\s*|^doi\s+",
    re.IGNORECASE,
)
_DOI_FIND = re.compile(r"10\.\d{4,9}/[^\s\"]+", re.IGNORECASE)
# "10.1038/srep16696[doi]": PubMed's id-type suffix glued on without a space.
_DOI_ID_SUFFIX = re.compile(r"\[(?:doi|pii|pmid|pmc)\]$", re.IGNORECASE)
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: object) -> str:
    """Turn any parsed value into one line of text: no control characters, single spaces.

    C1 control characters are real in exports (Semantic Scholar titles carry ``\\x93`` for a
    curly quote mis-decoded upstream); they are dropped rather than kept as invisible noise.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value if v is not None)
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())  # str.split's whitespace is re's \s, and much faster


def strip_html(value: object) -> str:
    """Remove markup (``<i>``, JATS ``<jats:p>``, MathML) and decode entities; keep text.

    Only real tags go (:mod:`reviewflow.markup`): ``T<sub>2</sub>`` becomes ``T2``, while
    ``P < 0.001``, ``aged <65 years`` and ``&lt;200 ha`` stay as the text they are.
    """
    text = clean_text(value)
    if not text:
        return ""
    if "<" in text or "&" in text:
        text = _CONTROL.sub(" ", strip_markup(text))  # "&#x1;" decodes to a control
    return " ".join(text.split())


def normalize_doi(value: object) -> str:
    """Return the bare, lower-case DOI (``10.xxxx/...``) or ``""`` if there is none.

    DOIs are case-insensitive by definition (DOI Handbook 2.4), so lower case is safe for
    matching. A DOI runs to the first space or quote: SICI DOIs hold brackets, ``<``, ``>``
    and ``;`` (``10.1892/0891-6640(2007)21[394:GCOARH]2.0.CO;2``) and are kept whole. What
    exports glue on at the end (``.``, ``,``, ``;``, ``:``, a closing bracket without its
    opening one, a ``[doi]`` tag) is cut.
    """
    text = clean_text(value)
    if not text:
        return ""
    text = unquote(text)
    if "<" in text or "&" in text:
        text = strip_markup(text)  # "<a href=...>10.1000/x</a>", "&lt;" (SICI "<" stays)
    text = _DOI_PREFIX.sub("", text).strip()
    match = _DOI_FIND.search(text)
    if not match:
        return ""
    doi = _DOI_ID_SUFFIX.sub("", match.group(0).lower())
    while doi and doi[-1] in ".,;:)]}>":
        last = doi[-1]
        if last in _CLOSERS and doi.count(_CLOSERS[last]) >= doi.count(last):
            break  # "...(05)67486-1)" loses one ")", "...CO;2-F" and "...(2007)" stay
        doi = doi[:-1]
    # a bare prefix ("10.1000/") is not a DOI
    return doi if len(doi.split("/", 1)[1]) > 0 else ""


def normalize_pmid(value: object) -> str:
    """Digits of a PubMed id (``PMID: 123``, ``123 [pmid]``, ``MEDLINE:123``) or ``""``."""
    text = clean_text(value)
    match = re.search(r"(\d{1,9})", text)
    if not match:
        return ""
    return match.group(1).lstrip("0") or ""


def normalize_pmcid(value: object) -> str:
    """``PMC`` followed by digits, or ``""``."""
    text = clean_text(value).upper()
    match = re.search(r"PMC\s*(\d+)", text)
    if match:
        return f"PMC{match.group(1)}"
    return ""


def normalize_openalex_id(value: object) -> str:
    """OpenAlex work id ``W123`` from a URL (``https://openalex.org/W123``) or a bare id."""
    text = clean_text(value)
    match = re.search(r"\b(W\d+)\b", text, re.IGNORECASE)
    return match.group(1).upper() if match else ""


def normalize_s2_id(value: object) -> str:
    """Semantic Scholar paperId: 40 lower-case hex characters, or ``""``."""
    text = clean_text(value).lower()
    match = re.search(r"\b([0-9a-f]{40})\b", text)
    return match.group(1) if match else ""


def normalize_issn(value: object) -> str:
    """Every ISSN in the value as ``1234-567X``, joined by the list separator, no repeats.

    Exports put two ISSNs in one field (``1660-4601 1661-7827``), write them without a hyphen
    (``03064530 (ISSN)``) or mix them with ISBNs; only valid-looking ISSNs are kept.
    """
    text = clean_text(value).upper()
    found = []
    for match in re.finditer(r"\b(\d{4})-?(\d{3}[\dX])\b", text):
        issn = f"{match.group(1)}-{match.group(2)}"
        if issn not in found:
            found.append(issn)
    return join_list(found)


def normalize_isbn(value: object) -> str:
    """ISBN-10/13 digits (hyphens removed), joined by the list separator."""
    text = clean_text(value).upper()
    found = []
    for match in re.finditer(r"\b(?:97[89][-\s]?)?(?:\d[-\s]?){9}[\dX]\b", text):
        isbn = re.sub(r"[-\s]", "", match.group(0))
        if len(isbn) in (10, 13) and isbn not in found:
            found.append(isbn)
    return join_list(found)


_YEAR = re.compile(
    r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?:(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))?(?!\d)"
)


def normalize_year(value: object) -> str:
    """The first plausible year (1500-2199) in a date-like value, or ``""``.

    Compact dates count too (``Start date: 20170812``, ``DP  - 20170812``).
    """
    text = clean_text(value)
    match = _YEAR.search(text)
    return match.group(1) if match else ""


def normalize_pages(value: object) -> str:
    """Pages with a plain hyphen and no spaces (``79 – 88`` -> ``79-88``).

    Abbreviated ranges (``123-9``) are kept as written; dedup expands them when comparing.
    """
    text = clean_text(value)
    text = re.sub(r"\s*[\u2010-\u2015\u2212-]+\s*", "-", text)
    return text.strip("-")


_PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "du",
    "la",
    "le",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
}


class CorporateName(str):
    """An author that is one name, never to be inverted (BibTeX ``{World Health
    Organization}``, MEDLINE ``CN``, Web of Science ``CA``/``GP``): importers wrap such
    values in this type so that :func:`normalize_author` keeps them as written."""

    __slots__ = ()


#: Words that make a name an organisation: "World Health Organization" is not
#: "Organization, World Health". Whole words, compared in lower case.
_ORGANISATION_WORDS = frozenset(
    {
        "academy", "agency", "alliance", "association", "authority", "board", "centre",
        "center", "collaboration", "collaborative", "college", "commission", "committee",
        "consortium", "corporation", "council", "department", "federation", "foundation",
        "group", "hospital", "inc", "initiative", "institute", "investigators", "ltd",
        "ministry", "network", "office", "organisation", "organization", "panel",
        "programme", "society", "taskforce", "team", "trialists", "university",
    }
)  # fmt: skip

# Han, kana, Hangul: such names are written family name first, with or without a space,
# so there is nothing to invert.
_CJK = re.compile(
    r"[\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]"
)


def is_corporate_name(name: str) -> bool:
    """Whether ``name`` names an organisation rather than a person (see above)."""
    words = re.findall(r"\w+", name.lower())
    return len(words) >= 2 and any(word in _ORGANISATION_WORDS for word in words)


def normalize_author(value: object) -> str:
    """One author as ``Surname, Given`` whatever style the database wrote.

    Handles ``Smith, John A.`` / ``Smith, J.A.`` (kept), ``Smith JA`` (MEDLINE/Ovid style:
    trailing capitals are initials), ``SMITH J A`` and ``John A. Smith`` (last token is the
    surname, with particles such as ``van der`` kept with it). Organisations
    (:class:`CorporateName`, or a name with a word such as "Organization" or "Group") and
    names in Chinese, Japanese or Korean script are one name, returned as written.
    """
    if isinstance(value, CorporateName):
        return clean_text(value)
    name = clean_text(value).strip(" ;,.")
    if not name:
        return ""
    name = re.sub(r"\s*\(\d+\)$", "", name)  # Scopus author ids: "Hao, Jie (57221302630)"
    if "," in name:
        surname, _, given = name.partition(",")
        surname, given = surname.strip(), given.strip()
        given = _tidy_given(given)
        return f"{surname}, {given}" if given else surname
    if _CJK.search(name) or is_corporate_name(name):
        return name
    tokens = name.split()
    if len(tokens) == 1:
        return name
    last = tokens[-1].replace(".", "")
    if last.isupper() and len(last) <= 3 and len(tokens) >= 2:
        # "Smith JA", "van der Berg AB", "SMITH J A": trailing groups of capitals are initials
        initials: list[str] = []
        while (
            len(tokens) > 1
            and tokens[-1].replace(".", "").isupper()
            and len(tokens[-1].replace(".", "")) <= 3
        ):
            initials.insert(0, tokens.pop().replace(".", ""))
        surname = " ".join(tokens)
        if surname.isupper() and len(surname) > 3:
            surname = surname.title()
        return f"{surname}, {' '.join(''.join(initials))}"
    # "John A. Smith" / "Jan van der Berg"
    surname_tokens = [tokens.pop()]
    while len(tokens) > 1 and tokens[-1].lower() in _PARTICLES:
        surname_tokens.insert(0, tokens.pop())
    given = _tidy_given(" ".join(tokens))
    return f"{' '.join(surname_tokens)}, {given}"


def _tidy_given(given: str) -> str:
    """``J.A.`` -> ``J A``; full given names are kept as written."""
    given = given.strip().rstrip(".")
    if re.fullmatch(r"(?:[A-Z]\.?\s*-?)+", given):
        return " ".join(re.findall(r"[A-Z]", given))
    return given


def normalize_authors(values: Iterable[object] | str) -> str:
    """A list of authors (or a string joined by `` and `` / ``;``) as one normalised cell."""
    if isinstance(values, str):
        parts: list[object] = [p for p in re.split(r"\s+and\s+|;", values) if p.strip()]
    else:
        parts = list(values)
    names = [normalize_author(p) for p in parts]
    return join_list(n for n in names if n)


def join_list(values: Iterable[str]) -> str:
    """Join non-empty values with the project's list separator."""
    return LIST_SEPARATOR.join(v for v in values if v)


def split_list(cell: object) -> list[str]:
    """Inverse of :func:`join_list`."""
    text = clean_text(cell)
    return [v.strip() for v in text.split(LIST_SEPARATOR.strip()) if v.strip()] if text else []


def title_key(value: object) -> str:
    """A title reduced for matching: no markup, accents, punctuation or case."""
    text = strip_html(value)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return _SPACE.sub(" ", text).strip()
