"""Markup removal keeps every character that is not a real tag (reviewflow.markup)."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.markup import BLOCK_TAGS, INLINE_TAGS
from reviewflow.normalize import strip_html


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the abstracts that lost text: comparisons are text
        (
            "Mortality was lower (P < 0.001) for those aged >80 years (P > 0.05).",
            "Mortality was lower (P < 0.001) for those aged >80 years (P > 0.05).",
        ),
        ("patients aged <65 years and >80", "patients aged <65 years and >80"),
        ("p<0.05,p>0.1", "p<0.05,p>0.1"),
        ("&lt;200ha … &gt;400ha", "<200ha … >400ha"),  # escaped comparisons stay text
        ("a<b and c>d", "a<b and c>d"),  # a tag name, but not a tag
        ("<i love this", "<i love this"),
        ("1<2>3", "1<2>3"),
        ("<foo:bar>x</foo:bar>", "<foo:bar>x</foo:bar>"),  # not a markup namespace
        # real markup goes, its text stays
        ("CO<sub>2</sub> and T<sup>2</sup>", "CO2 and T2"),
        ("e.g. <sup>13</sup>C-<scp>nmr</scp> <inf>2</inf>", "e.g. 13C-nmr 2"),
        ("<jats:p>First.</jats:p><jats:p>Second.</jats:p>", "First. Second."),
        ("<jats:sec><jats:title>Aims</jats:title>x</jats:sec>", "Aims x"),
        ("A &quot;<i>Blood Relationship&quot;</i> x", 'A "Blood Relationship" x'),
        ('<AbstractText Label="AIMS">A.</AbstractText><AbstractText>B.</AbstractText>', "A. B."),
        (
            '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>x</mml:mi>'
            "<mml:mo>&lt;</mml:mo><mml:mn>5</mml:mn></mml:math>",
            "x<5",
        ),
        ('<p class="x">ok</p><br/>line', "ok line"),
        # references: decoded only when well formed
        ("smoking &notably &amp; R&D", "smoking &notably & R&D"),
        ("&copy; &copy &#955; &#x3bb; &foo;", "© &copy λ λ &foo;"),
        ("&amp;lt;i&amp;gt;", "<i>"),  # escaped twice: decoded twice, then it is text
        ("&lt;i&gt;word&lt;/i&gt;", "word"),  # escaped markup is markup
    ],
)
def test_markup_removal(raw: str, expected: str) -> None:
    assert strip_html(raw) == expected


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")),
    max_size=20,
).filter(
    lambda t: (
        not re.search(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", t)
        and not re.search(r"</?[A-Za-z]", t)
    )
)
_ATTRIBUTE = st.tuples(
    st.sampled_from(["class", "Label", "xmlns:mml", "style", "href"]),
    st.text(st.characters(codec="ascii", exclude_characters='"&<\x00'), max_size=10),
).map(lambda a: f' {a[0]}="{a[1]}"')
_TAG = st.tuples(
    st.sampled_from(sorted(INLINE_TAGS | BLOCK_TAGS)),
    st.sampled_from(["", "jats:", "mml:"]),
    st.lists(_ATTRIBUTE, max_size=2),
    st.sampled_from(["open", "close", "empty"]),
    st.booleans(),
)


def _tag_text(tag: tuple[str, str, list[str], str, bool]) -> str:
    name, prefix, attributes, kind, upper = tag
    name = (prefix + name).upper() if upper else prefix + name
    if kind == "close":
        return f"</{name}>"
    return f"<{name}{''.join(attributes)}{'/' if kind == 'empty' else ''}>"


@given(st.lists(st.tuples(_TEXT, st.one_of(st.none(), _TAG)), max_size=12))
def test_only_tags_go(
    pieces: list[tuple[str, tuple[str, str, list[str], str, bool] | None]],
) -> None:
    """Text interleaved with real tags: the text comes out whole, a block tag is a space."""
    raw = "".join(text + (_tag_text(tag) if tag else "") for text, tag in pieces)
    expected = "".join(
        text + ("" if tag is None or tag[0] not in BLOCK_TAGS else " ") for text, tag in pieces
    )
    assert strip_html(raw) == " ".join(unicodedata.normalize("NFC", expected).split())


@given(_TEXT)
def test_text_without_markup_is_unchanged(text: str) -> None:
    assert strip_html(text) == " ".join(unicodedata.normalize("NFC", text).split())
