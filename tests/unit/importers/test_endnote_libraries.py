"""A large real EndNote XML library: record i of the XML is row i of the dataset's CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from reviewflow.config import REPO_ROOT
from reviewflow.importers import import_file
from reviewflow.normalize import strip_html

# The deduplication benchmark libraries of the shared data (see ../shared/data/).
LIBRARY = REPO_ROOT.parent / "shared" / "data" / "dedup" / "haematology"

pytestmark = pytest.mark.skipif(
    not (LIBRARY / "Haematology.xml").exists(), reason="../shared/data/dedup/ is not present"
)


def test_haematology_library_matches_its_csv() -> None:
    records = import_file(LIBRARY / "Haematology.xml", search_id="haem")
    table = pd.read_csv(LIBRARY / "records_pre_merged.csv", dtype=str, keep_default_na=False)
    assert len(records) == len(table) == 1415
    assert table["ID"].tolist() == [f"id_{i:07d}" for i in range(1, 1416)]
    with_title = table["title"] != ""
    assert with_title.sum() > 1300
    for i in table.index[with_title]:
        assert records.at[i, "title"] == strip_html(table.at[i, "title"]), table.at[i, "ID"]
    assert (records.loc[~with_title, "title"] == "").all()  # untitled in EndNote too
    assert records["record_id"].is_unique  # EndNote record numbers
    assert (records["entry_type"] == "article").all()
