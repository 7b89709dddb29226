"""Copying the workflow into a temporary review folder and running Snakemake there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from reviewflow.config import REPO_ROOT

#: What a review folder needs from the repository to run the demo.
WORKFLOW_PARTS = (
    "Snakefile",
    "rules",
    "scripts",
    "config",
    "report",
    "profiles",
    "environment.yml",
)


def copy_workflow(target: Path) -> Path:
    for part in WORKFLOW_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(
                source,
                target / part,
                ignore=shutil.ignore_patterns("results", "__pycache__", ".snakemake"),
            )
        else:
            shutil.copy2(source, target / part)
    return target


def snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
