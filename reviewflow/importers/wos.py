"""Web of Science plain text: tagged (``.ciw``, ``.isi``, ``.txt``) and tab-delimited exports.

Tagged files open with ``FN``/``VR``, hold ``PT`` ... ``ER`` records whose continuation
lines are indented by three spaces, and close with ``EF``. Files re-saved by other tools
lose the indentation of continuation lines: a line that does not start with a tag goes on
the field before it. A missing ``EF`` or a last record without ``ER`` may mean the download
was cut off: read, with a warning to check the count. Reference lines continuing a field
other than ``CR`` mean the ``CR`` tag was lost, which would put references into addresses
or abstracts: refused. ``AR`` is an article number, not pages; it stays in ``extra``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
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
    parse_export_date,
    split_lines,
    year_warning,
)
from reviewflow.normalize import CorporateName

__all__ = ["WosImporter", "WosTabDelimitedImporter", "wos_fields"]

#: Tags whose continuation lines are further values (one author / address per line).
_LINE_PER_VALUE = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "C3", "RP"})
_CITED_REFERENCE = re.compile(r"^[^,]{2,80}, (?:1[5-9]|20)\d\d, [^,]+(?:, V\S+)?(?:, P\S+)?")
_DATABASES = {"WOS": "Web of Science", "MEDLINE": "MEDLINE", "BCI": "BIOSIS Citation Index"}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
#: Fields where a line like a cited reference is still just text (CR holds references).
_FREE_TEXT = frozenset({"CR", "TI", "AB", "DE", "ID", "FX", "FU", "SO", "SE", "BS", "CT"})

#: Tags a record field is read from; everything else goes to ``extra``.
_MAPPED = frozenset(
    {
        "PT", "UT", "PM", "BP", "EP", "PS", "AU", "AF", "CA", "GP", "TI", "AB", "PY", "PD",
        "EA", "SO", "SE", "J9", "VL", "IS", "DI", "D2", "SN", "EI", "BN", "DE", "ID", "DT",
        "LA", "DA",
    }
)  # fmt: skip


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(";") if v.strip()]


def wos_fields(record: TaggedRecord) -> tuple[dict[str, object], str, str, str]:
    """Record-model fields, native id (UT), database and export date of one WoS record."""
    tags = record.tags
    ut = first(tags.get("UT"))
    prefix = ut.split(":", 1)[0].upper() if ":" in ut else ""
    pmid = first(tags.get("PM"))
    if prefix == "MEDLINE" and not pmid:
        pmid = ut.split(":", 1)[1]
    start, end = first(tags.get("BP")), first(tags.get("EP"))
    pages = f"{start}-{end}" if start and end else (start or first(tags.get("PS")))
    pt = first(tags.get("PT")).upper()
    persons = tags.get("AF") or tags.get("AU") or []
    groups = [CorporateName(g) for g in _split(tags.get("CA", []) + tags.get("GP", []))]
    fields: dict[str, object] = {
        "title": " ".join(tags.get("TI", [])),
        "abstract": clean_abstract(" ".join(tags.get("AB", []))),
        "authors": [a for value in persons for a in value.split(";") if a.strip()] + groups,
        "year": first(tags.get("PY"), tags.get("PD"), tags.get("EA")),
        "journal": first(tags.get("SO"), tags.get("SE"), tags.get("J9")),
        "volume": first(tags.get("VL")),
        "issue": first(tags.get("IS")),
        "pages": pages,
        "doi": first(tags.get("DI"), tags.get("D2")),
        "pmid": pmid,
        "issn": " ".join(tags.get("SN", []) + tags.get("EI", [])),
        "isbn": " ".join(tags.get("BN", [])),
        "keywords": _split(tags.get("DE", [])) + _split(tags.get("ID", [])),
        "publication_type": first(tags.get("DT")),
        "entry_type": ENTRY_TYPES.get(pt, "misc") if pt else "",
        "language": first(tags.get("LA")),
        "url": (
            f"https://www.webofscience.com/wos/woscc/full-record/{ut}" if prefix == "WOS" else ""
        ),
        "extra": record.extra(_MAPPED),
    }
    database = _DATABASES.get(prefix, "Web of Science")
    return fields, ut, database, parse_export_date(first(tags.get("DA")))


def iter_wos_records(
    lines: list[str], path: str, warnings: list[ImportWarning]
) -> Iterator[TaggedRecord]:
    """Yield each ``PT`` ... ``ER`` record; refuse a file whose ``CR`` tag was lost."""
    record: TaggedRecord | None = None
    last = ""
    saw_ef = False
    unindented: list[int] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line:
            continue
        match = None if line[0].isspace() else _TAG_LINE.match(line)
        if match is None:
            if record is None or not last:
                raise ImportFormatError(
                    f"not a Web of Science tagged line, and outside a record: {line[:60]!r}",
                    path=path,
                    line=number,
                    field=last or None,
                )
            if not line[0].isspace():
                unindented.append(number)
            content = line.strip()
            if (
                last not in _FREE_TEXT
                and _CITED_REFERENCE.match(content)
                and re.search(r", (?:V\d|P\d|DOI )", content)
            ):
                raise ImportFormatError(
                    f"continuation line looks like a cited reference ({content[:50]!r}): the "
                    "'CR' tag line seems to be missing; export the records again",
                    path=path,
                    line=number,
                    field=last,
                )
            values = record.tags[last]
            if last in _LINE_PER_VALUE:
                values.append(content)
            else:
                values[-1] = f"{values[-1]} {content}"
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in {"FN", "VR"} and record is None:
            continue
        if tag == "EF":
            saw_ef = True
            continue
        if tag == "PT":
            if record is not None:
                warnings.append(
                    ImportWarning(
                        record.start,
                        f"the record starting here has no 'ER' line before the next 'PT' "
                        f"(line {number}); it is read as ending there",
                        "ER",
                    )
                )
                yield record
            record = TaggedRecord(number)
        elif record is None:
            raise ImportFormatError(
                f"tag {tag!r} outside a record (records start with 'PT')",
                path=path,
                line=number,
                field=tag,
            )
        if tag == "ER":
            yield record
            record, last = None, ""
            continue
        record.add(tag, value, number)
        last = tag
    if record is not None:
        warnings.append(
            ImportWarning(
                record.start,
                "the last record has no 'ER' line: the file may be cut short; check that "
                "record against the database",
                "ER",
            )
        )
        yield record
    elif not saw_ef:
        warnings.append(
            ImportWarning(
                len(lines),
                "no 'EF' end-of-file line: the export may be incomplete; check the record "
                "count against the database",
                "EF",
            )
        )
    if unindented:
        warnings.append(
            ImportWarning(
                unindented[0],
                f"{len(unindented)} continuation line(s) not indented; each is read as "
                "going on the field before it",
            )
        )


def _export(records: list[ParsedRecord], fmt: str, warnings: list[ImportWarning]) -> ParsedExport:
    databases = Counter(r.database for r in records if r.database)
    database = databases.most_common(1)[0][0] if databases else "Web of Science"
    warnings.sort(key=lambda w: w.line or 0)
    return ParsedExport(records, fmt, database, warnings=warnings)


class WosImporter:
    """Web of Science tagged plain text (``.ciw``, ``.isi``, ``.txt``)."""

    name = "wos"
    description = "Web of Science tagged plain text (FN/VR ... PT ... ER ... EF)"

    def parse(self, text: str, path: str) -> ParsedExport:
        records = []
        warnings: list[ImportWarning] = []
        for record in iter_wos_records(split_lines(text), path, warnings):
            fields, native, database, exported = wos_fields(record)
            found = year_warning(first(record.tags.get("PY")), record.lines.get("PY"), "PY")
            if found:
                warnings.append(found)
            records.append(ParsedRecord(fields, native, record.start, database, exported))
        if not records:
            if not re.match(r"\s*(?:\ufeff)?(?:FN|VR) ", text):
                raise ImportFormatError("no Web of Science records ('PT' lines)", path=path)
            warnings.append(ImportWarning(1, "a Web of Science export with no records"))
        return _export(records, self.name, warnings)


class WosTabDelimitedImporter:
    """Web of Science "Tab-delimited file" export (a header row of field tags)."""

    name = "wos_tabdelimited"
    description = "Web of Science tab-delimited text (header row PT, AU, ...)"

    def parse(self, text: str, path: str) -> ParsedExport:
        lines = split_lines(text.lstrip("\ufeff"))
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ImportFormatError("empty file", path=path, line=1) from None
        if "TI" not in header or "PT" not in header:
            raise ImportFormatError(
                "not a Web of Science tab-delimited export (no 'PT'/'TI' columns in the header)",
                path=path,
                line=1,
                field="TI",
            )
        records = []
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
                raise ImportFormatError(
                    f"{len(row)} fields under a {len(header)}-column header",
                    path=path,
                    line=number,
                )
            record = TaggedRecord(number)
            for tag, cell in zip(header, row, strict=False):
                if cell.strip():
                    record.add(tag, cell.strip(), number)
            for tag in ("AU", "AF", "C1"):
                if tag in record.tags:
                    record.tags[tag] = _split(record.tags[tag])
            fields, native, database, exported = wos_fields(record)
            records.append(ParsedRecord(fields, native, number, database, exported))
        if not records:
            raise ImportFormatError("no records under the header", path=path, line=2)
        return _export(records, self.name, [])
