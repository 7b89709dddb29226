"""Round trips: records with hostile but legal text, written in each vendor's format and
imported again, keep every character of title, abstract, DOI and authors.

"Hostile" is what real abstracts and titles hold and what broke importers before: ``<``
and ``>`` as text (``P < 0.001``, ``a<b and c>d``), ``&``, brackets, ``;``, ``#``, braces,
quotes, ``%``, ``$``, backslashes, every script, combining accents, fields of many
kilobytes, SICI DOIs with ``<``, ``>``, ``[``, ``]`` and ``;``. "Legal" leaves out only what
means something else by definition: markup tags and entity references (markup is removed
and ``&amp;`` decoded on purpose; tests/unit/core/test_markup.py covers that), control
characters, and vendor boilerplate that is dropped on purpose (``[No abstract available]``,
a closing "© 2020 Elsevier").
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.importers import import_file, read_export
from reviewflow.importers.base import clean_abstract, clean_title
from reviewflow.markup import BLOCK_TAGS, INLINE_TAGS

from .writers import WRITERS, Ref

_TEXT_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Cf")
)
_HOSTILE = st.sampled_from(
    [
        "<", ">", "&", "[", "]", ";", "#", "{", "}", '"', "'", "%", "$", "\\", "~", "^", "_",
        "--", "''", "``", "P < 0.001", "aged <65 years", "a<b and c>d", " x > y ", "&lt",
        "R&D", "50%", "US$5", "{DNA}", "\\'e", "$x$", "e\u0301", "\u0915\u094d\u0937",
        "Жук", "中文", "한국어", "עברית", "العربية", "ﬁ", "ǅ", " ", "\u00a0",
    ]
)  # fmt: skip
_MARKUP = re.compile(
    r"</?(?:(?:jats|mml|m|xhtml|html):[\w.-]+|(?:"
    + "|".join(sorted(INLINE_TAGS | BLOCK_TAGS, key=len, reverse=True))
    + r"))(?=[\s/>])",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# Ovid appends the document type to titles; such a title end is read as that annotation.
_OVID_TYPE = re.compile(r"\[(?:Article|Review|Report|Miscellaneous|References|Editorial|Letter|"
                        r"Comment|Erratum|Note|Short Survey)\]\W*$")  # fmt: skip


def _legal(text: str) -> bool:
    stripped = " ".join(text.split())
    return (
        bool(stripped)
        and not _MARKUP.search(text)
        and not _REFERENCE.search(text)
        and clean_abstract(stripped) == stripped
        and clean_title(stripped) == stripped
    )


_PIECES = st.lists(
    st.one_of(st.text(_TEXT_CHARS, min_size=1, max_size=12), _HOSTILE), min_size=1, max_size=25
).map("".join)
_TEXT = _PIECES.filter(_legal)
# long fields: several kilobytes of the same hostile text
_LONG = st.tuples(_TEXT, st.integers(20, 120)).map(lambda t: " ".join([t[0]] * t[1])).filter(_legal)

_NAME_CHARS = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn"))
_WORD = st.text(_NAME_CHARS, min_size=2, max_size=8).filter(
    lambda w: w[0].isalpha() and w.lower() not in {"and", "others"}
)
_SURNAME = st.one_of(
    _WORD, st.tuples(_WORD, _WORD).map("-".join), st.tuples(_WORD, _WORD).map("'".join)
)
_GIVEN = st.one_of(_WORD, st.tuples(_WORD, _WORD).map(" ".join)).filter(
    # "AB" or "J-P" are initials, which are spaced out on purpose ("A B")
    lambda g: (
        not re.fullmatch(r"(?:[A-Z]\.?\s*-?)+", g)
        and g.split()[-1] not in {"MD", "PhD", "MSc", "BSc", "MPH", "MA", "BA"}
    )
)
_DOI_CHARS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._;()/:<>[]")
)
_ALNUM = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
_DOI = st.one_of(
    st.tuples(
        st.integers(1000, 999999999),
        _ALNUM,
        st.text(_DOI_CHARS, max_size=30),
        _ALNUM,
    ).map(lambda t: f"10.{t[0]}/{t[1]}{t[2]}{t[3]}"),
    st.sampled_from(
        [
            "10.1892/0891-6640(2007)21[394:GCOARH]2.0.CO;2",
            "10.1002/(SICI)1097-4636(199709)36:4<560::AID-JBM13>3.0.CO;2-F",
            "10.4103/abr.abr_99_17",
        ]
    ),
).filter(lambda d: not _MARKUP.search(d))


@st.composite
def _refs(draw: st.DrawFn, fmt: str) -> list[Ref]:
    count = draw(st.integers(1, 3))
    refs = []
    for index in range(count):
        title = draw(_TEXT)
        if fmt.startswith("ovid"):
            title = draw(_TEXT.filter(lambda t: not _OVID_TYPE.search(t)))
        refs.append(
            Ref(
                title=title,
                abstract=draw(st.one_of(_TEXT, _LONG)),
                doi=draw(_DOI),
                authors=tuple(draw(st.lists(st.tuples(_SURNAME, _GIVEN), min_size=1, max_size=4))),
                year=str(draw(st.integers(1900, 2099))),
                native=f"{900 + index}",
            )
        )
    return refs


def _expected(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _check(fmt: str, refs: list[Ref]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.txt"
        path.write_text(WRITERS[fmt](refs), encoding="utf-8")
        assert read_export(path).format == fmt  # detected from the content
        records = import_file(path, search_id="p")
    assert len(records) == len(refs)
    for ref, (_, row) in zip(refs, records.iterrows(), strict=True):
        assert row["title"] == _expected(ref.title)
        assert row["abstract"] == _expected(ref.abstract)
        assert row["doi"] == ref.doi.lower()
        assert row["authors"] == "; ".join(
            f"{_expected(surname)}, {_expected(given)}" for surname, given in ref.authors
        )
        assert row["year"] == ref.year


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_character_survives_a_round_trip(fmt: str) -> None:
    @given(_refs(fmt))
    def round_trip(refs: list[Ref]) -> None:
        _check(fmt, refs)

    round_trip()
