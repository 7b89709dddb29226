"""The citations block of the config schema: defaults accepted, bad values named."""

from __future__ import annotations

from reviewflow.config import config_errors

REVIEW = {"id": "t", "title": "t", "question": "t"}


def _errors(citations):
    return [
        e for e in config_errors({"review": REVIEW, "citations": citations}) if "citations" in e
    ]


def test_seed_strings_and_mappings_are_valid():
    assert _errors({"seeds": ["W3045921891", {"id": "pmid:1", "note": "key trial"}]}) == []


def test_bad_values_are_named_by_key_path():
    errors = _errors({"depth": 6, "sources": ["scopus"], "directions": ["sideways"], "x": 1})
    assert any(e.startswith("citations.depth: 6 is greater than the maximum of 5") for e in errors)
    assert any(e.startswith("citations.sources.0: 'scopus' is not one of") for e in errors)
    assert any(e.startswith("citations.directions.0: 'sideways'") for e in errors)
    assert any("unknown key" in e for e in errors)
