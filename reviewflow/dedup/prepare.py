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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from reviewflow.normalize import normalize_author, split_list, strip_html, title_key

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
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
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


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def split_authors(text: str) -> list[str]:
    """Split an author cell written in any database style into one string per author.

    Handles BibTeX (``Last, F. and Last, F.``), the record model and RIS exports
    (``Last, F; Last, G``), MEDLINE-like comma lists (``Last F, Last G``), given-name-first
    lists (``F. Last, G. Last``) and the run-together form some EndNote exports produce
    (``Pala A.Schmitz A. L.Knoll A.``).
    """
    text = fix_mojibake(strip_html(text))
    text = re.sub(r",\s*null\b", "", text)  # "Kang, null": an empty given name exported as text
    if not text:
        return []
    if re.search(r"\s+and\s+", text) or ";" in text:
        parts = re.split(r"\s+and\s+|;", text)
    elif re.search(r"[A-Z]\.[A-Z][a-z]", text):
        parts = re.split(r"(?<=[A-Z]\.)(?=[A-Z][a-z])", text)
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
    """The first page as digits (or ``S123``/``E12`` supplements), for equality tests.

    Excel-mangled ranges (``06-Oct`` for 6-10) are read back; leading zeros are dropped.
    """
    text = pages.strip()
    if not text:
        return ""
    match = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})", text)
    if match and match.group(2).lower() in _MONTHS:
        return str(int(match.group(1)))
    match = re.fullmatch(r"([A-Za-z]{3})-(\d{2})", text)
    if match and match.group(1).lower() in _MONTHS:
        return str(_MONTHS[match.group(1).lower()])
    match = re.match(r"\s*([A-Za-z]?)0*(\d+)", text)
    if not match:
        return ""
    return f"{match.group(1).upper()}{match.group(2)}"


def _last_page(pages: str, first: str) -> int | None:
    match = re.fullmatch(r"[A-Za-z]?0*(\d+)\s*-+\s*[A-Za-z]?0*(\d+)", pages.strip())
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
    text = fix_mojibake(strip_html(title))
    text = _LANG_TAG.sub(" ", text)
    without_notes = _ANNOTATION.sub(" ", text)
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


def _kind(title: str) -> str:
    if _WOS_CORRECTION.search(title):
        return "erratum"
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(title):
            return kind
    return ""


@dataclass(slots=True)
class Prepared:
    """Comparison keys of every record, position-aligned with the record table."""

    record_ids: list[str]
    title: list[str] = field(default_factory=list)  # title_key of the cleaned title
    title_numbers: list[frozenset[str]] = field(default_factory=list)
    parts: list[frozenset[str]] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # erratum / retraction / reply / comment
    protocol: list[bool] = field(default_factory=list)
    surnames: list[tuple[str, ...]] = field(default_factory=list)
    author_key: list[str] = field(default_factory=list)
    author_tokens: list[frozenset[str]] = field(default_factory=list)  # every name word
    first_author_tokens: list[frozenset[str]] = field(default_factory=list)
    year: list[int] = field(default_factory=list)  # 0 when missing
    journal: list[str] = field(default_factory=list)
    volume: list[str] = field(default_factory=list)
    issue: list[str] = field(default_factory=list)
    fpage: list[str] = field(default_factory=list)
    npages: list[int] = field(default_factory=list)  # page count, 0 when unknown
    conference: list[bool] = field(default_factory=list)
    meeting_venue: list[bool] = field(default_factory=list)  # venue named as a meeting
    abstract_len: list[int] = field(default_factory=list)
    ids: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.record_ids)


_ID_FIELDS = ("doi", "pmid", "pmcid", "openalex_id", "s2_id")


def _digits(value: str) -> str:
    match = re.search(r"\d+", value)
    return match.group(0).lstrip("0") if match else ""


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
    for i in range(len(frame)):
        raw_title = clean_title(columns["title"][i])
        key = title_key(_ascii(_WOS_CORRECTION.sub(" ", raw_title)))
        prepared.title.append(key)
        prepared.title_numbers.append(frozenset(_NUMBER.findall(key)))
        prepared.parts.append(_part_labels(raw_title))
        prepared.kind.append(_kind(raw_title))
        prepared.protocol.append(bool(_PROTOCOL.search(raw_title)))
        authors = split_list(columns["authors"][i])
        surnames = tuple(s for s in (_surname(a) for a in authors) if s)
        prepared.surnames.append(surnames)
        prepared.author_key.append(" ".join(surnames))
        words = re.findall(r"[a-z]{2,}", _ASCII_LOWER(" ".join(authors[:8])))
        prepared.author_tokens.append(frozenset(words))
        first = re.findall(r"[a-z]{2,}", _ASCII_LOWER(authors[0])) if authors else []
        prepared.first_author_tokens.append(frozenset(first))
        year = columns["year"][i].strip()
        prepared.year.append(int(year[:4]) if year[:4].isdigit() else 0)
        journal = journal_key(columns["journal"][i])
        prepared.journal.append(journal)
        prepared.volume.append(_digits(columns["volume"][i]))
        prepared.issue.append(_digits(columns["issue"][i]))
        pages = columns["pages"][i]
        fp = first_page(pages)
        prepared.fpage.append(fp)
        last = _last_page(pages, fp)
        first_num = int(re.sub(r"\D", "", fp)) if fp and re.sub(r"\D", "", fp) else 0
        prepared.npages.append(
            last - first_num + 1 if last and first_num and last >= first_num else 0
        )
        entry = (columns["entry_type"][i] + " " + columns["publication_type"][i]).lower()
        meeting = bool(_CONFERENCE_VENUE.search(journal)) and not _JOURNAL_PROCEEDINGS.search(
            journal
        )
        prepared.meeting_venue.append(meeting)
        prepared.conference.append(
            any(t in entry for t in _CONFERENCE_TYPES) or meeting or fp.startswith("S")
        )
        prepared.abstract_len.append(len(columns["abstract"][i]))
    return prepared
