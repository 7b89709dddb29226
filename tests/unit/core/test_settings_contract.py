"""Every settings class agrees with the schema, and every schema key is read by something.

A settings class (reviewflow.settings.Settings) is built from its block with the schema's
defaults already in it, so the two must name the same keys: a field the schema lacks can
never be set, a schema key without a field is read by nothing. Where a key has a default,
the class built from an empty block has that value; where it has none, the field is
optional (None when config leaves it out).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from typing import Any

import pytest

import reviewflow.citations.stage
import reviewflow.dedup.settings
import reviewflow.extraction.form
import reviewflow.fulltext.stage
import reviewflow.importers.settings
import reviewflow.screening.settings
import reviewflow.sources.base
import reviewflow.sources.stage
import reviewflow.synthesis.settings  # noqa: F401 (each import registers its classes)
from reviewflow.config import REPO_ROOT, schema_at
from reviewflow.config_docs import config_key_rows
from reviewflow.settings import SETTINGS_CLASSES, Settings

#: Blocks not on settings classes yet (none left: every stage is on its contract).
PENDING_PHASE_TWO: tuple[str, ...] = ()

#: Blocks read as mappings on purpose, by the modules named: the published review's counts
#: are data to compare box by box, not settings of a stage.
READ_AS_MAPPING = {"published": "reviewflow/reproduction"}

#: Top-level keys the rules read themselves (rules/common.smk).
READ_BY_THE_RULES = {"replay": 'config["replay"]'}

#: Settings whose fields are looked up by name, not as attributes.
READ_BY_NAME = {
    "SourcesSettings": "SourcesSettings.of(name): a search line's source, a citation "
    "index, a full-text service",
    "StrengthRule": "realist._rule_matches: getattr(rule, bound) for each bound",
}

#: The settings class of each top-level block (``[]``: one per list item).
BLOCKS: dict[str, type[Settings]] = {
    "review": SETTINGS_CLASSES["schemas/review.schema.yaml"],
    "sources": SETTINGS_CLASSES["schemas/sources.schema.yaml"],
    "searches[]": SETTINGS_CLASSES["schemas/search.schema.yaml#/items"],
    "citations": SETTINGS_CLASSES["schemas/citations.schema.yaml"],
    "dedup": SETTINGS_CLASSES["schemas/dedup.schema.yaml"],
    "screening": SETTINGS_CLASSES["schemas/screening.schema.yaml"],
    "imports[]": SETTINGS_CLASSES["schemas/imports.schema.yaml#/items"],
    "fulltext": SETTINGS_CLASSES["schemas/fulltext.schema.yaml"],
    "extraction": SETTINGS_CLASSES["schemas/extraction.schema.yaml"],
    "synthesis": SETTINGS_CLASSES["schemas/synthesis.schema.yaml"],
    "report": SETTINGS_CLASSES["schemas/report.schema.yaml"],
    "update": SETTINGS_CLASSES["schemas/update.schema.yaml"],
}


def _optional(hint: Any) -> tuple[bool, Any]:
    args = typing.get_args(hint)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return True, rest[0] if len(rest) == 1 else hint
    return False, hint


def _nested(hint: Any) -> type[Settings] | None:
    """The settings class a field holds (itself, or the items of a tuple), if any."""
    if typing.get_origin(hint) is tuple:
        hint = typing.get_args(hint)[0]
    return hint if isinstance(hint, type) and issubclass(hint, Settings) else None


def _fields(cls: type[Settings]) -> dict[str, tuple[dataclasses.Field[Any], Any]]:
    hints = typing.get_type_hints(cls)
    return {f.metadata.get("key", f.name): (f, hints[f.name]) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]


def _example(prop: dict[str, Any]) -> Any:
    """A value of a required key's type (the defaults of the other keys are what is tested)."""
    kind = prop.get("type", "string")
    kind = kind[0] if isinstance(kind, list) else kind
    return {"string": "x", "integer": 1, "number": 1.0, "boolean": False, "array": []}.get(
        kind, "x"
    )


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("ref", sorted(SETTINGS_CLASSES))
def test_fields_are_the_schema_properties(ref: str) -> None:
    cls = SETTINGS_CLASSES[ref]
    schema = schema_at(ref)
    assert set(_fields(cls)) == set(schema.get("properties") or {}), cls.__name__


@pytest.mark.parametrize("ref", sorted(SETTINGS_CLASSES))
def test_optional_fields_are_the_keys_without_a_default(ref: str) -> None:
    cls = SETTINGS_CLASSES[ref]
    schema = schema_at(ref)
    required = set(schema.get("required") or ())
    for key, (_, hint) in _fields(cls).items():
        prop = schema["properties"][key]
        optional, _ = _optional(hint)
        absent_means_none = ("default" not in prop and key not in required) or (
            "default" in prop and prop["default"] is None
        )
        assert optional == absent_means_none, f"{cls.__name__}.{key}"


@pytest.mark.parametrize("ref", sorted(SETTINGS_CLASSES))
def test_defaults_are_the_schema_defaults(ref: str) -> None:
    cls = SETTINGS_CLASSES[ref]
    schema = schema_at(ref)
    given = {key: _example(schema["properties"][key]) for key in schema.get("required") or ()}
    built = cls.from_raw(given, check=False)
    for key, (spec, hint) in _fields(cls).items():
        prop = schema["properties"][key]
        if "default" not in prop or _nested(_optional(hint)[1]) is not None:
            continue  # no default, or a nested block (checked as its own class)
        expected = prop["default"]
        if "read" in spec.metadata:
            expected = spec.metadata["read"](expected)
        assert _plain(getattr(built, spec.name)) == _plain(expected), f"{cls.__name__}.{key}"


def _covered() -> set[str]:
    """Every schema key path a settings class field stands for."""
    found: set[str] = set()

    def walk(cls: type[Settings], prefix: str) -> None:
        for key, (_, hint) in _fields(cls).items():
            path = f"{prefix}.{key}"
            found.add(path)
            nested = _nested(_optional(hint)[1])
            if nested is not None:
                items = typing.get_origin(_optional(hint)[1]) is tuple
                walk(nested, path + ("[]" if items else ""))

    for block, cls in BLOCKS.items():
        found.add(block.removesuffix("[]"))
        walk(cls, block)
    return found


def test_every_schema_key_is_read() -> None:
    covered = _covered()
    unread = []
    for key, *_ in config_key_rows():
        top = key.split(".")[0].split("[")[0]
        if top in PENDING_PHASE_TWO or top in READ_AS_MAPPING or key in READ_BY_THE_RULES:
            continue
        if key in covered or any(
            key.startswith((c + ".", c + "[]")) for c in covered if _is_mapping_field(c)
        ):
            continue
        unread.append(key)
    assert unread == []


def _is_mapping_field(path: str) -> bool:
    """A field holding its block as written (filters, the form's groups): the keys below it
    are read by the code the field goes to (the API, :func:`load_form`)."""
    return path in {
        "searches[].filters",
        "citations.seeds",
        "screening.model.params",
        "extraction.theory_components",
        "extraction.groups",
        "synthesis.narrative.success.conditions",
    }


CODE = "\n".join(
    p.read_text(encoding="utf-8")
    for pattern in (
        "reviewflow/**/*.py",
        "reviewflow/templates/*.j2",
        "scripts/*.py",
        "rules/*.smk",
    )
    for p in sorted(REPO_ROOT.glob(pattern))
    if p.name != "settings.py"
)


@pytest.mark.parametrize("ref", sorted(SETTINGS_CLASSES))
def test_every_field_is_read_somewhere(ref: str) -> None:
    cls = SETTINGS_CLASSES[ref]
    if cls.__name__ in READ_BY_NAME:
        return
    declared = re.compile(r"^[ \t]+\w+: [^=\n]+$", re.M)  # a field's declaration
    code = declared.sub("", CODE)
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        assert re.search(rf"\.{spec.name}\b", code), f"{cls.__name__}.{spec.name} is read nowhere"


def test_mapping_blocks_keys_are_read_by_their_module() -> None:
    for block, module in READ_AS_MAPPING.items():
        code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / module).glob("*.py"))
        for key, *_ in config_key_rows():
            if key.startswith(block + "."):
                leaf = key.rsplit(".", 1)[-1].removesuffix("[]")
                assert f'"{leaf}"' in code, f"{key} is read nowhere in {module}"


def test_the_pending_list_names_real_blocks() -> None:
    tops = {k.split(".")[0].split("[")[0] for k, *_ in config_key_rows()}
    assert set(PENDING_PHASE_TWO) <= tops
    assert set(BLOCKS) | set(PENDING_PHASE_TWO) | set(READ_AS_MAPPING) | set(READ_BY_THE_RULES) >= {
        t + ("[]" if t in ("searches", "imports") else "") for t in tops
    }


def test_no_stage_reads_config_with_a_default_of_its_own() -> None:
    """``config.get(key, default)`` writes a default the schema already gives: not in the
    rules, nor in the stages on the contracts."""
    pattern = re.compile(r"config(?:\[[^\]]+\])*\.get\(")
    owned = [REPO_ROOT / "rules" / "common.smk", *sorted((REPO_ROOT / "rules").glob("*.smk"))]
    for path in owned:
        assert not pattern.search(path.read_text(encoding="utf-8")), path
    lookups = re.compile(r"lookup\([^)]*default=")
    for path in sorted((REPO_ROOT / "rules").glob("*.smk")):
        assert not lookups.search(path.read_text(encoding="utf-8")), path


def test_settings_are_frozen() -> None:
    for cls in SETTINGS_CLASSES.values():
        assert cls.__dataclass_params__.frozen, cls.__name__  # type: ignore[attr-defined]
