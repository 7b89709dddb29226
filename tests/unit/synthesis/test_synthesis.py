"""Realist, framework and narrative tables and the logic model from an extraction dataset."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from reviewflow.errors import DataError
from reviewflow.synthesis import run_synthesis_stage
from reviewflow.synthesis.dataset import load_dataset
from reviewflow.synthesis.framework import code_studies, framework_matrix
from reviewflow.synthesis.logic_model import build_logic_model
from reviewflow.synthesis.narrative import meets_success, narrative_table
from reviewflow.synthesis.realist import cmo_table, component_summary, strength_of_support
from reviewflow.synthesis.settings import (
    FrameworkSettings,
    LogicModelSettings,
    NarrativeSettings,
    RealistSettings,
    StrengthRule,
    SynthesisSettings,
)

from .conftest import COMPONENTS, SETTINGS, make_dataset


def test_dataset_reads_form_groups_and_labels(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    assert sorted(dataset.studies) == ["s1", "s2", "s3", "s4"]
    assert dataset.label("s1") == "Alpha 2019"
    assert dataset.studies["s1"].fields["intervention"] == "reminder"
    assert dataset.cmo_groups == ["cmo", "outcomes"]
    assert len(dataset.rows("cmo")) == 6


def test_nested_layout_reads_the_same(tmp_path):
    flat = make_dataset()
    nested = {"studies": []}
    for row in flat["groups"]["study"]:
        sid = row["study_id"]
        nested["studies"].append(
            {**row, "cmo": [r for r in flat["groups"]["cmo"] if r["study_id"] == sid]}
        )
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(nested))
    dataset = load_dataset(path, COMPONENTS)
    assert len(dataset.rows("cmo")) == 6
    assert dataset.label("s4") == "Delta 2022"


def test_strength_rules_first_match_wins(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    realist = RealistSettings.from_raw(SETTINGS["realist"])
    cmo = cmo_table(dataset, realist)
    summary = component_summary(cmo, dataset, realist).set_index("component_id")
    assert summary.loc["PT1", "supporting_studies"] == 3
    assert summary.loc["PT1", "refining"] == "Gamma 2021"
    assert summary.loc["PT1", "strength_of_support"] == "strong"
    assert summary.loc["PT2", "refuting"] == "Delta 2022"
    assert summary.loc["PT2", "strength_of_support"] == "contested"
    assert summary.loc["PT3", "strength_of_support"] == "no evidence"
    assert summary.loc["PT3", "cmo_configurations"] == 0


def test_strength_needs_a_strong_judgement():
    rule = [
        StrengthRule.from_raw(
            {"label": "strong", "min_supporting": 3, "min_strong": 1, "max_refuting": 0}
        )
    ]
    tally = {"supporting": 3, "refining": 0, "refuting": 0, "strong": 0}
    assert strength_of_support(tally, rule, "weak") == "weak"
    assert strength_of_support({**tally, "strong": 1}, rule, "weak") == "strong"
    assert strength_of_support({**tally, "strong": 1, "refuting": 1}, rule, "weak") == "weak"


def test_unknown_component_or_judgement_is_named(dataset_path, tmp_path):
    data = make_dataset()
    data["groups"]["cmo"][0]["theory_component"] = "PT9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(DataError, match="PT9.*theory_component"):
        cmo_table(load_dataset(bad, COMPONENTS), RealistSettings.defaults())
    data = make_dataset()
    data["groups"]["cmo"][0]["judgement"] = "maybe"
    bad.write_text(json.dumps(data))
    with pytest.raises(DataError, match="'maybe'"):
        cmo_table(load_dataset(bad, COMPONENTS), RealistSettings.defaults())


def test_framework_adds_emergent_themes(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    coding, themes = code_studies(dataset, FrameworkSettings.from_raw(SETTINGS["framework"]))
    matrix = framework_matrix(coding, themes).set_index("theme_id")
    assert matrix.loc["leadership", "n_studies"] == 2
    assert matrix.loc["leadership", "origin"] == "a priori"
    assert matrix.loc["funding", "n_studies"] == 0
    assert matrix.loc["new_workforce", "origin"] == "emergent"
    assert matrix.loc["new_digital_records", "studies"] == "Delta 2022"
    closed = code_studies(
        dataset, FrameworkSettings.from_raw({**SETTINGS["framework"], "add_emergent_themes": False})
    )[1]
    assert list(closed["theme_id"]) == ["leadership", "funding"]


def test_narrative_success_as_configured(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    cmo = cmo_table(dataset, RealistSettings.defaults())
    table = narrative_table(
        dataset, NarrativeSettings.from_raw(SETTINGS["narrative"]), cmo
    ).set_index("study")
    assert table.loc["Alpha 2019", "success"] == "yes"
    assert table.loc["Beta 2020", "success"] == "no"
    assert table.loc["Gamma 2021", "success"] == "unclear"
    assert table.loc["Delta 2022", "success"] == "unclear"
    assert "mech trust" in table.loc["Alpha 2019", "mechanisms"]
    by_intervention = narrative_table(
        dataset,
        NarrativeSettings.from_raw({**SETTINGS["narrative"], "group_by": "intervention"}),
        cmo,
    ).set_index("intervention")
    assert by_intervention.loc["reminder", "studies"] == "Alpha 2019; Gamma 2021"
    assert by_intervention.loc["reminder", "success"] == "yes"


def test_success_condition_on_booleans():
    assert meets_success(
        {"significant": True}, [{"field": "significant", "equals": "yes"}], "not reported"
    )
    assert (
        meets_success(
            {"significant": False}, [{"field": "significant", "equals": "yes"}], "not reported"
        )
        is False
    )
    assert meets_success({}, [{"field": "significant", "equals": "yes"}], "not reported") is None


def test_logic_model_edge_weight_is_distinct_studies(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    graph = build_logic_model(
        cmo_table(dataset, RealistSettings.defaults()), LogicModelSettings.defaults(), dataset
    )
    assert graph.edges[(0, "ctx rural"), (1, "mech trust")]["weight"] == 2
    assert graph.edges[(1, "mech trust"), (2, "out uptake")]["weight"] == 3
    assert graph.edges[(0, "ctx budget"), (1, "mech alignment")]["weight"] == 1  # s4 refutes
    pruned = build_logic_model(
        cmo_table(dataset, RealistSettings.defaults()),
        LogicModelSettings.from_raw({"min_studies": 2}),
        dataset,
    )
    assert sorted(pruned.edges) == [
        ((0, "ctx rural"), (1, "mech trust")),
        ((1, "mech trust"), (2, "out uptake")),
    ]


def test_stage_writes_tables_figures_and_audit(dataset_path, tmp_path):
    out = tmp_path / "synthesis"
    run_synthesis_stage(
        dataset_path=dataset_path,
        settings=SynthesisSettings.from_raw(SETTINGS),
        out_dir=out,
        audit_path=out / "synthesise_evidence.audit.json",
        theory_components=COMPONENTS,
    )
    programme = pd.read_csv(out / "programme_theory.csv")
    assert list(programme["strength_of_support"]) == ["strong", "contested", "no evidence"]
    svg = (out / "logic_model.svg").read_text()
    assert "mech trust" in svg and "Mechanisms" in svg
    assert (out / "logic_model.png").read_bytes().startswith(b"\x89PNG")
    audit = json.loads((out / "synthesise_evidence.audit.json").read_text())
    assert audit["counts"]["cmo_configurations"] == 6
    assert audit["counts"]["themes_emergent"] == 2
    summary = json.loads((out / "synthesis.json").read_text())
    assert len(summary["tables"]["components"]) == 3


def test_missing_dataset_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="extraction dataset not found"):
        load_dataset(tmp_path / "none.json")


def test_default_judgement_for_forms_without_one(tmp_path):
    data = make_dataset()
    for row in data["groups"]["cmo"]:
        del row["judgement"]
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data))
    dataset = load_dataset(path, COMPONENTS)
    with pytest.raises(DataError, match="judgement"):
        cmo_table(dataset, RealistSettings.defaults())
    cmo = cmo_table(dataset, RealistSettings.from_raw({"default_judgement": "supports"}))
    assert set(cmo["judgement"]) == {"supports"}


def test_theme_codes_map_form_values_onto_the_framework(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    themes = [{"id": "infra", "name": "Infrastructure", "codes": ["Digital records"]}]
    coding, found = code_studies(dataset, FrameworkSettings.from_raw({"themes": themes}))
    assert list(coding[coding["theme_id"] == "infra"]["study"]) == ["Delta 2022"]
    assert "new_digital_records" not in set(found["theme_id"])


def test_logic_model_from_coded_fields_aggregates_studies(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    cmo = cmo_table(dataset, RealistSettings.defaults())
    layers = {"context": "intervention", "mechanism": "component", "outcome": "outcome"}
    graph = build_logic_model(cmo, LogicModelSettings.from_raw({"layers": layers}), dataset)
    assert graph.edges[(0, "reminder"), (1, "Access")]["weight"] == 2  # Alpha, Gamma
    assert graph.edges[(1, "Access"), (2, "out uptake")]["studies"] == [
        "Alpha 2019",
        "Beta 2020",
        "Gamma 2021",
    ]


def test_ignored_codes_are_not_themes(dataset_path):
    dataset = load_dataset(dataset_path, COMPONENTS)
    _, themes = code_studies(dataset, FrameworkSettings.from_raw({"ignore_codes": ["Workforce"]}))
    assert "new_workforce" not in set(themes["theme_id"])
    assert "new_leadership" in set(themes["theme_id"])
