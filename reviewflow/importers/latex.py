"""LaTeX in BibTeX values to plain Unicode text, with pylatexenc.

Titles arrive as ``DNA$_\\textrm2$``, ``{$\\alpha$}-helix``, ``{\\textless}0.05`` or
``Soci\\'{e}t\\'{e}``. pylatexenc parses that properly; this module only adds what
bibliographic exports need on top of its defaults:

- the text-mode symbol macros Zotero and JabRef write for characters that are special in
  LaTeX (``\\textless``, ``\\textgreater``, ``\\textbar``, ``\\textquotedbl``, ...), which
  pylatexenc would otherwise drop;
- sub- and superscript markers vanish in math (``$_2$`` -> ``2``), as ``<sub>2</sub>``
  does in HTML, so one title reads the same from every database;
- a ``$ ... $`` pair around prose is two dollar signs, not math: Scopus does not escape
  ``$`` (``US$500 and US$300``);
- ``%`` and ``&`` are text: Scopus does not escape them either, and a value is never a
  comment or a table.
"""

from __future__ import annotations

import re

from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.latexwalker import LatexCharsNode, LatexMathNode, LatexNode

__all__ = ["latex_to_unicode", "needs_latex_decoding"]

_SYMBOLS = {
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textquotedbl": '"',
    "textquotesingle": "'",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textunderscore": "_",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textdollar": "$",
    "textbackslash": "\\",
    "textampersand": "&",
    "textpercent": "%",
    "textnumero": "№",
    "textdegree": "°",
    "textmu": "µ",
    "textbullet": "•",
}


def _context():  # type: ignore[no-untyped-def]
    context = get_default_latex_context_db()
    macros = [MacroTextSpec(name, text) for name, text in _SYMBOLS.items()]
    # boxes and links keep their text (pylatexenc drops \mbox, brackets \url)
    macros += [MacroTextSpec(name, "%(1)s") for name in ("mbox", "hbox", "url", "href")]
    context.add_context_category("bibliographic-exports", macros=macros, prepend=True)
    return context


# "$p < 0.05$" is math; "$500 and US$" is prose between two dollar signs
_PROSE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")


class _ExportLatex(LatexNodes2Text):
    """pylatexenc's converter with the choices above."""

    def __init__(self) -> None:
        super().__init__(latex_context=_context(), math_mode="text")
        self._math_depth = 0

    def math_node_to_text(self, node: LatexNode) -> str:
        verbatim = node.latex_verbatim()
        if isinstance(node, LatexMathNode) and node.delimiters[0] == "$":
            inner = verbatim[1:-1]
            if _PROSE.search(inner) and "\\" not in inner:
                return str(verbatim)
        self._math_depth += 1
        try:
            return str(self.nodelist_to_text(node.nodelist)).strip()
        finally:
            self._math_depth -= 1

    def chars_node_to_text(self, node: LatexCharsNode, textcol: int = 0) -> str:
        text = str(super().chars_node_to_text(node, textcol))
        if self._math_depth:
            text = text.replace("_", "").replace("^", "")
        return text


_CONVERTER = _ExportLatex()
_BARE = re.compile(r"(?<!\\)([%&])")
_DOLLAR = re.compile(r"(?<!\\)\$")
# anything a parser is needed for: a macro other than an escaped special, or math
_OTHER_LATEX = re.compile(r"\\[^&_%#${}]|\$")
_MATH = re.compile(r"\$[^$]*[\\^_{][^$]*\$")


def needs_latex_decoding(value: str) -> bool:
    """Whether ``value`` holds LaTeX (a macro, or math with ``\\ ^ _ {``)."""
    return "\\" in value or bool(_MATH.search(value))


def latex_to_unicode(value: str) -> str:
    """Plain text from a BibTeX field value (macros and ``#`` already resolved).

    Values without LaTeX only lose their protective braces (``{DNA} repair``); values with
    it go through pylatexenc. Should pylatexenc fail on some odd input, the escapes are
    undone by hand rather than losing the value.
    """
    if not needs_latex_decoding(value):
        return re.sub(r"[{}]", "", value)
    if not _OTHER_LATEX.search(value):  # only escaped specials (WoS): no parser needed
        return _unescape(value)
    protected = _BARE.sub(r"\\\1", value)
    if len(_DOLLAR.findall(protected)) % 2:  # "US$5": a lone dollar is money
        protected = _DOLLAR.sub(r"\\$", protected)
    try:
        return str(_CONVERTER.latex_to_text(protected))
    except Exception:  # noqa: BLE001 - pylatexenc raises bare errors on odd input
        return _unescape(value)


def _unescape(value: str) -> str:
    """``\\&`` -> ``&`` and protective braces removed (escaped braces kept)."""
    text = re.sub(r"(?<!\\)[{}]", "", value)
    return re.sub(r"\\([&_%#${}])", r"\1", text)
