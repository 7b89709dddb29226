"""known_includes.csv: every row checked against its schema, identifiers normalised."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.config import REPO_ROOT
from reviewflow.errors import DecisionFileError
from reviewflow.reproduction import read_known_includes


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "known_includes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_file_lists_the_101_studies_the_review_included():
    known = read_known_includes(REPO_ROOT / "config" / "demo" / "known_includes.csv")
    assert len(known) == 101
    assert [k.known_id for k in known[:2]] == ["K001", "K002"]
    assert known[0].line == 5  # three comment lines and the header come first
    assert all(k.title and k.label and not k.doi for k in known)


def test_identifiers_are_normalised_as_the_importers_do(tmp_path):
    path = _write(
        tmp_path,
        "label,doi,pmid,pmcid,openalex_id\n"
        "Smith 2019,https://doi.org/10.1000/ABC.1,pmid: 123,PMC45,https://openalex.org/W9\n",
    )
    (item,) = read_known_includes(path)
    assert (item.doi, item.pmid, item.pmcid, item.openalex_id) == (
        "10.1000/abc.1",
        "123",
        "PMC45",
        "W9",
    )
    assert item.identifiers() == {
        "doi": "10.1000/abc.1",
        "pmid": "123",
        "pmcid": "PMC45",
        "openalex_id": "W9",
    }


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("Smith 2019,not-a-doi,,", "doi", "'not-a-doi' is not a valid doi"),
        ("Smith 2019,,12x,", "pmid", "'12x' is not a valid pmid"),
        ("Smith 2019,,,", None, "give at least one of doi, pmid, pmcid, openalex_id or title"),
        (",10.1000/x,,", "label", "'label' is a required property"),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column(tmp_path, row, field, message):
    path = _write(tmp_path, f"label,doi,pmid,title\n# a comment line\n{row}\n")
    with pytest.raises(DecisionFileError) as caught:
        read_known_includes(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), 3, field)
    assert message in error.message


def test_every_bad_row_is_reported_at_once(tmp_path):
    path = _write(tmp_path, "label,doi,year\nA,bad,2019\nB,10.1/x,19\nC,10.1/y,2019\n")
    with pytest.raises(DecisionFileError) as caught:
        read_known_includes(path)
    assert caught.value.line == 2
    assert "line 3, field 'year'" in caught.value.message


def test_unknown_columns_and_missing_header_are_refused(tmp_path):
    with pytest.raises(DecisionFileError, match="columns: label, doi"):
        read_known_includes(_write(tmp_path, "label,title,journal\nA,T,J\n"))
    with pytest.raises(DecisionFileError, match="missing column 'label'"):
        read_known_includes(_write(tmp_path, "title\nT\n"))
    with pytest.raises(DecisionFileError, match="empty known-includes file"):
        read_known_includes(_write(tmp_path, "# nothing\n"))
