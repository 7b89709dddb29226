"""Every real export in tests/fixtures/exports/ imports with its real record counts."""

from __future__ import annotations

import pytest

from reviewflow.importers import detect_format, import_file
from reviewflow.importers.base import read_export_text
from reviewflow.records import read_records, write_records
from reviewflow.vocab import RECORD_FIELDS

from .conftest import EXPORTS

# (file, detected format, records, without abstract, without DOI, most common source).
# Counts stated in ../shared/fixtures/README.md are marked "README"; the others equal the
# number of record / AB / DO lines in the file (grep), so each is a real count.
CASES = [
    ("bibtex/scopus_m.bib", "bibtex", 24, 0, 2, "Scopus"),  # README 24
    ("bibtex/wos_m.bib", "bibtex", 29, 0, 3, "Web of Science"),  # README 29
    ("csv/anonymized_vendor_shape/pubmed_bom.csv", "csv", 1, 1, 0, "PubMed"),
    ("csv/embase.csv", "csv", 6, 0, 0, "Embase"),  # README 6 = embase_embase.ris
    ("csv/pubmed_chatbot.csv", "csv", 6, 6, 0, "PubMed"),  # PubMed CSV has no abstracts
    ("csv/scopus_2020_format.csv", "csv", 58, 1, 14, "Scopus"),  # README 58 rows
    ("csv/scopus_2023_format.csv", "csv", 88, 2, 0, "Scopus"),  # README 88, 2 no abstract
    ("endnote_tagged/ais_elibrary.enw", "endnote_tagged", 6, 2, 6, "ais_elibrary.enw"),
    ("endnote_xml/blue-light.xml", "endnote_xml", 102, 4, 30, "PubMed"),  # README
    ("endnote_xml/endnote-sm.xml", "endnote_xml", 5, 2, 5, "Ovid"),  # README
    ("medline_nbib/biopython_pubmed_result1.txt", "nbib", 1, 0, 1, "PubMed"),
    ("medline_nbib/biopython_pubmed_result2.txt", "nbib", 4, 0, 1, "PubMed"),
    ("medline_nbib/biopython_pubmed_result3.txt", "nbib", 1, 0, 0, "PubMed"),
    ("medline_nbib/blue-light.nbib", "nbib", 80, 3, 29, "PubMed"),  # README 80, 3 no AB
    ("medline_nbib/medline-cancer.nbib", "nbib", 20, 0, 0, "PubMed"),  # README 20
    ("medline_nbib/restoration_pubmed.nbib", "nbib", 104, 8, 0, "PubMed"),  # README 104, 8
    ("ris/anonymized_vendor_shape/apa_psycinfo_direct.ris", "ris", 1, 0, 0, "PsycINFO"),
    ("ris/anonymized_vendor_shape/ieee_xplore.ris", "ris", 2, 2, 0, "ieee_xplore.ris"),
    ("ris/anonymized_vendor_shape/jstor.ris", "ris", 4, 1, 3, "JSTOR"),
    (
        "ris/anonymized_vendor_shape/proquest_abi_inform.ris",
        "ris",
        2,
        0,
        1,
        "ProQuest Dissertations & Theses Global",
    ),
    ("ris/blue-light_endnote.ris", "ris", 102, 4, 30, "PubMed"),  # README 102
    ("ris/ebsco_econlit_3.ris", "ris", 3, 0, 3, "EconLit"),
    ("ris/embase_embase.ris", "ris", 6, 0, 0, "Embase"),  # README 6
    (
        "ris/gambling-harms_20221207/ebsco_crimjust_41.ris",
        "ris",
        41,
        0,
        0,  # the README says no DOIs: EBSCO writes them bare in L3
        "Criminal Justice Abstracts",
    ),
    ("ris/gambling-harms_20221207/ebsco_psycinfo_124.ris", "ris", 124, 0, 6, "APA PsycInfo"),
    ("ris/gambling-harms_20221207/lens_49.ris", "ris", 49, 0, 7, "Lens"),  # README 49
    ("ris/gambling-harms_20221207/pubmed_176.ris", "ris", 176, 19, 0, "pubmed_176.ris"),
    ("ris/gambling-harms_20221207/scopus_255.ris", "ris", 255, 18, 2, "Scopus"),  # README
    ("ris/ovid_psycinfo.ris", "ris", 6, 0, 0, "ovid_psycinfo.ris"),  # README 6
    ("ris/ovid_psycinfo_via_zotero.ris", "ris", 6, 0, 0, "ovid_psycinfo_via_zotero.ris"),
    ("ris/proquest.ris", "ris", 6, 0, 0, "PTSDpubs"),
    ("ris/pubmed_via_endnote.ris", "ris", 6, 0, 0, "PubMed"),
    ("ris/pubmed_via_zotero.ris", "ris", 6, 0, 0, "pubmed_via_zotero.ris"),
    ("ris/rayyan_issue992.ris", "ris", 19, 11, 16, "rayyan_issue992.ris"),  # README 11 of 19
    ("ris/restoration_scopus.ris", "ris", 286, 5, 4, "Scopus"),  # README 286
    ("ris/rispy_utf_chars.ris", "ris", 1, 0, 1, "rispy_utf_chars.ris"),
    ("ris/scopus_asreview.ris", "ris", 6, 0, 0, "Scopus"),
    ("ris/scopus_multiline_notes_issue1099.ris", "ris", 7, 0, 3, "Scopus"),
    ("ris/web_of_science_ris.txt", "ris", 10, 0, 0, "Web of Science"),
    ("ris/wos_79_ris.ris", "ris", 79, 3, 9, "Web of Science"),  # README 3 without AB
    ("wos_tabdelimited/WoS_medline_tabdelimited.txt", "wos_tabdelimited", 10, 0, 0, "MEDLINE"),
    ("wos_tagged/metaknowledge_TwoPaper.isi", "wos", 2, 1, 0, "Web of Science"),  # README
    ("wos_tagged/restoration_WoS.ciw", "wos", 247, 32, 71, "Web of Science"),  # README
    ("wos_tagged/rispy_example_wos.txt", "wos", 2, 0, 0, "Web of Science"),
]


def test_every_export_fixture_is_covered() -> None:
    files = {
        p.relative_to(EXPORTS).as_posix()
        for p in EXPORTS.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md"
    }
    covered = {case[0] for case in CASES} | {"wos_tagged/metaknowledge_badFile_missing_CR_tag.isi"}
    assert files == covered


@pytest.mark.parametrize(
    ("name", "fmt", "n", "no_abstract", "no_doi", "source"), CASES, ids=[c[0] for c in CASES]
)
def test_real_export(
    name: str, fmt: str, n: int, no_abstract: int, no_doi: int, source: str
) -> None:
    path = EXPORTS / name
    assert detect_format(read_export_text(path), str(path)) == fmt
    records = import_file(path, search_id="s1")
    assert list(records.columns) == list(RECORD_FIELDS)
    assert len(records) == n
    assert int((records["abstract"] == "").sum()) == no_abstract
    assert int((records["doi"] == "").sum()) == no_doi
    assert records["source"].value_counts().index[0] == source
    assert records["record_id"].is_unique
    assert records["record_id"].str.startswith("s1:").all()
    assert (records["found_by"] == "import").all()
    assert (records["search_id"] == "s1").all()
    assert records["raw_ref"].tolist() == [f"{path.name}#{i}" for i in range(1, n + 1)]
    assert (records["title"] != "").all()
    # One line per cell: no CR/LF or tab left from the file's line structure.
    assert not records.map(lambda v: any(c in v for c in "\r\n\t")).any().any()
    # No vendor placeholders or copyright notices left in abstracts.
    for noise in ("[No abstract available]", "Copyright of ", "No author name available"):
        assert not records["abstract"].str.contains(noise, regex=False).any()
        assert not records["authors"].str.contains(noise, regex=False).any()


@pytest.mark.parametrize(
    "name",
    [
        "ris/gambling-harms_20221207/lens_49.ris",
        "medline_nbib/medline-cancer.nbib",
        "bibtex/scopus_m.bib",
        "endnote_xml/endnote-sm.xml",
        "endnote_tagged/ais_elibrary.enw",
        "wos_tagged/rispy_example_wos.txt",
        "wos_tabdelimited/WoS_medline_tabdelimited.txt",
        "csv/scopus_2023_format.csv",
    ],
)
def test_import_is_deterministic(name: str, tmp_path) -> None:
    """Same file, same ids, same bytes: what lets decisions carry across reruns."""
    first = tmp_path / "a.csv"
    second = tmp_path / "b.csv"
    write_records(import_file(EXPORTS / name, search_id="s1"), first)
    write_records(import_file(EXPORTS / name, search_id="s1"), second)
    assert first.read_bytes() == second.read_bytes()
    assert read_records(first).equals(import_file(EXPORTS / name, search_id="s1"))
