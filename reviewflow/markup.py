"""Removing the inline markup databases put in titles and abstracts, and nothing else.

Crossref writes JATS (``<jats:p>``, ``<jats:italic>``), PubMed and Scopus write HTML
(``<i>``, ``<sup>``, ``<inf>``), Wiley writes ``<scp>``, PubMed abstracts carry MathML
(``<mml:math>``). But abstracts are also full of ``<`` and ``>`` that are text: ``P < 0.001``,
``aged <65 years``, ``&lt;200 ha … &gt;400 ha``. A pattern such as ``<[^>]*>`` deletes
everything between such a pair, which is what a screener then reads.

So the text goes through the standard library's HTML tokenizer, and a tag is removed only
when it is a real tag: a name from the vocabularies above (:data:`INLINE_TAGS`,
:data:`BLOCK_TAGS`, or any element in a JATS / MathML namespace), well formed (every
attribute has a value; end tags are bare ``</name>``). Every other character is kept. Entity
references are decoded only when well formed (``&amp;``, ``&#955;``, ``&lt;``); the HTML5
rule that also decodes ``&not`` or ``&copy`` without a semicolon would turn "smoking
&notably" into "smoking ¬ably".
"""

from __future__ import annotations

import html
import re
from html.entities import html5
from html.parser import HTMLParser

__all__ = ["BLOCK_TAGS", "INLINE_TAGS", "strip_markup"]

#: Tags removed without a trace (``T<sub>2</sub>`` -> ``T2``): HTML inline formatting,
#: the JATS names for it, and MathML presentation elements.
INLINE_TAGS: frozenset[str] = frozenset(
    {
        # HTML
        "a", "abbr", "b", "big", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
        "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
        "tt", "u", "var", "wbr",
        # vendor and JATS inline formatting
        "inf", "scp", "sc", "italic", "bold", "underline", "overline", "monospace",
        "roman", "sans-serif", "named-content", "styled-content", "inline-formula",
        "inline-graphic", "xref", "ext-link", "uri", "email", "fn", "tex-math",
        # MathML
        "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "msub", "msup",
        "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mstyle",
        "mpadded", "mphantom", "mfenced", "menclose", "mtable", "mtr", "mtd",
        "mmultiscripts", "mprescripts", "none", "semantics", "annotation",
        "annotation-xml",
    }
)  # fmt: skip

#: Tags that separate text (``First.</p><p>Second.`` -> ``First. Second.``).
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ul", "ol", "dl",
        "dt", "dd", "blockquote", "table", "thead", "tbody", "tr", "td", "th", "caption",
        "section", "sec", "title", "label", "list", "list-item", "abstract",
        "trans-abstract", "disp-formula", "def-list", "def-item", "term",
        "def", "boxed-text",
        # PubMed XML inside abstracts (Lens passes it on)
        "abstracttext", "copyrightinformation", "otherabstract",
    }
)  # fmt: skip

#: Namespace prefixes whose elements are always markup (JATS in Crossref, MathML).
_MARKUP_PREFIXES = frozenset({"jats", "mml", "m", "xhtml", "html"})

_CANDIDATE_START = re.compile(r"<([A-Za-z][\w.-]*(?::[A-Za-z][\w.-]*)?)(?=[\s/>])")
_CANDIDATE_END = re.compile(r"</([A-Za-z][\w.-]*(?::[A-Za-z][\w.-]*)?)\s*>")
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# what could start a tag or a reference; any other "<" or "&" is text
_MAYBE_TAG = r"/?[A-Za-z][\w.-]*(?::[A-Za-z][\w.-]*)?[\s/>]"
_MAYBE_REF = r"#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};"
_SPECIAL = re.compile(f"<(?={_MAYBE_TAG})|&(?={_MAYBE_REF})")
_PLAIN_LT = re.compile(f"<(?!{_MAYBE_TAG})")
_PLAIN_AMP = re.compile(f"&(?!{_MAYBE_REF})")


def _kind(name: str) -> str:
    """``"inline"``, ``"block"`` or ``""`` (not markup) for a tag name as written."""
    name = name.lower()
    prefix, _, local = name.rpartition(":")
    if prefix and prefix not in _MARKUP_PREFIXES:
        return ""
    if local in BLOCK_TAGS:
        return "block"
    if local in INLINE_TAGS or prefix:
        return "inline"
    return ""


def _is_reference(match: re.Match[str]) -> bool:
    text = match.group(0)
    return text[1] == "#" or text[1:] in html5


def _protect(text: str, lt: str = "&lt;", amp: str = "&amp;") -> str:
    """Escape every ``<`` that does not open a markup tag and every ``&`` that does not
    start a well-formed reference, so the tokenizer sees nothing else as markup."""

    def escape(match: re.Match[str]) -> str:
        at = match.start()
        if match.group(0) == "<":
            tag = _CANDIDATE_END.match(text, at) or _CANDIDATE_START.match(text, at)
            return "<" if tag and _kind(tag.group(1)) else lt
        ref = _REFERENCE.match(text, at)
        return "&" if ref and _is_reference(ref) else amp

    # what could start a tag or a reference is looked at one by one; any other "<" or "&"
    # ("P < 0.001", "R&D") cannot start anything and goes in one pass
    text = _SPECIAL.sub(escape, text)
    return _PLAIN_LT.sub(lt, _PLAIN_AMP.sub(amp, text))


class _MarkupRemover(HTMLParser):
    """Collects text; drops well-formed markup tags, keeps any other tag as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = _kind(tag)
        if kind and all(value is not None for _, value in attrs):
            self.parts.append(" " if kind == "block" else "")
        else:  # "<b and c>" is text that happens to start with a tag name
            self.parts.append(html.unescape(self.get_starttag_text() or ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        # only bare "</name>" of a markup name gets this far (see _protect)
        self.parts.append(" " if _kind(tag) == "block" else "")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


# Stand-ins for the "<" and "&" that cannot start markup, so the tokenizer passes them as
# data without decoding millions of "&lt;" (private-use code points, unused in text; when a
# text holds them after all, the entity escapes are used instead).
_LT, _AMP = "\ue000", "\ue001"


def _strip_once(text: str) -> str:
    parser = _MarkupRemover()
    stand_ins = _LT not in text and _AMP not in text
    parser.feed(_protect(text, _LT, _AMP) if stand_ins else _protect(text))
    parser.close()
    out = "".join(parser.parts)
    return out.replace(_LT, "<").replace(_AMP, "&") if stand_ins else out


def strip_markup(text: str) -> str:
    """``text`` without markup tags, entity references decoded, whitespace collapsed.

    A second pass handles sources that escape twice (``&amp;lt;i&amp;gt;``); what the first
    pass decoded into ``<`` is text again unless it forms a real tag.
    """
    if "<" not in text and "&" not in text:
        return " ".join(text.split())
    once = _strip_once(text)
    if once != text and ("<" in once or "&" in once):
        once = _strip_once(once)
    return " ".join(once.split())
