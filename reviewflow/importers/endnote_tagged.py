"""EndNote / Refer tagged text (``.enw``): ``%T`` title, ``%A`` author, ``%X`` abstract, ...

Publishers' "Download citation" buttons write this format loosely: AIS eLibrary puts
``%T`` before ``%0`` and leaves ``%0`` and ``%A`` out of tables of contents, so records are
separated by blank lines, or by a second ``%0`` inside one block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ENTRY_TYPES,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    first,
    split_lines,
)

__all__ = ["EndnoteTaggedImporter", "iter_tagged_records"]

_TAG = re.compile(r"^%([0-9A-Z@!#$&()*+^~>?])\s?(.*)$")
_LINE_PER_VALUE = frozenset({"K", "A", "E"})


def iter_tagged_records(lines: list[str], path: str) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """Yield ``(start line, {tag letter: [values]})`` per record."""
    record: dict[str, list[str]] = {}
    start = 0
    last = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line.strip():
            if record:
                yield start, record
            record, last = {}, ""
            continue
        match = _TAG.match(line)
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "0" and "0" in record:
                yield start, record
                record = {}
            if not record:
                start = number
            record.setdefault(tag, []).append(value)
            last = tag
        elif record and last:
            values = record[last]
            if last in _LINE_PER_VALUE:
                values.append(line.strip())
            else:
                values[-1] = f"{values[-1]} {line.strip()}".strip()
        else:
            raise ImportFormatError(
                f"not an EndNote tagged line: {line[:60]!r} (expected '%X value')",
                path=path,
                line=number,
            )
    if record:
        yield start, record


def tagged_fields(tags: dict[str, list[str]]) -> tuple[dict[str, object], str, str]:
    """Record-model fields, native id and database of one tagged record."""
    type_name = first(tags.get("0"))
    doi = first(tags.get("R"))
    isbn_issn = " ".join(tags.get("@", []))
    entry_type = ENTRY_TYPES.get(type_name.upper(), "misc" if type_name else "")
    fields: dict[str, object] = {
        "title": first(tags.get("T")),
        "abstract": clean_abstract(" ".join(tags.get("X", []))),
        "authors": tags.get("A", []),
        "year": first(tags.get("D"), tags.get("8")),
        "journal": first(tags.get("J"), tags.get("B")),
        "volume": first(tags.get("V")),
        "issue": first(tags.get("N")),
        "pages": first(tags.get("P")),
        "doi": doi,
        "issn": isbn_issn,
        "isbn": isbn_issn if entry_type in {"book", "incollection"} else "",
        "keywords": [k for value in tags.get("K", []) for k in re.split(r"\s*;\s*", value) if k],
        "publication_type": first(tags.get("9"), type_name),
        "entry_type": entry_type,
        "language": first(tags.get("G")),
        "url": first(tags.get("U")),
    }
    native = first(tags.get("M")) or doi
    return fields, native, first(tags.get("~"), tags.get("W"))


class EndnoteTaggedImporter:
    """EndNote tagged text (``.enw``)."""

    name = "endnote_tagged"
    description = "EndNote tagged text (.enw, %T/%A tags)"

    def parse(self, text: str, path: str) -> ParsedExport:
        records = []
        for start, tags in iter_tagged_records(split_lines(text), path):
            fields, native, database = tagged_fields(tags)
            records.append(ParsedRecord(fields, native, start, database))
        if not records:
            raise ImportFormatError("no EndNote tagged records ('%T ...' lines)", path=path)
        databases = {r.database for r in records}
        return ParsedExport(records, self.name, databases.pop() if len(databases) == 1 else "")
