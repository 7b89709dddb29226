"""Seed parsing, included studies from decision files, and the seed table."""

from __future__ import annotations

import pandas as pd
import pytest

from reviewflow.citations.seeds import (
    included_record_ids,
    included_seeds,
    parse_seed,
    seeds_from_config,
)
from reviewflow.errors import DecisionFileError
from reviewflow.records import normalize_record, records_frame


@pytest.mark.parametrize(
    ("given", "kind", "field", "value"),
    [
        ("10.1145/3383583.3398584", "doi", "doi", "10.1145/3383583.3398584"),
        ("https://doi.org/10.48550/arXiv.2007.14454", "doi", "doi", "10.48550/arxiv.2007.14454"),
        ("doi:10.1371/journal.pone.0033693", "doi", "doi", "10.1371/journal.pone.0033693"),
        ("pmid:29963580", "pmid", "pmid", "29963580"),
        ("PMID: 27797938", "pmid", "pmid", "27797938"),
        ("https://openalex.org/W3045921891", "openalex", "openalex_id", "W3045921891"),
        ("PMC2682512", "pmcid", "pmcid", "PMC2682512"),
        ("CorpusId:14514057", "s2", "s2_ref", "CorpusId:14514057"),
        (
            "0f40b1f08821e22e859c6050916cec3667778613",
            "s2",
            "s2_id",
            "0f40b1f08821e22e859c6050916cec3667778613",
        ),
    ],
)
def test_parse_seed_recognises_identifier_kinds(given, kind, field, value):
    seed = parse_seed(given)
    assert (seed.type, getattr(seed, field), seed.id) == (kind, value, given)


def test_unrecognised_seed_is_kept_with_type_unknown():
    seed = parse_seed("Smith 2019 Lancet")
    assert seed.type == "unknown" and not seed.has_identifier


def test_config_seeds_with_notes_and_duplicates():
    seeds = seeds_from_config(
        [{"id": "W3045921891", "note": "preprint"}, "https://openalex.org/W3045921891", "pmid:1"]
    )
    assert [(s.id, s.note) for s in seeds] == [("W3045921891", "preprint"), ("pmid:1", "")]


def test_included_ids_from_several_reviewers(tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("record_id,decision,reason\nx:1,include,\nx:2,exclude,P\n", encoding="utf-8")
    second = tmp_path / "b.csv"
    second.write_text("record_id,decision\nx:2,Include\nx:1,include\n", encoding="utf-8")
    assert included_record_ids([first, second]) == ["x:1", "x:2"]


def test_decision_file_without_decision_column_names_file_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("record_id,label\nx:1,include\n", encoding="utf-8")
    with pytest.raises(DecisionFileError) as err:
        included_record_ids([path])
    assert str(err.value).startswith(f"{path}, line 1, field 'decision': missing column")


def test_an_undone_include_is_no_seed_and_a_changed_mind_counts_once(tmp_path):
    path = tmp_path / "app.csv"
    path.write_text(
        "record_id,decision,reviewer,date\n"
        "x:1,include,ana,2026-12-01T09:00:00Z\n"
        "x:2,include,ana,2026-12-01T09:01:00Z\n"
        "x:1,undo,ana,2026-12-01T09:02:00Z\n"
        "x:3,include,ana,2026-12-01T09:03:00Z\n"
        "x:3,exclude,ana,2026-12-01T09:04:00Z\n"
        "x:3,include,ben,2026-12-01T09:05:00Z\n",
        encoding="utf-8",
    )
    # x:1 was taken back; x:3 is out for ana but in for ben, and any reviewer's include counts
    assert included_record_ids([path]) == ["x:2", "x:3"]


def test_include_without_record_id_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("record_id,decision\nx:1,exclude\n,include\n", encoding="utf-8")
    with pytest.raises(DecisionFileError, match="line 3, field 'record_id'"):
        included_record_ids([path])


def test_included_seeds_take_identifiers_from_record_tables():
    table = records_frame(
        [
            normalize_record(
                {"record_id": "pm:1", "doi": "https://doi.org/10.1145/3383583.3398584"}
            ),
            normalize_record({"record_id": "pm:2", "title": "no identifier"}),
        ]
    )
    seeds, missing = included_seeds(["pm:1", "pm:2", "citations:W1"], table)
    assert [(s.id, s.doi, s.origin) for s in seeds] == [
        ("pm:1", "10.1145/3383583.3398584", "included"),
        ("pm:2", "", "included"),
    ]
    assert missing == ["citations:W1"]
    assert isinstance(table, pd.DataFrame)
