"""Paths of the real export fixtures (tests/fixtures/exports/, see its PROVENANCE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "exports"


@pytest.fixture
def exports() -> Path:
    return EXPORTS
