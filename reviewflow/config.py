"""Loading and validating review configs against ``config/config.schema.yaml``.

Snakemake's own ``validate`` stops at the first error; reviewers fixing a config want them all,
each named by its key path (``screening.stopping.recall_target: 1.3 is greater than the
maximum of 1``). The Snakefile and ``reviewflow validate`` both call :func:`validate_config`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from reviewflow.errors import ConfigError

__all__ = [
    "BOOLEAN_WORDS",
    "REPO_ROOT",
    "SCHEMA_PATH",
    "coerce_booleans",
    "config_errors",
    "load_config",
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


def _validator(schema_path: Path) -> Any:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schema = _load_yaml(schema_path)
    base = schema_path.resolve().parent

    def retrieve(uri: str) -> Resource:
        target = base / uri.removeprefix("file://")
        return Resource.from_contents(_load_yaml(target))

    registry: Registry = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    return Draft202012Validator(schema, registry=registry)


def _key_path(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _describe(error: Any) -> str:
    if error.validator == "additionalProperties":
        return f"{_key_path(error)}: {error.message} (unknown key)"
    return f"{_key_path(error)}: {error.message}"


def config_errors(config: Any, schema_path: str | os.PathLike[str] = SCHEMA_PATH) -> list[str]:
    """Every schema violation, as ``key.path: message`` lines, in document order."""
    validator = _validator(Path(schema_path))
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    return [_describe(e) for e in errors]


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
) -> None:
    """Raise :class:`ConfigError` listing every problem, or return quietly."""
    errors = config_errors(config, schema_path)
    if errors:
        listing = "\n  ".join(errors)
        raise ConfigError(f"{source} does not match {Path(schema_path).name}:\n  {listing}")


def load_config(
    path: str | os.PathLike[str], schema_path: str | os.PathLike[str] = SCHEMA_PATH
) -> dict[str, Any]:
    config = _load_yaml(path)
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: a config file must be a mapping of keys to values")
    validate_config(config, schema_path, source=str(path))
    return config
