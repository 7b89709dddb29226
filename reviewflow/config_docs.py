"""``config/README.md`` generated from the config schema, so the two never drift apart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from reviewflow.config import SCHEMA_PATH

__all__ = ["config_key_rows", "render_config_docs"]

_HEADER = """# Configuring a review

A review is described by one `config.yaml` (the demo's is `config/config.yaml`; real reviews
live in `config/reviews/<id>/config.yaml`). It is validated against `config.schema.yaml` and
the per-stage schemas in `schemas/` before anything runs; every unknown key or wrong type is
reported with its key path. Paths are relative to the review folder.

This file is generated from the schemas (`reviewflow validate --docs > config/README.md`);
edit the schemas' `description` fields, not this file.

## Human decision files

Decisions are CSV files under version control in the review folder, named in config. Lines
are numbered from 1 (the header); empty cells are missing values. The pipeline reads them and
never writes them; the screening app (`reviewflow app`) only appends rows, one per decision,
under a lock. A decision is never edited away: a later row supersedes it, and a screening
row with decision `undo` takes back the same reviewer's latest decision on that record.

| file (config key) | columns |
|---|---|
| screening decisions (`screening.decisions`, one file per reviewer) | `record_id` (any member record of a study), `decision` (`include`, `exclude`, `maybe`, `undo`), `reviewer`, `date` (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ as the app writes it), `note` |
| full-text decisions (`fulltext.decisions`) | `record_id`, `decision` (`include`, `exclude`, `not_retrieved`), `reason` (a code from `fulltext.exclusion_reasons`; required for `exclude`), `reviewer`, `date`, `note` |
| manual deduplication calls (`dedup.decisions`) | `record_id_a`, `record_id_b`, `decision` (`duplicate`, `distinct`), `reviewer`, `date`, `note` |
| filled extraction workbook (`extraction.filled`) | the workbook exported to `results/extraction/extraction_form.xlsx`, filled in |
{known_includes}

## Every key
"""


def _load(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _resolve(node: Any, base: Path, root: Any) -> tuple[Any, Path, Any]:
    """Follow ``$ref`` (to another file or to ``#/$defs/...`` inside the current one)."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        file_part, _, pointer = ref.partition("#")
        if file_part:
            target = (base / file_part).resolve()
            root = _load(target)
            base = target.parent
            node = root
        if pointer:
            node = root
            for part in pointer.strip("/").split("/"):
                node = node[part]
    return node, base, root


def _type_of(node: dict[str, Any]) -> str:
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "")
    if isinstance(kind, list):
        return " or ".join(kind)
    if "oneOf" in node or "anyOf" in node:
        return "see description"
    return str(kind)


def config_key_rows(schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> list[tuple[str, ...]]:
    """(key path, type, default, description) for every property, depth first."""
    rows: list[tuple[str, ...]] = []
    path = Path(schema_path).resolve()
    root = _load(path)

    def walk(node: Any, prefix: str, base: Path, root_doc: Any) -> None:
        node, base, root_doc = _resolve(node, base, root_doc)
        if not isinstance(node, dict):
            return
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            walk(node["items"], prefix + "[]", base, root_doc)
            return
        for name, child in node.get("properties", {}).items():
            child_resolved, child_base, child_root = _resolve(child, base, root_doc)
            key = f"{prefix}.{name}" if prefix else name
            default = child_resolved.get("default", child.get("default", ""))
            description = " ".join(
                str(child.get("description") or child_resolved.get("description", "")).split()
            )
            rows.append(
                (key, _type_of(child_resolved), "" if default == "" else str(default), description)
            )
            walk(child_resolved, key, child_base, child_root)

    walk(root, "", path.parent, root)
    return rows


def _row_schema_columns(path: Path) -> str:
    """The columns of a decision-file row schema, for the table of decision files."""
    schema = _load(path)
    required = set(schema.get("required", []))
    cells = []
    for name, node in schema.get("properties", {}).items():
        text = " ".join(str(node.get("description", "")).split()).rstrip(".")
        cells.append(f"`{name}`{' (required)' if name in required else ''}: {text}")
    return "; ".join(cells).replace("|", "\\|")


def render_config_docs(schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> str:
    known = Path(schema_path).resolve().parent / "schemas" / "known_includes.schema.yaml"
    row = (
        "| the published review's included studies (`published.known_includes`; row schema "
        f"`schemas/known_includes.schema.yaml`) | {_row_schema_columns(known)} |"
        if known.is_file()
        else ""
    )
    header = _HEADER.replace("{known_includes}", row)
    lines = [header, "| key | type | default | meaning |", "|---|---|---|---|"]
    for key, kind, default, description in config_key_rows(schema_path):
        cell = description.replace("|", "\\|")
        default_cell = f"`{default}`" if default else ""
        if len(default) > 60:  # a list of rules: the description says what it holds
            default_cell = "see meaning"
        lines.append(f"| `{key}` | {kind.replace('|', '/')} | {default_cell} | {cell} |")
    return "\n".join(lines) + "\n"
