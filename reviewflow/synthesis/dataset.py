"""Reading the extraction dataset into studies and rows of repeated groups, whatever its nesting.

The extraction stage writes ``results/extraction/dataset.json``. Synthesis needs two views
of it: one entry per study (an id, a short label to cite it by, its study-level fields) and
the rows of each repeated group (CMO configurations, outcomes, themes), each row knowing its
study. Both layouts an extraction form can produce are accepted: studies with their groups
nested (``{"studies": [{"study_id", ..., "<group>": [rows]}]}``) or flat group tables
(``{"groups": {"<group>": [rows with study_id]}}``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.errors import DataError
from reviewflow.normalize import clean_text

__all__ = ["Dataset", "Study", "load_dataset", "split_values"]

_ID_KEYS = ("study_id", "id", "record_id")
_LABEL_KEYS = ("label", "citation", "short_citation", "study_label")
#: Flat-layout groups that hold one row of study characteristics per study.
_STUDY_GROUPS = ("study", "studies", "characteristics", "study_characteristics")


@dataclass
class Study:
    """One included study: ``fields`` holds its single-valued extraction answers."""

    study_id: str
    label: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Dataset:
    path: str
    studies: dict[str, Study]
    groups: dict[str, list[dict[str, Any]]]
    theory_components: list[dict[str, str]]
    cmo_groups: list[str] = field(default_factory=list)
    #: what extractors typed for "not reported" (the extraction form's ``not_reported``)
    not_reported: str = ""

    def rows(self, group: str) -> list[dict[str, Any]]:
        return self.groups.get(group, [])

    def label(self, study_id: str) -> str:
        study = self.studies.get(study_id)
        return study.label if study else study_id


def split_values(value: Any) -> list[str]:
    """A multi-valued answer as a list: lists stay lists, text is split on ``;`` and newlines."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [v for item in value for v in split_values(item)]
    text = clean_text(value) if not isinstance(value, bool) else str(value).lower()
    parts = [p.strip() for chunk in text.split("\n") for p in chunk.split(";")]
    return [p for p in parts if p]


def _study_label(study_id: str, values: Mapping[str, Any]) -> str:
    for key in _LABEL_KEYS:
        if clean_text(values.get(key, "")):
            return clean_text(values[key])
    author = clean_text(values.get("first_author") or values.get("authors", "")).split(";")[0]
    year = clean_text(values.get("year", ""))
    if author:
        surname = author.split(",")[0].strip()
        return f"{surname} {year}".strip()
    words = clean_text(values.get("title", "")).split()
    if words:  # no author to cite by (e.g. a title/abstract-only export): the title's start
        short = " ".join(words[:6])
        return f"{short}…" if len(words) > 6 else short
    return study_id


def _study_id(values: Mapping[str, Any], path: str, where: str) -> str:
    for key in _ID_KEYS:
        value = clean_text(values.get(key, ""))
        if value:
            return value
    raise DataError(f"{where} has no study_id", path=path, field="study_id")


def load_dataset(
    path: str | os.PathLike[str], theory_components: list[dict[str, str]] | None = None
) -> Dataset:
    """Load ``dataset.json``; the config's theory components win over the dataset's copy."""
    path_s = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(
            "extraction dataset not found (run the extraction stage)", path=path_s
        ) from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg}", path=path_s, line=exc.lineno) from exc
    if not isinstance(data, dict):
        raise DataError("expected a JSON object with 'studies' or 'groups'", path=path_s)
    studies: dict[str, Study] = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for index, entry in enumerate(data.get("studies") or [], start=1):
        if not isinstance(entry, dict):
            raise DataError(f"studies[{index}] is not an object", path=path_s)
        study_id = _study_id(entry, path_s, f"studies[{index}]")
        fields: dict[str, Any] = {}
        for key, value in entry.items():
            if value is None:
                continue
            if isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
                if "groups" in data:
                    continue  # the flat view below holds the same rows
                for row in value:
                    groups.setdefault(key, []).append({**row, "study_id": study_id})
            elif isinstance(value, dict):
                fields.update(value)
            else:
                fields[key] = value
        studies[study_id] = Study(study_id, _study_label(study_id, {**fields, **entry}), fields)
    form_groups = (data.get("form") or {}).get("groups") or []
    per = {str(g.get("id")): str(g.get("per", "")) for g in form_groups if isinstance(g, dict)}
    flat = data.get("groups") or data.get("rows") or {}
    if not isinstance(flat, dict):
        raise DataError("'groups' must map each group id to its rows", path=path_s)
    for name, rows in flat.items():
        for index, row in enumerate(rows or [], start=1):
            if not isinstance(row, dict):
                raise DataError(f"groups.{name}[{index}] is not an object", path=path_s)
            study_id = _study_id(row, path_s, f"groups.{name}[{index}]")
            study = studies.setdefault(study_id, Study(study_id, study_id, {}))
            if per.get(name) == "study" or (name not in per and name in _STUDY_GROUPS):
                study.fields.update(row)
                study.label = _study_label(study_id, study.fields)
            groups.setdefault(name, []).append({**row, "study_id": study_id})
    components = theory_components or data.get("theory_components") or []
    cmo_groups = [g for g, kind in per.items() if kind == "cmo"]
    return Dataset(
        path_s,
        studies,
        groups,
        [dict(c) for c in components],
        cmo_groups,
        not_reported=_not_reported_word(data.get("form")),
    )


def _not_reported_word(form: Any) -> str:
    """The form's "not reported" word; a dataset written without its form (by hand, by
    another tool) is read with the word the extraction schema gives by default."""
    if isinstance(form, Mapping) and form.get("not_reported"):
        return clean_text(form["not_reported"]).lower()
    from reviewflow.config import block_defaults

    return str(block_defaults("schemas/extraction.schema.yaml")["not_reported"]).lower()
