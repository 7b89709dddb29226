"""Typed settings: one frozen dataclass per config block, built once from the validated block.

Validation (:func:`reviewflow.config.validate_config`) fills in every default the schema
gives, so :meth:`Settings.from_config` reads each key of its block as it is and writes no
default of its own: a value walks config -> settings -> the function that uses it. The
field types say how a value is read:

* a :class:`Settings` subclass: the nested block, built the same way;
* ``tuple[...]``: a list (of nested blocks when the item type is a :class:`Settings`);
* ``X | None``: a key the schema gives no default, absent (None) when the config leaves
  it out; every other key must be in the block (a missing one means the block was not
  validated, which is an error rather than a guess);
* ``field(metadata={"key": "min"})`` names a config key that is not a Python name, and
  ``metadata={"read": fn}`` reads a value that needs more than a type (a string or a list).

``SCHEMA`` names the part of the schema a class reads (a path relative to ``config/``,
with a JSON pointer), so ``tests/unit/core/test_settings_contract.py`` can check, for every
class, that its fields are the schema's properties and its defaults the schema's.
:meth:`Settings.from_raw` validates a block built outside a config file first (a
subcommand's options, a test), and :meth:`Settings.defaults` is the block the schema
describes when config gives nothing.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from reviewflow.config import block_defaults, fill_block
from reviewflow.errors import ConfigError

__all__ = [
    "SETTINGS_CLASSES",
    "EligibilitySettings",
    "PreviousReview",
    "ReportSettings",
    "ReviewSettings",
    "Settings",
    "UpdateSettings",
    "one_or_many",
]

#: Every settings class bound to a part of the schema, by ``SCHEMA`` (filled as they are
#: defined; the contract test imports every stage package first).
SETTINGS_CLASSES: dict[str, type[Settings]] = {}


def one_or_many(value: Any) -> tuple[str, ...]:
    """A key the schema allows as one string or a list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _optional(hint: Any) -> tuple[bool, Any]:
    """Whether a type hint admits None, and the hint without it."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) < len(typing.get_args(hint)):
            return True, args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
    return False, hint


def _read(hint: Any, value: Any, where: str) -> Any:
    """``value`` read as ``hint`` says (see the module docstring)."""
    if isinstance(hint, type) and issubclass(hint, Settings):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, found {value!r}")
        return hint.from_config(value, where=where)
    origin = typing.get_origin(hint)
    if origin is tuple:
        args = typing.get_args(hint)
        item = args[0] if args else Any
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise ConfigError(f"{where}: expected a list, found {value!r}")
        return tuple(_read(item, v, f"{where}.{i}") for i, v in enumerate(value))
    if origin in (dict, Mapping) or hint in (dict, Mapping):
        return dict(value)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (int, str, bool) and not isinstance(value, hint):
        raise ConfigError(f"{where}: expected {hint.__name__}, found {value!r}")
    return value


class Settings:
    """Base of the frozen dataclasses built from a config block (see the module docstring)."""

    #: The schema part the class reads: ``schemas/<file>.schema.yaml[#/json/pointer]``.
    SCHEMA: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("SCHEMA"):
            SETTINGS_CLASSES[cls.SCHEMA] = cls

    @classmethod
    def from_config(cls, block: Mapping[str, Any] | None, *, where: str = "") -> Self:
        """The settings of a validated block (every schema default already in it); a block
        the config leaves out (None) reads as empty, so only optional fields may be."""
        where = where or cls.SCHEMA
        block = block or {}
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
            if not spec.init:
                continue
            key = spec.metadata.get("key", spec.name)
            optional, hint = _optional(hints[spec.name])
            if key not in block:
                if not optional:
                    raise ConfigError(
                        f"{where}.{key}: missing; the config must be validated first "
                        "(reviewflow.config.validate_config fills in the schema's defaults)"
                    )
                values[spec.name] = None
                continue
            raw = block[key]
            if raw is None and optional:
                values[spec.name] = None
            elif "read" in spec.metadata:
                values[spec.name] = spec.metadata["read"](raw)
            else:
                values[spec.name] = _read(hint, raw, f"{where}.{key}")
        return cls(**values)

    @classmethod
    def from_raw(cls, block: Mapping[str, Any], *, source: str = "", check: bool = True) -> Self:
        """The settings of a block not yet validated: checked and filled in first.

        ``check=False`` fills in the defaults without holding the values to the schema's
        bounds: for code that builds settings itself (a test asking a local server at 1000
        requests per second), never for a review's config.
        """
        filled = fill_block(_deep_copy(block), cls.SCHEMA, source=source, check=check)
        return cls.from_config(filled, where=source)

    @classmethod
    def defaults(cls) -> Self:
        """The settings when config leaves every key of the block out."""
        return cls.from_config(block_defaults(cls.SCHEMA))


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep_copy(v) for v in value]
    return value


# --- blocks read by several stages --------------------------------------------------------


@dataclass(frozen=True)
class EligibilitySettings(Settings):
    """``review.eligibility``: the criteria as registered, printed in the report's methods."""

    SCHEMA: ClassVar[str] = "schemas/review.schema.yaml#/properties/eligibility"

    include: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class ReviewSettings(Settings):
    """``review``: what the review is (the report's title page, file names, PRISMA's id)."""

    SCHEMA: ClassVar[str] = "schemas/review.schema.yaml"

    id: str
    title: str
    registration: str
    question: str
    authors: tuple[str, ...]
    protocol: str
    eligibility: EligibilitySettings
    notes: str


@dataclass(frozen=True)
class PreviousReview(Settings):
    """``update.previous_review``: the previous version's counts when it was not a run."""

    SCHEMA: ClassVar[str] = "schemas/update.schema.yaml#/properties/previous_review"

    studies_included: int | None
    reports_included: int | None
    source: str


@dataclass(frozen=True)
class UpdateSettings(Settings):
    """``update``: this run's date and the earlier runs it carries forward (an update)."""

    SCHEMA: ClassVar[str] = "schemas/update.schema.yaml"

    run_date: str | None
    previous_runs: tuple[str, ...]
    screen_only_new: bool
    previous_review: PreviousReview | None

    @property
    def is_update(self) -> bool:
        return bool(self.previous_runs)

    @property
    def run_label(self) -> str:
        """The label marking studies first seen in this run; "" outside an update."""
        return (self.run_date or "") if self.is_update else ""


@dataclass(frozen=True)
class ReportSettings(Settings):
    """``report``: the PDF copy and the notice printed before the methods."""

    SCHEMA: ClassVar[str] = "schemas/report.schema.yaml"

    pdf: bool
    notice: str
