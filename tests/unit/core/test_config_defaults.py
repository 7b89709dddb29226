"""Validation fills in the schema's defaults once, so stages read complete blocks."""

from __future__ import annotations

import copy

import pytest
import yaml

from reviewflow.config import REPO_ROOT, block_defaults, fill_block, validate_config
from reviewflow.errors import ConfigError

DEMO = yaml.safe_load((REPO_ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
MINIMAL = {"review": {"id": "r1", "title": "A review"}}


def test_defaults_reach_nested_blocks_behind_refs() -> None:
    config = validate_config(copy.deepcopy(DEMO))
    # sources.pubmed is in the demo config; its unset keys come from $defs/source
    assert config["sources"]["pubmed"] == {
        "requests_per_second": 3,
        "max_retries": 5,
        "timeout": 60,
    }
    # sources.unpaywall is not: the block is created from its default, then filled
    assert config["sources"]["unpaywall"] == {"max_retries": 5, "timeout": 60}
    assert config["searches"][0]["allow_warnings"] == []
    assert config["searches"][0]["search_field"] is None
    assert config["review"]["eligibility"] == {"include": [], "exclude": []}


def test_a_minimal_config_gets_every_stage_block_but_not_the_optional_ones() -> None:
    config = validate_config(copy.deepcopy(MINIMAL))
    for block in ("sources", "dedup", "screening", "fulltext", "extraction", "synthesis"):
        assert isinstance(config[block], dict), block
    assert config["replay"] is False
    assert config["update"]["previous_runs"] == []
    # no default beside their $ref: an absent block means "not configured"
    assert "citations" not in config
    assert "published" not in config


def test_defaults_are_copies_not_shared_values() -> None:
    first = validate_config(copy.deepcopy(MINIMAL))
    first["update"]["previous_runs"].append("runs/x/results")
    second = validate_config(copy.deepcopy(MINIMAL))
    assert second["update"]["previous_runs"] == []


def test_values_given_are_kept() -> None:
    config = copy.deepcopy(MINIMAL)
    config["fulltext"] = {"pdf_dir": "pdfs", "download": True}
    validate_config(config)
    assert config["fulltext"]["pdf_dir"] == "pdfs"
    assert config["fulltext"]["download"] is True
    assert config["fulltext"]["unpaywall_email_env"] == "UNPAYWALL_EMAIL"


def test_a_block_built_elsewhere_is_checked_and_filled() -> None:
    line = fill_block(
        {"id": "x", "source": "openalex", "query": "q"}, "schemas/search.schema.yaml#/items"
    )
    assert line["max_records"] is None and line["allow_shortfall"] is False
    with pytest.raises(ConfigError, match=r"search\.max_records: 0 is less than the minimum of 1"):
        fill_block(
            {"id": "x", "source": "openalex", "query": "q", "max_records": 0},
            "schemas/search.schema.yaml#/items",
            source="search",
        )


def test_block_defaults_are_what_the_schema_says() -> None:
    assert block_defaults("schemas/sources.schema.yaml#/$defs/source") == {
        "max_retries": 5,
        "timeout": 60,
    }
