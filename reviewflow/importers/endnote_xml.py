"""EndNote XML libraries (File > Export > XML), parsed with defusedxml only.

Library exports come from outside the review team, so the parser refuses DTDs and entity
declarations outright (billion-laughs and external-entity attacks) with a clear error.
EndNote wraps every value in ``<style face=... >`` and separates several values inside one
field with a carriage return (``&#xD;``), e.g. ``2277-9175 (Print)&#xD;2277-9175``.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import (
    ENTRY_TYPES,
    ImportWarning,
    ParsedExport,
    ParsedRecord,
    clean_abstract,
    first,
)

__all__ = ["EndnoteXmlImporter", "endnote_fields"]

_PROVIDERS = {"NLM": "PubMed", "PUBMED": "PubMed", "OVID TECHNOLOGIES": "Ovid"}

#: Elements a record field is read from (``container/child`` inside containers).
_MAPPED = frozenset(
    {
        "ref-type", "rec-number", "contributors/authors", "titles/title",
        "titles/secondary-title", "titles/alt-title", "periodical/full-title", "pages",
        "volume", "number", "issue", "dates/year", "dates/pub-dates", "isbn", "abstract",
        "keywords", "urls/related-urls", "urls/web-urls", "electronic-resource-num",
        "remote-database-name", "remote-database-provider", "accession-num", "language",
        "work-type",
    }
)  # fmt: skip
#: The library's own bookkeeping, not part of the reference.
_BOOKKEEPING = frozenset({"database", "source-app", "foreign-keys"})
_CONTAINERS = frozenset({"contributors", "titles", "periodical", "dates", "urls"})


def _text(element: Element | None) -> str:
    """All text inside an element (the ``<style>`` wrappers included)."""
    if element is None:
        return ""
    return "".join(element.itertext())


def _values(element: Element | None) -> list[str]:
    """A field's values: EndNote separates several values in one field with CR."""
    return [v.strip() for v in re.split(r"[\r\n]+", _text(element)) if v.strip()]


def _all(record: Element, path: str) -> list[str]:
    found: list[str] = []
    for element in record.findall(path):
        found.extend(_values(element))
    return found


def _extra(record: Element) -> dict[str, list[str] | str]:
    """What no record field is read from: ``notes``, ``custom1``, ``label``, secondary
    authors, short titles, ... under the element's name."""
    extra: dict[str, list[str] | str] = {}
    for child in record:
        tag = str(child.tag)
        if tag in _BOOKKEEPING:
            continue
        parts = [(f"{tag}/{sub.tag}", sub) for sub in child] if tag in _CONTAINERS else []
        for name, element in parts or [(tag, child)]:
            values = _values(element) if name not in _MAPPED else []
            if values:
                extra[name] = values if len(values) > 1 else values[0]
    return extra


def endnote_fields(record: Element) -> tuple[dict[str, object], str, str]:
    """Record-model fields, native id and database of one ``<record>``."""
    one = record.find
    ref_type = one("ref-type")
    type_name = ref_type.get("name", "") if ref_type is not None else ""
    provider = _text(one("remote-database-provider")).strip()
    database = _text(one("remote-database-name")).strip()
    database = _PROVIDERS.get(provider.upper(), "") or database or provider
    accession = _text(one("accession-num")).strip()
    pmid = ""
    if re.fullmatch(r"\d{1,9}", accession) and (
        database in {"PubMed", "MEDLINE"} or "medline" in database.lower()
    ):
        pmid = accession
    urls = _all(record, "urls/related-urls/url") + _all(record, "urls/web-urls/url")
    for url in urls:
        match = re.search(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)", url)
        if match and not pmid:
            pmid = match.group(1)
    doi = first(
        [v for v in _values(one("electronic-resource-num")) if re.search(r"10\.\d{4,9}/", v)]
    )
    pmcid = first([v for v in _all(record, "custom2") if v.upper().startswith("PMC")])
    isbn_field = " ".join(_values(one("isbn")))
    extra = _extra(record)
    fields: dict[str, object] = {
        "title": " ".join(_values(one("titles/title"))),
        "abstract": clean_abstract(" ".join(_values(one("abstract")))),
        "authors": _all(record, "contributors/authors/author"),
        "year": first(_text(one("dates/year")), _text(one("dates/pub-dates/date"))),
        "journal": first(
            _text(one("periodical/full-title")),
            _text(one("titles/secondary-title")),
            _text(one("titles/alt-title")),
        ),
        "volume": _text(one("volume")),
        "issue": first(_text(one("number")), _text(one("issue"))),  # Mendeley: <issue>
        "pages": _text(one("pages")),
        "doi": doi,
        "pmid": pmid,
        "pmcid": pmcid,
        "issn": isbn_field,
        "isbn": isbn_field
        if ENTRY_TYPES.get(type_name.upper()) in {"book", "incollection"}
        else "",
        "keywords": [k.lstrip("*") for k in _all(record, "keywords/keyword")],
        "publication_type": first(_text(one("work-type")), type_name),
        "entry_type": ENTRY_TYPES.get(type_name.upper(), "misc"),
        "language": _text(one("language")),
        "url": first(urls),
        "extra": extra,
    }
    if pmcid:
        extra.pop("custom2", None)
    native = _text(one("rec-number")).strip() or accession or doi
    return fields, native, database


class EndnoteXmlImporter:
    """EndNote XML (``.xml``) libraries."""

    name = "endnote_xml"
    description = "EndNote XML library (.xml)"

    def parse(self, text: str, path: str) -> ParsedExport:
        text = text.lstrip("\ufeff")
        try:
            root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except defusedxml.DTDForbidden as exc:
            raise ImportFormatError(
                "EndNote XML with a DTD (<!DOCTYPE ...>) is refused: DTDs can pull in "
                "external files or expand without bound; export the library again from EndNote",
                path=path,
                line=_line_of(text, "<!DOCTYPE"),
            ) from exc
        except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
            raise ImportFormatError(
                "EndNote XML declaring entities or external references is refused "
                f"({exc.__class__.__name__}); export the library again from EndNote",
                path=path,
                line=_line_of(text, "<!ENTITY"),
            ) from exc
        except ParseError as exc:
            line, column = getattr(exc, "position", (None, None))
            raise ImportFormatError(
                f"not well-formed XML (column {column}): {exc}", path=path, line=line
            ) from exc
        records = []
        elements = root.findall(".//record")
        for element in elements:
            fields, native, database = endnote_fields(element)
            records.append(ParsedRecord(fields, native, 0, database))
        warnings = []
        if not records:
            if root.tag not in {"xml", "records"}:
                raise ImportFormatError(
                    "no <record> elements: not an EndNote XML export", path=path
                )
            warnings.append(ImportWarning(1, "an EndNote XML export with no records"))
        databases = {r.database for r in records}
        database = databases.pop() if len(databases) == 1 else ""
        return ParsedExport(records, self.name, database, warnings=warnings)


def _line_of(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else None
