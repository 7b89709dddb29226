"""An update searches from where the last run's search lines stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.audit import write_audit
from reviewflow.update import day_after, plan_update


@pytest.mark.parametrize(
    ("bound", "after"),
    [
        ("2017-06-30", "2017-07-01"),
        ("2017-06", "2017-07-01"),
        ("2017-12", "2018-01-01"),
        ("2017", "2018-01-01"),
        ("2016-02-29", "2016-03-01"),
    ],
)
def test_day_after_a_date_bound(bound, after):
    assert day_after(bound) == after


def _review(tmp_path: Path, date_to: str | None) -> Path:
    folder = tmp_path / "review"
    folder.mkdir()
    bound = f'    date_to: "{date_to}"\n' if date_to else ""
    (folder / "config.yaml").write_text(
        "review:\n  id: r\n  title: R\n"
        "searches:\n  - id: pubmed\n    source: pubmed\n    query: nudg*\n" + bound,
        encoding="utf-8",
    )
    write_audit(
        folder / "results/search/pubmed/search_database.audit.json",
        stage="search",
        rule="search_database",
        started="2026-03-01T10:00:00Z",
        finished="2026-03-01T10:05:00Z",
        inputs=[],
        outputs=[],
        counts={"records_out": 10},
        details={"date_run": "2026-03-01T10:00:00Z"},
    )
    return folder


def test_a_reproduction_bounded_before_it_ran_is_updated_from_its_bound(tmp_path):
    """A reproduction of a review whose searches ended in June 2017 runs in 2026 with
    date_to 2017-06-30; its update covers July 2017 onwards, not only what appeared since
    the reproduction ran."""
    plan = plan_update(_review(tmp_path, "2017-06-30"), today="2026-09-01")
    assert plan.windows == [("pubmed", "pubmed", "2017-07-01", "2026-09-01")]


def test_an_unbounded_search_is_updated_from_the_day_it_ran(tmp_path):
    plan = plan_update(_review(tmp_path, None), today="2026-09-01")
    assert plan.windows == [("pubmed", "pubmed", "2026-03-01", "2026-09-01")]
