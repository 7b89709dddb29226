"""CSV exports: Scopus (2020 and 2023 layouts), Embase.com, PubMed "Save as CSV", and any
other table (Springer, IEEE Xplore, Dimensions, Lens, Zotero, Rayyan, Covidence, ...) whose
header names its columns plainly; a column map ``{record field: csv column}`` names the
rest.

Known layouts are recognised from their header. Other tables are read by header names
(:data:`_ALIASES`); several columns may stand for one field (``Start Page``/``End Page``,
``Source title``/``Anthology title``), the first non-empty one counts. A column map given by
the user overrides the guess for the fields it names and leaves the others guessed. Columns
nothing is read from go to ``extra``. Scopus' 2020 layout has a header one column short:
rows whose funding has two texts carry an unnamed "Funding Text 2" field after "Funding Text
1", so 56 of 58 rows have 46 fields under a 45-name header; those rows are read with the
missing name put back in place. Dimensions writes a one-line note above the header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from urllib.parse import unquote

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ImportWarning,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    clean_author,
    clean_title,
    first,
    year_warning,
)
from reviewflow.vocab import BIBLIOGRAPHIC_FIELDS

__all__ = ["NATIVE_ID_KEYS", "CsvImporter", "guess_column_map", "split_author_cell"]

#: Column-map keys naming the column that holds the source's own record id; it becomes
#: the native part of ``record_id`` (``<search_id>:<native id>``).
NATIVE_ID_KEYS = ("native_id", "record_id")

#: Header names (lower case) that mean a record field, in order of preference.
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "item title", "primary title", "ti"),
    "abstract": ("abstract", "ab", "abstract note", "abstract text"),
    "authors": ("authors", "author", "author/s", "author names", "author full names", "au"),
    "year": (
        "year", "publication year", "pubyear", "published year", "py", "year published",
        "publication date", "date published", "date",
    ),
    "journal": (
        "journal", "source title", "publication title", "publication", "journal title",
        "journal/book", "journal name", "source", "anthology title", "book title",
    ),
    "volume": ("volume", "journal volume", "vl"),
    "issue": ("issue", "journal issue", "issue number", "number", "is"),
    "pages": ("pages", "page", "pagination", "page range", "pg"),
    "doi": ("doi", "item doi", "di"),
    "pmid": ("pmid", "pubmed id", "pubmed_id"),
    "pmcid": ("pmcid",),
    "issn": ("issn", "issns", "print issn", "e-issn", "electronic issn"),
    "isbn": ("isbn", "isbns"),
    "keywords": ("keywords", "author keywords", "manual tags", "mesh terms", "ieee terms"),
    "publication_type": (
        "publication type", "document type", "content type", "item type", "publication_type",
    ),
    "entry_type": ("entry_type", "entrytype", "type"),
    "language": ("language", "language of original document"),
    "url": ("url", "link", "dimensions url", "external url", "source urls", "pdf link"),
}  # fmt: skip
_START_PAGE = ("start page", "page start", "first page", "beginning page")
_END_PAGE = ("end page", "page end", "last page", "ending page")
#: Header names of the source's own record id (Lens, Dimensions, Zotero, Covidence, ...).
_NATIVE = (
    "native_id", "record_id", "lens id", "publication id", "eid", "accession number",
    "ut (unique wos id)", "covidence #", "key", "id", "an",
)  # fmt: skip


def guess_column_map(header: list[str]) -> dict[str, list[str]]:
    """``{field: [columns]}`` from header names that plainly mean a record field.

    ``native_id`` is the column of the source's own record id; ``page_start`` and
    ``page_end`` are columns that make ``pages`` when no column holds the range.
    """
    lower: dict[str, str] = {}
    for name in header:
        lower.setdefault(name.strip().lower(), name)
    found: dict[str, list[str]] = {}
    for field in BIBLIOGRAPHIC_FIELDS:
        columns = [lower[a] for a in dict.fromkeys((field, *_ALIASES.get(field, ()))) if a in lower]
        if columns:
            found[field] = columns
    for key, aliases in (("page_start", _START_PAGE), ("page_end", _END_PAGE)):
        columns = [lower[a] for a in aliases if a in lower]
        if columns:
            found[key] = columns
    native = [lower[a] for a in _NATIVE if a in lower]
    if native:
        found["native_id"] = native[:1]
    return found


def _person_parts(parts: list[str]) -> list[str]:
    """``["Smith", "J.", "Jones", "K."]`` -> ``["Smith, J.", "Jones, K."]``; whole names
    (``["Joseph Rottman", "Erran Carmel"]``) are kept as they are."""
    parts = [p.strip() for p in parts if p.strip()]
    if all(len(p.split()) >= 2 for p in parts):
        return parts
    if len(parts) % 2 == 0:
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    return [", ".join(parts)]


def split_author_cell(cell: str) -> list[str]:
    """The authors of one table cell, whichever separator the source used: ``;`` (Scopus,
    Lens, Dimensions, Zotero), ``|``, `` and `` (Rayyan), or ``,`` between whole names
    (IEEE: ``Joseph Rottman, Erran Carmel``) or between surname and initials."""
    text = cell.strip()
    if not text:
        return []
    for separator in (";", "|"):
        if separator in text:
            return [p.strip() for p in text.split(separator) if p.strip()]
    if re.search(r"\s+and\s+", text):
        return [p.strip() for p in re.split(r"\s+and\s+", text) if p.strip()]
    if "," in text:
        return _person_parts(text.split(","))
    return [text]


#: Particles that start a surname glued to the given name before it (``McDonald``).
_GLUE_PARTICLES = re.compile(r"(?:^|\s)(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Des|Del|Della)$")


def split_glued_names(cell: str) -> list[str]:
    """Springer Link writes authors with no separator (``Andy SmithTom Weber``): a name
    ends where a lower-case letter meets an upper-case one, unless that upper case letter
    continues a surname particle (``McDonald``, ``DiCaprio``)."""
    pieces = re.split(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])", cell.strip())
    names: list[str] = []
    for piece in pieces:
        if names and _GLUE_PARTICLES.search(names[-1]):
            names[-1] += piece
        else:
            names.append(piece)
    return [n.strip() for n in names if n.strip()]


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


#: Keys a column map may name besides the record fields.
_MAP_KEYS = frozenset({*BIBLIOGRAPHIC_FIELDS, "native_id", "page_start", "page_end"})


class _UsedColumns(dict[str, str]):
    """A row that remembers which columns were read, so the rest can go to ``extra``."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.used: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str:  # type: ignore[override]
        self.used.add(key)
        return super().get(key, default if default is not None else "")


def _generic(row: _UsedColumns, mapping: Mapping[str, list[str]]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for field, columns in mapping.items():
        if field in BIBLIOGRAPHIC_FIELDS:
            fields[field] = first(*(row.get(c, "") for c in columns))
    if not fields.get("pages") and "page_start" in mapping:
        start = first(*(row.get(c, "") for c in mapping.get("page_start", [])))
        end = first(*(row.get(c, "") for c in mapping.get("page_end", [])))
        fields["pages"] = f"{start}-{end}" if start and end and start != end else start
    if "abstract" in fields:
        fields["abstract"] = clean_abstract(fields["abstract"])
    if "title" in fields:
        fields["title"] = clean_title(fields["title"])
    return fields


def _authors(cell: object, layout: str) -> list[str]:
    text = str(cell or "")
    if layout == "Springer" and not re.search(r"[;,|]", text):
        names = split_glued_names(text)
    else:
        names = split_author_cell(text)
    return [a for a in (clean_author(n) for n in names) if a.strip()]


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
    if {"Item Title", "Item DOI", "Publication Title"} <= names:
        return "Springer"
    return ""


_LAYOUTS = {"Scopus": _scopus, "Embase": _embase, "PubMed": _pubmed}


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of each row; a cell may hold line breaks, so lines are counted."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(
                f"unreadable CSV row: {exc}", path=None, line=reader.line_num
            ) from exc
        yield line, row
        line = reader.line_num + 1


def _header(text: str) -> tuple[str, int]:
    """The delimiter and the index of the header row: the first of the first five rows
    that names a title column (Dimensions writes a note above it), else the first row."""
    best: tuple[int, str, int] = (-1, ",", 0)
    first_line = text.split("\n", 1)[0]
    for delimiter in sorted(",;\t", key=lambda d: -first_line.count(d)):
        try:
            for index, (_, row) in enumerate(_rows(text, delimiter)):
                if index >= 5:
                    break
                cells = [c.strip().lower() for c in row]
                if len(cells) >= 2 and any(a in cells for a in _ALIASES["title"]):
                    if len(cells) > best[0]:
                        best = (len(cells), delimiter, index)
                    break
        except ImportFormatError:
            continue
    if best[0] < 0:
        delimiter = max(",;\t", key=first_line.count)
        return delimiter, 0
    return best[1], best[2]


class CsvImporter:
    """CSV tables: Scopus, Embase, PubMed, Springer layouts; any table by its header names,
    with a column map for what they do not say."""

    name = "csv"
    description = "CSV (Scopus, Embase, PubMed, Springer, IEEE, Dimensions, Lens, ...; column_map)"

    def parse(
        self, text: str, path: str, *, column_map: Mapping[str, str] | None = None
    ) -> ParsedExport:
        text = text.lstrip("\ufeff")
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, len(text) + 1))  # a 50 MB abstract is still a cell
        try:
            return self._parse(text, path, dict(column_map or {}))
        except ImportFormatError as error:
            if error.path is None:
                raise ImportFormatError(
                    error.message, path=path, line=error.line, field=error.field
                ) from error
            raise
        finally:
            csv.field_size_limit(limit)

    def _parse(self, text: str, path: str, column_map: dict[str, str]) -> ParsedExport:
        warnings: list[ImportWarning] = []
        delimiter, header_index = _header(text)
        rows = _rows(text, delimiter)
        for _ in range(header_index):
            next(rows)
        try:
            header_line, raw_header = next(rows)
        except StopIteration:
            raise ImportFormatError("empty CSV file", path=path, line=1) from None
        header = [h.strip() for h in raw_header]
        if header_index:
            warnings.append(
                ImportWarning(
                    1, f"{header_index} line(s) above the header row (line {header_line}) skipped"
                )
            )
        layout = _layout(header)
        mapping = guess_column_map(header)
        self._check_column_map(column_map, header, path)
        for key, column in column_map.items():
            mapping["native_id" if key in NATIVE_ID_KEYS else key] = [column]
        if layout not in _LAYOUTS and "title" not in mapping:
            raise ImportFormatError(
                "the CSV has no title column; name it with --column-map "
                "title='<column>' (or column_map: {title: '<column>'} in the imports "
                f"config). Columns: {', '.join(header)}",
                path=path,
                line=header_line,
                field="title",
            )
        wide_header = header
        if "Funding Text 1" in header and "Funding Text 2" not in header:
            at = header.index("Funding Text 1") + 1
            wide_header = [*header[:at], "Funding Text 2", *header[at:]]
        records = []
        for number, row in rows:
            if not any(cell.strip() for cell in row):
                continue
            names = header
            if len(row) == len(wide_header) and wide_header is not header:
                names = wide_header
            elif len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
                raise ImportFormatError(
                    f"{len(row)} fields under a {len(header)}-column header",
                    path=path,
                    line=number,
                )
            values = _UsedColumns(
                {n: (c if c is not None else "") for n, c in zip(names, row, strict=False)}
            )
            if layout in _LAYOUTS:
                fields, native = _LAYOUTS[layout](values)
                override = {k: v for k, v in mapping.items() if k in column_map}
                fields.update(_generic(values, override))
            else:
                fields = _generic(values, mapping)
                fields["authors"] = _authors(fields.get("authors", ""), layout)
                native = ""
            if "native_id" in mapping and (layout not in _LAYOUTS or "native_id" in column_map):
                native = first(*(values.get(c, "") for c in mapping["native_id"]))
            extra = {k: v for k, v in values.items() if k not in values.used and str(v).strip()}
            fields["extra"] = extra
            found = year_warning(str(fields.get("year", "")), number, "year")
            if found:
                warnings.append(found)
            records.append(ParsedRecord(fields, str(native).strip(), number, layout))
        if not records:  # a search without hits exports the header alone
            warnings.append(ImportWarning(header_line, "no rows under the CSV header"))
        return ParsedExport(records, self.name, layout, warnings=warnings)

    @staticmethod
    def _check_column_map(column_map: Mapping[str, str], header: list[str], path: str) -> None:
        unknown = sorted(set(column_map) - _MAP_KEYS - set(NATIVE_ID_KEYS))
        if unknown:
            raise ImportFormatError(
                f"column map keys must be record fields or 'native_id'; unknown: "
                f"{', '.join(unknown)} (fields: {', '.join(sorted(_MAP_KEYS))})",
                path=path,
                field=unknown[0],
            )
        for field, column in column_map.items():
            if column not in header:
                raise ImportFormatError(
                    f"the column map names column {column!r} (--column-map "
                    f"{field}='{column}'), which the CSV header lacks; columns: "
                    f"{', '.join(header)}",
                    path=path,
                    line=1,
                    field=field,
                )
