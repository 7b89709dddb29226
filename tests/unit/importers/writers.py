"""Writers of each vendor format, the way the vendor lays a record out, for round trips.

Each takes records (:class:`Ref`) and returns the text of an export file: RIS through
rispy's own writer, MEDLINE and Web of Science with their wrapped, indented continuation
lines, BibTeX with the escapes a LaTeX-aware exporter writes (Zotero, JabRef), EndNote XML
through ElementTree with EndNote's ``<style>`` wrappers, CSV through the csv module.
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import dataclass
from xml.etree import ElementTree

import rispy


@dataclass(frozen=True)
class Ref:
    title: str
    abstract: str
    doi: str
    authors: tuple[tuple[str, str], ...]  # (surname, given)
    year: str
    native: str


def _names(ref: Ref) -> list[str]:
    return [f"{surname}, {given}" for surname, given in ref.authors]


def _wrap(text: str, width: int) -> list[str]:
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    return lines or [""]


def ris(refs: list[Ref]) -> str:
    entries = [
        {
            "type_of_reference": "JOUR",
            "title": r.title,
            "abstract": r.abstract,
            "doi": r.doi,
            "authors": _names(r),
            "year": r.year,
            "accession_number": r.native,
        }
        for r in refs
    ]
    return str(rispy.dumps(entries))


def medline(refs: list[Ref]) -> str:
    """PubMed's .nbib: tags padded to four characters, values wrapped at 80 columns with
    six-space continuation lines, a blank line between records."""
    out = []
    for r in refs:
        lines = [f"PMID- {r.native}", "OWN - NLM", "STAT- MEDLINE", f"DP  - {r.year}"]
        for tag, value in (("TI", r.title), ("AB", r.abstract)):
            wrapped = _wrap(value, 74)
            lines.append(f"{tag:<4}- {wrapped[0]}")
            lines += [f"      {more}" for more in wrapped[1:]]
        for surname, given in r.authors:
            lines.append(f"FAU - {surname}, {given}")
        lines.append(f"LID - {r.doi} [doi]")
        lines.append("SO  - J Test. 2020;1(1):1-2.")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


_LATEX_SPECIALS = {
    "\\": r"{\textbackslash}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "<": r"{\textless}",
    ">": r"{\textgreater}",
    '"': '{"}',
}


#: Character pairs LaTeX reads as one glyph (``--`` is an en dash).
_LIGATURES = {"--", "''", "``", "?`", "!`"}


def latex_escape(text: str) -> str:
    """Text as a LaTeX-aware exporter writes it: specials escaped, ligature pairs
    (``--``, ``''``, ``` `` ```, ``?``` ...) broken with ``{}``, Unicode left as it is."""
    out: list[str] = []
    for char in text:
        if out and out[-1][-1:] + char in _LIGATURES:
            out.append("{}")
        out.append(_LATEX_SPECIALS.get(char, char))
    return "".join(out)


def bibtex(refs: list[Ref]) -> str:
    """Entries with braced values; the title in two halves joined by ``#`` and the journal
    through a chain of ``@string`` macros, as hand-kept libraries do."""
    out = ['@string{jt = "Tests"}', '@string{jn = "Journal of " # jt}']
    for r in refs:
        half = len(r.title) // 2
        first, second = latex_escape(r.title[:half]), latex_escape(r.title[half:])
        if r.title[half - 1 : half + 1] in _LIGATURES:
            second = "{}" + second  # joined by #, the halves would make the pair again
        authors = " and ".join(latex_escape(n) for n in _names(r))
        out.append(
            f"@article{{{r.native},\n"
            f"  title = {{{first}}} # {{{second}}},\n"
            f"  author = {{{authors}}},\n"
            f"  abstract = {{{latex_escape(r.abstract)}}},\n"
            f"  journal = jn,\n"
            f"  doi = {{{r.doi}}},\n"
            f"  year = {r.year}\n"
            "}"
        )
    return "\n\n".join(out) + "\n"


def endnote_xml(refs: list[Ref]) -> str:
    root = ElementTree.Element("xml")
    records = ElementTree.SubElement(root, "records")

    def styled(parent: ElementTree.Element, tag: str, text: str) -> None:
        element = ElementTree.SubElement(parent, tag)
        style = ElementTree.SubElement(element, "style", face="normal", font="default", size="100%")
        style.text = text

    for number, r in enumerate(refs, start=1):
        record = ElementTree.SubElement(records, "record")
        ElementTree.SubElement(record, "rec-number").text = str(number)
        ElementTree.SubElement(record, "ref-type", name="Journal Article").text = "17"
        authors = ElementTree.SubElement(ElementTree.SubElement(record, "contributors"), "authors")
        for name in _names(r):
            styled(authors, "author", name)
        styled(ElementTree.SubElement(record, "titles"), "title", r.title)
        styled(ElementTree.SubElement(record, "dates"), "year", r.year)
        styled(record, "abstract", r.abstract)
        styled(record, "electronic-resource-num", r.doi)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8" ?>{body}'


def endnote_tagged(refs: list[Ref]) -> str:
    out = []
    for r in refs:
        lines = ["%0 Journal Article", f"%T {r.title}"]
        lines += [f"%A {name}" for name in _names(r)]
        lines += [f"%D {r.year}", f"%X {r.abstract}", f"%R {r.doi}", f"%M {r.native}"]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def wos(refs: list[Ref]) -> str:
    """WoS tagged: two-letter tags, three-space continuation lines, FN/VR ... EF."""
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for r in refs:
        lines.append("PT J")
        names = _names(r)
        lines.append(f"AF {names[0]}")
        lines += [f"   {name}" for name in names[1:]]
        for tag, value in (("TI", r.title), ("AB", r.abstract)):
            wrapped = _wrap(value, 70)
            lines.append(f"{tag} {wrapped[0]}")
            lines += [f"   {more}" for more in wrapped[1:]]
        lines += [f"PY {r.year}", f"DI {r.doi}", f"UT WOS:{r.native}", "ER", ""]
    lines.append("EF")
    return "\n".join(lines) + "\n"


def wos_tabdelimited(refs: list[Ref]) -> str:
    header = ["PT", "AU", "AF", "TI", "AB", "PY", "DI", "UT"]
    rows = ["\t".join(header)]
    for r in refs:
        names = "; ".join(_names(r))
        row = ["J", names, names, r.title, r.abstract, r.year, r.doi, f"WOS:{r.native}"]
        rows.append("\t".join(row))
    return "\n".join(rows) + "\n"


def csv_table(refs: list[Ref]) -> str:
    """A Lens-style table: ``Author/s`` joined by ``; ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Lens ID", "Title", "Author/s", "Publication Year", "Abstract", "DOI"])
    for r in refs:
        writer.writerow([r.native, r.title, "; ".join(_names(r)), r.year, r.abstract, r.doi])
    return buffer.getvalue()


def ovid_tagged(refs: list[Ref]) -> str:
    """Ovid tagged: ``<n. >`` record numbers, six-space continuation lines."""
    out = []
    for number, r in enumerate(refs, start=1):
        lines = [f"<{number}. >", "VN  - Ovid Technologies", "DB  - Embase", f"AN  - {r.native}"]
        for surname, given in r.authors:
            lines.append(f"AU  - {surname}, {given}")
        for tag, value in (("TI", r.title), ("AB", r.abstract)):
            wrapped = _wrap(value, 74)
            lines.append(f"{tag}  - {wrapped[0]}")
            lines += [f"      {more}" for more in wrapped[1:]]
        lines += [f"YR  - {r.year}", f"DO  - {r.doi}"]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def ovid_labelled(refs: list[Ref]) -> str:
    """Ovid field labels: the label alone on a line, the value indented below it."""
    out = []
    for number, r in enumerate(refs, start=1):
        lines = [f"<{number}>", "Accession Number", f"  {r.native}", "Author"]
        lines.append("  " + ";  ".join(_names(r)))
        lines.append("Title")
        lines += [f"  {line}" for line in _wrap(r.title, 76)]
        lines += ["Source", f"  Journal of Tests. 1(2):3-4, {r.year}.", "Abstract"]
        lines += [f"  {line}" for line in _wrap(r.abstract, 76)]
        lines += ["Year of Publication", f"  {r.year}", "DOI Number", f"  {r.doi}"]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def proquest(refs: list[Ref]) -> str:
    bar = "_" * 60
    out = [bar, "", "Report Information from ProQuest", "January 01 2024 00:00", bar, ""]
    for number, r in enumerate(refs, start=1):
        out += [f"Document {number} of {len(refs)}", "", r.title, ""]
        out += [f"Author: {'; '.join(_names(r))}", ""]
        out += [f"http://search.proquest.com/docview/{r.native}", ""]
        out += [f"Abstract: {r.abstract}", "", f"Title: {r.title}", ""]
        out += [f"Publication year: {r.year}", "", f"DOI: {r.doi}", ""]
        out += ["Database: ProQuest Central", "", f"ProQuest document ID: {r.native}", ""]
        out += [bar, ""]
    return "\n".join(out) + "\n"


#: format name -> writer
WRITERS = {
    "ris": ris,
    "nbib": medline,
    "bibtex": bibtex,
    "endnote_xml": endnote_xml,
    "endnote_tagged": endnote_tagged,
    "wos": wos,
    "wos_tabdelimited": wos_tabdelimited,
    "csv": csv_table,
    "ovid_tagged": ovid_tagged,
    "ovid_labelled": ovid_labelled,
    "proquest": proquest,
}
