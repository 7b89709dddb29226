"""Web of Science plain text: tagged (``.ciw``, ``.isi``, ``.txt``) and tab-delimited exports.

Tagged files open with ``FN``/``VR``, hold ``PT`` ... ``ER`` records whose continuation
lines are indented by three spaces, and close with ``EF``. A missing ``EF`` or a record
without ``ER`` means the download was cut off; reference lines continuing a field other than
``CR`` mean the ``CR`` tag was lost. Both are refused rather than imported half-right.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ENTRY_TYPES,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    first,
    parse_export_date,
    split_lines,
)

__all__ = ["WosImporter", "WosTabDelimitedImporter", "wos_fields"]

#: Tags whose continuation lines are further values (one author / address per line).
_LINE_PER_VALUE = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "C3", "RP"})
_CITED_REFERENCE = re.compile(r"^[^,]{2,80}, (?:1[5-9]|20)\d\d, [^,]+(?:, V\S+)?(?:, P\S+)?")
_DATABASES = {"WOS": "Web of Science", "MEDLINE": "MEDLINE", "BCI": "BIOSIS Citation Index"}


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(";") if v.strip()]


def wos_fields(tags: dict[str, list[str]]) -> tuple[dict[str, object], str, str, str]:
    """Record-model fields, native id (UT), database and export date of one WoS record."""
    ut = first(tags.get("UT"))
    prefix = ut.split(":", 1)[0].upper() if ":" in ut else ""
    pmid = first(tags.get("PM"))
    if prefix == "MEDLINE" and not pmid:
        pmid = ut.split(":", 1)[1]
    start, end = first(tags.get("BP")), first(tags.get("EP"))
    pages = f"{start}-{end}" if start and end else (start or first(tags.get("PS"), tags.get("AR")))
    pt = first(tags.get("PT")).upper()
    authors = tags.get("AF") or tags.get("AU") or tags.get("CA") or tags.get("GP") or []
    fields: dict[str, object] = {
        "title": " ".join(tags.get("TI", [])),
        "abstract": clean_abstract(" ".join(tags.get("AB", []))),
        "authors": "; ".join(authors),
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
    }
    database = _DATABASES.get(prefix, "Web of Science")
    return fields, ut, database, parse_export_date(first(tags.get("DA")))


def iter_wos_records(lines: list[str], path: str) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """Yield ``(start line, {tag: [values]})``; refuse truncated or mangled files."""
    record: dict[str, list[str]] | None = None
    start = 0
    last = ""
    saw_ef = False
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line:
            continue
        if line.startswith("   ") or (line.startswith(" ") and record is not None):
            if record is None or not last:
                raise ImportFormatError(
                    "continuation line outside a record", path=path, line=number, field=last
                )
            content = line.strip()
            if (
                last != "CR"
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
            values = record[last]
            if last in _LINE_PER_VALUE:
                values.append(content)
            else:
                values[-1] = f"{values[-1]} {content}"
            continue
        tag, _, value = line.partition(" ")
        if not re.fullmatch(r"[A-Z][A-Z0-9]", tag):
            raise ImportFormatError(
                f"not a Web of Science tagged line: {line[:60]!r}", path=path, line=number
            )
        if tag in {"FN", "VR"} and record is None:
            continue
        if tag == "EF":
            saw_ef = True
            continue
        if tag == "PT":
            if record is not None:
                raise ImportFormatError(
                    f"record from line {start} has no 'ER' line before the next 'PT' line",
                    path=path,
                    line=start,
                    field="ER",
                )
            record, start = {}, number
        elif record is None:
            raise ImportFormatError(
                f"tag {tag!r} outside a record (records start with 'PT')",
                path=path,
                line=number,
                field=tag,
            )
        if tag == "ER":
            yield start, record
            record, last = None, ""
            continue
        record.setdefault(tag, []).append(value.strip())
        last = tag
    if record is not None:
        raise ImportFormatError(
            f"the last record (from line {start}) has no 'ER' line: the export is truncated",
            path=path,
            line=start,
            field="ER",
        )
    if not saw_ef:
        raise ImportFormatError(
            "no 'EF' end-of-file line: the export is incomplete; download it again",
            path=path,
            line=len(lines),
            field="EF",
        )


def _export(records: list[ParsedRecord], fmt: str) -> ParsedExport:
    databases = Counter(r.database for r in records if r.database)
    database = databases.most_common(1)[0][0] if databases else "Web of Science"
    return ParsedExport(records, fmt, database)


class WosImporter:
    """Web of Science tagged plain text (``.ciw``, ``.isi``, ``.txt``)."""

    name = "wos"
    description = "Web of Science tagged plain text (FN/VR ... PT ... ER ... EF)"

    def parse(self, text: str, path: str) -> ParsedExport:
        records = []
        for start, tags in iter_wos_records(split_lines(text), path):
            fields, native, database, exported = wos_fields(tags)
            records.append(ParsedRecord(fields, native, start, database, exported))
        if not records:
            raise ImportFormatError("no Web of Science records ('PT' lines)", path=path)
        return _export(records, self.name)


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
            tags = {h: [c.strip()] for h, c in zip(header, row, strict=False) if c.strip()}
            for tag in ("AU", "AF", "CA", "C1"):
                if tag in tags:
                    tags[tag] = _split(tags[tag])
            fields, native, database, exported = wos_fields(tags)
            records.append(ParsedRecord(fields, native, number, database, exported))
        if not records:
            raise ImportFormatError("no records under the header", path=path, line=2)
        return _export(records, self.name)
