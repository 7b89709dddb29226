"""The PRISMA diagram is drawn from counts alone, in the template's layout."""

from __future__ import annotations

import re
from pathlib import Path

from reviewflow.audit import load_audits
from reviewflow.prisma import BOX_TEXT, draw_prisma, prisma_counts


def _svg_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_diagram_shows_template_boxes_and_counts(audit_tree, tmp_path):
    counts = prisma_counts(load_audits("results"), {})
    svg, pdf, png = tmp_path / "p.svg", tmp_path / "p.pdf", tmp_path / "p.png"
    draw_prisma(counts, svg, pdf, png)
    text = _svg_text(svg)
    for label in (
        "newstud_header",
        "other_header",
        "removed",
        "records_screened",
        "reports_not_retrieved",
        "reports_assessed",
        "new_studies",
        "identification",
        "screening",
        "included",
    ):
        assert BOX_TEXT[label].split()[0] in text, label
    assert "Identification of new studies via databases and registers" in text
    assert "PubMed (n = 120)" in text
    assert "Databases (n = 240)" in text
    assert "Citation searching (backward) (n = 30)" in text
    assert "Duplicate records (n = 87)" in text
    assert "wrong population (n = 6)" in text
    assert "(n = 150)" in text
    assert "previous version" not in text
    assert pdf.read_bytes().startswith(b"%PDF")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_diagram_is_byte_stable(audit_tree, tmp_path):
    counts = prisma_counts(load_audits("results"), {})
    draw_prisma(counts, tmp_path / "a.svg", tmp_path / "a.pdf")
    draw_prisma(counts, tmp_path / "b.svg", tmp_path / "b.pdf")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_update_variant_has_previous_column(audit_tree, tmp_path):
    config = {
        "update": {
            "previous_review": {"studies_included": 11, "reports_included": 13, "source": "v1"}
        }
    }
    counts = prisma_counts(load_audits("results"), config)
    draw_prisma(counts, tmp_path / "u.svg")
    text = _svg_text(tmp_path / "u.svg")
    assert "Previous studies" in text
    assert "Studies included in previous version of review" in text
    assert "Total studies included in review" in text
    assert re.search(r"\(n = 18\)", text)


def test_missing_stages_leave_no_empty_boxes(audit_tree, tmp_path):
    audits = [a for a in load_audits("results") if a["stage"] in ("search", "import", "dedup")]
    counts = prisma_counts(audits, {})
    draw_prisma(counts, tmp_path / "m.svg")
    text = _svg_text(tmp_path / "m.svg")
    assert "Records screened" not in text
    assert "other methods" not in text
    assert "Duplicate records (n = 87)" in text
