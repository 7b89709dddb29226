"""The extraction form: the demo's form loads; a broken form lists all its problems."""

from __future__ import annotations

import copy

import pytest

from reviewflow.config import config_errors
from reviewflow.errors import ConfigError
from reviewflow.extraction.form import ExtractionSettings


def test_demo_form(extraction_settings):
    form = extraction_settings.form
    assert [g.id for g in form.groups] == ["study", "nudge", "cmo"]
    assert [g.per for g in form.groups] == ["study", "study", "cmo"]
    cmo = form.group("cmo")
    assert form.allowed(cmo.field("theory_component")) == ("T1", "T2", "T3", "T4")
    assert cmo.columns[:7] == (
        "study_id", "record_id", "first_author", "year", "title", "doi", "cmo_id",
    )  # fmt: skip
    assert form.group("study").field("n_professionals").type == "integer"


def test_demo_config_blocks_pass_the_schema(demo_config):
    errors = [e for e in config_errors(demo_config) if e.startswith(("fulltext", "extraction"))]
    assert errors == []


def test_schema_refuses_unknown_type_and_key(demo_config):
    config = copy.deepcopy(demo_config)
    config["extraction"]["groups"][0]["fields"][0]["type"] = "colour"
    config["fulltext"]["exclusion_reasons"][0]["why"] = "x"
    errors = config_errors(config)
    assert any(e.startswith("extraction.groups.0.fields.0.type") for e in errors)
    assert any("fulltext.exclusion_reasons.0" in e and "unknown key" in e for e in errors)


def test_broken_form_lists_every_problem(extraction_config):
    broken = copy.deepcopy(extraction_config)
    study = broken["groups"][0]["fields"]
    study[0] = {"name": "design", "type": "choice"}  # no values
    study.append({"name": "design_detail", "type": "text"})  # defined twice
    study.append({"name": "title", "type": "text"})  # reserved
    cmo = broken["groups"][2]["fields"]
    cmo[0] = {"name": "theory_component", "type": "text"}  # no link to the theory
    with pytest.raises(ConfigError) as caught:
        _ = ExtractionSettings.from_raw(broken).form
    message = str(caught.value)
    assert "a choice field needs 'values' or 'values_from'" in message
    assert "field 'design_detail' defined twice" in message
    assert "'title' is a reserved column name" in message
    assert "a CMO group needs exactly one choice field with 'values_from" in message
