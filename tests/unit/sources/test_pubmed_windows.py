"""PubMed searches over 9,999 records are split into publication-date windows."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import pytest
from Bio import Medline

from reviewflow.errors import SourceError
from reviewflow.sources.pubmed import plan_windows

NBIB = Path(__file__).resolve().parents[3] / "config" / "demo" / "exports" / "blue-light.nbib"


def _published(dp: str) -> date:
    """MEDLINE ``DP`` (``2017``, ``2017 Jun``, ``2017 Apr 1``) as the first day it names."""
    parts = dp.split()
    month = list(calendar.month_abbr).index(parts[1][:3]) if len(parts) > 1 else 1
    day = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
    return date(int(parts[0]), month or 1, day)


@pytest.fixture(scope="module")
def dates() -> list[date]:
    with NBIB.open(encoding="utf-8") as handle:
        return [_published(r["DP"]) for r in Medline.parse(handle)]


def test_windows_cover_the_range_in_order_each_under_the_limit(dates: list[date]) -> None:
    asked: list[tuple[date, date]] = []

    def count(window: tuple[date, date]) -> int:
        asked.append(window)
        return sum(window[0] <= d <= window[1] for d in dates)

    whole = (date(1000, 1, 1), date(3000, 12, 31))
    windows = plan_windows(count, whole, len(dates), limit=10)
    assert all(n <= 10 for _, n in windows)
    assert sum(n for _, n in windows) == len(dates) == 80
    # contiguous, in date order, from the first day to the last
    assert windows[0][0][0] == whole[0] and windows[-1][0][1] == whole[1]
    for (a, _), (b, _) in zip(windows, windows[1:], strict=False):
        assert (b[0] - a[1]).days == 1
    # one ESearch count per half: a split costs two, and n windows take n - 1 splits
    assert len(asked) == 2 * (len(windows) - 1)


def test_a_search_under_the_limit_is_one_window(dates: list[date]) -> None:
    whole = (date(2000, 1, 1), date(2020, 12, 31))
    assert plan_windows(lambda w: pytest.fail("no count needed"), whole, 80, 9999) == [(whole, 80)]


def test_one_day_over_the_limit_is_an_error(dates: list[date]) -> None:
    day = max(set(dates), key=dates.count)
    n = dates.count(day)
    assert n >= 2

    def count(window: tuple[date, date]) -> int:
        return sum(window[0] <= d <= window[1] for d in dates if d == day)

    with pytest.raises(SourceError, match=f"{n} records published on {day.isoformat()}"):
        plan_windows(count, (date(day.year - 5, 1, 1), date(day.year + 5, 12, 31)), n, n - 1)
