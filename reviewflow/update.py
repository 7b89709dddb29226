"""Updating a review: freeze the last run, move every search window on, rerun.

An update keeps each earlier run addressable and untouched under ``runs/<date>/`` (its
results, the config it ran with and the decision files as they were), then writes
``update.yaml`` in the review folder: every search line gets a date window from the day it
last ran to today, and ``update.previous_runs`` lists the frozen runs so that deduplication
treats every record seen before as not new, screening asks only about new records, and the
PRISMA diagram takes the updated-review form.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reviewflow.audit import load_audits
from reviewflow.config import load_config
from reviewflow.errors import ReviewflowError
from reviewflow.io import atomic_write_text

__all__ = [
    "review_config_file",
    "UPDATE_FILE",
    "UpdatePlan",
    "apply_update",
    "day_after",
    "freeze_run",
    "plan_update",
    "read_update_file",
]

UPDATE_FILE = "update.yaml"


def read_update_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ReviewflowError(f"{path}: an update file must be a mapping of keys to values")
    return data


@dataclass
class UpdatePlan:
    """What an update will do, so ``reviewflow update --dry-run`` can show it first."""

    review_dir: Path
    previous_date: str
    run_date: str
    freeze_to: Path
    previous_runs: list[str]
    searches: list[dict[str, Any]] = field(default_factory=list)
    windows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            f"review folder: {self.review_dir}",
            f"last run: {self.previous_date} -> frozen to {self.freeze_to}",
            f"this run: {self.run_date}",
            "search windows (search id, database, from, to):",
        ]
        lines += [f"  {sid}  {src}  {start}  {end}" for sid, src, start, end in self.windows]
        return "\n".join(lines)


def _date_of(timestamp: str) -> str:
    return timestamp[:10] if timestamp else ""


def _search_dates(audits: list[dict[str, Any]]) -> dict[str, str]:
    """The day each search line last ran, from its audit record."""
    dates: dict[str, str] = {}
    for audit in audits:
        if audit.get("stage") != "search":
            continue
        details = audit.get("details", {})
        search_id = details.get("search_id") or Path(audit["path"]).parent.name
        ran = details.get("date_run") or audit.get("finished", "")
        dates[search_id] = max(dates.get(search_id, ""), _date_of(str(ran)))
    return dates


def day_after(bound: str) -> str:
    """The first day after a date bound (YYYY, YYYY-MM or YYYY-MM-DD): where an update of a
    search that ended at ``bound`` starts."""
    parts = [int(p) for p in str(bound).split("-")]
    if len(parts) == 1:
        return f"{parts[0] + 1}-01-01"
    if len(parts) == 2:
        year, month = parts[0] + parts[1] // 12, parts[1] % 12 + 1
        return f"{year}-{month:02d}-01"
    return (dt.date(*parts) + dt.timedelta(days=1)).isoformat()


def review_config_file(review_dir: Path) -> Path:
    """A review folder's config: ``config.yaml``, or ``config/config.yaml`` (the demo)."""
    for candidate in (review_dir / "config.yaml", review_dir / "config" / "config.yaml"):
        if candidate.is_file():
            return candidate
    raise ReviewflowError(f"{review_dir}: no config.yaml (nor config/config.yaml) in this folder")


def _config_files(review_dir: Path) -> list[Path]:
    files = [review_config_file(review_dir)]
    if (review_dir / UPDATE_FILE).is_file():
        files.append(review_dir / UPDATE_FILE)
    return files


def _merged_config(files: Sequence[Path]) -> dict[str, Any]:
    """Later files override earlier ones key by key (lists replaced), as Snakemake does."""
    merged: dict[str, Any] = {}
    for path in files:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def plan_update(review_dir: str | os.PathLike[str], today: str | None = None) -> UpdatePlan:
    """Work out the new search windows from the last finished run's audit records."""
    folder = Path(review_dir)
    results = folder / "results"
    audits = load_audits(results) if results.is_dir() else []
    if not audits:
        raise ReviewflowError(f"{results}: no finished run to update (run the review once first)")
    run_date = today or dt.date.today().isoformat()
    previous_date = max(_date_of(a.get("finished", "")) for a in audits)
    if run_date < previous_date:
        raise ReviewflowError(f"--today {run_date} is before the last run ({previous_date})")
    config = _merged_config(_config_files(folder))
    load_config_errors_first(folder)
    searched = _search_dates(audits)
    searches = []
    windows = []
    for entry in config.get("searches", []):
        line = dict(entry)
        start = searched.get(line["id"], previous_date)
        if line.get("date_to"):
            # A search bounded before it ran (a reproduction ending at the published
            # review's search date) is updated from its bound, not from the day it ran.
            start = min(start, day_after(str(line["date_to"])))
        line["date_from"] = start
        line["date_to"] = run_date
        searches.append(line)
        windows.append((line["id"], line.get("source", ""), start, run_date))
    freeze_to = folder / "runs" / previous_date
    suffix = 2
    while freeze_to.exists():
        freeze_to = folder / "runs" / f"{previous_date}-{suffix}"
        suffix += 1
    previous_runs = list(config.get("update", {}).get("previous_runs", []))
    previous_runs.append((freeze_to / "results").relative_to(folder).as_posix())
    return UpdatePlan(
        review_dir=folder,
        previous_date=previous_date,
        run_date=run_date,
        freeze_to=freeze_to,
        previous_runs=previous_runs,
        searches=searches,
        windows=windows,
    )


def load_config_errors_first(folder: Path) -> None:
    """Refuse to freeze anything when the config the update would run with is invalid."""
    for path in _config_files(folder)[:1]:
        load_config(path)


def _make_read_only(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def freeze_run(plan: UpdatePlan) -> None:
    """Copy the last run (results, config, decision files) to ``runs/<date>/``, read-only."""
    folder = plan.review_dir
    target = plan.freeze_to
    tmp = target.with_name(target.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(folder / "results", tmp / "results", symlinks=True)
    for config_file in _config_files(folder):
        shutil.copy2(config_file, tmp / config_file.name)
    decisions = folder / "decisions"
    if not decisions.is_dir():
        decisions = folder / "config" / "demo" / "decisions"
    if decisions.is_dir():
        shutil.copytree(decisions, tmp / "decisions")
    os.replace(tmp, target)
    _make_read_only(target)


def apply_update(plan: UpdatePlan, extra: dict[str, Any] | None = None) -> Path:
    """Freeze the last run and write ``update.yaml``; returns its path."""
    freeze_run(plan)
    update: dict[str, Any] = {
        "update": {"run_date": plan.run_date, "previous_runs": plan.previous_runs},
        "searches": plan.searches,
        # Exports already imported are carried forward with the earlier runs' records; list
        # here only the exports of this update's window (extra config).
        "imports": [],
    }
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(update.get(key), dict):
            update[key] = {**update[key], **value}
        else:
            update[key] = value
    path = plan.review_dir / UPDATE_FILE
    header = (
        "# Written by `reviewflow update`: the search windows and earlier runs of this update.\n"
        "# Snakemake reads it after config.yaml (--configfile config.yaml update.yaml).\n"
    )
    atomic_write_text(path, header + yaml.safe_dump(update, sort_keys=False, allow_unicode=True))
    return path
