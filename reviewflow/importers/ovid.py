"""Ovid's own text exports (MEDLINE, Embase, PsycINFO, ... on Ovid): tagged and labelled.

Ovid numbers each record (``<1>``, ``<241. >``) and writes it in one of two shapes:

- tagged: ``VN  - Ovid Technologies``, ``DB  - Embase``, ``TI  - ...``, ``AU  - ...``; a value
  goes on over the following untagged lines (indented or not);
- labelled ("field labels"): a label on its own line (``Title``, ``Source``, ``Abstract``,
  ``Author Keywords``), the value on the indented lines under it.

Both carry the citation as one ``Source`` string (``Ecohydrology. 8(6):1048-1064, September
2015.``), which gives journal, volume, issue, pages and year when no field of their own
does; Ovid appends the document type to titles (``...Germany.[Article]``), which is moved
to the publication type. Tags and labels no record field is read from go to ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ENTRY_TYPES,
    ImportWarning,
    ParsedExport,
    ParsedRecord,
    TaggedRecord,
    clean_abstract,
    first,
    split_lines,
    year_warning,
)

__all__ = ["OvidLabelledImporter", "OvidTaggedImporter", "parse_ovid_source"]

_NUMBER = re.compile(r"^\s*<\s*(\d+)\.?\s*>\s*$")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s{1,2}- ?(.*)$")

#: Record field -> Ovid tags (several databases, several names) in order of preference.
_TAGS: dict[str, tuple[str, ...]] = {
    "title": ("TI", "OT"),
    "abstract": ("AB",),
    "authors": ("FA", "FAU", "AU"),
    "journal": ("JN", "NJ", "JT", "JA"),
    "volume": ("VO", "VI", "VL"),
    "issue": ("IP", "NO"),
    "pages": ("PG",),
    "year": ("YR", "PY", "YE", "DP"),
    "doi": ("DO", "DI"),
    "issn": ("IS", "ISSN"),
    "isbn": ("IB", "ISBN"),
    "keywords": ("KW", "MH", "ID", "HW"),
    "publication_type": ("PT", "DT"),
    "language": ("LG", "LA"),
    "url": ("UR", "XL"),
}
_MAPPED_TAGS = frozenset({t for tags in _TAGS.values() for t in tags} | {"SO", "DB", "AN", "UI"})

#: Record field -> Ovid field labels (lower case), in order of preference.
_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("title", "original title"),
    "abstract": ("abstract",),
    "authors": ("authors full name", "author full name", "authors", "author"),
    "journal": ("journal name", "journal title", "name of journal"),
    "volume": ("volume",),
    "issue": ("issue", "issue/part", "issue part"),
    "pages": ("page", "pages", "pagination"),
    "year": ("year of publication", "publication year", "year", "date of publication"),
    "doi": ("doi number", "digital object identifier", "doi"),
    "issn": ("issn", "international standard serial number", "issn print", "issn electronic"),
    "isbn": ("isbn", "international standard book number"),
    "keywords": (
        "author keywords", "keyword heading", "keywords", "mesh subject headings",
        "subject headings", "major subject headings", "emtree heading",
    ),
    "publication_type": ("publication type", "document type", "format covered"),
    "language": ("language",),
    "url": ("url", "link to the ovid full text or citation", "link to the external link resource"),
}  # fmt: skip
_MAPPED_LABELS = frozenset(
    {label for labels in _LABELS.values() for label in labels}
    | {"source", "database", "accession number", "unique identifier", "pubmed identifier"}
)

# "Ecohydrology. 8(6):1048-1064, September 2015." / "Lancet. 390(10091):231-2, 2017 Jul 15."
_SOURCE = re.compile(
    r"^(?P<journal>.+?)\.\s+(?:Vol\.?\s*)?(?P<volume>[\w-]+)?\s*(?:\((?P<issue>[^)]*)\))?"
    r"\s*(?::|,\s*pp?\.?\s*)(?P<pages>[\w-]+(?:-[\w-]+)?)?[,.]?\s*(?P<date>.*)$"
)
_TITLE_TYPE = re.compile(r"\.?\s*\[([A-Z][A-Za-z ]{2,30})\]\s*\.?\s*$")


def parse_ovid_source(source: str) -> dict[str, str]:
    """Journal, volume, issue, pages and year of an Ovid ``Source`` citation string."""
    text = " ".join(source.split())
    match = _SOURCE.match(text)
    parts = {k: (v or "").strip() for k, v in match.groupdict().items()} if match else {}
    year = re.search(r"(?<!\d)(1[5-9]\d\d|2[01]\d\d)(?!\d)", parts.get("date") or text)
    return {
        "journal": parts.get("journal", ""),
        "volume": parts.get("volume", ""),
        "issue": parts.get("issue", ""),
        "pages": parts.get("pages", ""),
        "year": year.group(1) if year else "",
    }


def _names(values: list[str]) -> list[str]:
    """Ovid author values: ``Kohler, Lars 1;  Leuschner, Christoph 1`` (labelled, with
    affiliation numbers), ``Werner, S. M. [Author, Reprint Author]`` (tagged, with roles),
    ``Smith J.  Jones K.`` (two spaces between names)."""
    names = []
    for value in values:
        value = re.sub(r"\s*\[[^\]]*\]", " ", value)  # "[Author, Reprint Author; E-mail: ...]"
        if ";" in value:
            parts = value.split(";")
        elif re.search(r"\S {2,}\S", value):
            parts = re.split(r" {2,}", value)
        else:
            parts = [value]
        for part in parts:
            part = re.sub(r"[\s\d,+*]+$", "", part.strip())  # affiliation numbers "1, 2"
            part = re.sub(r"\s+(?:MD|PhD|MSc|BSc|MPH|MA|BA)\.?$", "", part)
            if part.strip():
                names.append(part.strip())
    return names


def _fields(get: dict[str, list[str]], source: str, extra: dict[str, object]) -> dict[str, object]:
    """Record-model fields from ``{field: [values]}`` and the ``Source`` string."""
    cited = parse_ovid_source(source) if source else {}
    title = first(get.get("title"))
    publication_type = first(get.get("publication_type"))
    kind = _TITLE_TYPE.search(title)
    if kind:  # "...Germany.[Article]": Ovid's document type, not the title
        title = title[: kind.start()].strip()
        publication_type = publication_type or kind.group(1)
    keywords = [
        k.strip().lstrip("*")
        for value in get.get("keywords", [])
        for k in re.split(r";\s*|\s{2,}", value)
        if k.strip().strip(".")
    ]
    return {
        "title": title,
        "abstract": clean_abstract(" ".join(get.get("abstract", []))),
        "authors": _names(get.get("authors", [])),
        "year": first(get.get("year")) or cited.get("year", ""),
        "journal": first(get.get("journal")) or cited.get("journal", ""),
        "volume": first(get.get("volume")) or cited.get("volume", ""),
        "issue": first(get.get("issue")) or cited.get("issue", ""),
        "pages": first(get.get("pages")) or cited.get("pages", ""),
        "doi": first(get.get("doi")),
        "issn": " ".join(get.get("issn", [])),
        "isbn": " ".join(get.get("isbn", [])),
        "keywords": [k.rstrip(".") for k in keywords],
        "publication_type": publication_type.rstrip("."),
        "entry_type": _entry_type(publication_type),
        "language": first(get.get("language")).rstrip("."),
        "url": first(get.get("url")),
        "extra": extra,
    }


def _entry_type(publication_type: str) -> str:
    kind = publication_type.lower()
    for word, entry in (
        ("chapter", "incollection"),
        ("book", "book"),
        ("dissertation", "phdthesis"),
        ("thesis", "phdthesis"),
        ("conference", "inproceedings"),
        ("report", "techreport"),
    ):
        if word in kind:
            return entry
    return ENTRY_TYPES.get(kind.upper(), "article")


def _ids(database: str, native: str, unique: str) -> tuple[str, str]:
    """Native id and PMID: Ovid MEDLINE's unique identifier is the PMID."""
    pmid = unique if re.fullmatch(r"\d{1,9}", unique) and "medline" in database.lower() else ""
    return (native or unique).rstrip("."), pmid


# --------------------------------------------------------------------------------------
# Tagged


def iter_tagged(lines: list[str]) -> Iterator[TaggedRecord]:
    """Records from one ``<n>`` number (or ``VN`` tag) to the next."""
    record: TaggedRecord | None = None
    last = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line.strip():
            continue
        if _NUMBER.match(line):
            if record is not None and record.tags:
                yield record
            record, last = TaggedRecord(number), ""
            continue
        match = _TAG_LINE.match(line.lstrip())
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if record is None or (tag == "VN" and "VN" in record.tags):
                if record is not None:
                    yield record
                record = TaggedRecord(number)
            record.add(tag, value, number)
            last = tag
        elif record is not None and last:
            values = record.tags[last]
            values[-1] = f"{values[-1]} {line.strip()}".strip()
    if record is not None and record.tags:
        yield record


class OvidTaggedImporter:
    """Ovid tagged text (``VN  - Ovid Technologies`` records)."""

    name = "ovid_tagged"
    description = "Ovid tagged text (<1> VN - Ovid Technologies / DB / TI / AU ...)"

    def parse(self, text: str, path: str) -> ParsedExport:
        warnings: list[ImportWarning] = []
        records = []
        for record in iter_tagged(split_lines(text)):
            tags = record.tags
            get: dict[str, list[str]] = {}
            for field, names in _TAGS.items():  # the first tag present, not all of them
                tag = next((t for t in names if t in tags), "")
                get[field] = tags.get(tag, []) if tag else []
            fields = _fields(get, first(tags.get("SO")), record.extra(_MAPPED_TAGS))
            database = first(tags.get("DB"))
            native, pmid = _ids(database, first(tags.get("AN")), first(tags.get("UI")))
            fields["pmid"] = pmid
            found = year_warning(first(get["year"]), record.lines.get("YR"), "YR")
            if found:
                warnings.append(found)
            records.append(ParsedRecord(fields, native, record.start, database))
        if not records:
            raise ImportFormatError("no Ovid records ('<1>' / 'VN  - ' lines)", path=path, line=1)
        databases = {r.database for r in records if r.database}
        database = databases.pop() if len(databases) == 1 else ""
        return ParsedExport(records, self.name, database, warnings=warnings)


# --------------------------------------------------------------------------------------
# Labelled


def iter_labelled(lines: list[str]) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """``(line, {label: [value lines]})`` per record: a label starts a line, its value is
    on the indented lines below it (blank lines separate items such as references). What
    comes before the first record number (the database line, the search strategy) is not
    a record."""
    record: dict[str, list[str]] | None = None
    start = 0
    label = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if _NUMBER.match(line):
            if record:
                yield start, record
            record, start, label = {}, number, ""
            continue
        if not line.strip() or record is None:
            continue
        if line[0].isspace():
            if label:
                record[label].append(line.strip())
            continue
        label = line.strip()
        record.setdefault(label, [])
    if record:
        yield start, record


def _joined(values: list[str]) -> str:
    return " ".join(v for v in values if v)


class OvidLabelledImporter:
    """Ovid text with field labels (``<1>`` / ``Title`` / indented value)."""

    name = "ovid_labelled"
    description = "Ovid text with field labels (<1> / Title / Source / Abstract ...)"

    def parse(self, text: str, path: str) -> ParsedExport:
        warnings: list[ImportWarning] = []
        records = []
        lines = split_lines(text)
        header = next((ln for ln in lines[:50] if ln.startswith("Database:")), "")
        file_database = re.sub(r"\s*<[^>]*>\s*$", "", header[len("Database:") :]).strip()
        for start, labelled in iter_labelled(lines):
            lower = {label.lower(): values for label, values in labelled.items()}
            get: dict[str, list[str]] = {}
            for field, labels in _LABELS.items():
                label = next((name for name in labels if lower.get(name)), "")
                if not label:
                    get[field] = []
                elif field in {"authors", "keywords"}:
                    get[field] = lower[label]
                else:
                    get[field] = [_joined(lower[label])]
            extra: dict[str, object] = {
                label: values if len(values) > 1 else values[0]
                for label, values in labelled.items()
                if label.lower() not in _MAPPED_LABELS and any(values)
            }
            fields = _fields(get, _joined(lower.get("source", [])), extra)
            database = _joined(lower.get("database", [])) or file_database
            native, pmid = _ids(
                database,
                _joined(lower.get("accession number", [])),
                _joined(lower.get("unique identifier", []) or lower.get("pubmed identifier", [])),
            )
            fields["pmid"] = pmid
            found = year_warning(first(get["year"]), start, "Year of Publication")
            if found:
                warnings.append(found)
            records.append(ParsedRecord(fields, native, start, database))
        if not records:
            raise ImportFormatError("no Ovid records ('<1>' lines)", path=path, line=1)
        databases = {r.database for r in records if r.database}
        database = databases.pop() if len(databases) == 1 else ""
        return ParsedExport(records, self.name, database, warnings=warnings)
