"""``reviewflow audit`` fits the terminal it prints to and stops quietly when piped to head."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reviewflow import cli
from reviewflow.audit import write_audit


def _audits(root: Path, n: int) -> None:
    for i in range(n):
        write_audit(
            root / "results" / "search" / f"line-{i:04d}" / "search_database.audit.json",
            stage="search",
            rule="search_database",
            started="2026-01-01T00:00:00Z",
            finished="2026-01-01T00:00:01Z",
            inputs=[],
            outputs=[],
            counts={"records_out": i, "hits_reported": 10 * i},
            details={"database": "openalex", "query": "a long query " * 12},
        )


def test_the_table_is_as_wide_as_the_terminal(tmp_path, monkeypatch, capsys):
    _audits(tmp_path, 3)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "90")
    assert cli.main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and max(len(line) for line in lines) <= 90


def test_json_piped_into_head_ends_quietly(tmp_path):
    _audits(tmp_path, 400)  # well past a pipe's buffer
    command = [sys.executable, "-m", "reviewflow", "audit", "--json"]
    with subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        head = reader.stdout.read(200)
        reader.stdout.close()  # what `| head -c 200` does
        error = reader.stderr.read().decode()
        assert reader.wait(timeout=60) == 0
    assert head.startswith(b"[")
    assert "BrokenPipeError" not in error and "Traceback" not in error
    assert error == ""
