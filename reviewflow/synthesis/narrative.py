"""Narrative synthesis table: per study (or intervention), mechanisms, outcomes and success.

Success is whatever the review defined it to be in config, e.g. "a statistically
significant improvement in the intervention group": a list of conditions on the fields of
an outcome row, all of which must hold (``p_value < 0.05`` and ``direction`` in
``[improvement]``). A study is a success when any (or, by config, every) outcome meets the
definition, "unclear" when no outcome row has the fields to decide, so a missing value never
reads as a failure.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from reviewflow.errors import ConfigError
from reviewflow.normalize import clean_text
from reviewflow.synthesis.dataset import Dataset, split_values
from reviewflow.synthesis.settings import NarrativeSettings

__all__ = ["meets_success", "narrative_table"]

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def _number(value: Any) -> float | None:
    text = clean_text(value).lstrip("<>=≤≥ ")
    try:
        return float(text)
    except ValueError:
        return None


def _condition(
    row: Mapping[str, Any], condition: Mapping[str, Any], not_reported: str
) -> bool | None:
    """True/False, or None when the row lacks the value the condition needs."""
    name = condition["field"]
    value = row.get(name)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if value is None or clean_text(value).lower() in ("", not_reported):
        return None
    if "in" in condition:
        allowed = {str(v).lower() for v in condition["in"]}
        return clean_text(value).lower() in allowed
    if "equals" in condition:
        return clean_text(value).lower() == str(condition["equals"]).lower()
    for key, compare in _OPERATORS.items():
        if key in condition:
            number = _number(value)
            return None if number is None else compare(number, float(condition[key]))
    raise ConfigError(f"synthesis.narrative.success: condition on {name!r} has no test")


def meets_success(
    row: Mapping[str, Any], conditions: Sequence[Mapping[str, Any]], not_reported: str
) -> bool | None:
    """Whether an outcome row passes every condition (None: a value it needs is missing)."""
    results = [_condition(row, c, not_reported) for c in conditions]
    if any(r is False for r in results):
        return False
    if any(r is None for r in results):
        return None
    return True


def _verdict(results: Sequence[bool | None], scope: str) -> str:
    known = [r for r in results if r is not None]
    if not known:
        return "unclear"
    if scope == "all":
        return "yes" if len(known) == len(results) and all(known) else "no"
    return "yes" if any(known) else "no"


def narrative_table(
    dataset: Dataset, settings: NarrativeSettings, cmo: pd.DataFrame
) -> pd.DataFrame:
    """One row per study, or per intervention when ``group_by`` names a study field."""
    conditions = settings.success.conditions
    scope = settings.success.scope
    outcome_group, outcome_field = settings.outcome_group, settings.outcome_field
    mechanism_field, group_by = settings.mechanism_field, settings.group_by
    units: dict[str, dict[str, Any]] = {}
    for study in sorted(dataset.studies.values(), key=lambda s: s.label):
        keys = (
            [study.label]
            if group_by == "study"
            else split_values(study.fields.get(group_by)) or ["(not reported)"]
        )
        mechanisms = split_values(study.fields.get(mechanism_field))
        if not cmo.empty:
            mechanisms += [m for m in cmo[cmo["study_id"] == study.study_id]["mechanism"] if m]
        rows = [r for r in dataset.rows(outcome_group) if r["study_id"] == study.study_id]
        for key in keys:
            unit = units.setdefault(
                key, {"studies": [], "mechanisms": [], "outcomes": [], "results": []}
            )
            unit["studies"].append(study.label)
            unit["mechanisms"] += mechanisms
            for row in rows:
                unit["outcomes"].append(clean_text(row.get(outcome_field, "")))
                unit["results"].append(
                    meets_success(row, conditions, dataset.not_reported) if conditions else None
                )
    column = "study" if group_by == "study" else group_by
    table = []
    for key, unit in units.items():
        table.append(
            {
                column: key,
                "studies": "; ".join(dict.fromkeys(unit["studies"])),
                "mechanisms": "; ".join(dict.fromkeys(unit["mechanisms"])),
                "outcomes": "; ".join(o for o in dict.fromkeys(unit["outcomes"]) if o),
                "outcomes_successful": sum(1 for r in unit["results"] if r is True),
                "outcomes_reported": len(unit["results"]),
                "success": _verdict(unit["results"], scope),
            }
        )
    return pd.DataFrame(
        table,
        columns=[
            column,
            "studies",
            "mechanisms",
            "outcomes",
            "outcomes_successful",
            "outcomes_reported",
            "success",
        ],
    )
