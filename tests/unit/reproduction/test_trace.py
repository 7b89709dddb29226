"""Where each known include stands: one status per study, the furthest its records got."""

from __future__ import annotations

import pytest

from reviewflow.reproduction import KnownInclude, KnownMatches
from reviewflow.reproduction.match import KnownMatch
from reviewflow.reproduction.trace import (
    RecordOrigin,
    StageOutcomes,
    study_stage,
    trace_known_includes,
)
from reviewflow.vocab import TraceStatus

OUTCOMES = StageOutcomes(
    passed_screening=frozenset({"s_ft_ex", "s_ft_nr", "s_ft_wait", "s_extract", "s_in"}),
    screening_excluded={"s_ta": "by Reviewer A on 2026-01-02"},
    screening_pending={"s_conflict": "reviewers disagree (A: include, B: exclude)"},
    fulltext={
        "s_ft_ex": ("exclude", "Population not healthcare professionals (A, 2026-02-01)"),
        "s_ft_nr": ("not_retrieved", "no copy found (A, 2026-02-01)"),
        "s_extract": ("include", "A, 2026-02-02"),
        "s_in": ("include", "A, 2026-02-02"),
    },
    extracted=frozenset({"s_in"}),
    awaiting_extraction=frozenset({"s_extract"}),
)


@pytest.mark.parametrize(
    ("study", "status", "text"),
    [
        ("s_new", TraceStatus.AWAITING_SCREENING, "no decision yet"),
        ("s_conflict", TraceStatus.AWAITING_SCREENING, "reviewers disagree"),
        ("s_ta", TraceStatus.EXCLUDED_TITLE_ABSTRACT, "excluded by Reviewer A on 2026-01-02"),
        ("s_ft_wait", TraceStatus.AWAITING_FULLTEXT, "no full-text decision yet"),
        ("s_ft_ex", TraceStatus.EXCLUDED_FULLTEXT, "excluded: Population not healthcare"),
        ("s_ft_nr", TraceStatus.FULLTEXT_NOT_RETRIEVED, "not retrieved: no copy found"),
        ("s_extract", TraceStatus.AWAITING_EXTRACTION, "not extracted yet"),
        ("s_in", TraceStatus.INCLUDED, "extracted"),
    ],
)
def test_each_stage_decision_gives_its_status(study, status, text):
    place = study_stage(study, OUTCOMES)
    assert place.status is status
    assert text in " ".join((place.screening, place.fulltext, place.extraction))


def _trace(found: dict[str, list[str]]) -> list[dict[str, str]]:
    known = [KnownInclude(known_id=k, line=i + 2, label=f"label {k}") for i, k in enumerate(found)]
    records = {r for rs in found.values() for r in rs}
    study_of = {r: r.split("#")[0] for r in records}
    members: dict[str, list[str]] = {}
    for record, study in study_of.items():
        members.setdefault(study, []).append(record)
    origin = {
        r: RecordOrigin("citations", "citations", "backward round 1 from W1")
        if r.endswith("#cit")
        else RecordOrigin("pubmed", "search")
        for r in records
    }
    matched = KnownMatches(
        found={k: [KnownMatch(r, "same DOI", 1.0) for r in rs] for k, rs in found.items()},
        possible={k: [] for k, rs in found.items() if not rs},
    )
    return trace_known_includes(
        known, matched, study_of=study_of, origin_of=origin, members=members, outcomes=OUTCOMES
    )


def test_a_known_include_takes_the_furthest_place_of_its_studies():
    (row,) = _trace({"K1": ["s_ta", "s_in#cit"]})
    assert row["status"] == "included" and row["lost_at"] == ""
    assert row["study_id"] == "s_in; s_ta"
    assert row["found_by"] == "citations backward round 1 from W1; search pubmed"


def test_nothing_found_is_lost_at_search():
    (row,) = _trace({"K1": []})
    assert (row["status"], row["lost_at"], row["found_by"]) == ("not retrieved", "search", "")


def test_two_known_includes_in_one_study_are_reported_as_merged():
    first, second = _trace({"K1": ["s_in"], "K2": ["s_in#other"]})
    assert first["status"] == "included"  # matched to the study's own record
    assert second["status"] == "merged" and second["lost_at"] == "dedup"
    assert "merged into study s_in, traced as K1" in second["screening"]
    assert first["merged_with"] == "K2 (label K2)"


def test_losses_name_their_stage():
    rows = _trace({"K1": ["s_ta"], "K2": ["s_ft_ex"], "K3": ["s_ft_nr"], "K4": ["s_new"]})
    assert [(r["status"], r["lost_at"]) for r in rows] == [
        ("excluded at title/abstract", "screening"),
        ("excluded at full text", "fulltext"),
        ("full text not retrieved", "fulltext"),
        ("awaiting screening", ""),
    ]
