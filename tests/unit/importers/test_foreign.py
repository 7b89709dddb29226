"""Exports from other projects' test suites (../shared/fixtures/foreign/): exact counts.

MANIFEST.tsv gives each file's record count and how it is known (the upstream test's
assertion, the upstream expected-output file, or a hand count). Every file must import
with exactly that count, detected from its content; a few fields are checked by hand.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.cli import main
from reviewflow.config import REPO_ROOT
from reviewflow.importers import ParsedExport, import_file, read_export
from reviewflow.records import read_records

FOREIGN = REPO_ROOT.parent / "shared" / "fixtures" / "foreign"

pytestmark = pytest.mark.skipif(
    not (FOREIGN / "MANIFEST.tsv").exists(), reason="../shared/fixtures/foreign/ is not present"
)

#: Folder -> the format detection must find.
_FOLDER_FORMAT = {
    "ris": "ris",
    "nbib": "nbib",
    "bibtex": "bibtex",
    "endnote_xml": "endnote_xml",
    "endnote_tagged": "endnote_tagged",
    "wos": "wos",
    "csv": "csv",
}
#: Files of formats the manifest does not count yet, counted by hand in the raw file.
_HAND_COUNTS = {
    # 100 "Document n of 100" headers (the trailing bibliography repeats them)
    "other/metaknowledge_ProQuest_TestFile.txt": ("proquest", 100),
    # one record, numbered <8>, in Ovid's field-label layout
    "other/jabref_OvidImporterTest4.txt": ("ovid_labelled", 1),
}


def _manifest() -> list[tuple[str, str, int]]:
    if not (FOREIGN / "MANIFEST.tsv").exists():
        return []
    with (FOREIGN / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    cases = []
    for row in rows:
        name = row["file"]
        if row["expected_records"]:
            cases.append((name, _FOLDER_FORMAT[name.split("/")[0]], int(row["expected_records"])))
        else:
            fmt, count = _HAND_COUNTS[name]
            cases.append((name, fmt, count))
    return cases


CASES = _manifest()


@functools.cache
def _parsed(name: str) -> ParsedExport:
    return read_export(FOREIGN / name)


@functools.cache
def _cached(name: str) -> pd.DataFrame:
    return import_file(FOREIGN / name, search_id="s")


def _records(name: str) -> pd.DataFrame:
    return _cached(name).copy()


def _warnings(name: str) -> list[str]:
    return [w.describe(name) for w in _parsed(name).warnings]


def test_every_file_of_the_manifest_is_a_case() -> None:
    files = {p.relative_to(FOREIGN).as_posix() for p in FOREIGN.rglob("*") if p.is_file()}
    assert {c[0] for c in CASES} == files - {"MANIFEST.tsv", "README.md"}


@pytest.mark.parametrize(("name", "fmt", "count"), CASES, ids=[c[0] for c in CASES])
def test_foreign_export_count(name: str, fmt: str, count: int) -> None:
    parsed = _parsed(name)
    assert parsed.format == fmt
    records = _records(name)
    assert len(records) == count
    assert records["record_id"].is_unique
    assert not records.map(lambda v: any(c in v for c in "\r\n\t")).any().any()
    for cell in records["extra"]:
        assert cell == "" or isinstance(json.loads(cell), dict)


def test_eric_nbib() -> None:
    record = _records("nbib/colrev_eric.nbib").iloc[0]
    assert record["record_id"] == "s:EJ1131633"  # ERIC's accession number (OID)
    assert record["source"] == "ERIC"
    assert record["title"] == "Paper title"
    assert record["authors"] == "Smith, Tom; Hunter, Shawn"
    assert record["doi"] == "10.1000/123456789"  # "AID - http://dx.doi.org/..."
    assert (record["issn"], record["year"], record["pages"]) == ("1234-4567", "2000", "1-9")
    assert json.loads(record["extra"])["SO"] == "v10 n1 p1-10 2000"


def test_medline_junk_line_is_skipped_with_its_line() -> None:
    name = "nbib/jabref_MedlinePlainMultipleEntries.txt"
    assert len(_records(name)) == 7
    assert any("line 53: not a MEDLINE line" in w for w in _warnings(name))


def test_ris_without_er_one_space_tags_and_comments() -> None:
    name = "ris/colrev_loader_ris_data.ris"
    records = _records(name)
    assert records["title"].tolist() == ["Title of a conference paper", "Title of a journal paper"]
    assert records.iloc[0]["keywords"] == "keyword2; keyword2; keyword3"  # "KW - keyword2"
    assert json.loads(records.iloc[0]["extra"]) == {"PMID": "12345678"}
    warnings = " | ".join(_warnings(name))
    assert "line 2, field 'ER'" in warnings
    assert "one space" in warnings
    assert "comment line" in warnings


def test_faulty_year_is_a_warning() -> None:
    name = "ris/asreview_faulty_year.ris"
    assert _records(name).iloc[0]["year"] == ""
    assert any("field 'PY': no year in '10 15'" in w for w in _warnings(name))


def test_bibtex_unbalanced_entry_is_read_field_by_field() -> None:
    name = "bibtex/colrev_ebsco.bib"
    records = _records(name)
    assert records["title"].tolist() == ["Paper title.", "When sharing fixes prices."]
    assert records.iloc[1]["authors"] == "Cruise, Tom"
    assert records.iloc[1]["abstract"] == "While price-fixing"
    assert any(w.startswith(f"{name}, line 15: entry") for w in _warnings(name))


def test_bibtex_empty_and_duplicate_keys_keep_every_entry() -> None:
    citavi = "bibtex/jabref_CitaviXmlImporterTest1.bib"
    assert (_records(citavi)["title"] != "").sum() >= 55
    assert any("60 entries have no key" in w for w in _warnings(citavi))
    biber = "bibtex/bibtexparser_v1_biber-examples.bib"
    assert any("line 1543: entry key 'tmn4' is used again" in w for w in _warnings(biber))
    assert (_records(biber)["extra"].str.contains('"ID":"tmn4"', regex=False)).sum() == 2


def test_bibtex_macros_and_concatenation() -> None:
    features = _records("bibtex/bibtexparser_v1_features2.bib").iloc[0]
    assert features["title"] == "Cool Stuff"  # @string myTitle = cool # " " # stuff
    assert features["authors"] == "Doe, John"  # "John " # mynamE
    assert features["journal"] == "My International Conference"
    assert features["pages"] == "1-10"  # pages -> baR -> FOO -> "1--10"
    assert json.loads(features["extra"])["note"] == "Email: John.Doe@example.com"
    strings = _records("bibtex/bibtexparser_v1_article_with_strings.bib").iloc[0]
    assert strings["authors"] == "César, Jean"
    assert strings["journal"] == "Nice Journal"


def test_bibtex_latex_becomes_unicode() -> None:
    aksin = _records("bibtex/jabref_BibtexImporter.examples.bib").iloc[3]
    assert aksin["authors"].startswith("Aksın, Özge; Türkmen, Hayati; Artok, Levent; Çetinkaya")
    assert "saturated Pd-N-heterocyclic carbenes in Mizoroki-Heck" in aksin["title"]
    assert any(
        "undefined @string macro(s) jomch" in w
        for w in _warnings("bibtex/jabref_BibtexImporter.examples.bib")
    )


def test_springer_and_ieee_csv() -> None:
    springer = _records("csv/colrev_springer.csv").iloc[0]
    assert springer["title"] == "Publication tilte"
    assert springer["authors"] == "Smith, Andy; Weber, Tom"  # written "Andy SmithTom Weber"
    assert (springer["journal"], springer["volume"], springer["issue"]) == ("Nature", "17", "3")
    assert (springer["doi"], springer["year"]) == ("10.1007/11111", "2000")
    ieee = _records("csv/colrev_ieee.csv")
    assert ieee.iloc[0]["authors"] == "Rottman, Joseph; Carmel, Erran; Lacity, Mary"
    assert ieee.iloc[0]["journal"] == "Computer"  # the "Publication" column
    assert "Solvers' sustained participation" in ieee.iloc[1]["abstract"]  # &#x0027;


def test_wos_sici_dois_are_whole() -> None:
    dois = set(_records("wos/metaknowledge_ManyAuthors.isi")["doi"])
    assert "10.1002/1097-0142(20000701)89:1<135::aid-cncr18>3.0.co;2-#" in dois
    assert "10.1002/(sici)1097-0045(19971101)33:3<217::aid-pros11>3.0.co;2-n" in dois


def test_comparisons_in_abstracts_survive() -> None:
    medline = _records("nbib/metaknowledge_medline_test.medline")
    assert medline["abstract"].str.contains("(FA < median, fully adjusted", regex=False).any()
    assert medline["abstract"].str.contains("grouped into <23.0 mEq/L", regex=False).any()


def test_proquest_text_export() -> None:
    records = _records("other/metaknowledge_ProQuest_TestFile.txt")
    first = records.iloc[0]
    assert first["record_id"] == "s:1548716365"  # ProQuest document ID
    assert first["title"] == "Entrenchment and the Kripke-Wittgenstein paradox"
    assert first["authors"] == "Dorst, Chris"
    assert first["abstract"].startswith("Surprisingly little attention has been paid")
    assert (first["year"], first["isbn"], first["entry_type"]) == (
        "2014",
        "9781303940095",
        "phdthesis",
    )
    assert first["source"] == "ProQuest Dissertations & Theses Global"
    assert "Kripke-Wittgenstein paradox" in first["keywords"].split("; ")
    assert first["url"].endswith("docview/1548716365?accountid=14906")
    assert json.loads(first["extra"])["Advisor"] == "Lange, Marc"
    assert (records["title"] != "").all() and (records["abstract"] != "").all()


def test_ovid_field_label_export() -> None:
    record = _records("other/jabref_OvidImporterTest4.txt").iloc[0]
    assert record["record_id"] == "s:01445406-201509000-00006"
    assert record["title"].endswith("in Harz Mountains, Germany")  # "[Article]" moved out
    assert (
        record["authors"] == "Kohler, Lars; Leuschner, Christoph; Hauck, Markus; Hertel, Dietrich"
    )
    assert (record["journal"], record["volume"], record["issue"], record["pages"]) == (
        "Ecohydrology",
        "8",
        "6",
        "1048-1064",
    )
    assert (record["year"], record["doi"], record["issn"]) == (
        "2015",
        "10.1002/eco.1563",
        "1936-0584",
    )
    assert "References" in json.loads(record["extra"])


@pytest.mark.parametrize(
    "name",
    ["other/jabref_OvidImporterTest4.txt", "bibtex/colrev_ebsco.bib", "nbib/colrev_eric.nbib"],
)
def test_cli_import(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "records.csv"
    with caplog.at_level(logging.WARNING):
        assert main(["import", str(FOREIGN / name), "--output", str(out)]) == 0
    assert len(read_records(out)) == len(_records(name))
    summary = capsys.readouterr().out
    assert f"{len(_parsed(name).warnings)} warning" in summary
    assert len(caplog.records) == len(_parsed(name).warnings)
