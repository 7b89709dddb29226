"""Loading and validating review configs against ``config/config.schema.yaml``.

Snakemake's own ``validate`` stops at the first error; reviewers fixing a config want them all,
each named by its key path (``screening.stopping.recall_target: 1.3 is greater than the
maximum of 1``). The Snakefile and ``reviewflow validate`` both call :func:`validate_config`.

Validation also fills in every default the schema gives, once: the config that comes out
holds every key a stage reads, so the stages' settings classes (``from_config``) read their
block without a default of their own, and a default is written in one place, the schema.
A block is created with its default only where the schema gives one beside the block's
``$ref`` (``dedup: {$ref: ..., default: {}}``); a block without one (``citations``,
``published``) stays absent and means "not configured".
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from reviewflow.errors import ConfigError

__all__ = [
    "BOOLEAN_WORDS",
    "REPO_ROOT",
    "SCHEMA_PATH",
    "block_defaults",
    "coerce_booleans",
    "config_errors",
    "fill_block",
    "load_config",
    "schema_at",
    "validate_config",
]

#: The source tree reviewflow runs from (the package is installed in editable mode).
REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO_ROOT / "config" / "config.schema.yaml"


#: libyaml's safe loader when PyYAML was built with it (same documents, several times faster:
#: the config and its twelve schemas are read whenever a review starts).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: str | os.PathLike[str]) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {exc}") from exc


def _load_schema(path: Path) -> Any:
    """A schema file, read once per version of the file (schemas are read at every start)."""
    resolved = path.resolve()
    return copy.deepcopy(_cached_schema(resolved, resolved.stat().st_mtime_ns))


@functools.cache
def _cached_schema(path: Path, mtime_ns: int) -> Any:
    return _load_yaml(path)


@functools.cache
def _filling_class() -> Any:
    """Draft 2020-12, extended so that validating also fills in the schema's defaults.

    The ``properties`` keyword first sets every absent property that has a ``default``
    (a deep copy), then validates as usual, so a block created from its default gets its
    own properties' defaults in turn. ``properties`` only acts on objects, so the branches
    of a ``oneOf`` that expect a string or a list never touch the instance.
    """
    from jsonschema import Draft202012Validator, validators

    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def properties(
        validator: Any, wanted: Mapping[str, Any], instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[Any]:
        if validator.is_type(instance, "object"):
            for name, subschema in wanted.items():
                if isinstance(subschema, Mapping) and "default" in subschema:
                    instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from check_properties(validator, wanted, instance, schema)

    return validators.extend(Draft202012Validator, {"properties": properties})


@functools.cache
def _registry(base: Path) -> Any:
    """The schemas under ``base``, read as Draft 2020-12 when a ``$ref`` reaches them.

    Their ``$schema`` key is dropped on the way: jsonschema picks the validator class of a
    subschema from it, which would swap the default-filling class for the plain one.
    """
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    def retrieve(uri: str) -> Resource:
        target = base / uri.removeprefix("file://")
        contents = _load_schema(target)
        if isinstance(contents, dict):
            contents = {k: v for k, v in contents.items() if k != "$schema"}
        return DRAFT202012.create_resource(contents)

    return Registry(retrieve=retrieve)  # type: ignore[call-arg]


def _validator(schema_path: Path, *, fill: bool = False, ref: str = "") -> Any:
    """A validator of the config schema, or of the part of it ``ref`` points at
    (``schemas/sources.schema.yaml#/$defs/source``, relative to the schema's folder)."""
    from jsonschema import Draft202012Validator

    base = schema_path.resolve().parent
    schema = {"$ref": ref} if ref else _load_schema(schema_path)
    cls = _filling_class() if fill else Draft202012Validator
    return cls(schema, registry=_registry(base))


def _key_path(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _describe(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"{_key_path(error)}: {error.message} (unknown key)"
    return f"{_key_path(error)}: {error.message}"


def _errors(validator: Any, instance: Any) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [_describe(e) for e in errors]


def config_errors(config: Any, schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> list[str]:
    """Every schema violation, as ``key.path: message`` lines, in document order.

    The config is only read: defaults are filled in by :func:`validate_config`.
    """
    return _errors(_validator(Path(schema_path)), config)


#: Text a boolean may be given as: the words YAML 1.1 reads as booleans, and 1/0.
#: Snakemake's ``--config replay=true`` hands the value over as the text "true" (it parses
#: with YAML's base loader, which knows no booleans), and ``replay=1`` as the integer 1.
BOOLEAN_WORDS: dict[str, bool] = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
}


def _set_at(config: Any, path: list[Any], value: Any) -> None:
    target = config
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def coerce_booleans(config: Any, schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> list[str]:
    """Turn text or 1/0 where the schema wants a boolean into that boolean, in place.

    Only values the schema itself rejects are touched (a string field holding "yes" stays
    a string), so the coercion cannot change a config that was valid. Returns the key
    paths changed.
    """
    validator = _validator(Path(schema_path))
    changed: list[str] = []
    for _ in range(5):  # a fix can uncover a deeper error (a oneOf branch); a few passes do
        fixes = []
        for error in validator.iter_errors(config):
            if error.validator != "type":
                continue
            wanted = error.validator_value
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            value = error.instance
            if "boolean" not in wanted or isinstance(value, bool):
                continue
            if isinstance(value, str | int) and str(value).strip().lower() in BOOLEAN_WORDS:
                fixes.append((list(error.absolute_path), BOOLEAN_WORDS[str(value).strip().lower()]))
        if not fixes:
            break
        for path, value in fixes:
            _set_at(config, path, value)
            changed.append(".".join(map(str, path)))
    return changed


def validate_config(
    config: Any,
    schema_path: str | os.PathLike[str] = SCHEMA_PATH,
    *,
    source: str = "config",
) -> Any:
    """Fill in the schema's defaults (in place) and return the config, or raise
    :class:`ConfigError` listing every problem."""
    errors = _errors(_validator(Path(schema_path), fill=True), config)
    if errors:
        listing = "\n  ".join(errors)
        raise ConfigError(f"{source} does not match {Path(schema_path).name}:\n  {listing}")
    return config


def fill_block(
    block: Any,
    ref: str,
    *,
    source: str = "",
    check: bool = True,
    schema_path: str | os.PathLike[str] = SCHEMA_PATH,
) -> Any:
    """Validate one block of a config against the part of the schema ``ref`` names, filling
    in its defaults (in place); for a block built outside a config file (a subcommand's
    options). Errors are named ``<source>.<key path>``; ``check=False`` only fills."""
    errors = _errors(_validator(Path(schema_path), fill=True, ref=ref), block)
    if errors and check:
        where = f"{source}." if source else ""
        listing = "\n  ".join(where + e for e in errors)
        raise ConfigError(f"{source or ref} does not match the schema:\n  {listing}")
    return block


def block_defaults(ref: str, schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> dict[str, Any]:
    """The block the schema part ``ref`` describes when config leaves out every key."""
    block: dict[str, Any] = {}
    _errors(_validator(Path(schema_path), fill=True, ref=ref), block)
    return block


def schema_at(ref: str, schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> dict[str, Any]:
    """The part of the schema ``ref`` points at, with every ``$ref`` inside it resolved
    (``properties`` and ``items`` included), for tools that read the schema's structure."""
    base = Path(schema_path).resolve().parent

    def resolve(node: Any, here: Path) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            file_part, _, pointer = node["$ref"].partition("#")
            target = (here.parent / file_part) if file_part else here
            found = _load_schema(target)
            for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
                found = found[part]
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node, here = {**found, **extra}, target
        if isinstance(node, dict):
            node = dict(node)
            if isinstance(node.get("properties"), dict):
                node["properties"] = {k: resolve(v, here) for k, v in node["properties"].items()}
            if isinstance(node.get("items"), dict):
                node["items"] = resolve(node["items"], here)
        return node

    return dict(resolve({"$ref": ref}, base / "config.schema.yaml"))


def load_config(
    path: str | os.PathLike[str], schema_path: str | os.PathLike[str] = SCHEMA_PATH
) -> dict[str, Any]:
    """A config file, validated, with every default the schema gives filled in."""
    config = _load_yaml(path)
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: a config file must be a mapping of keys to values")
    validate_config(config, schema_path, source=str(path))
    return config
