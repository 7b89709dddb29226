"""Running the Snakemake workflow for a review folder from Python or ``reviewflow run``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from reviewflow.config import REPO_ROOT
from reviewflow.errors import ConfigError

__all__ = ["snakemake_command", "run_snakemake"]


def snakemake_command(
    review: str | None = None, cores: str = "2", extra: Sequence[str] = ()
) -> list[str]:
    """The snakemake command line for a review folder (or the demo when ``review`` is None).

    A review folder is Snakemake's working directory (``--directory``), so its relative
    paths, decision files and ``results/`` all live inside it and reviews never mix.
    """
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO_ROOT / "Snakefile"),
        "--cores",
        str(cores),
    ]
    if review:
        folder = Path(review).resolve()
        command += ["--directory", str(folder)]
        if (folder / "config.yaml").is_file():
            command += ["--configfile", str(folder / "config.yaml")]
        elif not (folder / "config" / "config.yaml").is_file():
            raise ConfigError(f"{review}: no config.yaml in this review folder")
    else:
        command += ["--directory", str(REPO_ROOT)]
    return command + list(extra)


def run_snakemake(review: str | None = None, cores: str = "2", extra: Sequence[str] = ()) -> int:
    return subprocess.call(snakemake_command(review, cores, extra))
