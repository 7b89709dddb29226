"""What every importer shares: the parsed-record shape, decoding, and vendor-noise cleaning.

An importer turns the text of one export file into :class:`ParsedRecord` objects whose
``fields`` use the record model's names (``title``, ``authors``, ...). Turning them into a
record table (ids, provenance, normalisation) happens once, in :func:`reviewflow.importers.
import_file`, so every format gets the same ids and the same cleaning.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reviewflow.errors import ImportFormatError
from reviewflow.normalize import normalize_year

__all__ = [
    "ENTRY_TYPES",
    "ImportWarning",
    "Importer",
    "ParsedExport",
    "ParsedRecord",
    "TaggedRecord",
    "clean_abstract",
    "clean_author",
    "clean_title",
    "first",
    "parse_export_date",
    "read_export_text",
    "split_lines",
    "year_warning",
]

logger = logging.getLogger(__name__)

#: ``entry_type`` values, BibTeX's vocabulary, because dedup tools (bib-dedupe, CoLRev)
#: compare entry types in those terms. Keys are each format's own type codes, upper case.
ENTRY_TYPES: dict[str, str] = {
    # RIS (TY)
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "INPR": "article",
    "ABST": "article",
    "CASE": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "GEN": "misc",
    "SER": "book",
    "UNPB": "unpublished",
    "ELEC": "misc",
    "DATA": "misc",
    # EndNote reference type names (XML ref-type, tagged %0)
    "JOURNAL ARTICLE": "article",
    "ELECTRONIC ARTICLE": "article",
    "MAGAZINE ARTICLE": "article",
    "BOOK SECTION": "incollection",
    "EDITED BOOK": "book",
    "CONFERENCE PAPER": "inproceedings",
    "CONFERENCE PROCEEDINGS": "inproceedings",
    "THESIS": "phdthesis",
    "REPORT": "techreport",
    # Web of Science PT
    "J": "article",
    "B": "book",
    "S": "incollection",
    "P": "misc",
    # BibTeX / Scopus
    "ARTICLE": "article",
    "CONFERENCE": "inproceedings",
    "INPROCEEDINGS": "inproceedings",
    "INCOLLECTION": "incollection",
    "INBOOK": "incollection",
    "PHDTHESIS": "phdthesis",
    "MASTERSTHESIS": "mastersthesis",
    "TECHREPORT": "techreport",
    "MISC": "misc",
    "UNPUBLISHED": "unpublished",
}


@dataclass
class ParsedRecord:
    """One record as an importer read it, before ids and provenance are added.

    ``fields`` holds record-model fields only (lists allowed for ``authors`` and
    ``keywords``); ``native_id`` is the database's own id for the record (accession number,
    PMID, WoS UT, ...); ``line`` is the 1-based line where the record starts, for messages.
    """

    fields: dict[str, object]
    native_id: str = ""
    line: int = 0
    database: str = ""
    retrieved_at: str = ""


@dataclass(frozen=True)
class ImportWarning:
    """Something in an export that was read, but not as the format says it should be.

    Real exports bend every format (a missing ``ER``, a duplicate BibTeX key, a junk line);
    refusing such a file loses all its records, reading it silently hides the problem. So
    the record is kept and the warning goes to the log and the import audit, naming the
    line, for the reviewer to check.
    """

    line: int | None
    message: str
    field: str | None = None

    def describe(self, path: str) -> str:
        where = [path] + ([f"line {self.line}"] if self.line else [])
        where += [f"field '{self.field}'"] if self.field else []
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ParsedExport:
    """Everything an importer found in one file."""

    records: list[ParsedRecord]
    format: str
    database: str = ""
    exported_at: str = ""
    warnings: list[ImportWarning] = field(default_factory=list)


@dataclass
class TaggedRecord:
    """One record of a tagged text format (RIS, MEDLINE, WoS, Ovid, EndNote tagged):
    the values of every tag in file order, and the line where each tag first appears."""

    start: int
    tags: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def add(self, tag: str, value: str, line: int) -> None:
        self.tags.setdefault(tag, []).append(value)
        self.lines.setdefault(tag, line)

    def extra(self, mapped: frozenset[str] | set[str]) -> dict[str, object]:
        """The tags no record field was read from, for the ``extra`` column."""
        return {
            tag: values if len(values) > 1 else values[0]
            for tag, values in self.tags.items()
            if tag not in mapped and any(v.strip() for v in values)
        }


class Importer(Protocol):
    """A parser for one export format.

    ``reviewflow.importers.import_file`` (called by the ``import_records`` rule and by
    ``reviewflow import``) reads the file with :func:`read_export_text` and calls
    ``parse(text, path)``; the importer raises :class:`ImportFormatError` naming the line
    and field when the file cannot be what it claims to be.
    """

    name: str
    description: str

    def parse(self, text: str, path: str) -> ParsedExport: ...


# --------------------------------------------------------------------------------------
# Decoding


# C0 control characters other than tab, LF and CR. A few are real in exports (Nagtegaal et
# al.'s records have "\x01" where a "≈" was lost upstream); many of them mean binary data.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_export_text(path: str | Path) -> str:
    """The text of an export, decoded the way databases actually write them.

    UTF-8 (with or without BOM) first; UTF-16 when it has a BOM (EndNote on Windows);
    then cp1252, which also covers latin-1 for printable text, with a warning because
    an accented name may then be wrong. NUL bytes or many control characters mean a
    binary or corrupted file: refused, naming the first bad line.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read export file: {exc}", path=str(path)) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"broken UTF-16 text at byte {exc.start}", path=str(path)
            ) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFormatError(
                f"text is neither UTF-8 nor Windows-1252/Latin-1 (byte 0x{data[exc.start]:02x} "
                f"at offset {exc.start}); re-export the file as UTF-8",
                path=str(path),
                line=line,
            ) from exc
        logger.warning(
            "%s is not UTF-8 (first non-UTF-8 byte on line %d); read as Windows-1252",
            path,
            line,
        )
    controls = _BINARY.findall(text[:1_000_000])
    if "\x00" in text or len(controls) > max(20, len(text[:1_000_000]) // 200):
        bad = _BINARY.search(text)
        line = text.count("\n", 0, bad.start()) + 1 if bad else 1
        raise ImportFormatError(
            "binary or corrupted content (NUL or many control characters); "
            "is this really a text export?",
            path=str(path),
            line=line,
        )
    if controls:
        bad = _BINARY.search(text)
        line = text.count("\n", 0, bad.start()) + 1 if bad else 1
        logger.warning(
            "%s: %d stray control character(s), the first on line %d; they are dropped",
            path,
            len(controls),
            line,
        )
    return text


def split_lines(text: str) -> list[str]:
    """Lines split on CRLF, bare CR or LF: exports mix all three, sometimes in one file."""
    return re.split(r"\r\n|\r|\n", text)


# --------------------------------------------------------------------------------------
# Cleaning vendor noise

_NO_ABSTRACT = re.compile(r"^\s*\[?\s*no abstract(?: available)?\s*\]?\.?\s*$", re.IGNORECASE)
_EBSCO_COPYRIGHT = re.compile(
    r"\s*Copyright of .{0,600}? is the property of .*$", re.IGNORECASE | re.DOTALL
)
# "© 2019 Elsevier Ltd. All rights reserved." / "Copyright © 2020 ..." / "(C) 2018 ..." at
# the very end of an abstract: publisher boilerplate, not part of the abstract.
_TRAILING_COPYRIGHT = re.compile(
    r"\s*(?:©[^©]{0,80}$"  # "© Lippincott Williams & Wilkins." (no year), a lone "©"
    r"|(?:(?:Copyright\s*)?(?:©|\(c\))|Copyright\s+(?=\d{4}))"
    r"\s*(?:\d{4}|the authors?|[^©]{0,120}?\d{4})[^©]{0,300}$)",
    re.IGNORECASE,
)


_COPYRIGHT_TAIL = 1000


def clean_abstract(value: object) -> str:
    """An abstract without vendor placeholders and publisher boilerplate.

    EBSCO appends a second abstract "Copyright of <journal> is the property of <publisher>
    ... (Copyright applies to all Abstracts.)"; Scopus writes "[No abstract available]" and
    ends abstracts with "© 2019 Elsevier Ltd". None of that says anything about the study,
    and the copyright lines would make two records of one study look different.
    """
    if isinstance(value, list | tuple):
        parts = [str(v) for v in value if v is not None and str(v).strip()]
        parts = [p for p in parts if not re.match(r"\s*Copyright of ", p, re.IGNORECASE)]
        text = " ".join(parts)
    else:
        text = "" if value is None else str(value)
    text = text.strip()
    if not text or _NO_ABSTRACT.match(text):
        return ""
    at = text.lower().find("copyright of ")
    if at >= 0:
        text = text[:at] + _EBSCO_COPYRIGHT.sub("", text[at:])
    for _ in range(3):  # "... © 2019 Elsevier Ltd. © 2019 The Authors." / "© Copyright © 2021"
        # the notice is at the very end and at most a few hundred characters long, so only
        # the tail is searched (a 50 MB abstract stays fast)
        tail = max(0, len(text) - _COPYRIGHT_TAIL)
        match = _TRAILING_COPYRIGHT.search(text, tail)
        if match and match.start() > 40:
            text = text[: match.start()]
    return text.strip()


def clean_title(value: object) -> str:
    """A title without the ``[No title available]`` placeholder."""
    text = "" if value is None else str(value).strip()
    if re.fullmatch(r"\[?\s*no title available\s*\]?\.?", text, re.IGNORECASE):
        return ""
    return text


def clean_author(value: str) -> str:
    """Drop Scopus' ``[No author name available]`` placeholder."""
    if re.fullmatch(r"\s*\[?\s*no author name available\s*\]?\s*", value, re.IGNORECASE):
        return ""
    return value


def first(*values: object) -> str:
    """The first non-empty value (lists: their first non-empty item)."""
    for value in values:
        if isinstance(value, list | tuple):
            for item in value:
                if item is not None and str(item).strip():
                    return str(item).strip()
        elif value is not None and str(value).strip():
            return str(value).strip()
    return ""


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


def parse_export_date(value: str) -> str:
    """An export date as ISO ``YYYY-MM-DD`` (``7 December 2022``, ``2019-03-01``), or ``""``."""
    text = value.strip()
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = re.search(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", text)
        if match and match.group(2).lower() in _MONTHS:
            d, y = int(match.group(1)), int(match.group(3))
            m = _MONTHS[match.group(2).lower()]
        else:
            match = re.search(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text)
            if not match or match.group(1).lower() not in _MONTHS:
                return ""
            m, d, y = _MONTHS[match.group(1).lower()], int(match.group(2)), int(match.group(3))
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return ""


def year_warning(value: str, line: int | None, field: str) -> ImportWarning | None:
    """A warning when a date field holds no year at all (``PY  - 10 15``), else ``None``."""
    if value.strip() and not normalize_year(value):
        return ImportWarning(line, f"no year in {value.strip()[:40]!r}; year left empty", field)
    return None
