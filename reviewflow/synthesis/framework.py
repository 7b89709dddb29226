"""Best-fit framework synthesis: studies coded against a priori themes, new themes added.

Carroll, Booth et al.'s best-fit framework synthesis (BMC Med Res Methodol 2011;11:29;
2013;13:37) starts from a framework of a priori themes, codes each study against it, and
adds a new theme whenever the data hold one the framework lacks. Here the a priori themes
come from config and the codes from the extraction dataset; a code that matches no theme
(by id or name, ignoring case) becomes an emergent theme, reported as such.
"""

from __future__ import annotations

import re

import pandas as pd

from reviewflow.normalize import clean_text
from reviewflow.synthesis.dataset import Dataset, split_values
from reviewflow.synthesis.settings import FrameworkSettings

__all__ = ["code_studies", "framework_matrix"]

CODING_COLUMNS = ("theme_id", "theme", "origin", "study_id", "study", "evidence")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "theme"


def _coded_values(dataset: Dataset, settings: FrameworkSettings) -> list[tuple[str, str, str]]:
    """(study id, code, evidence) from the theme group rows or a study-level field."""
    found = []
    for row in dataset.rows(settings.group):
        for code in split_values(row.get(settings.code_field)):
            evidence = clean_text(row.get(settings.evidence_field, ""))
            found.append((row["study_id"], code, evidence))
    for study in dataset.studies.values():
        for code in split_values(study.fields.get(settings.code_field)):
            found.append((study.study_id, code, ""))
    return found


def code_studies(
    dataset: Dataset, settings: FrameworkSettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The coding (one row per study and theme) and the themes, a priori then emergent."""
    themes: dict[str, dict[str, str]] = {}
    lookup: dict[str, str] = {}
    for theme in settings.themes:
        themes[theme.id] = {
            "theme_id": theme.id,
            "theme": theme.name,
            "description": theme.description,
            "origin": "a priori",
        }
        lookup[theme.id.lower()] = theme.id
        lookup[clean_text(theme.name).lower()] = theme.id
        for code in theme.codes:
            lookup[clean_text(code).lower()] = theme.id
    ignored = {str(c).lower() for c in settings.ignore_codes}
    coding: dict[tuple[str, str], dict[str, str]] = {}
    for study_id, code, evidence in _coded_values(dataset, settings):
        if code.lower() == dataset.not_reported or code.lower() in ignored:
            continue
        theme_id = lookup.get(code.lower())
        if theme_id is None:
            if not settings.add_emergent_themes:
                continue
            theme_id = f"new_{_slug(code)}"
            lookup[code.lower()] = theme_id
            themes[theme_id] = {
                "theme_id": theme_id,
                "theme": code,
                "description": "added during synthesis: coded in extraction, not in the framework",
                "origin": "emergent",
            }
        entry = coding.setdefault(
            (theme_id, study_id),
            {
                "theme_id": theme_id,
                "theme": themes[theme_id]["theme"],
                "origin": themes[theme_id]["origin"],
                "study_id": study_id,
                "study": dataset.label(study_id),
                "evidence": "",
            },
        )
        if evidence and evidence not in entry["evidence"]:
            entry["evidence"] = "; ".join(e for e in (entry["evidence"], evidence) if e)
    order = {t: i for i, t in enumerate(themes)}
    rows = sorted(coding.values(), key=lambda r: (order[r["theme_id"]], r["study"]))
    return pd.DataFrame(rows, columns=list(CODING_COLUMNS)), pd.DataFrame(list(themes.values()))


def framework_matrix(coding: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Per theme: its origin, how many studies and which; a priori themes with no study stay."""
    rows = []
    for theme in themes.to_dict("records"):
        part = coding[coding["theme_id"] == theme["theme_id"]]
        rows.append(
            {
                **theme,
                "n_studies": part["study_id"].nunique(),
                "studies": "; ".join(sorted(set(part["study"]))),
            }
        )
    return pd.DataFrame(
        rows, columns=["theme_id", "theme", "description", "origin", "n_studies", "studies"]
    )
