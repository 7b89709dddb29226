"""PRISMA counts come from audit records, each number traceable to a file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewflow.audit import load_audits
from reviewflow.errors import DataError
from reviewflow.prisma import PrismaSettings, prisma_counts, run_count_prisma

PLAIN = PrismaSettings(review_id="t")


def _n(counts, box_id):
    return counts["boxes"][box_id]["n"]


def test_every_box_from_its_audit(audit_tree):
    counts = prisma_counts(load_audits("results"), PLAIN)
    assert _n(counts, "database:PubMed") == 120
    assert _n(counts, "database:Embase") == 40
    assert _n(counts, "database_results") == 240
    assert _n(counts, "register_results") == 5
    assert counts["layout"]["registers"] == ["register:ClinicalTrials.gov"]
    assert _n(counts, "other:citations_backward") == 30
    assert _n(counts, "other:citations_forward") == 12
    assert _n(counts, "duplicates") == 87
    assert _n(counts, "excluded_automatic") == 50
    assert _n(counts, "records_screened") == 150
    assert _n(counts, "records_excluded") == 130
    assert _n(counts, "reports_sought") == 20
    assert _n(counts, "reports_not_retrieved") == 2
    assert _n(counts, "reports_assessed") == 18
    assert _n(counts, "reason:wrong population") == 6
    assert _n(counts, "new_studies") == 7
    assert _n(counts, "new_reports") == 8
    assert counts["layout"]["other"] is True
    assert counts["layout"]["previous"] is False
    assert "total_studies" not in counts["boxes"]


def test_sources_name_audit_file_and_key(audit_tree):
    counts = prisma_counts(load_audits("results"), PLAIN)
    assert counts["boxes"]["records_screened"]["sources"] == [
        {"audit": "results/screening/screen_records.audit.json", "key": "counts.screened"}
    ]
    dup = counts["boxes"]["duplicates"]["sources"]
    assert [s["key"] for s in dup] == ["counts.duplicates_removed"]
    assert counts["boxes"]["reason:no comparator"]["sources"][0]["key"] == (
        "reasons.excluded: no comparator"
    )
    for box in counts["boxes"].values():
        assert box["sources"], box


def test_missing_stage_omits_boxes_and_a_missing_count_is_an_error(audit_tree):
    audits = [a for a in load_audits("results") if a["stage"] != "citations"]
    counts = prisma_counts(audits, PLAIN)
    assert counts["layout"]["other"] is False
    assert not any(b.startswith("other:") for b in counts["boxes"])
    for audit in audits:
        if audit["stage"] == "screening":
            del audit["counts"]["screened"]
    with pytest.raises(DataError) as caught:
        prisma_counts(audits, PLAIN)
    assert "screen_records.audit.json" in str(caught.value)
    assert "counts.screened" in str(caught.value)


def test_updated_review_adds_previous_and_totals(audit_tree):
    from reviewflow.settings import PreviousReview

    previous = PreviousReview(studies_included=11, reports_included=13, source="doi:10.1000/prev")
    counts = prisma_counts(load_audits("results"), PrismaSettings("t", previous_review=previous))
    assert counts["layout"]["previous"] is True
    assert _n(counts, "previous_studies") == 11
    assert _n(counts, "total_studies") == 18
    assert _n(counts, "total_reports") == 21
    assert counts["boxes"]["previous_studies"]["sources"][0]["key"] == (
        "update.previous_review.studies_included"
    )


def test_non_integer_count_is_a_data_error(audit_tree):
    audits = load_audits("results")
    pubmed = next(a for a in audits if "pubmed" in a["path"])
    pubmed["counts"]["records_out"] = "many"
    with pytest.raises(DataError, match="expected a count"):
        prisma_counts(audits, PLAIN)


def test_rule_reads_only_declared_audits(audit_tree):
    stale = Path("results/prisma/count_prisma.audit.json")
    stale.parent.mkdir(parents=True)
    stale.write_text(json.dumps({"stage": "search", "counts": {"records_out": 999}}))
    counts = run_count_prisma(
        audit_paths=audit_tree,
        settings=PLAIN,
        out_counts="results/prisma/counts.json",
        audit_path="results/prisma/count_prisma.audit.json",
    )
    assert _n(counts, "database_results") == 240
    written = json.loads(Path("results/prisma/counts.json").read_text())
    assert written == counts
    audit = json.loads(Path("results/prisma/count_prisma.audit.json").read_text())
    assert audit["counts"]["new_studies"] == 7


def test_missing_declared_audit_is_named(audit_tree):
    with pytest.raises(DataError, match="results/dedup/nothing.audit.json"):
        run_count_prisma(
            audit_paths=[*audit_tree, "results/dedup/nothing.audit.json"],
            settings=PLAIN,
            out_counts="c.json",
            audit_path="a.json",
        )


def _screening_only(counts, details):
    audits = load_audits("results")
    screening = next(a for a in audits if a["stage"] == "screening")
    screening["counts"] = counts
    screening["details"] = details
    return prisma_counts(audits, PLAIN)


def test_stopping_rule_sets_aside_the_unscreened(audit_tree):
    counts = _screening_only(
        {"studies_in": 200, "screened": 120, "excluded": 100, "included": 20, "awaiting": 80},
        {"stop_criterion_met": True},
    )
    assert _n(counts, "records_screened") == 120
    assert _n(counts, "records_excluded") == 100
    assert _n(counts, "excluded_automatic") == 80
    assert counts["boxes"]["excluded_automatic"]["sources"][0]["key"].startswith("counts.awaiting")
    assert "records_awaiting" not in counts["boxes"]


def test_unfinished_screening_shows_records_awaiting(audit_tree, tmp_path):
    from reviewflow.prisma import draw_prisma

    counts = _screening_only(
        {"screened": 120, "excluded": 100, "included": 20, "awaiting": 80},
        {"stop_criterion_met": False},
    )
    assert "excluded_automatic" not in counts["boxes"]
    assert _n(counts, "records_awaiting") == 80
    draw_prisma(counts, tmp_path / "p.svg")
    assert "Records awaiting screening (n = 80)" in (tmp_path / "p.svg").read_text()
