"""Dedup field keys on the renderings databases really produce."""

from __future__ import annotations

import pandas as pd
import pytest

from reviewflow.dedup.evidence import journal_compatible, page_relation, word_changes
from reviewflow.dedup.prepare import (
    content_key,
    first_page,
    is_generic,
    journal_key,
    prepare_records,
    split_authors,
    title_words,
)
from reviewflow.normalize import normalize_author


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # EndNote exports with the initials glued to the surname (neuroimaging id_0001129)
        (
            "LinC. H. A.RhodesC. T.LinC.PhillipsJ. J.BergerM. S.",
            ["Lin, C H A", "Rhodes, C T", "Lin, C", "Phillips, J J", "Berger, M S"],
        ),
        (
            "LinC H. A.RhodesC.TLinCPhillipsJ.JBergerM.S",
            ["Lin, C H A", "Rhodes, C T", "Lin, C", "Phillips, J J", "Berger, M S"],
        ),
        ("SmithJ.A.JonesK.LeeM.", ["Smith, J A", "Jones, K", "Lee, M"]),
        # ASySD's test set: surname, initials, next surname, no separator
        ("Adeli K.Lewis G. F.", ["Adeli, K", "Lewis, G F"]),
        ("Kroller-Schon S.Oelze M.", ["Kroller-Schon, S", "Oelze, M"]),
        ("McDonald J.Smith K.", ["McDonald, J", "Smith, K"]),
    ],
)
def test_run_together_author_lists(cell: str, expected: list[str]) -> None:
    assert [normalize_author(a) for a in split_authors(cell)] == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Type II diabetes and IL-1β", "type 2 diabetes and IL1beta"),
        ("Detection of brain amyloid ß deposition", "Detection of brain amyloid beta deposition"),
        ("ATYPICAL HEMOLYTIC UREMIC SYNDROME", "Atypical hemolytic uremic syndrome"),
        ("Exendin-4 labeled with <sup>99m</sup>Tc", "Exendin-4 labeled with 99mTc"),
        ("Editor's Comments", "Editors Comments"),
    ],
)
def test_one_title_written_two_ways_has_one_key(a: str, b: str) -> None:
    assert title_words(a) == title_words(b)


@pytest.mark.parametrize(
    ("a", "b", "differs"),
    [
        ("delta-8-THC and memory", "delta-9-THC and memory", True),
        ("Vaccination against hepatitis B", "Vaccination against hepatitis C", True),
        ("Part I: methods", "Part II: methods", True),
        ("PET imaging with [18F]FSPG", "PET imaging with F-18 FSPG", False),
        ("6-(3,6-diazabicyclo[3.2.0]heptan-3-yl)", "6-(36-diazabicyclo[3.2.0]heptan-3-yl)", False),
        ("mapping α7 nicotinic receptors", "mapping a7 nicotinic receptors", False),
        ("Interferon γ (IFN-γ) as a marker", "Interferon (IFN) as a marker", False),
    ],
)
def test_content_tokens(a: str, b: str, differs: bool) -> None:
    assert content_key(title_words(a)).differs(content_key(title_words(b))) is differs


def test_word_changes_ignore_spelling_and_small_words() -> None:
    def changes(a: str, b: str) -> int:
        return word_changes(title_words(a), title_words(b))

    assert changes("Sitagliptin stabilizes lesions", "Sitagliptin stabilises the lesions") == 0
    assert changes("dose-dependently reduces adiposity", "dose dependently reduces adiposity") == 0
    assert changes("Dapagliflozin attenuates", "Empagliflozin attenuates") == 1
    assert changes("hyperglycaemia in mice", "hypoglycaemia in mice") == 1


@pytest.mark.parametrize(
    ("pages", "first"),
    [
        ("iii613-iii614", "III613"),
        ("e0137960", "E137960"),
        ("(no pagination)", ""),
        ("v-vii", "R5"),
        ("xiii-xv", "R13"),
        ("21-Aug", "21"),
    ],
)
def test_first_pages(pages: str, first: str) -> None:
    assert first_page(pages) == first


def test_volume_issue_and_pages_as_databases_write_them() -> None:
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "volume": ["1)", "10 (9) (no pagination)", "32 (Supplement 3)", "Suppl 1"],
            "issue": ["Suppl 1", "137960", "suppl_3", "1 SUPPL. 1"],
            "pages": ["S72", "e0137960", "iii428-iii429", "A111"],
        }
    )
    prep = prepare_records(frame)
    assert prep.volume == ["", "10", "32", ""]
    assert prep.issue == ["s1", "137960", "s3", "1s1"]
    # "(no pagination)": the pages field holds an article number, not a page
    assert prep.fpage == ["S72", "", "III428", "A111"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("J.Am.Chem.Soc.", "Journal of the American Chemical Society"),
        ("New Engl J Med", "New England Journal of Medicine"),
        ("Diabetes & metabolism", "Diabetes and Metabolism"),
        ("FASEB Journal", "FASEB Journal. Conference: Experimental Biology"),
        # special_cases id_0000005 / id_0000006: a conference by its acronym
        ("Amcis 2017 Proceedings", "Americas Conference on Information Systems"),
        ("JAMA", "Journal of the American Medical Association"),
    ],
)
def test_journal_renderings_are_compatible(a: str, b: str) -> None:
    assert journal_compatible(journal_key(a), journal_key(b))


def test_an_acronym_must_use_every_word_in_turn() -> None:
    assert not journal_compatible(
        journal_key("ECIS 2017"), journal_key("Americas Conference on Information Systems")
    )


def test_generic_titles() -> None:
    for title in ("Editorial", "Editor's comments", "Editorial introduction", "Reply", "Preface"):
        assert is_generic(title_words(title)), title
    assert not is_generic(title_words("Editorial: a new treatment of stroke"))


def test_unusable_titles_are_flagged() -> None:
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "title": ["#NAME?", "", "Cancer", "Cervical cytology in Cancer"],
            "journal": ["Cancer", "Cancer", "Cancer", "Cancer"],
        }
    )
    assert prepare_records(frame).title_usable == [False, False, False, True]


def test_page_relations() -> None:
    frame = pd.DataFrame(
        {
            "record_id": list("abcdefg"),
            "volume": ["360", "360", "201", "201", "24", "24", "53"],
            "pages": ["542-544", "544-546", "488", "487-488", "S354", "354", "e12724"],
        }
    )
    prep = prepare_records(frame)
    assert page_relation(prep, 0, 1) == "adjacent"  # two letters on one page
    assert page_relation(prep, 2, 3) == "overlap"  # the last page kept alone
    assert page_relation(prep, 4, 5) == "same_first"
    assert page_relation(prep, 5, 6) == "incomparable"
