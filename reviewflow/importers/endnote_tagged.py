"""EndNote / Refer tagged text (``.enw``): ``%T`` title, ``%A`` author, ``%X`` abstract, ...

Publishers' "Download citation" buttons write this format loosely: AIS eLibrary puts
``%T`` before ``%0`` and leaves ``%0`` and ``%A`` out of tables of contents, so records are
separated by blank lines, or by a second ``%0`` inside one block. A ``%0`` (the reference
type) followed by another ``%0`` with nothing between them is a type that was overwritten,
not a record: the second type counts, and no empty record is made.
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

__all__ = ["EndnoteTaggedImporter", "iter_tagged_records"]

_TAG = re.compile(r"^%([0-9A-Z@!#$&()*+^~>?])(?:\s(.*))?$")
_LINE_PER_VALUE = frozenset({"K", "A", "E"})

#: Tags a record field is read from; everything else goes to ``extra``.
_MAPPED = frozenset(
    {
        "0",
        "T",
        "X",
        "A",
        "D",
        "8",
        "J",
        "B",
        "V",
        "N",
        "P",
        "R",
        "@",
        "K",
        "9",
        "G",
        "U",
        "M",
        "~",
        "W",
    }
)


def iter_tagged_records(
    lines: list[str], path: str, warnings: list[ImportWarning]
) -> Iterator[TaggedRecord]:
    """Yield each record (a block between blank lines, or from one ``%0`` to the next)."""
    record = TaggedRecord(0)
    last = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line.strip():
            if record.tags:
                yield record
            record, last = TaggedRecord(0), ""
            continue
        match = _TAG.match(line)
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "0" and "0" in record.tags:
                if set(record.tags) == {"0"}:  # "%0 Serial" then "%0 Audio": retyped
                    warnings.append(
                        ImportWarning(
                            record.lines["0"],
                            f"reference type {record.tags['0'][-1]!r} is followed by "
                            f"another type ({value!r}) with no fields between; the second "
                            "one is used",
                            "%0",
                        )
                    )
                    record = TaggedRecord(0)
                else:
                    yield record
                    record = TaggedRecord(0)
            if not record.tags:
                record.start = number
            record.add(tag, value, number)
            last = tag
        elif record.tags and last:
            values = record.tags[last]
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
    if record.tags:
        yield record


def tagged_fields(record: TaggedRecord) -> tuple[dict[str, object], str, str]:
    """Record-model fields, native id and database of one tagged record."""
    tags = record.tags
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
        "extra": record.extra(_MAPPED),
    }
    native = first(tags.get("M")) or doi
    return fields, native, first(tags.get("~"), tags.get("W"))


class EndnoteTaggedImporter:
    """EndNote tagged text (``.enw``)."""

    name = "endnote_tagged"
    description = "EndNote tagged text (.enw, %T/%A tags)"

    def parse(self, text: str, path: str) -> ParsedExport:
        warnings: list[ImportWarning] = []
        records = []
        for record in iter_tagged_records(split_lines(text), path, warnings):
            fields, native, database = tagged_fields(record)
            found = year_warning(first(record.tags.get("D")), record.lines.get("D"), "%D")
            if found:
                warnings.append(found)
            records.append(ParsedRecord(fields, native, record.start, database))
        if not records:
            raise ImportFormatError("no EndNote tagged records ('%T ...' lines)", path=path)
        databases = {r.database for r in records}
        database = databases.pop() if len(databases) == 1 else ""
        warnings.sort(key=lambda w: w.line or 0)
        return ParsedExport(records, self.name, database, warnings=warnings)
