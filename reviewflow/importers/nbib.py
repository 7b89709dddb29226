"""MEDLINE tagged text: PubMed's ``.nbib`` ("Send to: Citation manager"), Ovid and ERIC.

A line is ``TAG- value`` with the tag padded to four characters (``PMID- ``, ``TI  - ``,
``FAU - ``); a value goes on over lines indented by six spaces; a blank line ends a
record. ERIC writes the same format with the dash one column later (``ISSN - ISSN-1234``,
``OID - EJ1131633``). A line that is neither (a note pasted into the file) is skipped with
a warning rather than failing the whole file.

Tags are mapped onto the record model: full author names (``FAU``) over initials (``AU``),
collective names (``CN``) as one name each, the DOI from ``LID``/``AID`` (``[doi]`` values
or DOI links), the journal's full title (``JT``), author keywords (``OT``) then MeSH
headings (``MH``) as keywords. Other tags go to ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ImportWarning,
    ParsedExport,
    ParsedRecord,
    TaggedRecord,
    clean_abstract,
    first,
    split_lines,
    year_warning,
)
from reviewflow.normalize import CorporateName, normalize_doi

__all__ = ["NbibImporter", "iter_medline_records", "medline_fields"]

# "PMID- 1", "TI  - x", "ISSN - x" (ERIC), "PMC -PMC1", "TI-" (empty): the dash stands
# within the first seven columns.
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,4}) {0,3}-(?: ?)(.*)$")

#: Tags a record field is read from; everything else goes to ``extra``.
_MAPPED = frozenset(
    {
        "PMID", "TI", "BTI", "TT", "AB", "FAU", "AU", "CN", "DP", "DEP", "DA", "JT", "TA",
        "VI", "IP", "PG", "LID", "AID", "PMC", "IS", "ISSN", "ISBN", "OT", "MH", "PT", "LA",
    }
)  # fmt: skip


#: Tags only MEDLINE has: a file with none of them is not MEDLINE (RIS shares "TI  - ").
_MEDLINE_ONLY = frozenset(
    {"PMID", "OWN", "STAT", "FAU", "DCOM", "LR", "JT", "DP", "LID", "AID", "OID", "PHST", "SO"}
)


def _tag(line: str) -> tuple[str, str] | None:
    match = _TAG_LINE.match(line)
    if not match or line.index("-") > 6:
        return None
    return match.group(1), match.group(2).strip()


def iter_medline_records(lines: list[str], warnings: list[ImportWarning]) -> Iterator[TaggedRecord]:
    """Yield each blank-line separated record; skip (and warn about) stray lines."""
    record: TaggedRecord | None = None
    last = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        if not line.strip():
            if record is not None:
                yield record
            record, last = None, ""
            continue
        if line[0].isspace():
            if record is not None and last:
                values = record.tags[last]
                values[-1] = f"{values[-1]} {line.strip()}".strip()
                continue
            parsed = None
        else:
            parsed = _tag(line)
        if parsed is None:
            warnings.append(
                ImportWarning(
                    number,
                    f"not a MEDLINE line, skipped: {line.strip()[:60]!r} (expected "
                    "'TAG - value' or a continuation line indented by spaces)",
                )
            )
            continue
        tag, value = parsed
        if record is not None and tag == "PMID" and "PMID" in record.tags:
            yield record  # two records without the blank line between them
            record = None
        if record is None:
            record = TaggedRecord(number)
        record.add(tag, value, number)
        last = tag
    if record is not None:
        yield record


def _tagged(values: list[str], kind: str) -> str:
    for value in values:
        if value.strip().lower().endswith(f"[{kind}]"):
            return value.rsplit("[", 1)[0].strip()
    return ""


def _doi(ids: list[str]) -> str:
    """``10.x/y [doi]`` (PubMed); a DOI link or ``doi:`` value (ERIC writes
    ``AID - http://dx.doi.org/10.x/y``)."""
    tagged = _tagged(ids, "doi")
    if tagged:
        return tagged
    for value in ids:
        if re.search(r"doi\.org/|^\s*doi:", value, re.IGNORECASE) and normalize_doi(value):
            return value
    return ""


def medline_fields(tags: dict[str, list[str]]) -> dict[str, object]:
    """Record-model fields of one MEDLINE record (``{tag: [values]}``)."""
    get = tags.get
    ids = get("LID", []) + get("AID", [])
    pmid = first(get("PMID"))
    publication_types = get("PT", [])
    is_book = any(p.lower() in {"book", "books"} for p in publication_types) or bool(get("BTI"))
    persons = get("FAU") or get("AU") or []
    return {
        "title": first(get("TI"), get("BTI"), get("TT")),
        "abstract": clean_abstract(first(get("AB"))),
        "authors": [*persons, *(CorporateName(name) for name in get("CN", []))],
        "year": first(get("DP"), get("DEP"), get("DA")),
        "journal": first(get("JT"), get("TA")),
        "volume": first(get("VI")),
        "issue": first(get("IP")),
        "pages": first(get("PG")),
        "doi": _doi(ids),
        "pmid": pmid,
        "pmcid": first(get("PMC")),
        "issn": " ".join(get("IS", []) + get("ISSN", [])),
        "isbn": " ".join(get("ISBN", [])),
        "keywords": get("OT", []) + [m.lstrip("*") for m in get("MH", [])],
        "publication_type": "; ".join(p for p in publication_types if p),
        "entry_type": "book" if is_book else "article",
        "language": first(get("LA")),
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
    }


class NbibImporter:
    """MEDLINE text (``.nbib``, ``.txt``) as PubMed, Ovid MEDLINE and ERIC write it."""

    name = "nbib"
    description = "MEDLINE/PubMed text (.nbib; also ERIC)"

    def parse(self, text: str, path: str) -> ParsedExport:
        warnings: list[ImportWarning] = []
        records = []
        medline = False
        for record in iter_medline_records(split_lines(text), warnings):
            tags = record.tags
            medline = medline or not _MEDLINE_ONLY.isdisjoint(tags)
            fields = medline_fields(tags)
            owner = first(tags.get("OWN")).upper()
            database = "ERIC" if owner == "ERIC" else "PubMed"
            native = first(tags.get("PMID"))
            if not native and owner == "ERIC":
                native = first(tags.get("OID"))
            mapped = _MAPPED | ({"OID"} if native and native == first(tags.get("OID")) else set())
            fields["extra"] = record.extra(mapped)
            if not fields["pmid"] and not fields["title"]:
                warnings.append(
                    ImportWarning(record.start, "record without PMID and title", "PMID")
                )
            found = year_warning(first(tags.get("DP")), record.lines.get("DP"), "DP")
            if found:
                warnings.append(found)
            records.append(ParsedRecord(fields, native, record.start, database))
        if not medline:
            raise ImportFormatError(
                "no MEDLINE records found (no 'PMID- ', 'FAU - ', 'DP  - ' ... lines)",
                path=path,
                line=1,
            )
        databases = {r.database for r in records}
        database = databases.pop() if len(databases) == 1 else ""
        warnings.sort(key=lambda w: w.line or 0)
        return ParsedExport(records, self.name, database, warnings=warnings)
