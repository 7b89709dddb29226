"""Normalisation of identifiers and names as databases actually write them."""

from __future__ import annotations

import pytest

from reviewflow.normalize import (
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
        ("not a doi", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_doi(raw: object, expected: str) -> None:
    assert normalize_doi(raw) == expected


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
    ],
)
def test_normalize_author(raw: str, expected: str) -> None:
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
    assert normalize_pages("79 – 88") == "79-88"
    assert normalize_pages("e0033693") == "e0033693"
