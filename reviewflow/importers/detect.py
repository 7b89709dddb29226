"""Which export format a file is, judged from its content, never from its extension.

Extensions lie: Web of Science writes RIS, tagged text and tab-delimited text all as
``.txt``; PubMed's ``.nbib`` is MEDLINE text; EndNote XML may be ``.xml`` or ``.txt``; Ovid
and ProQuest write ``.txt`` in three formats of their own. The first lines of each format
have a signature that no other format shares; where two could claim a file (ProQuest puts a
BibTeX bibliography after its records, MEDLINE and RIS share ``TI  - ``), the signature
only one of them has decides.
"""

from __future__ import annotations

import re

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import split_lines

__all__ = ["detect_format"]

_HEAD_LINES = 400

# ProQuest "full record" text: "Document 1 of 100" headers and labelled fields.
_PROQUEST = re.compile(r"^Document \d+ of \d+\s*$", re.MULTILINE)
_PROQUEST_FIELD = re.compile(r"^(?:ProQuest document ID|Database|Document type): ", re.MULTILINE)
# Ovid: records numbered "<1>" / "<1. >"; tagged records open with "VN  - Ovid Technologies".
_OVID_NUMBER = re.compile(r"^\s*<\s*\d+\.?\s*>\s*$")
_OVID_TAG = re.compile(r"^[A-Z][A-Z0-9]{1,3}\s{1,2}- ")
# MEDLINE tags no RIS file has (ERIC writes "OID - ", PubMed "PMID- ").
_MEDLINE_ONLY = re.compile(r"^(?:PMID|OWN|STAT|FAU|DCOM|JT|DP|LID|AID|OID|ISSN|PHST|EDAT) ?\s?- ")


def detect_format(text: str, path: str = "") -> str:
    """The importer name for ``text``; :class:`ImportFormatError` when nothing matches."""
    head = text[:200_000].lstrip("\ufeff \t\r\n")
    if re.match(r"<(?:\?xml|xml\b|records?\b|!--|!DOCTYPE)", head) and re.search(
        r"<records?\b", head[:5000]
    ):
        return "endnote_xml"  # (Ovid's "<1. >" record numbers are not XML)
    if _PROQUEST.search(head) and _PROQUEST_FIELD.search(head):
        return "proquest"
    lines = split_lines(head)[:_HEAD_LINES]
    first_line = lines[0] if lines else ""
    ovid = _ovid_format(split_lines(head)[:2000])  # after a long search strategy
    if ovid:
        return ovid

    if re.match(r"PT\tAU\t|(?:[A-Z][A-Z0-9]\t){5,}", first_line):
        return "wos_tabdelimited"
    counts = {
        "ris": sum(1 for line in lines if re.match(r"(?:\ufeff)?TY {1,2}- ", line)),
        "nbib": sum(1 for line in lines if _MEDLINE_ONLY.match(line)),
        "wos": sum(1 for line in lines if re.match(r"(?:PT [A-Z]|UT [A-Z]+:)", line)),
        "endnote_tagged": sum(1 for line in lines if re.match(r"%[0-9A-Z@!#$&()*+^~>] ", line)),
        "bibtex": sum(1 for line in lines if re.match(r"\s*@\s*[A-Za-z]+\s*[{(]", line)),
    }
    if counts["wos"] and re.match(r"FN |VR |PT ", first_line):
        return "wos"
    if re.match(r"FN ", first_line) and any(re.match(r"VR |EF$", line) for line in lines[:5]):
        return "wos"  # the header of a Web of Science export, even one without records
    best = max(counts, key=lambda k: counts[k])
    if counts[best] > 0:
        return best
    if _looks_like_csv(lines):
        return "csv"
    raise ImportFormatError(
        "cannot tell the export format from the content (not RIS, MEDLINE/nbib, BibTeX, "
        "EndNote XML or tagged, Web of Science, Ovid, ProQuest or CSV); give the format "
        "explicitly (--format, or 'format' in the imports config)",
        path=path or None,
        line=1,
    )


def _ovid_format(lines: list[str]) -> str:
    """``ovid_tagged``, ``ovid_labelled`` or ``""``: what follows Ovid's record numbers."""
    if any(re.match(r"\s*VN\s{1,2}- Ovid Technologies", line) for line in lines[:50]):
        return "ovid_tagged"
    if any(re.match(r"(?:\ufeff)?TY {1,2}- ", line) for line in lines):
        return ""  # Ovid's RIS export numbers records too
    for index, line in enumerate(lines):
        if not _OVID_NUMBER.match(line):
            continue
        following = [ln for ln in lines[index + 1 : index + 6] if ln.strip()]
        if len(following) >= 2 and _OVID_TAG.match(following[0]):
            return "ovid_tagged"
        if (
            len(following) >= 2
            and re.match(r"[A-Z][\w /()&.,:'-]{1,80}$", following[0])
            and following[1][:1].isspace()
        ):
            return "ovid_labelled"
    return ""


def _looks_like_csv(lines: list[str]) -> bool:
    for header in lines[:5]:  # Dimensions puts a one-line note above the header
        for delimiter in (",", ";", "\t"):
            if header.count(delimiter) >= 1 and re.search(r"[A-Za-z]", header):
                return True
    return False
