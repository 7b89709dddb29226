"""A finished run in miniature: audit records, PRISMA counts and figure, a synthesis, the
included studies; built through the stages' own functions so the report sees real shapes.

The included studies are the first rows of the shipped demo export (Nagtegaal et al. 2019
records); the extraction values are placeholders, not findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reviewflow.audit import write_audit
from reviewflow.config import REPO_ROOT
from reviewflow.prisma import run_count_prisma, run_draw_prisma
from reviewflow.synthesis import run_synthesis_stage

COMPONENTS = [
    {"id": "PT1", "name": "Access", "description": "Co-ordinated care is more accessible"},
    {"id": "PT2", "name": "Incentives", "description": "Shared payment aligns incentives"},
]


def _audit(rel: str, stage: str, rule: str, **kw: Any) -> str:
    write_audit(
        rel,
        stage=stage,
        rule=rule,
        started="2026-01-01T00:00:00Z",
        inputs=[],
        outputs=[],
        finished="2026-01-01T00:00:01Z",
        **kw,
    )
    return rel


def build_run(root: Path) -> dict[str, Any]:
    """Write a run under ``root`` (the working directory) and return the report's inputs."""
    audits = [
        _audit(
            "results/search/pubmed/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 120},
            details={
                "database": "PubMed",
                "query": '"nudge"[tiab] AND physician*[tiab]',
                "date_searched": "2026-01-01",
                "base_url": "https://eutils.ncbi.nlm.nih.gov",
            },
        ),
        _audit(
            "results/import/embase/import_records.audit.json",
            "import",
            "import_records",
            counts={"records_out": 40},
            details={"database": "Embase", "platform": "Ovid"},
        ),
        _audit(
            "results/citations/chase_citations.audit.json",
            "citations",
            "chase_citations",
            counts={"records_backward": 30, "records_forward": 12},
        ),
        _audit(
            "results/dedup/deduplicate_records.audit.json",
            "dedup",
            "deduplicate_records",
            counts={"records_in": 202, "studies_out": 150, "duplicates_removed": 52},
            reasons={"merged: same DOI": 40, "merged: same title": 12},
        ),
        _audit(
            "results/screening/screen_records.audit.json",
            "screening",
            "screen_records",
            counts={
                "studies_in": 150,
                "screened": 100,
                "excluded": 88,
                "included": 12,
                "awaiting": 50,
            },
            parameters={"model": "tfidf+logistic", "stopping": {"rule": "buscar"}},
            details={"stop_criterion_met": True, "estimated_recall": 0.97},
        ),
        _audit(
            "results/fulltext/assess_fulltexts.audit.json",
            "fulltext",
            "assess_fulltexts",
            counts={
                "reports_sought": 12,
                "reports_not_retrieved": 1,
                "reports_assessed": 11,
                "excluded": 8,
                "included": 3,
                "awaiting_fulltext_decision": 0,
            },
            reasons={"excluded: wrong population": 5, "excluded: no outcome": 3},
        ),
    ]
    config = {
        "review": {"id": "t", "title": "A test review", "question": "Does it render?"},
        "report": {},
    }
    run_count_prisma(
        audit_paths=audits,
        config=config,
        out_counts="results/prisma/counts.json",
        audit_path="results/prisma/count_prisma.audit.json",
    )
    run_draw_prisma(
        counts_path="results/prisma/counts.json",
        out_svg="results/prisma/prisma.svg",
        out_pdf="results/prisma/prisma.pdf",
        out_png="results/prisma/prisma.png",
    )
    demo = pd.read_csv(
        REPO_ROOT / "config/demo/exports/nagtegaal_2019_records.csv",
        dtype=str,
        keep_default_na=False,
    ).head(3)
    included = pd.DataFrame(
        {
            "study_id": ["s1", "s2", "s3"],
            "record_id": [f"nagtegaal_records:{r}" for r in demo["record_id"]],
            "title": list(demo["title"]),
            "doi": ["10.1000/example.1", "", ""],
        }
    )
    Path("results/fulltext").mkdir(parents=True, exist_ok=True)
    included.to_csv("results/fulltext/included.csv", index=False)
    bib = [
        {"study_id": f"s{i}", "first_author": f"Author{i}, A.", "year": 2019 + i}
        for i in range(1, 4)
    ]
    dataset = {
        "form": {"groups": [{"id": "study", "per": "study"}, {"id": "cmo", "per": "cmo"}]},
        "groups": {
            "study": bib,
            "cmo": [
                {
                    **bib[0],
                    "theory_component": "PT1",
                    "context": "context a",
                    "mechanism": "mechanism m",
                    "outcome": "outcome o",
                    "judgement": "supports",
                    "strength": "strong",
                },
                {
                    **bib[1],
                    "theory_component": "PT1",
                    "context": "context b",
                    "mechanism": "mechanism m",
                    "outcome": "outcome o",
                    "judgement": "refines",
                    "strength": "weak",
                },
            ],
        },
    }
    Path("results/extraction").mkdir(parents=True, exist_ok=True)
    Path("results/extraction/dataset.json").write_text(json.dumps(dataset))
    run_synthesis_stage(
        dataset_path="results/extraction/dataset.json",
        params={"framework": {"themes": [{"id": "t1", "name": "Theme one"}]}},
        out_dir="results/synthesis",
        audit_path="results/synthesis/synthesise_evidence.audit.json",
        theory_components=COMPONENTS,
    )
    return {
        "config": config,
        "audit_paths": audits,
        "counts_path": "results/prisma/counts.json",
        "prisma_svg": "results/prisma/prisma.svg",
        "synthesis_path": "results/synthesis/synthesis.json",
        "logic_model_png": "results/synthesis/logic_model.png",
        "included_path": "results/fulltext/included.csv",
    }


@pytest.fixture
def finished_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(tmp_path)
    return build_run(tmp_path)
