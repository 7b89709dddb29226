"""Booleans given on Snakemake's command line (``--config replay=true``) are read as booleans."""

from __future__ import annotations

import copy

import pytest
import yaml

from reviewflow.config import REPO_ROOT, coerce_booleans, config_errors

DEMO = yaml.safe_load((REPO_ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def _with_cli_value(value: object) -> dict:
    """The demo config as Snakemake hands it over after ``--config replay=<value>``.

    Snakemake parses ``--config`` values with int, float, then YAML's base loader, which
    has no booleans: ``true`` arrives as the text "true", ``1`` as the integer 1.
    """
    from snakemake.cli import parse_config

    config = copy.deepcopy(DEMO)
    config.update(parse_config([f"replay={value}"]))
    return config


@pytest.mark.parametrize(
    ("given", "meant"),
    [("true", True), ("TRUE", True), ("yes", True), ("1", True), ("on", True),
     ("false", False), ("no", False), ("0", False), ("Off", False)],
)  # fmt: skip
def test_command_line_booleans_are_accepted(given: str, meant: bool) -> None:
    config = _with_cli_value(given)
    assert config_errors(config)  # refused as the schema stands, before coercion
    assert coerce_booleans(config) == ["replay"]
    assert config["replay"] is meant
    assert config_errors(config) == []


def test_nested_booleans_and_other_values_are_left_alone() -> None:
    config = copy.deepcopy(DEMO)
    config["searches"][0]["allow_shortfall"] = "yes"
    config["replay"] = "sometimes"
    config["review"]["title"] = "yes"  # a string field: a valid value, never touched
    changed = coerce_booleans(config)
    assert changed == ["searches.0.allow_shortfall"]
    assert config["searches"][0]["allow_shortfall"] is True
    assert config["review"]["title"] == "yes"
    assert any("replay: 'sometimes' is not of type 'boolean'" in e for e in config_errors(config))
