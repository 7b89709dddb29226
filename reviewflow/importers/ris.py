"""RIS exports (Ovid, EBSCO, Scopus, Web of Science, Embase, ProQuest, Lens, Rayyan, EndNote).

Lines are recognised with rispy's tag rule (``XY  - value``), but records are assembled here
because the vendors disagree on everything around the tags: Ovid numbers its records and
ends them with ``ER  -  `` and a ``NL`` line, APA PsycNET and JSTOR put header lines before
``TY``, EndNote and Rayyan put one keyword or address per *untagged* line, Scopus continues
abstracts and notes on untagged lines, and WoS leaves bare CRs inside fields. A record that
is cut off (no ``ER``) is an error, not a silently dropped record.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from rispy import RisParser

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

__all__ = ["EBSCO_DATABASES", "RisImporter", "iter_ris_records"]

#: EBSCOhost writes short database codes in ``DB``; PRISMA wants the database's name.
EBSCO_DATABASES: dict[str, str] = {
    "psyh": "APA PsycInfo",
    "pdh": "APA PsycArticles",
    "i3h": "Criminal Justice Abstracts",
    "ecn": "EconLit",
    "cmedm": "MEDLINE",
    "mdc": "MEDLINE",
    "mnh": "MEDLINE",
    "rzh": "CINAHL",
    "ccm": "CINAHL",
    "cin20": "CINAHL",
    "eric": "ERIC",
    "a9h": "Academic Search Complete",
    "asn": "Academic Search Ultimate",
    "bth": "Business Source Complete",
    "buh": "Business Source Premier",
    "sih": "SocINDEX",
    "pbh": "Psychology and Behavioral Sciences Collection",
    "lxh": "Library, Information Science & Technology Abstracts",
    "edselc": "EBSCO Discovery",
}

#: Tags whose untagged continuation lines are further values (one keyword, author or
#: address per line, as EndNote and Rayyan write them); other tags join continuations
#: into one value with a space.
_LINE_PER_VALUE_TAGS = frozenset({"KW", "AU", "A1", "A2", "A3", "A4", "AD", "UR", "L1", "L2"})

_PARSER = RisParser()


def iter_ris_records(lines: list[str], path: str) -> Iterator[tuple[int, dict[str, list[str]]]]:
    """Yield ``(start line, {tag: [values]})`` for every ``TY`` ... ``ER`` record."""
    record: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff")
        tag, content = _PARSER.parse_line(line) if len(line) >= 5 else (None, line.strip())
        if tag == "TY":
            if record is not None:
                raise ImportFormatError(
                    f"the record starting on line {start} has no 'ER  - ' line before the "
                    f"next record on line {number} (truncated or hand-edited file?)",
                    path=path,
                    line=start,
                    field="ER",
                )
            record, start, last_tag = {"TY": [content]}, number, "TY"
            continue
        if record is None:
            continue  # Ovid numbers, APA/JSTOR headers, "Link to the Ovid Full Text" lines
        if tag == "ER":
            yield start, record
            record, last_tag = None, ""
            continue
        if tag is None:
            if not content:
                continue
            values = record.setdefault(last_tag, [])
            if last_tag in _LINE_PER_VALUE_TAGS or not values:
                values.append(content)
            else:
                values[-1] = f"{values[-1]} {content}".strip()
            continue
        record.setdefault(tag, []).append(content)
        last_tag = tag
    if record is not None:
        raise ImportFormatError(
            f"the last record (from line {start}) ends without an 'ER  - ' line: "
            "the export is truncated",
            path=path,
            line=start,
            field="ER",
        )


def _doi(tags: dict[str, list[str]]) -> str:
    direct = first(tags.get("DO"), tags.get("DI"))
    if direct:
        return direct
    for tag in ("M3", "L3", "L2", "UR", "N1"):
        for value in tags.get(tag, []):
            match = re.search(r"(?:doi\.org/|doi:\s*)(10\.\d{4,9}/[^\s&?#]+)", value, re.I)
            if match:
                return match.group(1)
            if tag == "M3" and re.match(r"\s*10\.\d{4,9}/", value):
                return value
    return ""


def _pmid(tags: dict[str, list[str]], database: str) -> str:
    for tag in ("UR", "L2", "L1", "N1"):
        for value in tags.get(tag, []):
            match = re.search(
                r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)", value
            )
            if match:
                return match.group(1)
    an = first(tags.get("AN"))
    if database in {"PubMed", "MEDLINE"} and re.fullmatch(r"\d{1,9}", an):
        return an
    return ""


def _database(tags: dict[str, list[str]]) -> str:
    """The database a record came from, as far as the record says so."""
    for value in tags.get("DB", []):
        value = value.strip()
        if value:
            return EBSCO_DATABASES.get(value.lower(), value)
    urls = " ".join(tags.get("UR", []) + tags.get("L2", []))
    if "scopus.com" in urls:
        return "Scopus"
    if "lens.org" in urls:
        return "Lens"
    if re.search(r"webofscience|webofknowledge|isiknowledge", urls):
        return "Web of Science"
    ebsco = re.search(r"ebscohost\.com/.*[?&]db=([\w]+)", urls)
    if ebsco:
        return EBSCO_DATABASES.get(ebsco.group(1).lower(), "EBSCOhost")
    an = first(tags.get("AN"))
    if an.upper().startswith("WOS:"):
        return "Web of Science"
    provider = first(tags.get("DP")).upper()
    if provider in {"NLM", "PUBMED"}:
        return "PubMed"
    if provider:
        return first(tags.get("DP"))
    return ""


def _native_id(tags: dict[str, list[str]], pmid: str, doi: str) -> str:
    an = first(tags.get("AN"))
    if an:
        return an.split(";")[0].strip()
    for value in tags.get("N1", []):
        match = re.match(r"\s*Accession Number:\s*([\w.-]+)", value)
        if match:  # EBSCO puts the accession number in a note
            return match.group(1)
    native = first(tags.get("ID"))
    if native:
        return native
    for value in tags.get("UR", []):
        match = re.search(r"[?&]eid=([\w.-]+)", value)
        if match:
            return match.group(1)
    return pmid or doi


def _pages(tags: dict[str, list[str]]) -> str:
    start, end = first(tags.get("SP")), first(tags.get("EP"))
    if not re.search(r"\d", start):  # Ovid writes "SP - No" / "EP - Specified"
        start, end = "", ""
    if end and not re.search(r"\d", end):
        end = ""
    if start and end and "-" not in start:
        return f"{start}-{end}"
    return start or first(tags.get("C7"))


def _export_date(tags: dict[str, list[str]]) -> str:
    for tag in ("N1", "U3", "M4", "TS"):
        for value in tags.get(tag, []):
            match = re.search(r"Export Date:\s*([^;]+)", value)
            if match:
                return parse_export_date(match.group(1))
    return ""


def ris_fields(tags: dict[str, list[str]]) -> tuple[dict[str, object], str, str, str]:
    """Record-model fields, native id, database and export date of one RIS record."""
    database = _database(tags)
    doi = _doi(tags)
    pmid = _pmid(tags, database)
    ty = first(tags.get("TY")).upper()
    abstract = tags.get("AB") or tags.get("N2") or []
    sn = " ".join(tags.get("SN", []))
    m3 = first(tags.get("M3"))
    fields: dict[str, object] = {
        "title": first(
            tags.get("TI"), tags.get("T1"), tags.get("CT"), tags.get("BT"), tags.get("ST")
        ),
        "abstract": clean_abstract(abstract),
        "authors": (tags.get("AU", []) + tags.get("A1", [])),
        "year": first(tags.get("PY"), tags.get("Y1"), tags.get("DA"), tags.get("Y2")),
        "journal": first(
            tags.get("JF"), tags.get("T2"), tags.get("JO"), tags.get("J2"), tags.get("JA")
        ),
        "volume": first(tags.get("VL"), tags.get("VO")),
        "issue": first(tags.get("IS"), tags.get("CP")),
        "pages": _pages(tags),
        "doi": doi,
        "pmid": pmid,
        "pmcid": first([v for v in tags.get("C2", []) if "PMC" in v.upper()]),
        "issn": sn,
        "isbn": " ".join(tags.get("BN", []) + ([sn] if ty in {"BOOK", "CHAP", "EBOOK"} else [])),
        "keywords": [k.lstrip("*").strip() for k in tags.get("KW", [])],
        "publication_type": "" if re.match(r"\s*10\.\d", m3) else m3,
        "entry_type": ENTRY_TYPES.get(ty, "misc"),
        "language": first(tags.get("LA")),
        "url": first(tags.get("UR")),
    }
    return fields, _native_id(tags, pmid, doi), database, _export_date(tags)


class RisImporter:
    """RIS (``.ris``, ``.txt``) from any vendor; see the module docstring for the dialects."""

    name = "ris"
    description = "RIS (Ovid, EBSCO, Scopus, WoS, Embase, ProQuest, Lens, Rayyan, EndNote, Zotero)"

    def parse(self, text: str, path: str) -> ParsedExport:
        lines = split_lines(text)
        records = []
        for start, tags in iter_ris_records(lines, path):
            fields, native, database, exported = ris_fields(tags)
            records.append(ParsedRecord(fields, native, start, database, exported))
        if not records:
            raise ImportFormatError(
                "no RIS records found (no line starting with 'TY  - ')", path=path, line=1
            )
        databases = Counter(r.database for r in records if r.database)
        database = databases.most_common(1)[0][0] if databases else ""
        if database == "" and re.search(r"^Database:\s*(.+)$", text[:2000], re.M):
            database = re.search(r"^Database:\s*(.+)$", text[:2000], re.M).group(1).strip()  # type: ignore[union-attr]
        return ParsedExport(records, self.name, database)
