"""A finished run in miniature: audit records, PRISMA counts and figure, a synthesis, the
included studies, the known includes traced; built through the stages' own functions so the
report sees real shapes.

The included studies are the first rows of the shipped demo export (Nagtegaal et al. 2019
records); the extraction values are placeholders, not findings. The search audits carry
every key the search stage records (query as sent, PubMed's translation, warnings, a
shortfall, date limits, a max_records cut), so the report's PRISMA-S items are all shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from reviewflow.audit import write_audit
from reviewflow.config import REPO_ROOT, validate_config
from reviewflow.prisma import PrismaSettings, run_count_prisma, run_draw_prisma
from reviewflow.records import records_frame, write_records
from reviewflow.report import ReportConfig, ReportInputs
from reviewflow.reproduction import (
    ReproductionPaths,
    ReproductionSettings,
    run_reproduction_stage,
)
from reviewflow.synthesis import SynthesisSettings, run_synthesis_stage

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


PUBMED_QUERY = '"nudge"[tiab] AND physician*[tiab]'
PUBMED_TRANSLATION = '"nudge"[Title/Abstract] AND "physician*"[Title/Abstract]'


def build_run(root: Path) -> dict[str, Any]:
    """Write a run under ``root`` (the working directory) and return the report's inputs."""
    demo = pd.read_csv(
        REPO_ROOT / "config/demo/exports/nagtegaal_2019_records.csv",
        dtype=str,
        keep_default_na=False,
    ).head(5)
    titles = list(demo["title"])
    audits = [
        _audit(
            "results/search/pubmed/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 120, "hits_reported": 124},
            details={
                "database": "pubmed",
                "query": PUBMED_QUERY,
                "query_sent": PUBMED_QUERY,
                "query_translation": PUBMED_TRANSLATION,
                "date_run": "2026-01-01",
                "date_from": "2000-01-01",
                "date_to": "2017-06-30",
                "search_field": "title/abstract",
                "hits_reported": 124,
                "capped_by_max_records": False,
                "shortfall": {"expected": 124, "received": 120, "allowed": True},
                "warnings": ["4 PMIDs returned no record by EFetch"],
                "base_url": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
                "replay": False,
            },
            parameters={
                "search": {
                    "id": "pubmed",
                    "source": "pubmed",
                    "query": PUBMED_QUERY,
                    "date_from": "2000",
                    "date_to": "2017-06-30",
                    "notes": "reconstruction from the published concepts",
                }
            },
        ),
        _audit(
            "results/search/openalex-seeds/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 2},
            details={
                "database": "openalex",
                "query": "",
                "hits_reported": 2,
                "date_run": "2026-01-01T10:00:00Z",
                "base_url": "https://api.openalex.org",
            },
            parameters={
                "search": {
                    "id": "openalex-seeds",
                    "source": "openalex",
                    "query": "",
                    "filters": {"openalex": "W3045921891|W3046863325"},
                }
            },
        ),
        _audit(
            "results/search/crossref/search_database.audit.json",
            "search",
            "search_database",
            counts={"records_out": 20},
            details={
                "database": "crossref",
                "query": "",
                "hits_reported": 138567,
                "date_run": "",
                "replay": True,
                "ranking_note": "Crossref ranks by relevance; the first 20 are the most relevant",
                "base_url": "https://api.crossref.org",
            },
            parameters={
                "search": {
                    "id": "crossref",
                    "source": "crossref",
                    "query": "",
                    "filters": {"container": "members/98"},
                    "max_records": 20,
                }
            },
        ),
        _audit(
            "results/import/embase/import_records.audit.json",
            "import",
            "import_records",
            counts={"records_out": 40},
            details={
                "database": "Embase",
                "platform": "Ovid",
                "import_id": "embase",
                "query": "1. exp nudge/",
                "date_searched": "2026-01-02",
            },
        ),
        _audit(
            "results/citations/chase_citations.audit.json",
            "citations",
            "chase_citations",
            counts={"records_backward": 30, "records_forward": 12, "seeds": 2, "rounds": 1},
            parameters={
                "directions": ["backward", "forward"],
                "sources": ["openalex"],
                "depth": 1,
                "from_included": True,
            },
        ),
        _audit(
            "results/dedup/deduplicate_records.audit.json",
            "dedup",
            "deduplicate_records",
            counts={"records_in": 202, "studies_out": 150, "duplicates_removed": 52},
            reasons={"merged: same DOI": 40, "merged: same title": 12},
            parameters={"thresholds": {"duplicate": 0.95, "uncertain": 0.85}},
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
                "conflicts": 1,
            },
            parameters={
                "model": {"name": "reviewflow-default"},
                "stopping": {"rule": "buscar", "recall_target": 0.95, "confidence": 0.95},
            },
            details={
                "stop_criterion_met": True,
                "estimated_recall": 0.9712345678,
                "recall_lower_bound": 0.951,
                "p_value": 0.0321,
                "kappa": {"A vs B": 0.8123, "n_A vs B": 100},
                "switched_at": 80,
                "phase": "sampling",
            },
        ),
        _audit(
            "results/fulltext/assess_fulltexts.audit.json",
            "fulltext",
            "assess_fulltexts",
            counts={
                "reports_sought": 12,
                "reports_not_retrieved": 1,
                "reports_assessed": 11,
                "reports_excluded": 8,
                "excluded": 8,
                "studies_included": 3,
                "reports_included": 3,
                "included": 3,
                "awaiting_fulltext_decision": 0,
            },
            reasons={"excluded: wrong population": 5, "excluded: no outcome": 3},
        ),
    ]
    config = {
        "review": {"id": "t", "title": "A test review", "question": "Does it render?"},
        "report": {"notice": "A test run: no number here is a finding."},
        "imports": [
            {"id": "embase", "path": "exports/embase.ris", "database": "Embase"},
            {
                "id": "cinahl",
                "path": "exports/cinahl.ris",
                "database": "CINAHL",
                "platform": "EBSCOhost",
                "awaiting_export": True,
                "query": "S1 nudg*",
            },
        ],
        "screening": {"decisions": ["decisions/a.csv", "decisions/b.csv"]},
        "synthesis": {"logic_model": {"judgements": ["supports", "refines"]}},
        "published": {
            "citation": "Author A (2017). The published review.",
            "known_includes": "known_includes.csv",
            "identified": {"n": 210, "where": "figure 1"},
            "identified_by_source": [
                {"source": "MEDLINE (Ovid)", "lines": ["pubmed"], "n": 118, "where": "table 1"}
            ],
            "included": {"n": 4, "where": "abstract"},
        },
    }
    validate_config(config)
    run_count_prisma(
        audit_paths=audits,
        settings=PrismaSettings.from_config(config),
        out_counts="results/prisma/counts.json",
        audit_path="results/prisma/count_prisma.audit.json",
    )
    run_draw_prisma(
        counts_path="results/prisma/counts.json",
        out_svg="results/prisma/prisma.svg",
        out_pdf="results/prisma/prisma.pdf",
        out_png="results/prisma/prisma.png",
    )
    # Five records: three included studies (one without extraction), one excluded at
    # title/abstract, one found by citation tracking only.
    ids = [f"nagtegaal_records:{r}" for r in demo["record_id"]]
    rows = [
        {
            "record_id": ids[i],
            "title": titles[i],
            "search_id": "nagtegaal_records",
            "found_by": "import",
            "source": "Nagtegaal",
        }
        for i in range(4)
    ]
    rows[0].update(authors="Smith, John; Doe, Ann; Roe, Rich", year="2010", journal="J Test")
    rows.append(
        {
            "record_id": "citations:W1",
            "title": titles[4],
            "search_id": "citations",
            "found_by": "citation",
            "source": "openalex",
            "citation_seed": "W3045921891",
            "citation_direction": "backward",
            "citation_round": "1",
        }
    )
    write_records(records_frame(rows), "results/records/all_records.csv")
    ids.append("citations:W1")
    pd.DataFrame({"record_id": ids, "study_id": ids}).to_csv(
        "results/dedup/clusters.csv", index=False
    )
    included = pd.DataFrame(
        {
            "study_id": ids[:3],
            "record_id": ids[:3],
            "title": titles[:3],
            "authors": ["Smith, John; Doe, Ann; Roe, Rich", "", ""],
            "year": ["2010", "", ""],
            "doi": ["10.1000/example.1", "", ""],
            "source_record_ids": ids[:3],
        }
    )
    Path("results/screening").mkdir(parents=True, exist_ok=True)
    included.to_csv("results/screening/included.csv", index=False)
    Path("results/fulltext").mkdir(parents=True, exist_ok=True)
    included.to_csv("results/fulltext/included.csv", index=False)
    pd.DataFrame(
        [
            {
                "study_id": s,
                "record_id": s,
                "decision": "include",
                "reason": "",
                "reason_label": "",
                "reviewer": "A",
                "date": "2026-01-03",
                "status": "applied",
            }
            for s in ids[:3]
        ]
    ).to_csv("results/fulltext/decisions_applied.csv", index=False)
    Path("decisions").mkdir(exist_ok=True)
    Path("decisions/a.csv").write_text(
        "record_id,decision,reviewer,date,note\n"
        + "".join(f"{s},include,A,2026-01-02,\n" for s in ids[:3])
        + f"{ids[3]},exclude,A,2026-01-02,\n",
        encoding="utf-8",
    )
    Path("decisions/b.csv").write_text(
        f"record_id,decision,reviewer,date,note\n{ids[3]},exclude,B,2026-01-04,\n",
        encoding="utf-8",
    )
    Path("known_includes.csv").write_text(
        "label,title,year,first_author\n"
        + "".join(f'"Published {i}","{titles[i]}",,\n' for i in range(5))
        + '"A study no search found","Nudges that nobody ever indexed anywhere at all",2015,Nobody\n',
        encoding="utf-8",
    )
    pd.DataFrame(
        [
            {"seed": "W3045921891", "origin": "config", "round": 1, "status": "resolved"},
            {
                "seed": "10.1000/missing",
                "origin": "config",
                "round": 1,
                "status": "unresolved",
                "reason": "not in OpenAlex",
            },
        ]
    ).to_csv("results/citations/seeds.csv", index=False)
    bib = [
        {"study_id": ids[i], "first_author": f"Author{i}, A.", "year": 2019 + i, "title": titles[i]}
        for i in range(2)
    ]
    dataset = {
        "form": {
            "groups": [
                {
                    "id": "study",
                    "label": "Study",
                    "per": "study",
                    "fields": [{"name": "design", "type": "choice", "required": True}],
                },
                {
                    "id": "cmo",
                    "label": "CMO",
                    "per": "cmo",
                    "fields": [{"name": "context", "type": "text", "required": True}],
                },
            ],
            "not_reported": "not reported",
        },
        "counts": {"studies_included": 3, "studies_extracted": 2},
        "studies": bib,
        "awaiting_extraction": [{"study_id": ids[2], "title": titles[2]}],
        "source": {"path": "extraction/filled.xlsx", "sha256": "ab" * 32},
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
        settings=SynthesisSettings.from_raw(
            {"framework": {"themes": [{"id": "t1", "name": "Theme one"}]}}
        ),
        out_dir="results/synthesis",
        audit_path="results/synthesis/synthesise_evidence.audit.json",
        theory_components=COMPONENTS,
    )
    run_reproduction_stage(
        settings=ReproductionSettings.from_config(config),
        audit_paths=audits,
        screening_decisions=config["screening"]["decisions"],
        paths=ReproductionPaths(),
    )
    return {
        "config": ReportConfig.from_config(config),
        "audit_paths": audits,
        "inputs": ReportInputs(
            counts="results/prisma/counts.json",
            prisma_svg="results/prisma/prisma.svg",
            synthesis="results/synthesis/synthesis.json",
            logic_model_png="results/synthesis/logic_model.png",
            included="results/fulltext/included.csv",
            dataset="results/extraction/dataset.json",
            records="results/records/all_records.csv",
            reproduction="results/reproduction/summary.json",
            known_includes="results/reproduction/known_includes.csv",
            seeds="results/citations/seeds.csv",
        ),
    }


@pytest.fixture
def finished_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(tmp_path)
    return build_run(tmp_path)
