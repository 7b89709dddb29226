"""Locating full texts: dropped PDFs, records without identifiers, Europe PMC core answers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reviewflow.fulltext.locate import (
    LocationStatus,
    locate_fulltext,
    parse_europepmc_core,
    pdf_file_name,
)

from .conftest import FIXTURES, locate

CORE = json.loads((FIXTURES / "europepmc_search_cancer_core.json").read_text(encoding="utf-8"))


def _refuse():
    raise AssertionError("no session may be opened for a record without identifiers")


def test_record_without_identifier_makes_no_request():
    location = locate_fulltext(
        "nagtegaal_records:40",
        {"record_id": "nagtegaal_records:40", "title": "A computerized intervention"},
        unpaywall=_refuse,
        europepmc=_refuse,
    )
    assert location.status == LocationStatus.NO_IDENTIFIER


def test_demo_in_replay_mode_needs_no_archive(tmp_path, screening_included, clusters):
    out = tmp_path / "availability.csv"
    locate(
        tmp_path,
        screening_included,
        clusters_path=str(clusters),
        sources={"archive_dir": str(tmp_path / "no-such-archive")},
        replay=True,
    )
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(table) == 79
    assert set(table["status"]) == {LocationStatus.NO_IDENTIFIER}
    audit = json.loads((tmp_path / "locate.audit.json").read_text())
    assert audit["counts"]["no_identifier"] == 79
    assert audit["counts"]["reports_sought"] == 79
    assert (tmp_path / "archive").is_dir()
    assert not (tmp_path / "no-such-archive").exists()


def test_pdf_dropped_by_record_id_is_found(tmp_path, screening_included, clusters):
    pdfs = tmp_path / "fulltexts"
    pdfs.mkdir()
    assert pdf_file_name("nagtegaal_records:40") == "nagtegaal_records_40.pdf"
    (pdfs / "nagtegaal_records_40.pdf").write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "availability.csv"
    locate(
        tmp_path, screening_included, clusters_path=str(clusters), pdf_dir=str(pdfs), replay=True
    )
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("study_id")
    assert table.loc["nagtegaal_records:40", "status"] == LocationStatus.LOCAL
    assert table.loc["nagtegaal_records:40", "local_path"].endswith("nagtegaal_records_40.pdf")
    assert table.loc["nagtegaal_records:85", "status"] == LocationStatus.NO_IDENTIFIER


def test_europepmc_core_answer_open_access_copy():
    found = parse_europepmc_core(CORE, doi="10.1002/hpja.70059")
    assert found is not None
    assert found["is_oa"] == "true"
    assert found["pmcid"] == "PMC12120539"
    assert found["licence"] == "cc by-nc-nd"
    assert found["pdf_url"] == "https://europepmc.org/articles/PMC12120539?pdf=render"
    assert found["url"] == "https://europepmc.org/articles/PMC12120539"


def test_europepmc_core_answer_subscription_only_and_other_works():
    closed = parse_europepmc_core(CORE, doi="10.1016/s0140-6736(24)02600-x")
    assert closed is not None and closed["is_oa"] == "" and closed["pdf_url"] == ""
    # a work the answer does not contain is not matched to another result
    assert parse_europepmc_core(CORE, doi="10.30636/jbpa.22.71") is None
    by_pmid = parse_europepmc_core(CORE, pmid="40377773")
    assert by_pmid is not None and by_pmid["pmcid"] == "PMC12174270"


def test_fixture_is_the_recorded_core_answer():
    assert CORE["request"]["resultType"] == "core"
    assert Path(FIXTURES / "PROVENANCE.md").is_file()
