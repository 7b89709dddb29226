"""Malformed exports fail with ImportFormatError naming file, line and field."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.errors import ImportFormatError
from reviewflow.importers import import_file, read_export
from reviewflow.importers.base import read_export_text

from .conftest import EXPORTS


def test_last_ris_record_without_er_is_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = (EXPORTS / "ris/scopus_asreview.ris").read_text(encoding="utf-8").splitlines()
    last_er = max(i for i, line in enumerate(lines) if line.startswith("ER  -"))
    last_ty = max(i for i, line in enumerate(lines) if line.startswith("TY  -"))
    cut = tmp_path / "cut.ris"
    cut.write_text("\n".join(lines[:last_er]) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        parsed = read_export(cut)
    assert len(parsed.records) == 6
    warning = parsed.warnings[-1]
    assert (warning.line, warning.field) == (last_ty + 1, "ER")
    assert "cut short" in warning.message
    assert f"{cut}, line {last_ty + 1}, field 'ER'" in caplog.text


def test_ris_record_running_into_the_next_one(tmp_path: Path) -> None:
    lines = (EXPORTS / "ris/proquest.ris").read_text(encoding="utf-8").splitlines()
    first_er = next(i for i, line in enumerate(lines) if line.startswith("ER  -"))
    broken = tmp_path / "broken.ris"
    broken.write_text("\n".join(lines[:first_er] + lines[first_er + 1 :]), encoding="utf-8")
    parsed = read_export(broken)
    whole = read_export(EXPORTS / "ris/proquest.ris")
    assert [r.fields["title"] for r in parsed.records] == [r.fields["title"] for r in whole.records]
    assert [(w.line, w.field) for w in parsed.warnings] == [(1, "ER")]


def test_undecodable_bytes_are_refused(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid as UTF-8 starts.
    data = (EXPORTS / "ris/proquest.ris").read_bytes()
    at = data.index(b"\nT1  -") + 10
    bad = tmp_path / "bad.ris"
    bad.write_bytes(data[:at] + b"\x81\x8d" + data[at:])
    with pytest.raises(ImportFormatError) as error:
        import_file(bad, search_id="s")
    assert error.value.line == data[:at].count(b"\n") + 1
    assert "neither UTF-8 nor Windows-1252" in str(error.value)


def test_binary_content_is_refused(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16_no_bom.ris"  # UTF-16 without BOM: a NUL every other byte
    utf16.write_bytes((EXPORTS / "ris/proquest.ris").read_text("utf-8").encode("utf-16-le"))
    with pytest.raises(ImportFormatError, match="binary or corrupted"):
        import_file(utf16, search_id="s")


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    source = EXPORTS / "ris/proquest.ris"
    utf16 = tmp_path / "utf16.ris"
    utf16.write_bytes(source.read_text("utf-8").encode("utf-16"))
    assert import_file(utf16, search_id="s").equals(
        import_file(source, search_id="s").assign(
            raw_ref=lambda f: f["raw_ref"].str.replace("proquest", "utf16")
        )
    )


def test_cp1252_file_is_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = EXPORTS / "endnote_tagged/ais_elibrary.enw"  # "Osório", "’", "—": all in cp1252
    legacy = tmp_path / "ais_elibrary.enw"
    legacy.write_bytes(source.read_text("utf-8").encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        legacy.read_bytes().decode("utf-8")
    with caplog.at_level(logging.WARNING):
        records = import_file(legacy, search_id="s")
    assert "read as Windows-1252" in caplog.text
    assert records.equals(import_file(source, search_id="s"))
    assert "Osório, Gerardo" in records["authors"].iloc[3]


def test_csv_without_title_column(tmp_path: Path) -> None:
    table = pd.read_csv(EXPORTS / "csv/pubmed_chatbot.csv", dtype=str)
    no_title = tmp_path / "no_title.csv"
    table.drop(columns=["Title"]).to_csv(no_title, index=False)
    with pytest.raises(ImportFormatError) as error:
        import_file(no_title, search_id="s")
    assert (error.value.line, error.value.field) == (1, "title")
    assert "no title column" in str(error.value)


def test_csv_column_map_naming_a_missing_column(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError) as error:
        import_file(
            EXPORTS / "csv/pubmed_chatbot.csv",
            search_id="s",
            column_map={"title": "Title", "abstract": "Abstract"},
        )
    assert (error.value.line, error.value.field) == (1, "abstract")


def test_csv_column_map_with_native_id(tmp_path: Path) -> None:
    records = import_file(
        EXPORTS / "csv/pubmed_chatbot.csv",
        search_id="pm",
        column_map={
            "native_id": "PMID",
            "title": "Title",
            "doi": "DOI",
            "year": "Publication Year",
        },
    )
    assert records["record_id"].iloc[0] == "pm:35227408"
    assert records["doi"].iloc[0] == "10.1016/j.beth.2021.09.007"
    # a partial map leaves the other columns to the layout: the journal is still read
    assert records["journal"].iloc[0] == "Behav Ther"
    same = import_file(
        EXPORTS / "csv/pubmed_chatbot.csv",
        search_id="pm",
        column_map={"record_id": "PMID", "title": "Title"},
    )
    assert same["record_id"].tolist() == records["record_id"].tolist()


def test_csv_more_fields_than_header(tmp_path: Path) -> None:
    lines = (EXPORTS / "csv/pubmed_chatbot.csv").read_text("utf-8").splitlines()
    lines[3] += ',"stray"'
    bad = tmp_path / "stray.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportFormatError) as error:
        import_file(bad, search_id="s")
    assert error.value.line == 4


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/endnote.dtd">',
    ],
    ids=["external-entity", "entity-expansion", "external-dtd"],
)
def test_endnote_xml_with_dtd_or_entities_is_refused(doctype: str, tmp_path: Path) -> None:
    text = (EXPORTS / "endnote_xml/endnote-sm.xml").read_text("utf-8")
    declaration, rest = text.split("?>", 1)
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(f"{declaration}?>\n{doctype}{rest}", encoding="utf-8")
    with pytest.raises(ImportFormatError) as error:
        import_file(hostile, search_id="s")
    assert error.value.path == str(hostile)
    assert error.value.line == 2
    assert "DTD" in str(error.value) and "refused" in str(error.value)


def test_endnote_xml_not_well_formed(tmp_path: Path) -> None:
    text = (EXPORTS / "endnote_xml/endnote-sm.xml").read_text("utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ImportFormatError, match="not well-formed"):
        import_file(cut, search_id="s", format="endnote_xml")


def test_wos_file_with_missing_cr_tag() -> None:
    path = EXPORTS / "wos_tagged/metaknowledge_badFile_missing_CR_tag.isi"
    with pytest.raises(ImportFormatError) as error:
        import_file(path, search_id="s")
    assert (error.value.line, error.value.field) == (13, "C1")
    assert "'CR' tag" in str(error.value)
    assert str(path) in str(error.value)


def test_wos_file_without_ef_is_read_with_a_warning(tmp_path: Path) -> None:
    text = (EXPORTS / "wos_tagged/metaknowledge_TwoPaper.isi").read_text("utf-8-sig")
    cut = tmp_path / "cut.isi"
    cut.write_text(text.replace("\nEF", "\n"), encoding="utf-8")
    parsed = read_export(cut)
    assert len(parsed.records) == 2
    assert [w.field for w in parsed.warnings] == ["EF"]


def test_unknown_format_lists_the_options() -> None:
    with pytest.raises(ImportFormatError, match="Available options: auto, ris, nbib"):
        import_file(EXPORTS / "ris/proquest.ris", search_id="s", format="marc21")


def test_content_of_no_known_format(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("These are my search notes\nno records here\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="cannot tell the export format"):
        read_export(odd)


def test_wrong_format_given_is_an_error_not_empty_output() -> None:
    with pytest.raises(ImportFormatError) as error:
        import_file(EXPORTS / "ris/proquest.ris", search_id="s", format="nbib")
    assert error.value.line == 1


def test_missing_file() -> None:
    with pytest.raises(ImportFormatError, match="cannot read export file"):
        read_export_text(EXPORTS / "no_such_file.ris")
