"""``--config`` on the command line: the README's own ``--config replay=true`` is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from workflow_support import copy_workflow, snakemake


@pytest.mark.parametrize("value", ["true", "yes", "1"])
def test_replay_from_the_command_line_is_a_boolean(tmp_path: Path, value: str) -> None:
    workdir = tmp_path / "review"
    workdir.mkdir()
    copy_workflow(workdir)
    result = snakemake(workdir, "-n", "--config", f"replay={value}")
    message = result.stdout + result.stderr
    assert result.returncode == 0, message
    assert "is not of type 'boolean'" not in message
    assert "search_database" in message  # the plan was made, with the searches in it
