"""An extraction dataset in the layout the extraction stage writes (form + rows per group).

Study ids, labels and values are placeholders: the tests check how synthesis counts and
classifies, not what any study found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

COMPONENTS = [
    {"id": "PT1", "name": "Access", "description": "Co-ordinated care is more accessible"},
    {"id": "PT2", "name": "Incentives", "description": "Shared payment aligns incentives"},
    {"id": "PT3", "name": "Relations", "description": "Relational behaviours build resilience"},
]


def _bib(study_id: str, author: str, year: int) -> dict[str, Any]:
    return {
        "study_id": study_id,
        "record_id": f"src:{study_id}",
        "first_author": author,
        "year": year,
        "title": f"Title {study_id}",
        "doi": "",
    }


def _cmo(
    study: dict[str, Any], n: int, pt: str, c: str, m: str, o: str, judgement: str, strength: str
) -> dict[str, Any]:
    return {
        **study,
        "cmo_id": n,
        "theory_component": pt,
        "context": c,
        "mechanism": m,
        "outcome": o,
        "judgement": judgement,
        "strength": strength,
        "evidence": f"p. {n}",
    }


def make_dataset() -> dict[str, Any]:
    a, b, c, d = (
        _bib("s1", "Alpha, A.", 2019),
        _bib("s2", "Beta, B.", 2020),
        _bib("s3", "Gamma, G.", 2021),
        _bib("s4", "Delta, D.", 2022),
    )
    return {
        "form": {
            "groups": [
                {"id": "study", "per": "study"},
                {"id": "cmo", "per": "cmo"},
                {"id": "themes", "per": "study"},
                {"id": "outcomes", "per": "cmo"},
            ],
            "theory_components": COMPONENTS,
        },
        "groups": {
            "study": [
                {**a, "intervention": "reminder"},
                {**b, "intervention": "default"},
                {**c, "intervention": "reminder"},
                {**d, "intervention": "feedback"},
            ],
            "cmo": [
                _cmo(a, 1, "PT1", "ctx rural", "mech trust", "out uptake", "supports", "strong"),
                _cmo(b, 1, "PT1", "ctx rural", "mech trust", "out uptake", "supports", "moderate"),
                _cmo(c, 1, "PT1", "ctx urban", "mech trust", "out uptake", "supports", "weak"),
                _cmo(c, 2, "PT1", "ctx urban", "mech workload", "out delay", "refines", "weak"),
                _cmo(a, 2, "PT2", "ctx budget", "mech alignment", "out cost", "supports", "strong"),
                _cmo(d, 1, "PT2", "ctx budget", "mech alignment", "out cost", "refutes", "strong"),
            ],
            "themes": [
                {**a, "theme": "Leadership; Workforce"},
                {**b, "theme": "leadership"},
                {**d, "theme": "Digital records"},
            ],
            "outcomes": [
                {
                    **a,
                    "cmo_id": 1,
                    "outcome": "uptake",
                    "direction": "improvement",
                    "p_value": 0.01,
                },
                {**a, "cmo_id": 2, "outcome": "cost", "direction": "no change", "p_value": 0.4},
                {**b, "cmo_id": 1, "outcome": "uptake", "direction": "improvement", "p_value": 0.2},
                {
                    **c,
                    "cmo_id": 1,
                    "outcome": "uptake",
                    "direction": "improvement",
                    "p_value": "not reported",
                },
            ],
        },
    }


@pytest.fixture
def dataset_path(tmp_path: Path) -> Path:
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(make_dataset()), encoding="utf-8")
    return path


SETTINGS: dict[str, Any] = {
    "realist": {
        "strength_rules": [
            {"label": "strong", "min_supporting": 3, "min_strong": 1, "max_refuting": 0},
            {"label": "contested", "min_refuting": 1},
            {"label": "weak", "min_supporting": 1},
        ],
        "otherwise": "no evidence",
    },
    "framework": {
        "themes": [
            {"id": "leadership", "name": "Leadership", "description": "d"},
            {"id": "funding", "name": "Funding", "description": "d"},
        ],
        "add_emergent_themes": True,
    },
    "narrative": {
        "success": {
            "conditions": [
                {"field": "direction", "in": ["improvement"]},
                {"field": "p_value", "lt": 0.05},
            ],
            "scope": "any",
        },
    },
    "logic_model": {"min_studies": 1, "title": "Logic model"},
}
