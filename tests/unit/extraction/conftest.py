"""Shared inputs: the demo's 22 studies included at full text, and the demo's form."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reviewflow.fulltext.stage import FulltextSettings, run_fulltext_stage

REPO = Path(__file__).resolve().parents[3]
FULLTEXT = REPO / "tests" / "fixtures" / "fulltext"
FIXTURES = REPO / "tests" / "fixtures" / "extraction"
FILLED = REPO / "config" / "demo" / "extraction" / "extraction_filled.xlsx"
TAMPERED = FIXTURES / "extraction_tampered.xlsx"
CLUSTERS = FULLTEXT / "clusters.csv"


@pytest.fixture(scope="session")
def demo_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def extraction_config(demo_config) -> dict:
    return demo_config["extraction"]


@pytest.fixture(scope="session")
def extraction_settings(extraction_config):
    from reviewflow.extraction.form import ExtractionSettings

    return ExtractionSettings.from_raw(extraction_config)


@pytest.fixture(scope="session")
def included(tmp_path_factory, demo_config) -> Path:
    """results/fulltext/included.csv of the demo: the 22 studies Nagtegaal et al. included."""
    out = tmp_path_factory.mktemp("fulltext")
    settings = FulltextSettings.from_raw(demo_config["fulltext"])
    run_fulltext_stage(
        settings=settings,
        included_path=str(FULLTEXT / "screening_included.csv"),
        clusters_path=str(CLUSTERS),
        decision_paths=[str(REPO / d) for d in settings.decisions],
        out_decisions_applied=str(out / "decisions_applied.csv"),
        out_included=str(out / "included.csv"),
        audit_path=str(out / "assess_fulltexts.audit.json"),
    )
    return out / "included.csv"
