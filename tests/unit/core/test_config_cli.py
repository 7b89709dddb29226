"""Config validation names every bad key; the CLI prints errors without tracebacks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from reviewflow import cli
from reviewflow.config import REPO_ROOT, config_errors, load_config
from reviewflow.errors import ConfigError


def test_demo_config_is_valid() -> None:
    load_config(REPO_ROOT / "config" / "config.yaml")


def test_unknown_key_and_wrong_type_are_named(tmp_path: Path) -> None:
    config = yaml.safe_load((REPO_ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["review"]["titel"] = "typo"
    config["replay"] = "yes"
    errors = config_errors(config)
    assert any(e.startswith("review:") and "titel" in e and "unknown key" in e for e in errors)
    assert any(e.startswith("replay:") and "boolean" in e for e in errors)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "titel" in str(err.value) and "replay" in str(err.value)


def test_cli_reports_errors_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("review: [unclosed\n", encoding="utf-8")
    assert cli.main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not valid YAML" in err and "line" in err and "Traceback" not in err


def test_every_subcommand_has_help() -> None:
    parser = cli.build_parser()
    names = {name for name, _ in cli._available_commands()}
    assert {"run", "validate", "audit"} <= names
    for name in names:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([name, "--help"])
        assert exit_info.value.code == 0


def test_tool_config_is_read() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["ruff"]["lint"]["select"] == ["E", "F", "I", "B", "UP", "PIE"]
    assert "error" in pyproject["tool"]["pytest"]["ini_options"]["filterwarnings"]
