"""Audit records shaped like the stages write them, built through the core writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewflow.audit import write_audit


def _write(root: Path, rel: str, stage: str, rule: str, **kw: Any) -> str:
    path = root / rel
    write_audit(
        path,
        stage=stage,
        rule=rule,
        started="2026-01-01T00:00:00Z",
        inputs=[],
        outputs=[],
        finished="2026-01-01T00:00:01Z",
        **kw,
    )
    return path.as_posix()


def make_audit_tree() -> list[str]:
    """A finished run: two database searches, one export import, citations, dedup, screening,
    full text. The numbers are those of a consistent flow (each stage's out = next stage's in)
    and the keys those the stages declare (reviewflow.vocab.PrismaCount).
    """
    root = Path("results")
    return [
        _write(
            root,
            "search/pubmed/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 120},
            details={"database": "PubMed", "query": "nudg*"},
        ),
        _write(
            root,
            "search/openalex/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 80},
            details={"database": "OpenAlex"},
        ),
        _write(
            root,
            "search/ctgov/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 5},
            details={"database": "ClinicalTrials.gov", "kind": "register"},
        ),
        _write(
            root,
            "import/embase/import_records.audit.json",
            "import",
            "import_records",
            counts={"records_out": 40},
            parameters={"database": "Embase"},
        ),
        _write(
            root,
            "citations/chase_citations.audit.json",
            "citations",
            "chase_citations",
            counts={"records_backward": 30, "records_forward": 12, "records_out": 42},
        ),
        _write(
            root,
            "dedup/deduplicate_records.audit.json",
            "dedup",
            "deduplicate_records",
            counts={"records_in": 287, "studies_out": 200, "duplicates_removed": 87},
        ),
        _write(
            root,
            "screening/screen_records.audit.json",
            "screening",
            "screen_records",
            counts={"screened": 150, "excluded": 130, "awaiting": 50, "included": 20},
            details={"stop_criterion_met": True},
        ),
        _write(
            root,
            "fulltext/locate_fulltexts.audit.json",
            "fulltext",
            "locate_fulltexts",
            counts={"reports_sought": 20, "reports_not_retrieved": 2},
        ),
        _write(
            root,
            "fulltext/assess_fulltexts.audit.json",
            "fulltext",
            "assess_fulltexts",
            counts={
                "reports_sought": 20,
                "reports_not_retrieved": 2,
                "reports_assessed": 18,
                "reports_excluded": 10,
                "awaiting_fulltext_decision": 0,
                "studies_included": 7,
                "reports_included": 8,
            },
            reasons={"excluded: wrong population": 6, "excluded: no comparator": 4},
        ),
    ]


@pytest.fixture
def audit_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    return make_audit_tree()
