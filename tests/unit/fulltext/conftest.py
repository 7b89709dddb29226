"""Shared inputs: the demo's 79 studies included at title/abstract (Nagtegaal et al. 2019)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "fulltext"
CONFIG = REPO / "config" / "config.yaml"

#: The 22 records Nagtegaal et al. included at full text (label_included = 1).
DEMO_INCLUDED = [
    40, 85, 227, 370, 487, 498, 696, 889, 1033, 1084, 1134,
    1210, 1290, 1349, 1485, 1496, 1525, 1537, 1761, 1772, 1802, 1946,
]  # fmt: skip


@pytest.fixture(scope="session")
def demo_config() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


@pytest.fixture
def screening_included() -> Path:
    return FIXTURES / "screening_included.csv"


@pytest.fixture
def clusters() -> Path:
    return FIXTURES / "clusters.csv"


def locate(tmp_path: Path, included: Path, *, pdf_dir: str = "", replay: bool = False, **kw):
    """Rule locate_fulltexts' stage with the demo's full-text settings (PDFs in ``pdf_dir``)."""
    from reviewflow.fulltext.stage import FulltextSettings, run_locate_stage
    from reviewflow.sources.base import SourcesSettings

    settings = FulltextSettings.from_raw({"pdf_dir": pdf_dir or str(tmp_path / "no-pdfs")})
    sources = SourcesSettings.from_raw(kw.pop("sources", {}), check=False)
    return run_locate_stage(
        settings=settings,
        sources=sources,
        replay=replay,
        included_path=str(included),
        out_availability=str(tmp_path / "availability.csv"),
        audit_path=str(tmp_path / "locate.audit.json"),
        archive_dir=str(tmp_path / "archive"),
        download_dir=str(tmp_path / "pdfs"),
        **kw,
    )
