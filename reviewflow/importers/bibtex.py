"""BibTeX exports (Scopus, Web of Science, Crossref, reference managers), via bibtexparser v2.

Vendor quirks handled: Scopus writes ``Scopus`` / ``EXPORT DATE: 08 July 2023`` lines before
the first entry (kept as the export date); WoS writes keys with a leading space
(``{ WOS:000278542800018,``), capitalised field names and LaTeX escapes (``\\&``, ``\\_``);
Scopus does *not* escape ``%`` in abstracts, so a bare ``%`` is text, not a comment.
"""

from __future__ import annotations

import re

import bibtexparser

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ENTRY_TYPES,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    clean_author,
    first,
    parse_export_date,
)

__all__ = ["BibtexImporter", "delatex"]


def delatex(value: str) -> str:
    """Plain text from a BibTeX value: escapes, accents and protective braces removed."""
    text = re.sub(r"\\([&_%#$])", r"\1", value)
    if re.search(r"\\[A-Za-z'`^\"~=.]", text):
        from pylatexenc.latex2text import LatexNodes2Text

        protected = re.sub(r"(?<!\\)%", r"\\%", text)
        try:
            text = LatexNodes2Text(math_mode="verbatim").latex_to_text(protected)
        except Exception:  # noqa: BLE001 - pylatexenc raises bare errors on odd input
            pass
    return re.sub(r"(?<!\\)[{}]", "", text).replace("\\{", "{").replace("\\}", "}")


def _keywords(value: str) -> list[str]:
    return [k.strip() for k in re.split(r";\s*", value) if k.strip()]


def bibtex_fields(entry_type: str, fields: dict[str, str]) -> tuple[dict[str, object], str, str]:
    """Record-model fields, native id and database of one entry (field names lower case)."""
    get = fields.get
    authors = [clean_author(a) for a in re.split(r"\s+and\s+", get("author", "")) if a.strip()]
    unique_id = get("unique-id", "")
    url = get("url", "")
    eid = re.search(r"[?&]eid=([\w.-]+)", url)
    source = get("source", "")
    database = ""
    if unique_id.upper().startswith("WOS:") or "web-of-science-index" in fields:
        database = "Web of Science"
    elif source.lower() == "scopus" or "scopus.com" in url:
        database = "Scopus"
    elif source:
        database = source
    keywords = _keywords(get("author_keywords", "")) + _keywords(get("keywords", ""))
    keywords += _keywords(get("keywords-plus", ""))
    pmid = get("pmid", "") or get("pubmed_id", "")
    doi = get("doi", "")
    native = unique_id or (eid.group(1) if eid else "") or pmid or doi
    record: dict[str, object] = {
        "title": get("title", ""),
        "abstract": clean_abstract(get("abstract", "")),
        "authors": authors,
        "year": get("year", "") or get("date", ""),
        "journal": first(get("journal"), get("journaltitle"), get("booktitle"), get("series")),
        "volume": get("volume", ""),
        "issue": first(get("number"), get("issue")),
        "pages": first(get("pages"), get("article-number"), get("art_number")),
        "doi": doi,
        "pmid": pmid,
        "pmcid": get("pmcid", ""),
        "issn": " ".join(v for v in (get("issn", ""), get("eissn", "")) if v),
        "isbn": get("isbn", ""),
        "keywords": keywords,
        "publication_type": first(get("type"), get("document_type")),
        "entry_type": ENTRY_TYPES.get(entry_type.upper(), entry_type.lower()),
        "language": get("language", ""),
        "url": url,
    }
    return record, native, database


class BibtexImporter:
    """BibTeX (``.bib``) from Scopus, Web of Science and reference managers."""

    name = "bibtex"
    description = "BibTeX (.bib; Scopus, Web of Science, reference managers)"

    def parse(self, text: str, path: str) -> ParsedExport:
        text = text.lstrip("\ufeff")
        library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
        if library.failed_blocks:
            block = library.failed_blocks[0]
            line = (getattr(block, "start_line", 0) or 0) + 1
            error = getattr(block, "error", None)
            raise ImportFormatError(
                f"BibTeX entry cannot be parsed ({type(error).__name__ if error else 'error'}): "
                f"{str(getattr(block, 'raw', ''))[:80]!r}",
                path=path,
                line=line,
            )
        exported = ""
        for comment in library.comments:
            match = re.search(r"EXPORT DATE:\s*(.+)", getattr(comment, "comment", ""), re.I)
            if match:
                exported = parse_export_date(match.group(1))
        records = []
        for entry in library.entries:
            values = {str(f.key).strip().lower(): delatex(str(f.value)) for f in entry.fields}
            fields, native, database = bibtex_fields(entry.entry_type, values)
            if not native:
                native = ""
            retrieved = parse_export_date(values.get("da", "")) if "da" in values else ""
            records.append(
                ParsedRecord(fields, native, (entry.start_line or 0) + 1, database, retrieved)
            )
        if not records:
            raise ImportFormatError("no BibTeX entries found (no '@type{' line)", path=path)
        databases = {r.database for r in records if r.database}
        database = databases.pop() if len(databases) == 1 else ""
        return ParsedExport(records, self.name, database, exported)
