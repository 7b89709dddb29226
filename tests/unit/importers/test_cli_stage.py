"""``reviewflow import`` and the import stage (rule import_records) on real exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewflow.cli import main
from reviewflow.importers import FORMATS, IMPORTERS
from reviewflow.importers.settings import ImportLine
from reviewflow.importers.stage import run_import_stage
from reviewflow.records import read_records

from .conftest import EXPORTS


def test_registry_names_every_format() -> None:
    assert set(IMPORTERS) == {
        "ris",
        "nbib",
        "bibtex",
        "endnote_xml",
        "endnote_tagged",
        "wos",
        "wos_tabdelimited",
        "ovid_tagged",
        "ovid_labelled",
        "proquest",
        "csv",
    }
    assert FORMATS[0] == "auto"
    assert all(importer.name == name for name, importer in IMPORTERS.items())


def test_cli_import_ris(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scopus.csv"
    source = EXPORTS / "ris/gambling-harms_20221207/scopus_255.ris"
    status = main(["import", str(source), "--output", str(out), "--search-id", "scopus"])
    assert status == 0
    records = read_records(out)
    assert len(records) == 255
    assert "title" in records.columns
    assert records["record_id"].str.startswith("scopus:2-s2.0-").all()
    summary = capsys.readouterr().out.strip()
    assert summary.count("\n") == 0
    assert summary.startswith("255 records (ris, Scopus)")
    assert "18 without abstract, 2 without DOI" in summary


def test_cli_generic_csv_with_column_map(tmp_path: Path) -> None:
    out = tmp_path / "pubmed.csv"
    source = EXPORTS / "csv/pubmed_chatbot.csv"
    args = ["import", str(source), "-o", str(out), "--format", "csv", "--search-id", "pm"]
    args += ["--column-map", "native_id=PMID", "title=Title", "doi=DOI"]
    assert main(args) == 0
    records = read_records(out)
    assert records["record_id"].iloc[0] == "pm:35227408"
    assert records["volume"].iloc[0] == "53"  # unmapped fields are still read


def test_cli_default_search_id_is_the_file_stem(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    assert main(["import", str(EXPORTS / "medline_nbib/blue-light.nbib"), "-o", str(out)]) == 0
    assert read_records(out)["record_id"].iloc[0] == "blue-light:29657938"


def test_cli_error_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("kept\n", encoding="utf-8")
    bad = EXPORTS / "wos_tagged/metaknowledge_badFile_missing_CR_tag.isi"
    assert main(["import", str(bad), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "reviewflow error:" in err and "line 13" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "kept\n"  # nothing already written is lost


def test_cli_bad_column_map_argument(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = str(EXPORTS / "csv/pubmed_chatbot.csv")
    assert main(["import", source, "-o", str(tmp_path / "o.csv"), "--column-map", "title"]) == 2
    assert "FIELD=COLUMN" in capsys.readouterr().err


def test_import_stage_writes_records_and_audit(tmp_path: Path) -> None:
    entry = {
        "id": "restoration_pubmed",
        "path": "exports/restoration_pubmed.nbib",
        "format": "auto",
        "database": "MEDLINE",
        "platform": "PubMed",
        "date_searched": "2019-01-15",
        "query": "restoration[tiab] AND lake*[tiab]",
        "notes": "",
    }
    records_path = tmp_path / "results/import/restoration_pubmed/records.csv"
    audit_path = tmp_path / "results/import/restoration_pubmed/import_records.audit.json"
    run_import_stage(
        export_path=EXPORTS / "medline_nbib/restoration_pubmed.nbib",
        entry=ImportLine.from_raw(entry),
        out_records=records_path,
        audit_path=audit_path,
    )
    records = read_records(records_path)
    assert len(records) == 104
    assert set(records["source"]) == {"MEDLINE"}  # the name given in config wins
    assert set(records["search_id"]) == {"restoration_pubmed"}
    audit = json.loads(audit_path.read_text(encoding="utf-8"))
    assert audit["stage"] == "import" and audit["rule"] == "import_records"
    assert audit["counts"] == {
        "records_in_file": 104,
        "records_out": 104,
        "without_abstract": 8,
        "without_doi": 0,
        "records_with_unmapped_fields": 104,
        "warnings": 0,
    }
    # MEDLINE tags without a record field (status, dates, affiliations) are counted
    assert audit["details"]["unmapped_fields"]["STAT"] == 104
    assert audit["details"]["unmapped_fields"]["AD"] > 50
    assert audit["details"]["warnings"] == []
    details = audit["details"]
    assert details["database"] == "MEDLINE"
    assert details["platform"] == "PubMed"
    assert details["date_searched"] == "2019-01-15"
    assert details["query"] == entry["query"]
    assert details["format"] == "nbib"
    assert audit["inputs"][0]["sha256"]


def test_import_stage_failure_writes_no_audit(tmp_path: Path) -> None:
    from reviewflow.errors import ImportFormatError

    audit_path = tmp_path / "audit.json"
    with pytest.raises(ImportFormatError):
        run_import_stage(
            export_path=EXPORTS / "wos_tagged/metaknowledge_badFile_missing_CR_tag.isi",
            entry=ImportLine.from_raw(
                {"id": "bad", "path": "bad.isi", "database": "Web of Science"}
            ),
            out_records=tmp_path / "records.csv",
            audit_path=audit_path,
        )
    assert not audit_path.exists()
