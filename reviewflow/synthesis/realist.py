"""Realist synthesis: CMO configurations grouped by programme-theory component, and how well
the evidence supports each component.

Each extracted CMO configuration names the theory component it bears on and a judgement:
it *supports*, *refines* or *refutes* the component (Pawson's testing of programme theory;
RAMESES reporting standards item 14 asks for exactly this link between evidence and
theory). The overall strength of support of a component follows ordered rules from config,
the first matching rule giving its label, so a review states its threshold (e.g. "strong =
at least 3 supporting studies, one of them judged strong, none refuting") instead of
applying it by eye.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from reviewflow.errors import DataError
from reviewflow.normalize import clean_text
from reviewflow.synthesis.dataset import Dataset
from reviewflow.synthesis.settings import RealistSettings, StrengthRule

__all__ = [
    "JUDGEMENTS",
    "cmo_table",
    "component_summary",
    "strength_of_support",
]

#: The three ways a CMO configuration can bear on a theory component; synonyms an extractor
#: may type are mapped onto them.
JUDGEMENTS = ("supports", "refines", "refutes")
_SYNONYMS = {
    "support": "supports",
    "supported": "supports",
    "supporting": "supports",
    "confirms": "supports",
    "refine": "refines",
    "refined": "refines",
    "refining": "refines",
    "qualifies": "refines",
    "refute": "refutes",
    "refuted": "refutes",
    "refuting": "refutes",
    "contradicts": "refutes",
}

#: Used when the config gives none; the "strong" rule is the worked example of the review
#: protocol template (>= 3 supporting studies, >= 1 strong judgement, none refuting).
CMO_COLUMNS = (
    "component_id",
    "component",
    "study_id",
    "study",
    "context",
    "mechanism",
    "outcome",
    "judgement",
    "strength",
    "evidence",
)


def _judgement(
    value: Any, dataset: Dataset, row: Mapping[str, Any], field: str, default: str = ""
) -> str:
    text = clean_text(value).lower() or default
    text = _SYNONYMS.get(text, text)
    if text not in JUDGEMENTS:
        raise DataError(
            f"study {row.get('study_id')}: judgement {value!r} is not one of "
            f"{', '.join(JUDGEMENTS)}",
            path=dataset.path,
            field=field,
        )
    return text


def cmo_table(dataset: Dataset, settings: RealistSettings) -> pd.DataFrame:
    """One row per CMO configuration, ordered by component then study label."""
    f = settings.fields
    group = settings.group or (dataset.cmo_groups or ["cmo"])[0]
    # A form whose CMO sheet records only supporting configurations has no judgement field.
    default_judgement = settings.default_judgement or ""
    components = {c["id"]: c for c in dataset.theory_components}
    by_name = {clean_text(c.get("name", "")).lower(): c["id"] for c in dataset.theory_components}
    rows = []
    for row in dataset.rows(group):
        raw = clean_text(row.get(f.component, ""))
        component_id = raw if raw in components else by_name.get(raw.lower(), raw)
        if components and component_id not in components:
            raise DataError(
                f"study {row['study_id']}: theory component {raw!r} is not in "
                f"extraction.theory_components ({', '.join(components)})",
                path=dataset.path,
                field=f.component,
            )
        rows.append(
            {
                "component_id": component_id,
                "component": components.get(component_id, {}).get("name", component_id),
                "study_id": row["study_id"],
                "study": dataset.label(row["study_id"]),
                "context": clean_text(row.get(f.context, "")),
                "mechanism": clean_text(row.get(f.mechanism, "")),
                "outcome": clean_text(row.get(f.outcome, "")),
                "judgement": _judgement(
                    row.get(f.judgement), dataset, row, f.judgement, default_judgement
                ),
                "strength": clean_text(row.get(f.strength, "")).lower(),
                "evidence": clean_text(row.get(f.evidence, "")),
            }
        )
    order = {c: i for i, c in enumerate(components)}
    rows.sort(
        key=lambda r: (order.get(r["component_id"], len(order)), r["component_id"], r["study"])
    )
    return pd.DataFrame(rows, columns=list(CMO_COLUMNS))


def _rule_matches(rule: StrengthRule, tally: Mapping[str, int]) -> bool:
    checks = (
        ("min_supporting", "supporting", 1),
        ("max_supporting", "supporting", -1),
        ("min_refining", "refining", 1),
        ("max_refining", "refining", -1),
        ("min_refuting", "refuting", 1),
        ("max_refuting", "refuting", -1),
        ("min_strong", "strong", 1),
    )
    for key, name, sign in checks:
        bound = getattr(rule, key)
        if bound is not None and (tally[name] - bound) * sign < 0:
            return False
    return True


def strength_of_support(
    tally: Mapping[str, int], rules: Sequence[StrengthRule], otherwise: str
) -> str:
    """The label of the first rule whose every bound holds, else ``otherwise``.

    ``tally`` counts distinct studies: ``supporting``, ``refining``, ``refuting``, and
    ``strong`` (supporting studies with at least one configuration judged strong).
    """
    for rule in rules:
        if _rule_matches(rule, tally):
            return rule.label
    return otherwise


def component_summary(
    cmo: pd.DataFrame, dataset: Dataset, settings: RealistSettings
) -> pd.DataFrame:
    """The programme-theory summary: per component, the studies for, refining and against."""
    strong_values = {s.lower() for s in settings.strong_values}
    components = list(dataset.theory_components) or [
        {"id": c, "name": c, "description": ""} for c in dict.fromkeys(cmo["component_id"])
    ]
    rows = []
    for component in components:
        part = cmo[cmo["component_id"] == component["id"]]

        def studies(judgement: str, frame: pd.DataFrame = part) -> list[str]:
            chosen = frame[frame["judgement"] == judgement]
            return sorted(set(chosen["study"]))

        supporting = part[part["judgement"] == "supports"]
        strong = set(supporting[supporting["strength"].isin(strong_values)]["study_id"])
        tally = {
            "supporting": supporting["study_id"].nunique(),
            "refining": part[part["judgement"] == "refines"]["study_id"].nunique(),
            "refuting": part[part["judgement"] == "refutes"]["study_id"].nunique(),
            "strong": len(strong),
        }
        rows.append(
            {
                "component_id": component["id"],
                "component": component.get("name", component["id"]),
                "description": component.get("description", ""),
                "cmo_configurations": len(part),
                "studies": part["study_id"].nunique(),
                "supporting_studies": tally["supporting"],
                "refining_studies": tally["refining"],
                "refuting_studies": tally["refuting"],
                "strong_judgements": tally["strong"],
                "supporting": "; ".join(studies("supports")),
                "refining": "; ".join(studies("refines")),
                "refuting": "; ".join(studies("refutes")),
                "strength_of_support": strength_of_support(
                    tally, settings.strength_rules, settings.otherwise
                ),
            }
        )
    return pd.DataFrame(rows)
