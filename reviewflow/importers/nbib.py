"""MEDLINE / PubMed ``.nbib`` text (PubMed "Send to: Citation manager"), via Bio.Medline.

Biopython's parser handles the 6-space continuation lines and repeated tags; here the tags
are mapped onto the record model: full author names (``FAU``) over initials (``AU``), the
DOI from ``LID``/``AID`` ``[doi]`` values, the journal's full title (``JT``), author
keywords (``OT``) then MeSH headings (``MH``) as keywords.
"""

from __future__ import annotations

import io
import re

from Bio import Medline

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    first,
    split_lines,
)

__all__ = ["NbibImporter", "medline_fields"]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _tagged(values: list[str], kind: str) -> str:
    for value in values:
        if value.strip().endswith(f"[{kind}]"):
            return value.rsplit("[", 1)[0].strip()
    return ""


def medline_fields(rec: dict[str, object]) -> dict[str, object]:
    """Record-model fields of one MEDLINE record (a ``Bio.Medline.Record``)."""
    ids = _as_list(rec.get("LID")) + _as_list(rec.get("AID"))
    pmid = first(rec.get("PMID"))
    publication_types = _as_list(rec.get("PT"))
    is_book = any(p.lower() in {"book", "books"} for p in publication_types) or bool(rec.get("BTI"))
    return {
        "title": first(rec.get("TI"), rec.get("BTI"), rec.get("TT")),
        "abstract": clean_abstract(first(rec.get("AB"))),
        "authors": _as_list(rec.get("FAU")) or _as_list(rec.get("AU")) or _as_list(rec.get("CN")),
        "year": first(rec.get("DP"), rec.get("DEP"), rec.get("DA")),
        "journal": first(rec.get("JT"), rec.get("TA")),
        "volume": first(rec.get("VI")),
        "issue": first(rec.get("IP")),
        "pages": first(rec.get("PG")),
        "doi": _tagged(ids, "doi"),
        "pmid": pmid,
        "pmcid": first(rec.get("PMC")),
        "issn": " ".join(_as_list(rec.get("IS"))),
        "isbn": " ".join(_as_list(rec.get("ISBN"))),
        "keywords": _as_list(rec.get("OT")) + [m.lstrip("*") for m in _as_list(rec.get("MH"))],
        "publication_type": "; ".join(publication_types),
        "entry_type": "book" if is_book else "article",
        "language": first(rec.get("LA")),
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
    }


class NbibImporter:
    """MEDLINE text (``.nbib``, ``.txt``) as PubMed and Ovid MEDLINE write it."""

    name = "nbib"
    description = "MEDLINE/PubMed text (.nbib)"

    def parse(self, text: str, path: str) -> ParsedExport:
        lines = split_lines(text.lstrip("\ufeff"))
        starts = [
            number
            for number, line in enumerate(lines, start=1)
            if line.strip() and (number == 1 or not lines[number - 2].strip())
        ]
        for number, text_line in enumerate(lines, start=1):
            if text_line.strip() and not re.match(r"[A-Z][A-Z0-9 ]{1,3}-|\s{2,}\S", text_line):
                raise ImportFormatError(
                    f"not a MEDLINE line: {text_line[:60]!r} (expected 'TAG - value' or a "
                    "continuation line indented by spaces)",
                    path=path,
                    line=number,
                )
        try:
            parsed = list(Medline.parse(io.StringIO("\n".join(lines) + "\n")))  # type: ignore[no-untyped-call]
        except (ValueError, KeyError) as exc:
            raise ImportFormatError(f"cannot parse MEDLINE text: {exc}", path=path) from exc
        records = []
        for index, rec in enumerate(parsed):
            line = starts[index] if index < len(starts) else 0
            if not rec.get("PMID") and not rec.get("TI"):
                raise ImportFormatError(
                    "MEDLINE record without PMID and title", path=path, line=line, field="PMID"
                )
            pmid = first(rec.get("PMID"))
            records.append(ParsedRecord(medline_fields(rec), pmid, line, "PubMed"))
        if not records:
            raise ImportFormatError("no MEDLINE records found (no 'PMID- ' line)", path=path)
        return ParsedExport(records, self.name, "PubMed")
