"""RIS exports (Ovid, EBSCO, Scopus, Web of Science, Embase, ProQuest, Lens, Rayyan, EndNote).

Records are assembled here because the vendors disagree on everything around the tags:
Ovid numbers its records and ends them with ``ER  -  `` and a ``NL`` line, APA PsycNET and
JSTOR put header lines before ``TY``, EndNote and Rayyan put one keyword or address per
*untagged* line, Scopus continues abstracts and notes on untagged lines, and WoS leaves bare
CRs inside fields. Hand-edited and home-made files write ``TY - JOUR`` with one space, leave
out an ``ER`` before the next ``TY`` or put ``%`` comment lines between records. Those are
read, with a warning naming the line; tags no record field is read from go to ``extra``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from rispy import TAG_KEY_MAPPING

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
from reviewflow.normalize import normalize_year

__all__ = ["EBSCO_DATABASES", "RIS_TAGS", "RisImporter", "iter_ris_records"]

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

#: The RIS tag set (rispy's, plus the ones it lacks from the RIS specification and
#: vendor practice). Only these count as tags when written with one space before ``-``.
RIS_TAGS: frozenset[str] = frozenset(TAG_KEY_MAPPING) | {
    "BT", "CP", "CT", "DI", "ED", "J1", "L3", "M2", "U1", "U2", "U3", "U4", "U5", "VO", "Y3",
}  # fmt: skip

#: Tags whose untagged continuation lines are further values (one keyword, author or
#: address per line, as EndNote and Rayyan write them); other tags join continuations
#: into one value with a space.
_LINE_PER_VALUE_TAGS = frozenset({"KW", "AU", "A1", "A2", "A3", "A4", "AD", "UR", "L1", "L2"})

#: Free-text tags: a continuation line after one of them is text, whatever it looks like.
_TEXT_TAGS = frozenset({"AB", "N2", "N1", "TI", "T1", "T2", "T3", "BT", "ST", "CT", "KW", "AD"})

# "XY  - value" (the standard), "XY  -" (empty), "XY - value" (one space, known tags only)
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])( {1,2})-(?: (.*))?$")
# "PMID - 123" inside a record: a tag from another format, kept in extra
_FOREIGN_TAG = re.compile(r"^([A-Z][A-Z0-9]{2,3}) {1,2}- (.*)$")

#: Tags a record field is read from; everything else goes to ``extra``.
_MAPPED = frozenset(
    {
        "TY", "TI", "T1", "CT", "BT", "ST", "AB", "N2", "AU", "A1", "PY", "Y1", "DA", "Y2",
        "JF", "T2", "JO", "J2", "JA", "VL", "VO", "IS", "CP", "SP", "EP", "DO", "DI", "SN",
        "BN", "KW", "M3", "LA", "UR", "AN", "ID", "DB", "DP", "C7",
    }
)  # fmt: skip


def _tag_of(line: str) -> tuple[str, str] | None:
    match = _TAG_LINE.match(line)
    if not match:
        return None
    tag, spaces, value = match.group(1), match.group(2), match.group(3) or ""
    if len(spaces) == 1 and tag not in RIS_TAGS:
        return None
    return tag, value.strip()


def iter_ris_records(
    lines: list[str], path: str, warnings: list[ImportWarning]
) -> Iterator[TaggedRecord]:
    """Yield every ``TY`` ... ``ER`` record; irregularities become ``warnings``."""
    record: TaggedRecord | None = None
    last_tag = ""
    after_blank = False
    one_space: tuple[int, str] | None = None
    comments: list[int] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff").rstrip()
        parsed = _tag_of(line) if len(line) >= 4 else None
        if parsed and one_space is None and not line.startswith(f"{parsed[0]}  -"):
            one_space = number, line[:6]
        if not line.strip():
            after_blank = True
            continue
        if line.startswith("%") and (record is None or after_blank):
            comments.append(number)  # "% comment" lines between records
            continue
        after_blank = False
        tag, value = parsed if parsed else (None, line.strip())
        if tag == "TY":
            if record is not None:
                warnings.append(
                    ImportWarning(
                        record.start,
                        f"the record starting here has no 'ER  - ' line before the next "
                        f"record (line {number}); it is read as ending there",
                        "ER",
                    )
                )
                yield record
            record, last_tag = TaggedRecord(number), "TY"
            record.add("TY", value, number)
            continue
        if record is None:
            continue  # Ovid numbers, APA/JSTOR headers, "Link to the Ovid Full Text" lines
        if tag == "ER":
            yield record
            record, last_tag = None, ""
            continue
        if tag is None:
            foreign = _FOREIGN_TAG.match(value)
            if foreign and last_tag not in _TEXT_TAGS:
                warnings.append(
                    ImportWarning(
                        number,
                        f"{foreign.group(1)!r} is not a RIS tag (RIS tags have two "
                        "characters); its value is kept in 'extra'",
                        foreign.group(1),
                    )
                )
                record.add(foreign.group(1), foreign.group(2).strip(), number)
                continue
            values = record.tags.setdefault(last_tag, [])
            if last_tag in _LINE_PER_VALUE_TAGS or not values:
                values.append(value)
            else:
                values[-1] = f"{values[-1]} {value}".strip()
            continue
        record.add(tag, value, number)
        last_tag = tag
    if record is not None:
        warnings.append(
            ImportWarning(
                record.start,
                "the last record has no 'ER  - ' line: the file may be cut short; "
                "check that record against the database",
                "ER",
            )
        )
        yield record
    if one_space is not None:
        warnings.append(
            ImportWarning(
                one_space[0],
                f"tags written with one space before '-' ({one_space[1]!r}); read as tags",
            )
        )
    if comments:
        warnings.append(
            ImportWarning(comments[0], f"{len(comments)} comment line(s) starting with '%' skipped")
        )


_BARE_DOI = re.compile(r"\s*(?:doi:?\s*)?10\.\d{4,9}/\S+\s*$", re.IGNORECASE)


def _doi(tags: dict[str, list[str]]) -> str:
    """``DO``/``DI``; else a DOI link or ``doi:`` value anywhere a vendor puts one; else a
    bare DOI as the whole value of ``M3``, ``L3`` (EBSCO) or ``N1``."""
    direct = first(tags.get("DO"), tags.get("DI"))
    if direct:
        return direct
    for tag in ("M3", "L3", "L2", "UR", "N1"):
        for value in tags.get(tag, []):
            match = re.search(r"(?:doi\.org/|doi:\s*)(10\.\d{4,9}/[^\s&?#]+)", value, re.I)
            if match:
                return match.group(1)
    for tag in ("M3", "L3", "N1"):
        for value in tags.get(tag, []):
            if _BARE_DOI.match(value):
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
    """``SP``-``EP``, else what Scopus writes in ``C7`` for articles without pages."""
    start, end = first(tags.get("SP")), first(tags.get("EP"))
    if not re.search(r"\d", start):  # Ovid writes "SP - No" / "EP - Specified"
        start, end = "", ""
    if end and not re.search(r"\d", end):
        end = ""
    if start and end and "-" not in start:
        return f"{start}-{end}"
    return start or first(tags.get("C7"))


#: Date tags, most trusted first: the publication year, the date of the current RIS
#: specification (``DA``), the primary date of the old one (``Y1``, deprecated: some
#: writers leave a placeholder ``1900`` there beside a real ``DA``), the secondary date.
_DATE_TAGS = ("PY", "DA", "Y1", "Y2")


def _year(tags: dict[str, list[str]]) -> str:
    for tag in _DATE_TAGS:
        year = normalize_year(first(tags.get(tag)))
        if year:
            return year
    return ""


def _export_date(tags: dict[str, list[str]]) -> str:
    for tag in ("N1", "U3", "M4", "TS"):
        for value in tags.get(tag, []):
            match = re.search(r"Export Date:\s*([^;]+)", value)
            if match:
                return parse_export_date(match.group(1))
    return ""


def ris_fields(record: TaggedRecord) -> tuple[dict[str, object], str, str, str]:
    """Record-model fields, native id, database and export date of one RIS record."""
    tags = record.tags
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
        "year": _year(tags),
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
        "publication_type": "" if _BARE_DOI.match(m3) else m3,
        "entry_type": ENTRY_TYPES.get(ty, "misc"),
        "language": first(tags.get("LA")),
        "url": first(tags.get("UR")),
        "extra": record.extra(_MAPPED),
    }
    return fields, _native_id(tags, pmid, doi), database, _export_date(tags)


def _year_warnings(record: TaggedRecord) -> list[ImportWarning]:
    if _year(record.tags):
        return []
    found = (
        year_warning(first(record.tags.get(tag)), record.lines.get(tag), tag) for tag in _DATE_TAGS
    )
    return [w for w in found if w is not None][:1]


class RisImporter:
    """RIS (``.ris``, ``.txt``) from any vendor; see the module docstring for the dialects."""

    name = "ris"
    description = "RIS (Ovid, EBSCO, Scopus, WoS, Embase, ProQuest, Lens, Rayyan, EndNote, Zotero)"

    def parse(self, text: str, path: str) -> ParsedExport:
        lines = split_lines(text)
        warnings: list[ImportWarning] = []
        records = []
        for record in iter_ris_records(lines, path, warnings):
            fields, native, database, exported = ris_fields(record)
            warnings.extend(_year_warnings(record))
            records.append(ParsedRecord(fields, native, record.start, database, exported))
        if not records:
            raise ImportFormatError(
                "no RIS records found (no line starting with 'TY  - ')", path=path, line=1
            )
        databases = Counter(r.database for r in records if r.database)
        database = databases.most_common(1)[0][0] if databases else ""
        header = re.search(r"^Database:\s*(.+)$", text[:2000], re.M)
        if database == "" and header:
            database = header.group(1).strip()
        warnings.sort(key=lambda w: w.line or 0)
        return ParsedExport(records, self.name, database, warnings=warnings)
