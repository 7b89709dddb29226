"""The demo reproduces part of Nagtegaal et al. (2019): its 101 included studies traced
through the run, its published counts compared, and the report a reviewer could submit."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reviewflow.report import find_chromium
from reviewflow.report.render import CHROMIUM_FLAGS
from reviewflow.vocab import TraceStatus


def _trace(demo_run: Path) -> list[dict[str, str]]:
    with open(demo_run / "results/reproduction/known_includes.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def report(demo_run: Path) -> BeautifulSoup:
    html = (demo_run / "results/report/report.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    for marker in soup.select("a.fn"):
        marker.decompose()
    return soup


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_every_known_include_is_traced_to_a_status(demo_run: Path) -> None:
    rows = _trace(demo_run)
    assert len(rows) == 101
    statuses = Counter(row["status"] for row in rows)
    assert set(statuses) <= {s.value for s in TraceStatus}
    # the 22 the authors included within the demo's 400-record sample: 21 extracted, one
    # whose abstract field holds acknowledgements awaits extraction
    assert statuses["included"] == 21 and statuses["awaiting extraction"] == 1
    assert statuses["awaiting screening"] == 78  # outside the sample: nobody decided them
    (lost,) = [r for r in rows if TraceStatus(r["status"]).lost]
    assert lost["title"] == "Better medicine by default" and lost["lost_at"] == "search"
    assert lost["possible_matches"].startswith("nagtegaal_records:261: the title alone")
    assert {r["found_by"] for r in rows if r["found_by"]} == {"import nagtegaal_records"}
    waiting = next(r for r in rows if r["status"] == "awaiting extraction")
    assert waiting["study_id"] == "nagtegaal_records:1210"


def test_summary_holds_recall_losses_and_line_contributions(demo_run: Path) -> None:
    summary = json.loads((demo_run / "results/reproduction/summary.json").read_text())
    known = summary["known_includes"]
    assert (known["known"], known["found"]) == (101, 100)
    stages = {s["stage"]: s for s in summary["stages"]}
    assert stages["search"] == {"stage": "search", "reached": 101, "lost": 1, "waiting": 0}
    assert stages["included"]["reached"] == 21
    lines = {line["line"]: line for line in summary["lines"]}
    assert lines["nagtegaal_records"]["known_unique"] == 100
    assert lines["bluelight_pubmed"]["unique_studies"] == 0  # every record also in EndNote
    published = {r["key"]: r for r in summary["published"]["rows"]}
    assert (published["included"]["published"], published["included"]["this_run"]) == (100, 22)


def test_the_report_says_the_api_searches_replay_other_queries(report) -> None:
    notice = _text(report.find("aside", id="notice"))
    for word in ('"cancer"', '"kubernetes"', "NOT this review's search strategy"):
        assert word in notice
    capped = _text(report.find(id="capped-warning"))
    assert capped.startswith("cut by max_records 4 of 5 API searches stopped")


def test_the_report_lists_lost_known_includes_first(report) -> None:
    rows = report.find("table", id="known-includes").find("tbody").find_all("tr")
    assert len(rows) == 101
    assert "Better medicine by default" in _text(rows[0]) and "lost" in rows[0]["class"]
    stages = [_text(tr) for tr in report.find("table", id="stage-losses").find_all("tr")]
    assert stages[1:] == [
        "search 101 1 —",
        "dedup 100 — —",
        "screening 100 — 78",
        "fulltext 22 — —",
        "extraction 22 — 1",
        "included 21 — —",
    ]


def test_the_report_uses_prisma_2020_wording_for_a_first_version(report) -> None:
    svg = str(report.find("svg"))
    assert "Identification of studies via databases and registers" in svg
    assert "Registers (n = 0)" in svg
    assert "new studies" not in svg.lower()
    counts = [_text(tr) for tr in report.find("table", id="prisma-counts").find_all("tr")]
    other = counts.index("Other methods 145")
    assert counts[other + 1] == "Blue Light review library (EndNote) 102"  # not a database
    assert "Studies included in review 22" in counts


def test_the_report_accounts_for_every_included_study(report) -> None:
    assert _text(report.find(id="accounted")).startswith(
        "22 studies are included; 21 are in the synthesis, and 1 is not"
    )
    assert "Medical admission order sets" in _text(report.find(id="not-synthesised"))


def test_screening_reads_as_words_without_raw_values(report, demo_run: Path) -> None:
    screening = " ".join(
        _text(report.find(id=anchor))
        for anchor in ("screening-status", "stopping", "screening-phase", "screening-progress")
    )
    with open(demo_run / "results/screening/progress.csv", encoding="utf-8") as handle:
        last = list(csv.DictReader(handle))[-1]
    assert "The criterion is not met yet, so screening goes on" in screening
    # the default (biased urn) says what it certifies, with its bound; no point estimate
    assert "Recall ≥ 95% with 95% confidence: not yet" in screening
    assert f"recall is at least {float(last['recall_lower_bound']):.1%}" in screening
    assert "Estimated recall" not in screening and last["estimated_recall"] == ""
    assert (
        f"it could be met after {int(last['records_to_go'])} more of the "
        f"{int(last['records_total']) - int(last['records_screened'])} records left" in screening
    )
    assert not re.search(r"\b0\.\d{5,}", screening), "a raw float in the screening section"
    assert "random sampling" not in screening  # the default never switches to a sample
    methods = _text(report.find("section", id="methods"))
    assert "kappa" not in methods.lower() and "{}" not in methods and "None" not in methods


@pytest.mark.skipif(find_chromium() is None, reason="no chromium binary on PATH")
def test_the_demo_report_renders_in_headless_chromium(demo_run: Path, tmp_path: Path) -> None:
    report = demo_run / "results/report/report.html"
    result = subprocess.run(
        [
            find_chromium() or "",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            report.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    dom = BeautifulSoup(result.stdout, "html.parser")
    for anchor in (
        "notice",
        "search-summary",
        "citation-results",
        "screening-status",
        "extraction-status",
        "prisma-counts",
        "published-comparison",
        "known-includes",
        "accounted",
        "logic-model-caption",
    ):
        assert dom.find(id=anchor) is not None, anchor
    assert dom.find("svg", class_="prisma") is not None
