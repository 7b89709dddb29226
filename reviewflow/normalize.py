"""Normalisation of identifiers, names and text, done once here for every stage.

Databases write the same DOI as ``https://dx.doi.org/10.1000/ABC.``, ``doi:10.1000/abc`` or
``10.1000/abc``, the same author as ``Smith JA``, ``Smith, J. A.`` or ``John A. Smith``. Every
importer and API client passes values through these functions before they enter a record
table, so that matching (dedup, citation seeds, decision carry-forward) compares like with like.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import unquote

from reviewflow.vocab import LIST_SEPARATOR

__all__ = [
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
    "split_list",
    "strip_html",
    "title_key",
]

_DOI_PREFIX = re.compile(
    r"^(?:https?://)?(?:dx\.|www\.)?(?:doi\.org/|doi\.wiley\.com/)|^doi:\s*|^doi\s+",
    re.IGNORECASE,
)
_DOI_FIND = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,500}>")
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
    return _SPACE.sub(" ", text).strip()


def strip_html(value: object) -> str:
    """Remove markup (``<i>``, JATS ``<jats:p>``, MathML) and decode entities.

    Tags are replaced by nothing when inline (``T<sub>2</sub>`` stays ``T2``) and the entity
    decoding runs twice because some sources double-escape (``&amp;lt;``).
    """
    text = clean_text(value)
    if not text:
        return ""
    if "<" in text:
        text = re.sub(r"</?(?:jats:)?(?:p|sec|title|h\d|br|li|div)\b[^>]*>", " ", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(html.unescape(text))
        if "<" in text:
            text = _TAG.sub("", text)
    return _SPACE.sub(" ", text).strip()


def normalize_doi(value: object) -> str:
    """Return the bare, lower-case DOI (``10.xxxx/...``) or ``""`` if there is none.

    DOIs are case-insensitive by definition (DOI Handbook 2.4), so lower case is safe for
    matching. Trailing punctuation that exports glue on (``.``, ``,``, ``;``, ``)``) is cut.
    """
    text = clean_text(value)
    if not text:
        return ""
    text = unquote(text)
    text = _DOI_PREFIX.sub("", text).strip()
    match = _DOI_FIND.search(text)
    if not match:
        return ""
    doi = match.group(0).lower()
    doi = re.split(r"\s|\[|<|>|\"", doi)[0]
    doi = doi.rstrip(".,;:)]}'")
    # "10.1000/abc (Print)" style suffixes are already gone; a bare prefix is not a DOI.
    return doi if "/" in doi and len(doi.split("/", 1)[1]) > 0 else ""


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


def normalize_year(value: object) -> str:
    """The first plausible four-digit year (1500-2199) in a date-like value, or ``""``."""
    text = clean_text(value)
    match = re.search(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)", text)
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


def normalize_author(value: object) -> str:
    """One author as ``Surname, Given`` whatever style the database wrote.

    Handles ``Smith, John A.`` / ``Smith, J.A.`` (kept), ``Smith JA`` (MEDLINE/Ovid style:
    trailing capitals are initials), ``SMITH J A`` and ``John A. Smith`` (last token is the
    surname, with particles such as ``van der`` kept with it). Corporate authors (no
    recognisable given name) are returned unchanged.
    """
    name = clean_text(value).strip(" ;,.")
    if not name:
        return ""
    name = re.sub(r"\s*\(\d+\)$", "", name)  # Scopus author ids: "Hao, Jie (57221302630)"
    if "," in name:
        surname, _, given = name.partition(",")
        surname, given = surname.strip(), given.strip()
        given = _tidy_given(given)
        return f"{surname}, {given}" if given else surname
    tokens = name.split()
    if len(tokens) == 1:
        return name
    last = tokens[-1].replace(".", "")
    if last.isupper() and len(last) <= 3 and len(tokens) >= 2:
        # "Smith JA", "van der Berg AB", "SMITH J A": trailing groups of capitals are initials
        initials = []
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
