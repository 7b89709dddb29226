"""Real record tables: the Blue Light review library as PubMed and EndNote exported it, and
the Nagtegaal et al. (2019) records the demo ships."""

from __future__ import annotations

import pandas as pd
import pytest

from reviewflow.config import REPO_ROOT
from reviewflow.importers import read_export, records_from_export
from reviewflow.records import records_frame

EXPORTS = REPO_ROOT / "config" / "demo" / "exports"


def _import(name: str, search_id: str, fmt: str = "auto") -> pd.DataFrame:
    path = EXPORTS / name
    return records_from_export(
        read_export(path, format=fmt), path=path, search_id=search_id, database=None
    )


@pytest.fixture(scope="session")
def pubmed_records() -> pd.DataFrame:
    return _import("blue-light.nbib", "bluelight_pubmed")


@pytest.fixture(scope="session")
def endnote_records() -> pd.DataFrame:
    return _import("blue-light_endnote.ris", "bluelight_endnote", "ris")


@pytest.fixture(scope="session")
def nagtegaal_records() -> pd.DataFrame:
    raw = pd.read_csv(EXPORTS / "nagtegaal_2019_records.csv", dtype=str, keep_default_na=False)
    return records_frame(
        {
            "record_id": f"nagtegaal_records:{row.record_id}",
            "title": row.title,
            "abstract": row.abstract,
            "search_id": "nagtegaal_records",
            "found_by": "import",
        }
        for row in raw.itertuples()
    )
