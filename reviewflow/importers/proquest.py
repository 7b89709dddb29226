"""ProQuest "full record" text exports (ProQuest Central, Dissertations & Theses, ABI/INFORM).

ProQuest's text download opens with a report header and a table of contents, then gives
each record as ``Document 1 of 100``, the title, the document link, and ``Label: value``
fields, up to a line of underscores; a bibliography in another citation style may follow
the last record and is not read. A value goes on over the lines that follow its label
(abstract paragraphs, link lists) until the next label: a known ProQuest label, or any
short ``Label:`` line outside an abstract (an abstract paragraph may well start
``Results:``). Labels no record field is read from go to ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ImportWarning,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    first,
    split_lines,
    year_warning,
)

__all__ = ["ProQuestImporter", "iter_proquest_records"]

_DOCUMENT = re.compile(r"^Document (\d+) of (\d+)\s*$")
_SEPARATOR = re.compile(r"^_{10,}\s*$")
_LABEL = re.compile(
    r"^([A-Z][A-Za-z0-9 /()&.,'-]{0,50}?):\s(.*)$|^([A-Z][A-Za-z0-9 /()&.,'-]{0,50}?):$"
)

#: Record field -> ProQuest labels, in order of preference.
_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("Title",),
    "abstract": ("Abstract", "Abstract (summary)", "Abstract (English)"),
    "authors": ("Author", "Authors", "Author(s)"),
    "year": ("Publication year", "Year", "Publication date", "Degree date"),
    "journal": ("Publication title", "Source title"),
    "volume": ("Volume",),
    "issue": ("Issue",),
    "pages": ("Pages",),
    "doi": ("DOI",),
    "issn": ("ISSN", "e-ISSN"),
    "isbn": ("ISBN", "e-ISBN"),
    "keywords": ("Identifier / keyword", "Subject", "MeSH", "Keywords"),
    "publication_type": ("Document type", "Source type"),
    "language": ("Language", "Language of publication"),
    "url": ("Document URL",),
}
#: Other labels ProQuest writes; with the ones above they end the value before them even
#: inside an abstract.
_KNOWN = frozenset(
    {label for labels in _LABELS.values() for label in labels}
    | {
        "Links", "Advisor", "Classification", "Committee member", "Copyright",
        "Country of publication", "Database", "Degree", "Department",
        "Dissertation/thesis number", "Number of pages", "Place of publication",
        "ProQuest document ID", "School code", "Source", "University location",
        "University/institution", "First page", "Last page", "Publisher", "Location",
        "Company / organization", "People", "Publication subject", "Peer reviewed",
        "Accession number", "Last updated", "Section", "Author e-mail address",
        "Affiliation", "Full text", "Publication date", "Edition", "Name", "Notes",
    }
)  # fmt: skip
_URL = re.compile(r"^\s*https?://\S+\s*$")
_LINK_LABELS = frozenset({"Links", "Document URL"})
_FREE_TEXT = frozenset({"Abstract", "Abstract (summary)", "Abstract (English)", "Full text"})


def iter_proquest_records(
    lines: list[str], warnings: list[ImportWarning]
) -> Iterator[tuple[int, str, dict[str, list[str]]]]:
    """``(line, display title, {label: [values]})`` for every ``Document n of m``."""
    record: dict[str, list[str]] | None = None
    start = 0
    display = ""
    label = ""
    stated = 0
    found = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        header = _DOCUMENT.match(line)
        if header:
            if record is not None:
                yield start, display, record
            found += 1
            stated = int(header.group(2))
            record, start, display, label = {}, number, "", ""
            continue
        if record is None:
            continue  # report header, table of contents, trailing bibliography
        if _SEPARATOR.match(line):
            yield start, display, record
            record = None
            continue
        if not line.strip():
            continue
        match = _LABEL.match(line)
        name = (match.group(1) or match.group(3)) if match else ""
        if match and (name in _KNOWN or (display and label not in _FREE_TEXT)):
            label = name
            record.setdefault(label, []).append((match.group(2) or "").strip())
        elif not display:
            display = line.strip()  # the title line under the header
        elif _URL.match(line):  # the document link under the title, or one more link
            record.setdefault(label if label in _LINK_LABELS else "Document URL", []).append(
                line.strip()
            )
        elif label:
            values = record[label]
            values[-1] = f"{values[-1]} {line.strip()}".strip()
    if record is not None:
        yield start, display, record
    if stated and found != stated:
        warnings.append(
            ImportWarning(None, f"the file says it holds {stated} documents, {found} were found")
        )


def _entry_type(document_type: str) -> str:
    kind = document_type.lower()
    for word, entry in (
        ("dissertation", "phdthesis"),
        ("thesis", "phdthesis"),
        ("chapter", "incollection"),
        ("book", "book"),
        ("conference", "inproceedings"),
        ("report", "techreport"),
        ("article", "article"),
    ):
        if word in kind:
            return entry
    return "misc"


class ProQuestImporter:
    """ProQuest full-record text (``Document 1 of n`` ... ``Label: value``)."""

    name = "proquest"
    description = "ProQuest text export (Document 1 of n / Title: / Abstract: ...)"

    def parse(self, text: str, path: str) -> ParsedExport:
        warnings: list[ImportWarning] = []
        records = []
        for start, display, labels in iter_proquest_records(split_lines(text), warnings):
            get = {
                field: next((labels[name] for name in names if name in labels), [])
                for field, names in _LABELS.items()
            }
            used = {next((n for n in names if n in labels), "") for names in _LABELS.values()}
            keywords = [
                k.strip()
                for name in ("Identifier / keyword", "Subject", "MeSH", "Keywords")
                for value in labels.get(name, [])
                for k in re.split(r";\s*|,\s+(?=[A-Z\d])" if "keyword" in name else r";\s*", value)
                if k.strip()
            ]
            used |= {"Identifier / keyword", "Subject", "MeSH", "Keywords", "ProQuest document ID"}
            used |= {"Database", "ISSN", "e-ISSN", "ISBN", "e-ISBN"}
            pages = first(get["pages"])
            if not pages and labels.get("First page"):
                last = first(labels.get("Last page"))
                pages = "-".join(p for p in (first(labels["First page"]), last) if p)
                used |= {"First page", "Last page"}
            publication_type = first(get["publication_type"])
            fields: dict[str, object] = {
                "title": first(get["title"]) or display,
                "abstract": clean_abstract(" ".join(get["abstract"])),
                "authors": [a for value in get["authors"] for a in value.split(";") if a.strip()],
                "year": first(get["year"]),
                "journal": first(get["journal"]),
                "volume": first(get["volume"]),
                "issue": first(get["issue"]),
                "pages": pages,
                "doi": first(get["doi"]),
                "issn": " ".join(labels.get("ISSN", []) + labels.get("e-ISSN", [])),
                "isbn": " ".join(labels.get("ISBN", []) + labels.get("e-ISBN", [])),
                "keywords": keywords,
                "publication_type": publication_type,
                "entry_type": _entry_type(publication_type),
                "language": first(get["language"]),
                "url": first(get["url"]),
                "extra": {
                    label: values if len(values) > 1 else values[0]
                    for label, values in labels.items()
                    if label not in used and any(values)
                },
            }
            found = year_warning(first(get["year"]), start, "Publication year")
            if found:
                warnings.append(found)
            database = first(labels.get("Database"))
            native = first(labels.get("ProQuest document ID"))
            records.append(ParsedRecord(fields, native, start, database))
        if not records:
            raise ImportFormatError(
                "no ProQuest records ('Document 1 of n' lines)", path=path, line=1
            )
        databases = {r.database for r in records if r.database}
        database = databases.pop() if len(databases) == 1 else ""
        return ParsedExport(records, self.name, database, warnings=warnings)
