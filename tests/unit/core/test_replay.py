"""The replay check's comparison: what counts as an output, what is masked, what differs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.replay import compare_results, replay_check, scratch_review

REPORT = (
    '<html><p>Generated <time class="generated" datetime="{0}">{0}</time></p>'
    "<p>12 studies</p></html>"
)


def _results(root: Path, *, generated: str, studies: str = "s1\ns2\n") -> Path:
    files = {
        "dedup/studies.csv": studies,
        "dedup/deduplicate_records.audit.json": f'{{"started": "{generated}"}}',
        "logs/dedup/deduplicate_records.log": f"{generated} done",
        "benchmarks/dedup/deduplicate_records.tsv": "s\n0.1\n",
        "report/report.html": REPORT.format(generated),
        "search/pubmed/archive/0001.json": '{"hits": 2}',
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_rerun_that_differs_only_in_its_own_records_is_identical(tmp_path: Path) -> None:
    first = _results(tmp_path / "a", generated="2026-01-01T10:00:00Z")
    again = _results(tmp_path / "b", generated="2026-03-09T17:45:12Z")
    result = compare_results(first, again)
    assert result.ok
    assert sorted(result.identical) == [
        "dedup/studies.csv",
        "report/report.html",
        "search/pubmed/archive/0001.json",
    ]
    assert "compared without its report generation time: report/report.html" in result.describe()


def test_a_changed_output_and_a_missing_one_are_named(tmp_path: Path) -> None:
    first = _results(tmp_path / "a", generated="t1")
    again = _results(tmp_path / "b", generated="t1", studies="s1\n")
    (again / "search/pubmed/archive/0001.json").unlink()
    (again / "dedup/extra.csv").write_text("x\n", encoding="utf-8")
    result = compare_results(first, again)
    assert not result.ok
    assert [name for name, *_ in result.differ] == ["dedup/studies.csv"]
    assert result.missing == ["search/pubmed/archive/0001.json"]
    assert result.extra == ["dedup/extra.csv"]
    text = result.describe()
    assert "differs: dedup/studies.csv" in text and "only in the replay: dedup/extra.csv" in text


def test_a_report_whose_content_changed_is_not_masked_away(tmp_path: Path) -> None:
    first = _results(tmp_path / "a", generated="t1")
    again = _results(tmp_path / "b", generated="t2")
    html = again / "report/report.html"
    html.write_text(html.read_text(encoding="utf-8").replace("12 studies", "13 studies"))
    assert [name for name, *_ in compare_results(first, again).differ] == ["report/report.html"]


def test_the_scratch_copy_links_the_review_and_copies_only_the_archives(tmp_path: Path) -> None:
    review = tmp_path / "review"
    (review / "config").mkdir(parents=True)
    (review / "config/config.yaml").write_text("review: {}\n", encoding="utf-8")
    _results(review / "results", generated="t1")
    scratch = scratch_review(review, tmp_path / "scratch")
    assert (scratch / "config").is_symlink()
    assert not (scratch / "results/dedup").exists()
    archive = scratch / "results/search/pubmed/archive/0001.json"
    assert archive.read_text(encoding="utf-8") == '{"hits": 2}' and not archive.is_symlink()
    assert not (review / "results/search/pubmed/archive").is_symlink()


def test_a_review_never_run_cannot_be_checked(tmp_path: Path) -> None:
    with pytest.raises(ReviewflowError, match="no results/ to check"):
        replay_check(tmp_path)
