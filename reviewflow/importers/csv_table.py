"""CSV exports: Scopus (2020 and 2023 layouts), Embase.com, PubMed "Save as CSV", and any
other table given a column map ``{record field: csv column}`` in config.

Known layouts are recognised from their header, so they need no column map. Scopus' 2020
layout has a header one column short: rows whose funding has two texts carry an unnamed
"Funding Text 2" field after "Funding Text 1", so 56 of 58 rows have 46 fields under a
45-name header; those rows are read with the missing name put back in place.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from urllib.parse import unquote

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    clean_author,
    clean_title,
    first,
)
from reviewflow.vocab import BIBLIOGRAPHIC_FIELDS

__all__ = ["NATIVE_ID_KEYS", "CsvImporter", "guess_column_map"]

#: Column-map keys naming the column that holds the source's own record id; it becomes
#: the native part of ``record_id`` (``<search_id>:<native id>``).
NATIVE_ID_KEYS = ("native_id", "record_id")

#: Header names (lower case) that mean a record field in tables without a known layout.
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "primary title", "ti"),
    "abstract": ("abstract", "ab", "abstract note"),
    "authors": ("authors", "author", "author names", "au"),
    "year": ("year", "publication year", "py", "pubyear"),
    "journal": ("journal", "source title", "source", "publication title", "journal/book"),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page", "pg"),
    "doi": ("doi", "di"),
    "pmid": ("pmid", "pubmed id", "pubmed_id"),
    "pmcid": ("pmcid",),
    "issn": ("issn",),
    "isbn": ("isbn",),
    "keywords": ("keywords", "author keywords"),
    "publication_type": ("publication type", "document type", "publication_type"),
    "entry_type": ("entry_type", "entrytype", "type"),
    "language": ("language",),
    "url": ("url", "link"),
}


def guess_column_map(header: list[str]) -> dict[str, str]:
    """A ``{field: column}`` map from header names that plainly mean a record field.

    A column called ``record_id``, ``id`` or ``accession number`` is taken as the native id.
    """
    lower = {h.strip().lower(): h for h in header}
    found: dict[str, str] = {}
    for field in BIBLIOGRAPHIC_FIELDS:
        for alias in (field, *_ALIASES.get(field, ())):
            if alias in lower:
                found[field] = lower[alias]
                break
    for alias in ("native_id", "record_id", "id", "accession number", "an"):
        if alias in lower:
            found["native_id"] = lower[alias]
            break
    return found


def _scopus_authors(row: Mapping[str, str]) -> list[str]:
    full = row.get("Author full names", "")
    if full.strip():
        return [a for a in (clean_author(x) for x in full.split(";")) if a.strip()]
    authors = row.get("Authors", "")
    if ";" in authors:
        parts = authors.split(";")
    else:  # 2020 layout: "Phillips J.C., Braun R., Wang W."
        parts = re.split(r"(?<=\.),\s+", authors)
    return [a for a in (clean_author(x) for x in parts) if a.strip()]


def _scopus(row: Mapping[str, str]) -> tuple[dict[str, object], str]:
    start, end = row.get("Page start", ""), row.get("Page end", "")
    pages = f"{start}-{end}" if start and end else (start or row.get("Art. No.", ""))
    keywords = [
        k.strip()
        for column in ("Author Keywords", "Index Keywords")
        for k in row.get(column, "").split(";")
        if k.strip()
    ]
    fields: dict[str, object] = {
        "title": clean_title(row.get("Title", "")),
        "abstract": clean_abstract(row.get("Abstract", "")),
        "authors": _scopus_authors(row),
        "year": row.get("Year", ""),
        "journal": row.get("Source title", ""),
        "volume": row.get("Volume", ""),
        "issue": row.get("Issue", ""),
        "pages": pages,
        "doi": row.get("DOI", ""),
        "pmid": row.get("PubMed ID", ""),
        "issn": row.get("ISSN", ""),
        "isbn": row.get("ISBN", ""),
        "keywords": keywords,
        "publication_type": row.get("Document Type", ""),
        "entry_type": _entry_type(row.get("Document Type", "")),
        "language": row.get("Language of Original Document", ""),
        "url": row.get("Link", ""),
    }
    return fields, row.get("EID", "")


def _entry_type(document_type: str) -> str:
    kind = document_type.lower()
    if "conference" in kind:
        return "inproceedings"
    if "chapter" in kind:
        return "incollection"
    if kind.startswith("book"):
        return "book"
    return "article" if kind else ""


_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s+\((?P<year>\d{4})\)\s*(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?"
    r"\s*(?:\((?P<pages>[^)]*)\))?"
)


def _embase(row: Mapping[str, str]) -> tuple[dict[str, object], str]:
    source = row.get("Source", "")
    match = _EMBASE_SOURCE.match(source)
    parts = match.groupdict() if match else {}
    link = unquote(row.get("Open URL Link", ""))
    doi = re.search(r"id=doi:([^&\s]+)", link)
    keywords = [
        k.strip()
        for column in ("Emtree Medical Index Terms", "Emtree Drug Index Terms", "keywords")
        for k in row.get(column, "").split(",")
        if k.strip()
    ]
    authors = [a.strip() for a in row.get("Author Names", "").split(",") if a.strip()]
    fields: dict[str, object] = {
        "title": first(row.get("Title"), row.get("Original Title")),
        "abstract": clean_abstract(first(row.get("Abstract"), row.get("Original Abstract"))),
        "authors": authors,
        "year": parts.get("year") or source,
        "journal": parts.get("journal") or "",
        "volume": parts.get("volume") or "",
        "issue": parts.get("issue") or "",
        "pages": parts.get("pages") or "",
        "doi": doi.group(1) if doi else "",
        "issn": re.search(r"issn=(\w+)", link).group(1) if "issn=" in link else "",  # type: ignore[union-attr]
        "keywords": keywords,
        "entry_type": "article",
    }
    return fields, ""


_PUBMED_CITATION = re.compile(
    r";(?P<volume>[^(:;]+)?(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.;]+?)\.(?:\s|$)"
)


def _pubmed(row: Mapping[str, str]) -> tuple[dict[str, object], str]:
    citation = row.get("Citation", "")
    match = _PUBMED_CITATION.search(citation)
    parts = match.groupdict() if match else {}
    authors = [a.strip() for a in row.get("Authors", "").rstrip(".").split(",") if a.strip()]
    pmid = row.get("PMID", "")
    fields: dict[str, object] = {
        "title": row.get("Title", ""),
        "authors": authors,
        "year": row.get("Publication Year", ""),
        "journal": row.get("Journal/Book", ""),
        "volume": (parts.get("volume") or "").strip(),
        "issue": parts.get("issue") or "",
        "pages": parts.get("pages") or "",
        "doi": row.get("DOI", ""),
        "pmid": pmid,
        "pmcid": row.get("PMCID", ""),
        "entry_type": "article",
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.strip().isdigit() else "",
    }
    return fields, pmid


def _layout(header: list[str]) -> str:
    names = set(header)
    if {"EID", "Source title", "Title"} <= names:
        return "Scopus"
    if {
        "Author Names",
        "Source",
        "Open URL Link",
    } <= names or "Emtree Medical Index Terms" in names:
        return "Embase"
    if {"PMID", "Title", "Citation", "Journal/Book"} <= names:
        return "PubMed"
    return ""


class CsvImporter:
    """CSV tables: Scopus, Embase, PubMed layouts, or any table with a column map."""

    name = "csv"
    description = "CSV (Scopus, Embase, PubMed layouts; any table with column_map)"

    def parse(
        self, text: str, path: str, *, column_map: Mapping[str, str] | None = None
    ) -> ParsedExport:
        text = text.lstrip("\ufeff")
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ImportFormatError("empty CSV file", path=path, line=1) from None
        except csv.Error as exc:
            raise ImportFormatError(f"unreadable CSV header: {exc}", path=path, line=1) from exc
        layout = "" if column_map else _layout(header)
        mapping = dict(column_map) if column_map else guess_column_map(header)
        native_column = next((mapping.pop(k) for k in NATIVE_ID_KEYS if k in mapping), "")
        if not layout:
            for field, column in [*mapping.items(), ("native_id", native_column)]:
                if column and column not in header:
                    raise ImportFormatError(
                        f"column_map names column {column!r}, which the CSV header lacks "
                        f"(columns: {', '.join(header)})",
                        path=path,
                        line=1,
                        field=field,
                    )
            unknown = set(mapping) - set(BIBLIOGRAPHIC_FIELDS)
            if unknown:
                raise ImportFormatError(
                    f"column_map keys must be record fields or 'native_id'; unknown: "
                    f"{', '.join(sorted(unknown))}",
                    path=path,
                    field=sorted(unknown)[0],
                )
            if "title" not in mapping:
                raise ImportFormatError(
                    "the CSV has no title column; name it in column_map "
                    "(e.g. title: 'Article Title')",
                    path=path,
                    line=1,
                    field="title",
                )
        wide_header = header
        if "Funding Text 1" in header and "Funding Text 2" not in header:
            at = header.index("Funding Text 1") + 1
            wide_header = [*header[:at], "Funding Text 2", *header[at:]]
        records = []
        line = 2
        for row in reader:
            number, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            names = header
            if len(row) == len(wide_header) and wide_header is not header:
                names = wide_header
            elif len(row) > len(header):
                if any(cell.strip() for cell in row[len(header) :]):
                    raise ImportFormatError(
                        f"{len(row)} fields under a {len(header)}-column header",
                        path=path,
                        line=number,
                    )
            values = {n: (c if c is not None else "") for n, c in zip(names, row, strict=False)}
            if layout == "Scopus":
                fields, native = _scopus(values)
            elif layout == "Embase":
                fields, native = _embase(values)
            elif layout == "PubMed":
                fields, native = _pubmed(values)
            else:
                fields = {f: values.get(c, "") for f, c in mapping.items()}
                if "abstract" in fields:
                    fields["abstract"] = clean_abstract(fields["abstract"])
                native = values.get(native_column, "") if native_column else ""
            records.append(ParsedRecord(fields, str(native).strip(), number, layout))
        if not records:
            raise ImportFormatError("no rows under the CSV header", path=path, line=2)
        return ParsedExport(records, self.name, layout)
