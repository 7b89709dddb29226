"""``reviewflow prisma`` counts and draws from a results folder, printing each box."""

from __future__ import annotations

import json
from pathlib import Path

from reviewflow.cli import main


def test_prisma_command(audit_tree, capsys):
    Path("config.yaml").write_text("review:\n  id: t\n  title: T\n", encoding="utf-8")
    assert main(["prisma", "--results", "results", "--config", "config.yaml", "--sources"]) == 0
    out = capsys.readouterr().out
    assert "Duplicate records removed: 87  <- results/dedup/deduplicate_records.audit.json" in out
    assert "  PubMed: 120" in out
    counts = json.loads(Path("results/prisma/counts.json").read_text())
    assert counts["review"] == "t"
    assert Path("results/prisma/prisma.png").stat().st_size > 10_000
    # a second run ignores its own audit record
    assert main(["prisma", "--results", "results", "--config", "config.yaml"]) == 0
    again = json.loads(Path("results/prisma/counts.json").read_text())
    assert again == counts


def test_prisma_command_without_a_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("config.yaml").write_text("review:\n  id: t\n  title: T\n", encoding="utf-8")
    assert main(["prisma", "--results", "results", "--config", "config.yaml"]) == 2
    assert "no audit records under results/" in capsys.readouterr().err
