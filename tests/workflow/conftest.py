"""The demo review run once per test session, in a fresh copy of the workflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_support import copy_workflow, snakemake


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo review run end to end once; tests read its results and must not change them."""
    workdir = copy_workflow(tmp_path_factory.mktemp("demo"))
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir
