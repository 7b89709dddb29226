"""BibTeX exports (Scopus, Web of Science, Crossref, reference managers), via bibtexparser v2.

bibtexparser splits the file into blocks; the values are then read here with BibTeX's own
rules, because exports use all of them: ``#`` concatenation and ``@string`` macros that
refer to other macros (``author = first # " Kowalska"``), braces that protect case or mark
one corporate name (``{World Health Organization}``), and LaTeX for accents, symbols and
math (:mod:`reviewflow.importers.latex`).

Broken files are read as far as they can be, never silently: a duplicate key, a duplicate
field or an empty key (``@Book{,``) keeps every entry; an extra ``}`` that closes an entry
early gets the fields after it back; an entry whose braces do not balance is read field by
field from its lines. Each of these is a warning naming the entry's line.

Vendor quirks: Scopus writes ``Scopus`` / ``EXPORT DATE: 08 July 2023`` lines before the
first entry (kept as the export date); WoS writes keys with a leading space
(``{ WOS:000278542800018,``) and capitalised field names; Scopus escapes neither ``%`` nor
``&``, so both are text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping

import bibtexparser
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ExplicitComment,
    Field,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ENTRY_TYPES,
    ImportWarning,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    clean_author,
    first,
    parse_export_date,
    year_warning,
)
from reviewflow.importers.latex import latex_to_unicode
from reviewflow.normalize import CorporateName

__all__ = ["BibtexImporter", "evaluate_value", "split_names"]

#: BibTeX's predefined macros (``month = jan``).
_MONTHS = {
    m[:3].lower(): m
    for m in (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    )
}  # fmt: skip

#: Fields a record field is read from; everything else goes to ``extra``.
_MAPPED = frozenset(
    {
        "title", "abstract", "author", "year", "date", "journal", "journaltitle", "booktitle",
        "series", "volume", "number", "issue", "pages", "doi", "pmid", "pubmed_id", "pmcid",
        "issn", "eissn", "isbn", "author_keywords", "keywords", "keywords-plus", "type",
        "document_type", "language", "url", "unique-id", "source", "art_number",
    }
)  # fmt: skip


# --------------------------------------------------------------------------------------
# Values


def _matching(text: str, start: int) -> int:
    """The index after the end of the ``{...}`` or ``"..."`` piece opening at ``start``, or
    -1. Braces nest; ``\{`` and ``\}`` are text (bibtexparser's splitter, which cut the value
    out of the file, reads them so); a quote ends a piece outside braces only.
    """
    opener = text[start]
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if index > start and text[index - 1] == "\\" and char in '{}"':
            continue  # "\{" is text, as bibtexparser's splitter reads it
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return -1
            if opener == "{" and depth == 0:
                return index + 1
        elif char == '"' and opener == '"' and index > start and depth == 0:
            return index + 1
    return -1


def evaluate_value(raw: str, macros: Mapping[str, str]) -> tuple[str, list[str]]:
    """A field value as BibTeX reads it: ``{...}`` and ``"..."`` pieces, numbers and macro
    names, joined by ``#``. Returns the text and the names of undefined macros (kept as
    written, so nothing is lost)."""
    pieces: list[str] = []
    undefined: list[str] = []
    index = 0
    text = raw.strip()
    while index < len(text):
        char = text[index]
        if char.isspace() or char == "#":
            index += 1
            continue
        if char in '{"':
            end = _matching(text, index)
            if end < 0:  # unbalanced: the rest is the value
                pieces.append(text[index + 1 :])
                break
            pieces.append(text[index + 1 : end - 1])
            index = end
            continue
        match = re.match(r"[^\s#{}\"]+", text[index:])
        word = match.group(0) if match else text[index:]
        if word.isdigit():
            pieces.append(word)
        elif word.lower() in macros:
            pieces.append(macros[word.lower()])
        else:
            undefined.append(word)
            pieces.append(word)
        index += len(word)
    return "".join(pieces), undefined


_NEXT_FIELD = re.compile(r"\n\s*([A-Za-z][\w:.+/-]*)\s*=\s*")


def split_missing_commas(raw: str) -> list[tuple[str, str]]:
    """``[("", value), (field, value), ...]``: a value that runs into the next field's
    ``name = `` line because a comma is missing, cut where that line starts (outside
    braces and quotes)."""
    pieces: list[tuple[str, str]] = []
    name, start = "", 0
    for match in _NEXT_FIELD.finditer(raw):
        before = raw[start : match.start()]
        balanced = before.count("{") - before.count("\\{") == before.count("}") - before.count(
            "\\}"
        )
        if balanced and before.count('"') % 2 == 0 and before.strip():
            pieces.append((name, before))
            name, start = match.group(1), match.end()
    pieces.append((name, raw[start:]))
    return pieces


def split_names(value: str) -> list[str]:
    """Names joined by `` and `` outside braces, BibTeX's rule (so ``{Smith and Sons}`` is
    one name); ``others`` (et al.) is not a name."""
    names: list[str] = []
    depth = 0
    current: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isspace():
            match = re.match(r"\s+and\s+", value[index:], re.IGNORECASE)
            if match:
                names.append("".join(current))
                current = []
                index += match.end()
                continue
        current.append(char)
        index += 1
    names.append("".join(current))
    return [n.strip() for n in names if n.strip() and n.strip().lower() != "others"]


def _author(name: str) -> str:
    """One author: ``{World Health Organization}`` (wholly braced) is one corporate name."""
    if name.startswith("{") and name.endswith("}") and _matching(name, 0) == len(name):
        return CorporateName(latex_to_unicode(name[1:-1]).strip())
    return clean_author(latex_to_unicode(name))


# --------------------------------------------------------------------------------------
# Recovery of broken entries

_FIELD_START = re.compile(r"^\s*([A-Za-z][\w:.+/-]*)\s*=\s*(.*)$")
_CONTINUES_ENTRY = re.compile(r"^\s*,?\s*[A-Za-z][\w:.+/-]*\s*=\s*[{\"\w]")
_HEADER = re.compile(r"^\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)\s*,?(.*)$")


def _fields_by_line(text: str) -> tuple[str, str, list[tuple[str, str, int]]] | None:
    """``(type, key, [(field, raw value, line offset)])`` of an entry, read line by line:
    each field starts a line, as every exporter writes them. ``None`` without a header."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    header = _HEADER.match(lines[0]) if lines else None
    if header is None:
        return None
    while lines and lines[-1].strip() in {"", "}", ")"}:
        lines.pop()
    fields: list[tuple[str, str, int]] = []
    rest = header.group(3).strip()
    body = ([rest] if rest else []) + lines[1:]
    offset = 0 if rest else 1
    for number, line in enumerate(body, start=offset):
        match = _FIELD_START.match(line)
        if match:
            fields.append((match.group(1), match.group(2), number))
        elif fields:
            name, value, at = fields[-1]
            fields[-1] = (name, f"{value}\n{line}", at)
    cleaned = []
    for name, value, at in fields:
        value = value.strip().rstrip(",").strip()
        if value.startswith("{") and value.endswith("}"):
            value = value[1:-1]
        elif value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        cleaned.append((name, "{" + value.replace("{", "").replace("}", "") + "}", at))
    return header.group(1), header.group(2), cleaned


def _recovered_entry(text: str, start_line: int) -> Entry | None:
    parsed = _fields_by_line(text)
    if parsed is None or not parsed[2]:
        return None
    entry_type, key, fields = parsed
    return Entry(
        entry_type,
        key,
        [Field(name, value, start_line + at) for name, value, at in fields],
        start_line=start_line,
    )


def _entries(blocks: list[Block], warnings: list[ImportWarning]) -> Iterator[Entry | String]:
    """The entries and ``@string`` blocks in file order, broken ones recovered."""
    index = 0
    first_line: dict[str, int] = {}  # entry key -> line of its first entry
    keyless: list[int] = []
    while index < len(blocks):
        block = blocks[index]
        index += 1
        line = (block.start_line or 0) + 1
        if isinstance(block, Entry):
            following = blocks[index] if index < len(blocks) else None
            if (
                isinstance(following, ImplicitComment)
                and _CONTINUES_ENTRY.match(following.comment)
                and (block.raw or "").rstrip().endswith("}")
            ):
                # "author = {A. Smith}}," closed the entry; the fields after it follow
                text = (block.raw or "").rstrip()[:-1] + "\n" + following.comment
                recovered = _recovered_entry(text, block.start_line or 0)
                if recovered is not None:
                    index += 1
                    brace = line + (block.raw or "").rstrip().count("\n")
                    warnings.append(
                        ImportWarning(
                            line,
                            f"entry {block.key!r} is closed early by an extra '}}' on line "
                            f"{brace}; the fields after it are read as part of the entry",
                        )
                    )
                    block = recovered
            first_line.setdefault(block.key, line)
            yield block
        elif isinstance(block, String):
            yield block
        elif isinstance(block, DuplicateBlockKeyBlock):
            duplicate = block.ignore_error_block
            if isinstance(duplicate, Entry) and not duplicate.key.strip():
                keyless.append(line)  # "@Book{," again: counted once below
                yield duplicate
            elif isinstance(duplicate, Entry | String):
                kind = "entry" if isinstance(duplicate, Entry) else "@string"
                warnings.append(
                    ImportWarning(
                        line,
                        f"{kind} key {block.key!r} is used again (first at line "
                        f"{(block.previous_block.start_line or 0) + 1}); both are kept",
                    )
                )
                if isinstance(duplicate, Entry):
                    first_line.setdefault(duplicate.key, line)
                yield duplicate
        elif isinstance(block, DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            if isinstance(entry, Entry):
                if entry.key in first_line:  # bibtexparser reports one error per block
                    warnings.append(
                        ImportWarning(
                            line,
                            f"entry key {entry.key!r} is used again (first at line "
                            f"{first_line[entry.key]}); both are kept",
                        )
                    )
                first_line.setdefault(entry.key, line)
                names = ", ".join(sorted(block.duplicate_keys))
                warnings.append(
                    ImportWarning(
                        line,
                        f"entry {entry.key!r} has the field(s) {names} twice; the first "
                        "value is used, the others are kept in 'extra'",
                    )
                )
                yield entry
        elif isinstance(block, ParsingFailedBlock):
            end = len(blocks)
            for later in range(index, len(blocks)):
                if not isinstance(blocks[later], ImplicitComment):
                    end = later
                    break
            text = "\n".join([block.raw or ""] + [str(b.raw or "") for b in blocks[index:end]])
            recovered = _recovered_entry(text, block.start_line or 0)
            if recovered is None:
                warnings.append(
                    ImportWarning(
                        line,
                        "this entry cannot be read as BibTeX (unbalanced braces or quotes?) "
                        f"and is skipped: {(block.raw or '')[:60]!r}",
                    )
                )
                continue
            index = end
            first_line.setdefault(recovered.key, line)
            warnings.append(
                ImportWarning(
                    line,
                    f"entry {recovered.key!r} is not well-formed BibTeX (unbalanced braces "
                    "or quotes?); it is read field by field from its lines: check it",
                )
            )
            yield recovered
    if keyless:
        warnings.append(
            ImportWarning(
                first_line.get("", keyless[0]),
                f"{len(keyless) + 1} entries have no key ('@type{{,'); all are kept",
            )
        )


# --------------------------------------------------------------------------------------
# Fields


def _keywords(value: str) -> list[str]:
    return [k.strip() for k in re.split(r";\s*", value) if k.strip()]


def bibtex_fields(
    entry_type: str, fields: dict[str, str], authors: list[str]
) -> tuple[dict[str, object], str, str]:
    """Record-model fields, native id and database of one entry (field names lower case,
    values as plain text)."""
    get = fields.get
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
        # Scopus' article number stands in for pages, as in its RIS; WoS' "article-number"
        # does not (see the wos module) and stays in extra
        "pages": first(get("pages"), get("art_number")),
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
        splitter_log = logging.getLogger("bibtexparser")
        level = splitter_log.level
        splitter_log.setLevel(logging.ERROR)  # its parse errors become our warnings below
        try:
            library = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
        finally:
            splitter_log.setLevel(level)
        warnings: list[ImportWarning] = []
        exported = ""
        for block in library.blocks:
            comment = block.comment if isinstance(block, ImplicitComment | ExplicitComment) else ""
            match = re.search(r"EXPORT DATE:\s*(.+)", comment, re.I)
            if match:
                exported = parse_export_date(match.group(1))
        macros = dict(_MONTHS)
        records = []
        for block in _entries(library.blocks, warnings):
            line = (block.start_line or 0) + 1
            if isinstance(block, String):
                value, _ = evaluate_value(str(block.value), macros)
                macros[str(block.key).strip().lower()] = value
                continue
            record = self._record(block, macros, line, warnings)
            records.append(record)
        if not records:
            if not any(
                isinstance(b, ExplicitComment | String | Preamble | ParsingFailedBlock)
                for b in library.blocks
            ):
                raise ImportFormatError("no BibTeX entries found (no '@type{' line)", path=path)
            # only @comment / @string / @preamble blocks: BibTeX, with no references in it
            warnings.append(ImportWarning(1, "a BibTeX file with no entries"))
        databases = {r.database for r in records if r.database}
        database = databases.pop() if len(databases) == 1 else ""
        warnings.sort(key=lambda w: w.line or 0)
        return ParsedExport(records, self.name, database, exported, warnings=warnings)

    def _record(
        self,
        entry: Entry,
        macros: Mapping[str, str],
        line: int,
        warnings: list[ImportWarning],
    ) -> ParsedRecord:
        values: dict[str, str] = {}
        raw_authors = ""
        extra: dict[str, object] = {}
        raw_fields: list[tuple[str, str, int]] = []
        for field in entry.fields:
            at = (field.start_line or line - 1) + 1
            for extra_name, value in split_missing_commas(str(field.value)):
                if extra_name:
                    warnings.append(
                        ImportWarning(
                            at, f"no comma before field {extra_name!r}; read as its own field"
                        )
                    )
                raw_fields.append((extra_name or str(field.key), value, at))
        duplicates: dict[str, list[str]] = {}
        for key, value, at in raw_fields:
            name = key.strip().lower()
            raw, undefined = evaluate_value(value, macros)
            if undefined:
                warnings.append(
                    ImportWarning(
                        at,
                        f"undefined @string macro(s) {', '.join(undefined)}; kept as written",
                        name,
                    )
                )
            if name in values:  # a duplicate field: the first one counts
                duplicates.setdefault(name, []).append(latex_to_unicode(raw))
                continue
            if name == "author":
                raw_authors = raw
            values[name] = latex_to_unicode(raw)
        extra.update(duplicates)  # a field given twice keeps its later values here
        authors = [a for a in (_author(n) for n in split_names(raw_authors)) if a.strip()]
        fields, native, database = bibtex_fields(entry.entry_type, values, authors)
        for name, value in values.items():
            if name not in _MAPPED:
                extra.setdefault(name, value)
        if entry.key.strip():
            extra = {"ID": entry.key.strip(), **extra}
        fields["extra"] = extra
        found = year_warning(values.get("year", ""), line, "year")
        if found:
            warnings.append(found)
        retrieved = parse_export_date(values.get("da", "")) if "da" in values else ""
        return ParsedRecord(fields, native, line, database, retrieved)
