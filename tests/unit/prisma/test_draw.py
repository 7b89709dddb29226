"""The PRISMA diagram is drawn from counts alone, in the template's layout."""

from __future__ import annotations

import re
from pathlib import Path

from reviewflow.audit import load_audits
from reviewflow.prisma import BOX_TEXT, PrismaSettings, draw_prisma, prisma_counts
from reviewflow.settings import PreviousReview

PLAIN = PrismaSettings(review_id="t")


def _svg_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_diagram_shows_template_boxes_and_counts(audit_tree, tmp_path):
    counts = prisma_counts(load_audits("results"), PLAIN)
    svg, pdf, png = tmp_path / "p.svg", tmp_path / "p.pdf", tmp_path / "p.png"
    draw_prisma(counts, svg, pdf, png)
    text = _svg_text(svg)
    for label in (
        "studies_header",
        "other_studies_header",
        "removed",
        "records_screened",
        "reports_not_retrieved",
        "reports_assessed",
        "studies_included",
        "reports_included",
        "identification",
        "screening",
        "included",
    ):
        assert BOX_TEXT[label].split()[0] in text, label
    # a review's first version: the template for new reviews, never "new studies"
    assert "Identification of studies via databases and registers" in text
    assert "Identification of studies via other methods" in text
    assert "new studies" not in text.lower()
    assert "Studies included in review" in text and "Reports of included studies" in text
    assert "PubMed (n = 120)" in text
    assert "Databases (n = 240)" in text
    assert "Citation searching (backward) (n = 30)" in text
    assert "Duplicate records removed (n = 87)" in text
    assert "Registers (n = 5)" in text
    assert "wrong population (n = 6)" in text
    assert "(n = 150)" in text
    assert "previous version" not in text
    assert pdf.read_bytes().startswith(b"%PDF")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_diagram_is_byte_stable(audit_tree, tmp_path):
    counts = prisma_counts(load_audits("results"), PLAIN)
    draw_prisma(counts, tmp_path / "a.svg", tmp_path / "a.pdf")
    draw_prisma(counts, tmp_path / "b.svg", tmp_path / "b.pdf")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_update_variant_has_previous_column(audit_tree, tmp_path):
    previous = PreviousReview(studies_included=11, reports_included=13, source="v1")
    counts = prisma_counts(load_audits("results"), PrismaSettings("t", previous_review=previous))
    draw_prisma(counts, tmp_path / "u.svg")
    text = _svg_text(tmp_path / "u.svg")
    assert "Previous studies" in text
    assert "Studies included in previous version of review" in text
    assert "Total studies included in review" in text
    assert "Identification of new studies via databases and registers" in text
    assert "New studies included in review" in text
    assert re.search(r"\(n = 18\)", text)


def test_missing_stages_leave_no_empty_boxes(audit_tree, tmp_path):
    audits = [a for a in load_audits("results") if a["stage"] in ("search", "import", "dedup")]
    counts = prisma_counts(audits, PLAIN)
    draw_prisma(counts, tmp_path / "m.svg")
    text = _svg_text(tmp_path / "m.svg")
    assert "Records screened" not in text
    assert "other methods" not in text
    assert "Duplicate records removed (n = 87)" in text


def test_registers_line_shows_zero_when_none_was_searched(audit_tree, tmp_path):
    audits = [
        a for a in load_audits("results") if a["stage"] != "search" or "ctgov" not in a["path"]
    ]
    counts = prisma_counts(audits, PLAIN)
    assert counts["boxes"]["register_results"]["n"] == 0
    draw_prisma(counts, tmp_path / "r.svg")
    assert "Registers (n = 0)" in _svg_text(tmp_path / "r.svg")


def test_other_methods_join_the_flow_below_identification(audit_tree, tmp_path, monkeypatch):
    """Records found by other methods are pooled with the database records: their line
    meets the main column's arrow below the identification row and does not point into
    "Records removed before screening"."""
    import matplotlib.patches

    from reviewflow.prisma import draw as prisma

    arrows = []
    real = matplotlib.patches.FancyArrowPatch

    class Recording(real):
        def __init__(self, start, end, *args, **kwargs):
            arrows.append((start, end))
            super().__init__(start, end, *args, **kwargs)

    monkeypatch.setattr(matplotlib.patches, "FancyArrowPatch", Recording)
    counts = prisma_counts(load_audits("results"), PLAIN)
    draw_prisma(counts, tmp_path / "o.svg")
    x_main = 0.62
    x_right = x_main + prisma._BOX_W + prisma._GAP_X
    x_other = x_right + prisma._BOX_W + prisma._GAP_X
    removed_right_edge = x_right + prisma._BOX_W
    assert not [a for a in arrows if abs(a[1][0] - removed_right_edge) < 1e-9]
    joins = [
        a
        for a in arrows
        if abs(a[0][0] - (x_other + prisma._BOX_W / 2)) < 1e-9
        and abs(a[1][0] - (x_main + prisma._BOX_W / 2)) < 1e-9
    ]
    assert len(joins) == 1 and joins[0][0][1] == joins[0][1][1]  # one horizontal join
    assert "Pooled with the database and register records" in _svg_text(tmp_path / "o.svg")


def test_reference_manager_exports_count_under_other_methods(audit_tree):
    settings = PrismaSettings("t", import_kinds={"embase": "other"})
    counts = prisma_counts(load_audits("results"), settings)
    assert "other:Embase" in counts["boxes"]
    assert "database:Embase" not in counts["boxes"]
    assert counts["boxes"]["database_results"]["n"] == 200
