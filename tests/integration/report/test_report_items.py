"""The report a reviewer could submit: every PRISMA 2020 / PRISMA-S item, read from the HTML.

Each test reads the rendered report with an HTML parser and looks for one item of the
methods and results a reviewer reports: the search lines in full, screening in words,
every included study accounted for, citation tracking as a table, the PRISMA 2020 wording,
studies cited by author and year, the notice, and the reproduction of the published review.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from reviewflow.prisma import audits_at
from reviewflow.report.render import render_report, run_report_stage


@pytest.fixture
def soup(finished_run: dict[str, Any], tmp_path: Path) -> BeautifulSoup:
    out = tmp_path / "results" / "report" / "report.html"
    run_report_stage(**finished_run, out_html=out, audit_path=out.with_name("a.audit.json"))
    parsed = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    for marker in parsed.select("a.fn"):  # footnote numbers, not part of the sentences
        marker.decompose()
    return parsed


def _text(node: Any) -> str:
    return " ".join(node.get_text(" ").split())


def _line(soup: BeautifulSoup, line_id: str) -> dict[str, str]:
    article = soup.find("article", id=f"line-{line_id}")
    assert article is not None, f"no section for search line {line_id}"
    return {dd["class"][0]: _text(dd) for dd in article.find_all("dd") if dd.get("class")}


def test_every_search_line_is_reported_in_full(soup):
    pubmed = _line(soup, "pubmed")
    assert pubmed["platform"].startswith("NCBI E-utilities")
    assert pubmed["query-sent"].startswith('"nudge"[tiab] AND physician*[tiab]')
    assert "[Title/Abstract]" in pubmed["translation"]
    assert pubmed["date-limits"] == "published 2000-01-01 to 2017-06-30"
    assert pubmed["date-run"] == "2026-01-01"
    assert pubmed["search-field"] == "title/abstract"
    assert pubmed["hits"] == "124" and pubmed["records"].startswith("120")
    assert "received 120 of 124 records" in pubmed["shortfall"]
    assert "EFetch" in pubmed["warnings"]
    assert pubmed["line-notes"] == "reconstruction from the published concepts"
    embase = _line(soup, "embase")
    assert embase["platform"].startswith("Ovid") and embase["query-sent"] == "1. exp nudge/"
    assert embase["date-run"] == "2026-01-02"


def test_filter_searches_show_their_filter_as_the_query(soup):
    openalex = _line(soup, "openalex-seeds")
    assert "filter=openalex:W3045921891|W3046863325" in openalex["query-sent"]
    crossref = _line(soup, "crossref")
    assert crossref["query-sent"].startswith("GET /members/98/works")
    assert "not recorded" not in openalex["query-sent"] + crossref["query-sent"]
    assert crossref["ranking-note"].startswith("Crossref ranks by relevance")


def test_a_line_cut_by_max_records_is_flagged_where_it_is_listed(soup):
    crossref = _line(soup, "crossref")
    assert "cut by max_records = 20: 20 of 138,567 hits retrieved" in crossref["records"]
    summary = soup.find("table", id="search-summary")
    flagged = [_text(tr) for tr in summary.find_all("tr") if tr.find(class_="capped")]
    assert len(flagged) == 1 and "Crossref" in flagged[0]
    assert "1 of 3 API searches stopped at their max_records limit" in _text(
        soup.find(id="capped-warning")
    )


def test_an_import_awaiting_its_export_says_export_needed(soup):
    cinahl = _line(soup, "cinahl")
    assert cinahl["query-sent"] == "S1 nudg*"
    assert "CINAHL (EBSCOhost)" in _text(soup.find(id="exports-needed"))
    rows = [_text(tr) for tr in soup.find("table", id="search-summary").find_all("tr")]
    assert any("CINAHL" in r and "export needed" in r for r in rows)


def test_screening_is_reported_in_words(soup):
    status = _text(soup.find(id="screening-status"))
    assert status.startswith("100 of 150 studies have been screened")
    assert "50 await screening" in status
    stopping = _text(soup.find(id="stopping"))
    assert "stopping criterion met" in stopping and "buscar" in stopping
    assert "50 records" in stopping
    assert (
        "Recall ≥ 95% with 95% confidence: met (estimated recall 97.1%; recall is at least "
        "95.1% with 95% confidence)." in stopping
    )
    phase = _text(soup.find(id="screening-phase"))
    assert phase == "Screening is in its sampling phase, which began after 80 records."
    text = _text(soup.find("section", id="methods"))
    assert "0.9712345678" not in text and "{}" not in text and "None" not in text
    assert "switched at" not in text


def test_kappa_is_shown_only_with_two_reviewers(soup, finished_run):
    assert "A vs B: 0.8123 over 100 studies" in _text(soup.find(id="agreement"))
    config = dataclasses.replace(finished_run["config"], screening_decisions=("decisions/a.csv",))
    audits = [a for a in audits_at(finished_run["audit_paths"])]
    for audit in audits:
        if audit["stage"] == "screening":
            audit["details"]["kappa"] = {}
    one = BeautifulSoup(
        render_report(config=config, audits=audits, inputs=finished_run["inputs"]),
        "html.parser",
    )
    agreement = _text(one.find(id="agreement"))
    assert "κ" not in agreement and "no agreement statistic applies" in agreement


def test_every_included_study_is_accounted_for(soup):
    accounted = _text(soup.find(id="accounted"))
    assert accounted.startswith("3 studies are included; 2 are in the synthesis, and 1 is not")
    missing = _text(soup.find(id="not-synthesised"))
    assert "awaiting extraction" in missing and "nagtegaal_records:" in missing
    extraction = _text(soup.find(id="extraction"))
    assert extraction == "1.6 Data extraction"
    status = _text(soup.find(id="extraction-status"))
    assert status.startswith("2 of 3 included studies have been extracted; 1 awaits")


def test_citation_tracking_is_a_table_a_person_reads(soup):
    table = soup.find("table", id="citation-results")
    headers = [_text(th) for th in table.find_all("th")]
    assert headers == [
        "Round",
        "Direction",
        "Source",
        "Seeds chased",
        "Records found",
        "New after deduplication",
    ]
    cells = [_text(td) for td in table.find("tbody").find("tr").find_all("td")]
    assert cells == ["1", "backward", "OpenAlex", "1", "1", "1"]
    seeds = _text(soup.find("table", id="citation-seeds"))
    assert "W3045921891" in seeds and "unresolved not in OpenAlex" in seeds
    section = _text(soup.find("section", id="methods"))
    for internal in ("records_backward", "backward_round1", "records_both_directions"):
        assert internal not in section


def test_prisma_wording_of_a_first_version(soup):
    svg = str(soup.find("svg"))
    assert "Identification of studies via databases and registers" in svg
    assert "Identification of studies via other methods" in svg
    assert "new studies" not in svg.lower()
    assert "Registers (n = 0)" in svg
    boxes = [_text(tr) for tr in soup.find("table", id="prisma-counts").find_all("tr")]
    assert any(b.startswith("Studies included in review") for b in boxes)
    caption = _text(soup.find(id="logic-model-caption"))
    assert "judged to support or refine its theory component" in caption
    assert "configurations that refute it draw no link" in caption


def test_studies_are_cited_by_author_and_year(soup):
    refs = [_text(li) for li in soup.find("section", id="included").find_all("li")]
    assert "Smith et al. (2010) : Smith J, Doe A, Roe R (2010). A prospective" in refs[1]
    assert "2 of 3 studies are cited by the start of their title" in _text(
        soup.find(id="no-authors")
    )


def test_notice_comes_first(soup):
    notice = soup.find("aside", id="notice")
    assert "no number here is a finding" in _text(notice)
    assert notice.find_next("section")["id"] == "methods"


def test_reproduction_lists_lost_studies_first(soup):
    lead = _text(soup.find(id="search-recall"))
    assert lead.startswith("The published review's list of included studies has 6 entries")
    assert "5 of them were found" in lead
    rows = soup.find("table", id="known-includes").find("tbody").find_all("tr")
    statuses = [_text(r.find_all("td")[1]) for r in rows]
    assert statuses[0] == "not retrieved"
    assert statuses[1] == "excluded at title/abstract"
    assert statuses.count("included") == 2 and "awaiting extraction" in statuses
    excluded = _text(rows[1])
    assert "by A on 2026-01-02" in excluded and "by B on 2026-01-04" in excluded
    published = _text(soup.find("table", id="published-comparison"))
    assert "MEDLINE (Ovid) (this run: pubmed) 118 table 1 120 +2" in published
    assert "Records identified (all sources, before deduplication) 210 figure 1 224 +14" in (
        published
    )
    stages = [_text(tr) for tr in soup.find("table", id="stage-losses").find_all("tr")][1:]
    assert stages[0] == "search 6 1 —" and stages[-1] == "included 2 — —"
    assert re.search(
        r"citations \(citations\) citation tracking 1 1 1 1 1",
        _text(soup.find("table", id="line-contributions")),
    )


def test_the_biased_urn_says_what_it_certifies_not_a_point_estimate(finished_run):
    """The default rule in its ranked phase, as the stage records it: no "estimated recall
    100%", no random-sampling switch, the records to go in words."""
    audits = audits_at(finished_run["audit_paths"])
    for audit in audits:
        if audit["stage"] == "screening":
            audit["parameters"]["stopping"] = {
                "rule": "biased_urn",
                "recall_target": 0.95,
                "confidence": 0.95,
                "bias": 2.0,
                "switch_after_consecutive_irrelevant": 100,
                "switch_after_fraction": 0.5,
            }
            audit["details"] = {
                "phase": "ranked",
                "stop_rule": "biased_urn",
                "stop_criterion_met": False,
                "estimated_recall": None,
                "recall_lower_bound": 0.9375,
                "p_value": 0.107,
                "records_to_go": 31,
            }
    html = render_report(
        config=finished_run["config"], audits=audits, inputs=finished_run["inputs"]
    )
    page = BeautifulSoup(html, "html.parser")
    stopping = _text(page.find(id="stopping"))
    assert "Stopping rule biased_urn: the biased urn" in stopping
    assert "at least 2 times likelier to offer a relevant record" in stopping  # the criterion
    assert (
        "Recall ≥ 95% with 95% confidence: not yet (recall is at least 93.8% with 95% "
        "confidence)." in stopping
    )
    assert "Estimated recall" not in stopping and "100.0%" not in stopping
    assert "If none of the next records is relevant, it could be met after 31 more of the 50" in (
        stopping
    )
    phase = _text(page.find(id="screening-phase"))
    assert phase.startswith("Records are offered in the model's ranked order")
    assert "random sampling" not in _text(page.find("section", id="methods"))


def test_a_stop_status_recorded_as_one_mapping_is_read_in_words(finished_run):
    audits = audits_at(finished_run["audit_paths"])
    for audit in audits:
        if audit["stage"] == "screening":
            audit["details"] = {
                "stop_status": {
                    "screened": 100,
                    "relevant_found": 12,
                    "estimate": 0.812345,
                    "bound": 0.70001,
                    "criterion": "recall >= 95% at 95% confidence",
                    "met": False,
                    "remaining": 50,
                },
                "a_new_field": 0.123456789,
            }
    html = render_report(
        config=finished_run["config"], audits=audits, inputs=finished_run["inputs"]
    )
    page = BeautifulSoup(html, "html.parser")
    stopping = _text(page.find(id="stopping"))
    assert "not stopped" in stopping
    assert "Stop when recall >= 95% at 95% confidence." in stopping
    assert (
        "Recall ≥ 95% with 95% confidence: not yet (estimated recall 81.2%; recall is at least "
        "70.0% with 95% confidence)." in stopping
    )
    assert stopping.endswith("50 records have not been screened.")  # records to go unrecorded
    also = _text(page.find("details"))
    assert "a new field 0.1235" in also and "criterion" not in also
