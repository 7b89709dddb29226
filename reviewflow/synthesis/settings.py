"""The ``synthesis`` block as typed settings: realist, framework, narrative, logic model.

Every default is the schema's (``config/schemas/synthesis.schema.yaml``); each class reads
one part of the block, and :class:`SynthesisSettings` holds them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from reviewflow.settings import Settings

__all__ = [
    "FrameworkSettings",
    "FrameworkTheme",
    "LogicModelLayers",
    "LogicModelSettings",
    "NarrativeSettings",
    "NarrativeSuccess",
    "RealistFields",
    "RealistSettings",
    "StrengthRule",
    "SynthesisSettings",
]

_SCHEMA = "schemas/synthesis.schema.yaml"


@dataclass(frozen=True)
class RealistFields(Settings):
    """The CMO group's field names (when a form names them otherwise)."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/realist/properties/fields"

    component: str
    context: str
    mechanism: str
    outcome: str
    judgement: str
    strength: str
    evidence: str


@dataclass(frozen=True)
class StrengthRule(Settings):
    """One rule for a component's strength of support; every bound given must hold."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/$defs/strength_rule"

    label: str
    min_supporting: int | None
    max_supporting: int | None
    min_refining: int | None
    max_refining: int | None
    min_refuting: int | None
    max_refuting: int | None
    min_strong: int | None


@dataclass(frozen=True)
class RealistSettings(Settings):
    """Realist synthesis: CMO configurations grouped by programme-theory component."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/realist"

    group: str
    fields: RealistFields
    default_judgement: str | None
    strength_rules: tuple[StrengthRule, ...]
    otherwise: str
    strong_values: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkTheme(Settings):
    """One a priori theme of a best-fit framework."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/framework/properties/themes/items"

    id: str
    name: str
    description: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class FrameworkSettings(Settings):
    """Best-fit framework synthesis: studies coded against a priori themes."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/framework"

    themes: tuple[FrameworkTheme, ...]
    group: str
    code_field: str
    evidence_field: str
    ignore_codes: tuple[str, ...]
    add_emergent_themes: bool


@dataclass(frozen=True)
class NarrativeSuccess(Settings):
    """The review's definition of a successful intervention."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/narrative/properties/success"

    #: tests on one field each (``{field, lt|le|gt|ge|in|equals}``), read as written
    conditions: tuple[Mapping[str, Any], ...]
    scope: str


@dataclass(frozen=True)
class NarrativeSettings(Settings):
    """The narrative synthesis table."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/narrative"

    group_by: str
    outcome_group: str
    outcome_field: str
    mechanism_field: str
    success: NarrativeSuccess


@dataclass(frozen=True)
class LogicModelLayers(Settings):
    """Where each layer of the logic model takes its nodes from."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/logic_model/properties/layers"

    context: str
    mechanism: str
    outcome: str


@dataclass(frozen=True)
class LogicModelSettings(Settings):
    """The logic model drawn from the CMO configurations."""

    SCHEMA: ClassVar[str] = f"{_SCHEMA}#/properties/logic_model"

    title: str
    layers: LogicModelLayers
    min_studies: int
    max_label_chars: int
    judgements: tuple[str, ...]


@dataclass(frozen=True)
class SynthesisSettings(Settings):
    """The ``synthesis`` block."""

    SCHEMA: ClassVar[str] = _SCHEMA

    realist: RealistSettings
    framework: FrameworkSettings
    narrative: NarrativeSettings
    logic_model: LogicModelSettings
