"""Known includes found among a run's records: identifiers first, then the dedup matcher."""

from __future__ import annotations

import pandas as pd

from reviewflow.normalize import split_list
from reviewflow.reproduction import KnownInclude, MatchSettings, match_known_includes


def _known(i: int, **fields: str) -> KnownInclude:
    return KnownInclude(known_id=f"K{i:03d}", line=i + 1, label=f"study {i}", **fields)


def _citation(row: pd.Series, i: int) -> KnownInclude:
    """A reference-list citation of a record: title, year and first author only."""
    authors = split_list(row["authors"])
    fields = {"title": row["title"], "year": row["year"]}
    if authors:
        fields["first_author"] = authors[0]
    return _known(i, **fields)


def test_identifiers_match_every_record_that_carries_them(pubmed_records, endnote_records):
    pool = pd.concat([pubmed_records, endnote_records], ignore_index=True)
    found = match_known_includes([_known(1, pmid="29657938")], pool).found["K001"]
    ids = {m.record_id: m.method for m in found}
    assert ids == {
        "bluelight_pubmed:29657938": "same PMID",
        "bluelight_endnote:29657938": "same PMID",
    }


def test_a_citation_finds_the_same_paper_in_another_export(pubmed_records, endnote_records):
    """Title, year and first author of the PubMed records, looked for in the EndNote RIS
    (other title punctuation, abbreviated given names): every one of the 80 is found, and
    only as its own copy."""
    shared = pubmed_records[pubmed_records["pmid"].isin(endnote_records["pmid"])]
    known = [_citation(row, i) for i, (_, row) in enumerate(shared.iterrows(), start=1)]
    found = match_known_includes(known, endnote_records).found
    hits = 0
    for item, (_, row) in zip(known, shared.iterrows(), strict=True):
        matched = [m.record_id for m in found[item.known_id]]
        assert matched in ([], [f"bluelight_endnote:{row['pmid']}"]), (row["title"], matched)
        hits += bool(matched)
    assert hits >= 78, hits


def test_a_title_alone_matches_only_a_title_long_enough_to_identify_a_paper(nagtegaal_records):
    long_title = nagtegaal_records.loc[
        nagtegaal_records["record_id"] == "nagtegaal_records:26", "title"
    ].item()
    result = match_known_includes(
        [_known(1, title=long_title), _known(2, title="Better medicine by default")],
        nagtegaal_records,
    )
    (hit,) = result.found["K001"]
    assert hit.record_id == "nagtegaal_records:26" and hit.method.startswith("matcher: title")
    assert result.found["K002"] == []
    (maybe,) = result.possible["K002"]
    assert maybe.record_id == "nagtegaal_records:261"
    assert "too short to identify a paper" in maybe.method


def test_a_title_only_match_can_be_switched_off(nagtegaal_records):
    title = nagtegaal_records["title"].iloc[25]
    settings = MatchSettings(sparse_title=None, title_only=None)
    result = match_known_includes([_known(1, title=title)], nagtegaal_records, settings)
    assert result.found["K001"] == []
    assert result.possible["K001"]


def test_years_that_disagree_block_a_title_match(pubmed_records):
    row = pubmed_records.iloc[0]
    wrong_year = str(int(row["year"]) - 1)
    result = match_known_includes([_known(1, title=row["title"], year=wrong_year)], pubmed_records)
    assert result.found["K001"] == []


def test_two_citations_with_nearly_the_same_title_each_keep_their_record(nagtegaal_records):
    """The review included two records whose titles differ by one spelling ("behaviors",
    "behaviours"); each citation keeps the record it matches exactly."""
    rows = nagtegaal_records.set_index("record_id").loc[
        ["nagtegaal_records:1961", "nagtegaal_records:1962"], "title"
    ]
    known = [_known(1, title=rows.iloc[0]), _known(2, title=rows.iloc[1])]
    found = match_known_includes(known, nagtegaal_records).found
    assert [m.record_id for m in found["K001"]] == ["nagtegaal_records:1961"]
    assert [m.record_id for m in found["K002"]] == ["nagtegaal_records:1962"]


def test_a_study_no_line_found_has_no_match(pubmed_records):
    known = [_known(1, title="A trial of nudges in a place no database has indexed", year="2001")]
    result = match_known_includes(known, pubmed_records)
    assert result.found["K001"] == [] and result.possible == {"K001": []}
