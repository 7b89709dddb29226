"""config/README.md documents every key of the schema and is kept in step with it."""

from __future__ import annotations

from reviewflow.config import REPO_ROOT
from reviewflow.config_docs import config_key_rows, render_config_docs


def test_every_schema_property_has_a_description() -> None:
    missing = [key for key, _, _, description in config_key_rows() if not description]
    assert missing == []


def test_config_readme_is_generated_from_the_schema() -> None:
    readme = (REPO_ROOT / "config" / "README.md").read_text(encoding="utf-8")
    assert readme == render_config_docs(), (
        "config/README.md is stale: run 'reviewflow validate --docs > config/README.md'"
    )
    for key, *_ in config_key_rows():
        assert f"`{key}`" in readme
