"""Vendor quirks in real exports, and the same studies seen through several databases."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.importers import import_file, read_export

from .conftest import EXPORTS

GAMBLING = "ris/gambling-harms_20221207/"


@functools.cache
def _cached(name: str) -> pd.DataFrame:
    return import_file(EXPORTS / name, search_id="s")


def _load(name: str) -> pd.DataFrame:
    return _cached(name).copy()


def _dois(name: str) -> set[str]:
    return set(_load(name)["doi"]) - {""}


def test_restoration_doi_overlaps_across_pubmed_scopus_wos() -> None:
    pubmed = _dois("medline_nbib/restoration_pubmed.nbib")
    scopus = _dois("ris/restoration_scopus.ris")
    wos = _dois("wos_tagged/restoration_WoS.ciw")
    assert (len(pubmed & scopus), len(scopus & wos), len(pubmed & wos)) == (81, 62, 25)
    assert len(pubmed & scopus & wos) == 22


def test_gambling_harms_doi_overlaps() -> None:
    pubmed = _dois(GAMBLING + "pubmed_176.ris")
    scopus = _dois(GAMBLING + "scopus_255.ris")
    psycinfo = _dois(GAMBLING + "ebsco_psycinfo_124.ris")
    lens = _dois(GAMBLING + "lens_49.ris")
    assert len(pubmed & scopus) == 172
    assert len(psycinfo & scopus) == 116
    assert len(psycinfo & pubmed) == 73
    assert len(lens & scopus) == 33
    assert len(lens & pubmed) == 31


def test_mcda_bibtex_shared_dois() -> None:
    # The README's 17 compares DOIs as written; 10.1109/TEM.2009.2036159 is written in two
    # cases, and DOIs are case-insensitive (DOI Handbook 2.4), so normalised there are 18.
    assert len(_dois("bibtex/scopus_m.bib") & _dois("bibtex/wos_m.bib")) == 18
    assert "10.1109/tem.2009.2036159" in _dois("bibtex/wos_m.bib")


def test_ovid_and_its_zotero_copy_give_the_same_records() -> None:
    ovid = _load("ris/ovid_psycinfo.ris")
    zotero = _load("ris/ovid_psycinfo_via_zotero.ris")
    assert len(ovid) == len(zotero) == 6
    assert set(ovid["doi"]) == set(zotero["doi"])
    assert "" not in set(ovid["doi"])  # Ovid's DOIs are http://dx.doi.org/ URLs
    # Ovid numbers records ("1. ") and writes "SP - No" / "EP - Specified" for no pages.
    first = ovid.iloc[0]
    assert first["pages"] == ""
    assert first["record_id"] == "s:2019-65183-001"  # Ovid's accession number (ID)


def test_embase_ris_and_csv_give_the_same_records() -> None:
    ris = _load("ris/embase_embase.ris")
    table = _load("csv/embase.csv")
    assert sorted(ris["title"]) == sorted(table["title"])
    assert sorted(ris["doi"]) == sorted(table["doi"])
    by_doi = table.set_index("doi")
    for _, row in ris.iterrows():  # the CSV's "Source" cell holds journal (year) vol:issue
        other = by_doi.loc[row["doi"]]
        assert (other["year"], other["volume"], other["pages"]) == (
            row["year"],
            row["volume"],
            row["pages"],
        )


def test_blue_light_library_as_xml_and_as_endnote_ris() -> None:
    xml = _load("endnote_xml/blue-light.xml")
    ris = _load("ris/blue-light_endnote.ris")
    assert xml["title"].tolist() == ris["title"].tolist()
    assert xml["doi"].tolist() == ris["doi"].tolist()
    assert xml["pmid"].tolist() == ris["pmid"].tolist()
    nbib = _load("medline_nbib/blue-light.nbib")
    assert set(nbib["pmid"]) <= set(ris["pmid"])  # all 80 PubMed records are in the library


def test_ebsco_second_abstract_copyright_is_dropped() -> None:
    records = _load(GAMBLING + "ebsco_crimjust_41.ris")
    raw = (EXPORTS / GAMBLING / "ebsco_crimjust_41.ris").read_text(encoding="utf-8")
    assert raw.count("Copyright of ") >= 40
    assert not records["abstract"].str.contains("Copyright of|is the property of").any()
    assert (records["abstract"].str.len() > 100).all()
    assert records["record_id"].iloc[0] == "s:150283836"  # "Accession Number:" in N1


def test_scopus_placeholders_and_copyright_lines() -> None:
    table = _load("csv/scopus_2020_format.csv")
    raw = (EXPORTS / "csv/scopus_2020_format.csv").read_text(encoding="utf-8-sig")
    assert "[No author name available]" in raw and "[No abstract available]" in raw
    assert not table["authors"].str.contains("No author name").any()
    assert not table["abstract"].str.contains("No abstract available").any()
    assert not table["abstract"].str.contains("©").any()
    # 46 fields under a 45-name header: the unnamed "Funding Text 2" is put back, so the
    # trailing columns stay aligned (EID, language, document type).
    assert table["record_id"].str.match(r"s:2-s2\.0-\d+$").all()
    assert set(table["language"]) <= {"English", "Chinese", "German", "French", ""}
    assert "Article" in set(table["publication_type"])


def test_scopus_2023_full_author_names_without_scopus_ids() -> None:
    first = _load("csv/scopus_2023_format.csv").iloc[0]
    assert first["authors"] == "Hao, Jie; High, Robin; Siu, Ka-Chun"
    assert first["pages"] == "704-715"


def test_export_dates_become_retrieved_at_and_nothing_else_does() -> None:
    assert set(_load(GAMBLING + "scopus_255.ris")["retrieved_at"]) == {"2022-12-07"}
    assert set(_load("bibtex/scopus_m.bib")["retrieved_at"]) == {"2023-07-08"}
    assert set(_load("wos_tabdelimited/WoS_medline_tabdelimited.txt")["retrieved_at"]) == {
        "2019-04-10"
    }
    assert set(_load("medline_nbib/blue-light.nbib")["retrieved_at"]) == {""}
    given = import_file(EXPORTS / "ris/proquest.ris", search_id="s", retrieved_at="2024-01-31")
    assert set(given["retrieved_at"]) == {"2024-01-31"}


def test_endnote_untagged_lines_are_separate_keywords() -> None:
    first = _load("ris/blue-light_endnote.ris").iloc[0]
    assert first["keywords"] == "Acne; Antirrhinum majus; Propionibacterium acnes; blue light"
    assert first["pmcid"] == "PMC5887696"  # EndNote's C2
    assert first["record_id"] == "s:29657938"  # AN = PMID (DP NLM)


def test_endnote_xml_carriage_return_multi_values() -> None:
    first = _load("endnote_xml/blue-light.xml").iloc[0]
    assert first["issn"] == "2277-9175"  # "2277-9175 (Print)&#xD;2277-9175"
    assert first["pmid"] == "29657938"
    assert first["authors"].startswith("Shahtalebi, M A; Asghari, G R")


def test_bom_and_untagged_continuation_in_rispy_utf_chars() -> None:
    record = _load("ris/rispy_utf_chars.ris").iloc[0]
    raw = (EXPORTS / "ris/rispy_utf_chars.ris").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert record["entry_type"] == "article"  # "TY  - Journal Article" (not a RIS code)
    assert record["volume"] != ""  # VO, not VL
    # The Cyrillic abstract goes on over an untagged line; both parts are kept.
    last_line = [ln for ln in raw.decode("utf-8-sig").splitlines() if ln and ln[2:5] != "  -"][-1]
    assert last_line.strip()[:20] in record["abstract"]


def test_bare_cr_inside_wos_ris_fields() -> None:
    raw = (EXPORTS / "ris/wos_79_ris.ris").read_bytes()
    assert raw.count(b"\r") - raw.count(b"\r\n") > 600
    records = _load("ris/wos_79_ris.ris")
    assert len(records) == 79
    assert records["record_id"].str.startswith("s:").all()


def test_wos_tagged_continuation_lines_and_ids() -> None:
    records = _load("wos_tagged/restoration_WoS.ciw")
    first = records.iloc[0]
    assert first["record_id"] == "s:WOS:000455039600059"
    assert first["title"] == (
        "Do magnetic phosphorus adsorbents used for lake restoration impact on "
        "zooplankton community?"
    )
    assert first["authors"].split("; ")[0] == "Alvarez-Manzaneda, I"
    assert first["pmid"] == "30529964"
    assert first["pages"] == "598-607"
    assert "TROPHIC STATE INDEX" in first["keywords"]


def test_wos_bibtex_latex_escapes_and_leading_space_keys() -> None:
    records = _load("bibtex/wos_m.bib")
    raw = (EXPORTS / "bibtex/wos_m.bib").read_text(encoding="utf-8-sig")
    keys = re.findall(r"^@\w+\{ (WOS:[0-9A-Z]{15}),", raw, re.MULTILINE)
    assert len(keys) == 29  # every key written with a leading space
    assert records["record_id"].tolist() == [f"s:{key}" for key in keys]
    assert not records.map(lambda v: "\\&" in v or "\\_" in v).any().any()
    assert "R&D Project Performance Evaluation" in " ".join(records["title"])  # "R\\&D"


def test_scopus_bibtex_preamble_and_en_dash_pages() -> None:
    first = _load("bibtex/scopus_m.bib").iloc[0]
    assert first["pages"] == "79-88"  # "79 – 88"
    assert first["record_id"] == "s:2-s2.0-85083087417"  # the EID in the URL
    assert first["entry_type"] == "article"


def test_lens_abstract_markup_is_removed() -> None:
    records = _load(GAMBLING + "lens_49.ris")
    assert not records["abstract"].str.contains("<AbstractText|<p>", regex=True).any()


def test_medline_fields() -> None:
    first = _load("medline_nbib/blue-light.nbib").iloc[0]
    assert first["record_id"] == "s:29657938"
    assert first["doi"] == "10.4103/abr.abr_99_17"
    assert first["authors"].startswith("Shahtalebi, Mohammad Ali; ")
    assert first["title"].startswith("Formulation of Herbal Gel of Antirrhinum majus Extract")
    assert "0.25 μg/ml" in first["abstract"]


def test_pubmed_csv_citation_is_split() -> None:
    first = _load("csv/pubmed_chatbot.csv").iloc[0]
    assert (first["volume"], first["issue"], first["pages"]) == ("53", "2", "334-347")
    assert first["record_id"] == "s:35227408"


def test_repeated_records_keep_unique_ids(tmp_path: Path) -> None:
    text = (EXPORTS / "ris/proquest.ris").read_text(encoding="utf-8")
    doubled = tmp_path / "twice.ris"
    doubled.write_text(text + "\n" + text, encoding="utf-8")
    records = import_file(doubled, search_id="s")
    assert len(records) == 12
    assert records["record_id"].is_unique
    assert records["record_id"].iloc[6] == records["record_id"].iloc[0] + "~2"


def test_database_given_overrides_the_file() -> None:
    records = import_file(EXPORTS / "ris/ovid_psycinfo.ris", search_id="s", database="APA PsycInfo")
    assert set(records["source"]) == {"APA PsycInfo"}


@pytest.mark.parametrize(
    ("name", "extension"),
    [("ris/web_of_science_ris.txt", ".csv"), ("medline_nbib/blue-light.nbib", ".ris")],
)
def test_format_comes_from_content_not_extension(name: str, extension: str, tmp_path: Path) -> None:
    renamed = tmp_path / f"export{extension}"
    renamed.write_bytes((EXPORTS / name).read_bytes())
    assert read_export(renamed).format == read_export(EXPORTS / name).format
