"""Published counts beside this run's PRISMA boxes, each with where it is printed."""

from __future__ import annotations

from reviewflow.reproduction import compare_published


def _box(n: int, key: str) -> dict:
    return {"label": key, "n": n, "sources": [{"audit": f"results/{key}.audit.json", "key": key}]}


COUNTS = {
    "boxes": {
        "database_results": _box(300, "databases"),
        "register_results": _box(0, "registers"),
        "other_results": _box(20, "other"),
        "duplicates": _box(70, "duplicates"),
        "records_screened": _box(250, "screened"),
        "new_studies": _box(9, "included"),
    },
    "layout": {"update": False},
}

PUBLISHED = {
    "citation": "A review (2017)",
    "identified": {"n": 6566, "where": "abstract"},
    "identified_by_source": [
        {"source": "MEDLINE", "lines": ["pubmed", "medline"], "n": 1000, "where": "table 1"},
        {"source": "One website", "n": 12, "where": "abstract"},
    ],
    "after_duplicates": {"n": 4000, "where": "figure 1"},
    "fulltext_assessed": {"n": 80, "where": "figure 1"},
    "included": {"n": 15, "where": "abstract", "note": "15 interventions"},
}


def test_every_published_count_meets_the_box_that_counts_the_same():
    rows = {(r.key, r.label): r for r in compare_published(PUBLISHED, COUNTS, {})}
    identified = rows[("identified", "Records identified (all sources, before deduplication)")]
    assert (identified.published, identified.this_run, identified.difference) == (6566, 320, -6246)
    assert len(identified.sources) == 3
    after = rows[("after_duplicates", "Records after duplicates removed")]
    assert after.this_run == 250
    assert any(s.get("subtracted") for s in after.sources)
    assert rows[("fulltext_assessed", "Reports assessed for eligibility")].this_run is None
    included = rows[("included", "Studies included in review")]
    assert (included.this_run, included.note) == (9, "15 interventions")


def test_per_source_counts_sum_the_lines_that_stand_for_them():
    lines = {
        "pubmed": (700, {"audit": "results/search/pubmed/a.json", "key": "counts.records_out"}),
        "medline": (250, {"audit": "results/import/medline/a.json", "key": "counts.records_out"}),
    }
    rows = [r for r in compare_published(PUBLISHED, COUNTS, lines) if r.key.endswith("source")]
    assert [(r.label, r.this_run) for r in rows] == [
        ("MEDLINE (this run: pubmed, medline)", 950),
        ("One website (no line of this run)", None),
    ]
    assert rows[0].difference == -50 and len(rows[0].sources) == 2


def test_an_update_compares_included_with_the_total():
    counts = {
        "boxes": {**COUNTS["boxes"], "total_studies": _box(24, "total")},
        "layout": {"update": True},
    }
    (row,) = [r for r in compare_published(PUBLISHED, counts, {}) if r.key == "included"]
    assert row.this_run == 24


def test_per_source_rows_come_even_without_a_total():
    published = {"citation": "x", "identified_by_source": PUBLISHED["identified_by_source"]}
    assert [r.key for r in compare_published(published, None, {})] == [
        "identified_by_source",
        "identified_by_source",
    ]
