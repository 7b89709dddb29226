"""Which export format a file is, judged from its content, never from its extension.

Extensions lie: Web of Science writes RIS, tagged text and tab-delimited text all as
``.txt``; PubMed's ``.nbib`` is MEDLINE text; EndNote XML may be ``.xml`` or ``.txt``. The
first lines of each format have a signature that no other format shares.
"""

from __future__ import annotations

import re

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import split_lines

__all__ = ["detect_format"]

_HEAD_LINES = 400


def detect_format(text: str, path: str = "") -> str:
    """The importer name for ``text``; :class:`ImportFormatError` when nothing matches."""
    head = text[:200_000].lstrip("\ufeff \t\r\n")
    if head.startswith("<") and re.search(r"<records?\b", head[:5000]):
        return "endnote_xml"
    lines = split_lines(head)[:_HEAD_LINES]
    first_line = lines[0] if lines else ""

    if re.match(r"PT\tAU\t|(?:[A-Z][A-Z0-9]\t){5,}", first_line):
        return "wos_tabdelimited"
    counts = {
        "ris": sum(1 for line in lines if re.match(r"(?:\ufeff)?TY  -", line)),
        "nbib": sum(1 for line in lines if re.match(r"PMID-\s*\d", line)),
        "wos": sum(1 for line in lines if re.match(r"(?:PT [A-Z]|UT [A-Z]+:)", line)),
        "endnote_tagged": sum(1 for line in lines if re.match(r"%[0-9A-Z@!#$&()*+^~>] ", line)),
        "bibtex": sum(1 for line in lines if re.match(r"\s*@\s*[A-Za-z]+\s*[{(]", line)),
    }
    if counts["wos"] and re.match(r"FN |VR |PT ", first_line):
        return "wos"
    best = max(counts, key=lambda k: counts[k])
    if counts[best] > 0:
        return best
    if _looks_like_csv(lines):
        return "csv"
    raise ImportFormatError(
        "cannot tell the export format from the content (not RIS, MEDLINE/nbib, BibTeX, "
        "EndNote XML or tagged, Web of Science or CSV); give 'format' explicitly",
        path=path or None,
        line=1,
    )


def _looks_like_csv(lines: list[str]) -> bool:
    header = lines[0] if lines else ""
    for delimiter in (",", ";", "\t"):
        if header.count(delimiter) >= 1 and re.search(r"[A-Za-z]", header):
            return True
    return False
