"""The extraction form: groups of typed fields from the review's config, checked as a whole.

The protocol of a review says what is extracted from each study. In reviewflow that is
config ``extraction.groups``: each group becomes one sheet of the extraction workbook, with
one row per study (``per: study``) or one row per context-mechanism-outcome configuration
(``per: cmo``, realist reviews; several per study, each linked to a programme-theory
component from ``extraction.theory_components``). Each field has a type, allowed values for
coded fields, whether it is required, and help text shown to the extractor.

:func:`load_form` builds the :class:`Form` and refuses a form that could not work (a choice
without values, a CMO sheet without a theory-component field, duplicate names), listing
every problem at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from reviewflow.errors import ConfigError
from reviewflow.settings import Settings

__all__ = [
    "BIB_COLUMNS",
    "CMO_ID",
    "FIELD_TYPES",
    "RESERVED_SHEETS",
    "ExtractionSettings",
    "Field",
    "Form",
    "Group",
    "load_form",
]

#: Field types an extraction form may use.
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "integer",
    "number",
    "choice",
    "multichoice",
    "boolean",
    "date",
)

#: Pre-filled bibliographic columns at the start of every sheet (never imported as data:
#: the dataset takes them from the included studies, so a typo in a title changes nothing).
BIB_COLUMNS: tuple[str, ...] = ("study_id", "record_id", "first_author", "year", "title", "doi")

#: Key column of CMO sheets: numbers a study's configurations (blank = numbered on import).
CMO_ID = "cmo_id"

#: Sheet names the workbook uses itself.
RESERVED_SHEETS = ("Read me", "lists")

#: ``values_from`` sources for coded fields.
VALUE_SOURCES = ("theory_components",)

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Field:
    """One column of a sheet: what is extracted, its type and allowed values."""

    name: str
    type: str
    label: str = ""
    values: tuple[str, ...] = ()
    values_from: str = ""
    required: bool = False
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None

    @property
    def coded(self) -> bool:
        return self.type in ("choice", "multichoice", "boolean")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "label": self.label or self.name,
            "required": self.required,
            "help": self.help,
        }
        if self.values:
            data["values"] = list(self.values)
        if self.values_from:
            data["values_from"] = self.values_from
        if self.minimum is not None:
            data["min"] = self.minimum
        if self.maximum is not None:
            data["max"] = self.maximum
        return data


@dataclass(frozen=True)
class Group:
    """One sheet: a group of fields, one row per study or per CMO configuration."""

    id: str
    label: str
    per: str  # "study" | "cmo"
    fields: tuple[Field, ...]
    help: str = ""

    @property
    def key_columns(self) -> tuple[str, ...]:
        return BIB_COLUMNS + ((CMO_ID,) if self.per == "cmo" else ())

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key_columns + tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Form:
    """The whole extraction form of a review."""

    groups: tuple[Group, ...]
    theory_components: tuple[Mapping[str, str], ...]
    #: what an extractor types when a study does not report something (config
    #: ``extraction.not_reported``): accepted in any field, so "not reported" is told apart
    #: from "not yet extracted" (an empty cell)
    not_reported: str
    list_separator: str = ";"

    def allowed(self, f: Field) -> tuple[str, ...]:
        """Allowed values of a coded field (``values`` or the theory-component ids)."""
        if f.values_from == "theory_components":
            return tuple(str(c["id"]) for c in self.theory_components)
        if f.type == "boolean":
            return ("yes", "no")
        return f.values

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": [
                {
                    "id": g.id,
                    "label": g.label,
                    "per": g.per,
                    "help": g.help,
                    "fields": [f.to_dict() for f in g.fields],
                }
                for g in self.groups
            ],
            "theory_components": [dict(c) for c in self.theory_components],
            "not_reported": self.not_reported,
            "list_separator": self.list_separator,
        }


@dataclass(frozen=True)
class ExtractionSettings(Settings):
    """The ``extraction`` block: the filled workbook to read back, and the form."""

    SCHEMA: ClassVar[str] = "schemas/extraction.schema.yaml"

    filled: str
    not_reported: str
    theory_components: tuple[Mapping[str, Any], ...]
    #: the form's groups as configured, checked as a whole by :func:`load_form`
    groups: tuple[Mapping[str, Any], ...] | None

    @functools.cached_property
    def form(self) -> Form:
        return load_form(self)


def _field(raw: Mapping[str, Any], where: str, problems: list[str]) -> Field | None:
    name = str(raw["name"])
    ftype = str(raw["type"])
    if not _NAME.match(name):
        problems.append(f"{where}.name: {name!r} must be lower-case letters, digits and '_'")
        return None
    where = f"{where} ({name})"
    if name in BIB_COLUMNS or name == CMO_ID:
        problems.append(f"{where}: {name!r} is a reserved column name")
    if ftype not in FIELD_TYPES:
        problems.append(f"{where}.type: {ftype!r} is not one of {', '.join(FIELD_TYPES)}")
    values = tuple(str(v) for v in raw.get("values") or ())
    values_from = str(raw.get("values_from") or "")
    if ftype in ("choice", "multichoice"):
        if not values and not values_from:
            problems.append(f"{where}: a {ftype} field needs 'values' or 'values_from'")
        if values and values_from:
            problems.append(f"{where}: give 'values' or 'values_from', not both")
        if values_from and values_from not in VALUE_SOURCES:
            problems.append(
                f"{where}.values_from: {values_from!r} is not one of {', '.join(VALUE_SOURCES)}"
            )
    elif values or values_from:
        problems.append(f"{where}: only choice and multichoice fields take values")
    if len(set(v.casefold() for v in values)) != len(values):
        problems.append(f"{where}.values: values must be unique")
    if any(not v.strip() for v in values):
        problems.append(f"{where}.values: empty value in the list")
    minimum, maximum = raw.get("min"), raw.get("max")
    if (minimum is not None or maximum is not None) and ftype not in ("integer", "number"):
        problems.append(f"{where}: min/max apply to integer and number fields only")
    return Field(
        name=name,
        type=ftype,
        label=str(raw.get("label") or ""),
        values=values,
        values_from=values_from,
        required=bool(raw["required"]),
        help=str(raw["help"]).strip(),
        minimum=float(minimum) if minimum is not None else None,
        maximum=float(maximum) if maximum is not None else None,
    )


def load_form(extraction: ExtractionSettings) -> Form:
    """The form of config ``extraction``; every problem with the form raised at once."""
    problems: list[str] = []
    components = tuple(
        {"id": str(c["id"]), "name": str(c["name"]), "description": str(c["description"]).strip()}
        for c in extraction.theory_components
    )
    ids = [c["id"] for c in components]
    for n, cid in enumerate(ids):
        if not cid:
            problems.append(f"extraction.theory_components.{n}.id: empty id")
    if len(set(ids)) != len(ids):
        problems.append("extraction.theory_components: ids must be unique")
    groups: list[Group] = []
    raw_groups = extraction.groups or ()
    if not raw_groups:
        problems.append("extraction.groups: the form has no groups")
    for g_index, raw in enumerate(raw_groups):
        gid = str(raw["id"])
        where = f"extraction.groups.{g_index}"
        if not _NAME.match(gid) or len(gid) > 31 or _SHEET_BAD.search(gid):
            problems.append(
                f"{where}.id: {gid!r} must be lower-case letters, digits and '_' "
                "(at most 31 characters: it names a sheet)"
            )
        per = str(raw["per"])
        if per not in ("study", "cmo"):
            problems.append(f"{where}.per: {per!r} is not 'study' or 'cmo'")
        fields_: list[Field] = []
        for f_index, raw_field in enumerate(raw["fields"]):
            built = _field(raw_field, f"{where}.fields.{f_index}", problems)
            if built is not None:
                fields_.append(built)
        if not fields_:
            problems.append(f"{where} ({gid}): a group needs at least one field")
        names = [f.name for f in fields_]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{where} ({gid}): field {name!r} defined twice")
        if per == "cmo":
            linked = [f for f in fields_ if f.values_from == "theory_components"]
            if len(linked) != 1 or linked[0].type != "choice":
                problems.append(
                    f"{where} ({gid}): a CMO group needs exactly one choice field with "
                    "'values_from: theory_components'"
                )
            if not components:
                problems.append(f"{where} ({gid}): a CMO group needs extraction.theory_components")
        groups.append(
            Group(
                id=gid,
                label=str(raw.get("label") or gid),
                per=per,
                fields=tuple(fields_),
                help=str(raw["help"]).strip(),
            )
        )
    gids = [g.id for g in groups]
    for gid in sorted({g for g in gids if gids.count(g) > 1}):
        problems.append(f"extraction.groups: group id {gid!r} used twice")
    if any(g.per == "study" for g in groups) is False and groups:
        problems.append("extraction.groups: at least one group must be 'per: study'")
    if problems:
        raise ConfigError("the extraction form is not usable:\n  " + "\n  ".join(problems))
    return Form(
        groups=tuple(groups),
        theory_components=components,
        not_reported=extraction.not_reported,
    )
