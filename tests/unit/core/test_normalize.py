"""Normalisation of identifiers and names as databases actually write them."""

from __future__ import annotations

import pytest

from reviewflow.normalize import (
    CorporateName,
    normalize_author,
    normalize_authors,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_openalex_id,
    normalize_pages,
    normalize_pmcid,
    normalize_pmid,
    normalize_year,
    split_list,
    strip_html,
    title_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1371/journal.pone.0033693", "10.1371/journal.pone.0033693"),
        (
            "https://doi.org/10.1016/J.NEUROBIOLAGING.2010.03.024",
            "10.1016/j.neurobiolaging.2010.03.024",
        ),
        ("http://dx.doi.org/10.1037/a0020817", "10.1037/a0020817"),
        ("doi:10.1002/jor.1100150407.", "10.1002/jor.1100150407"),
        ("DOI 10.3892/ijo_00000353", "10.3892/ijo_00000353"),
        ("https://doi.org/10.1002%2F%28SICI%291097-0258", "10.1002/(sici)1097-0258"),
        ("10.1038/srep16696 [doi]", "10.1038/srep16696"),
        ("10.1038/srep16696[doi]", "10.1038/srep16696"),
        # SICI DOIs hold brackets, "<", ">" and ";": kept whole (they are different papers)
        (
            "10.1892/0891-6640(2007)21[394:GCOARH]2.0.CO;2",
            "10.1892/0891-6640(2007)21[394:gcoarh]2.0.co;2",
        ),
        (
            "https://doi.org/10.1002/(SICI)1097-4636(199709)36:4<560::AID-JBM13>3.0.CO;2-F",
            "10.1002/(sici)1097-4636(199709)36:4<560::aid-jbm13>3.0.co;2-f",
        ),
        ("10.1002/1097-0142(20000701)89:1<135::aid-cncr18>3.0.co;2-#", None),
        # what exports glue on: a closing bracket without its opening one, punctuation
        ("(doi: 10.1016/S0140-6736(05)67486-1).", "10.1016/s0140-6736(05)67486-1"),
        ("see 10.1000/abc];", "10.1000/abc"),
        ('<a href="https://doi.org/10.1000/x">10.1000/x</a>', "10.1000/x"),
        ("not a doi", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_doi(raw: object, expected: str | None) -> None:
    assert normalize_doi(raw) == (str(raw).lower() if expected is None else expected)


def test_identifiers() -> None:
    assert normalize_pmid("PMID: 31239308") == "31239308"
    assert normalize_pmid("31239308 [pmid]") == "31239308"
    assert normalize_pmid("") == ""
    assert normalize_pmcid("pmc6597741") == "PMC6597741"
    assert normalize_pmcid("PMCID: PMC7329401") == "PMC7329401"
    assert normalize_openalex_id("https://openalex.org/W3045921891") == "W3045921891"
    assert normalize_openalex_id("w2741809807") == "W2741809807"


def test_issn_isbn_as_exports_write_them() -> None:
    # pubmed_176.ris: two ISSNs in one field; scopus_asreview.ris: "03064530 (ISSN) "
    assert normalize_issn("1660-4601 1661-7827") == "1660-4601; 1661-7827"
    assert normalize_issn("03064530 (ISSN) ") == "0306-4530"
    assert normalize_issn("2277-9175 (Print)\r2277-9175") == "2277-9175"
    assert normalize_isbn("978-3-16-148410-0") == "9783161484100"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith, John A.", "Smith, John A"),
        ("Smith, J.A.", "Smith, J A"),
        ("Smith JA", "Smith, J A"),
        ("van der Berg AB", "van der Berg, A B"),
        ("John A. Smith", "Smith, John A"),
        ("Jan van der Berg", "van der Berg, Jan"),
        ("Hao, Jie (57221302630)", "Hao, Jie"),
        ("WHO", "WHO"),
        # organisations and CJK names are one name, never inverted
        ("World Health Organization", "World Health Organization"),
        ("EndoReCo Study Group", "EndoReCo Study Group"),
        ("山田 太郎", "山田 太郎"),
        ("王小明", "王小明"),
        ("김 민준", "김 민준"),
        (CorporateName("Cochrane Acne Review Authors"), "Cochrane Acne Review Authors"),
    ],
)
def test_normalize_author(raw: object, expected: str) -> None:
    assert normalize_author(raw) == expected


def test_author_lists() -> None:
    assert normalize_authors("Smith, J. and Jones, K.") == "Smith, J; Jones, K"
    assert split_list(normalize_authors(["Phillips JC", "Braun R"])) == [
        "Phillips, J C",
        "Braun, R",
    ]


def test_text_cleaning() -> None:
    assert strip_html("A <i>TERT</i> promoter &amp; T<sub>2</sub>") == "A TERT promoter & T2"
    assert strip_html("<jats:p>First.</jats:p><jats:p>Second.</jats:p>") == "First. Second."
    assert strip_html("\x93Micro\x85nance\x92s") == "Micro nance s"
    assert title_key("Effects of <i>Nudges</i>: a Trial.") == "effects of nudges a trial"
    assert title_key("Café") == title_key("cafe")


def test_year_and_pages() -> None:
    assert normalize_year("2019///") == "2019"
    assert normalize_year("Y1  - 2021/06//") == "2021"
    assert normalize_year("n.d.") == ""
    assert normalize_year("Start date: 20170812") == "2017"  # compact dates
    assert normalize_year("10 15") == ""
    assert normalize_year("123456789") == ""
    assert normalize_pages("79 – 88") == "79-88"
    assert normalize_pages("e0033693") == "e0033693"
