"""Audit records: what each stage ran on, what it produced, how many records went in and out.

Every rule that transforms records writes ``<rule>.audit.json`` beside its outputs through
:class:`StageAudit`. An audit record is small JSON with a fixed shape (see
:data:`AUDIT_KEYS`), so ``reviewflow audit`` and other tools can check a run, and the PRISMA
counts are computed from these files rather than typed in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import TracebackType
from typing import Any

from reviewflow.errors import DataError
from reviewflow.io import atomic_write_json, sha256_file

__all__ = [
    "AUDIT_KEYS",
    "StageAudit",
    "describe_run",
    "run_summaries",
    "find_audits",
    "load_audits",
    "software_versions",
    "utc_now",
    "write_audit",
]

#: Keys every audit record has. ``counts`` maps a name to an integer; ``reasons`` maps why
#: records left the stage (``merged: same DOI``, ``excluded: wrong population``) to how many.
AUDIT_KEYS = (
    "stage",
    "rule",
    "started",
    "finished",
    "inputs",
    "outputs",
    "counts",
    "reasons",
    "parameters",
    "versions",
    "details",
)

_KEY_PACKAGES = (
    "reviewflow",
    "snakemake",
    "pandas",
    "numpy",
    "scikit-learn",
    "biopython",
    "rapidfuzz",
    "requests",
    "rispy",
    "bibtexparser",
    "openpyxl",
)


def utc_now() -> str:
    """UTC time as ISO 8601 with seconds, the one timestamp format of every audit record."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def software_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in _KEY_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _file_entries(paths: Iterable[str | os.PathLike[str]]) -> list[dict[str, str]]:
    entries = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for child in sorted(c for c in p.rglob("*") if c.is_file()):
                entries.append({"path": child.as_posix(), "sha256": sha256_file(child)})
        elif p.is_file():
            entries.append({"path": p.as_posix(), "sha256": sha256_file(p)})
        else:
            entries.append({"path": p.as_posix(), "sha256": ""})
    return entries


def _jsonable(value: Any) -> Any:
    """Parameters may hold settings, numpy numbers, paths or tuples; audit JSON holds plain
    values (a settings object is written as the block it was read from)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def write_audit(
    path: str | os.PathLike[str],
    *,
    stage: str,
    rule: str,
    started: str,
    inputs: Iterable[str | os.PathLike[str]],
    outputs: Iterable[str | os.PathLike[str]],
    counts: Mapping[str, int],
    parameters: Mapping[str, Any] | None = None,
    reasons: Mapping[str, int] | None = None,
    details: Mapping[str, Any] | None = None,
    finished: str | None = None,
) -> dict[str, Any]:
    """Write one audit record; outputs are hashed as they are when this is called."""
    record = {
        "stage": stage,
        "rule": rule,
        "started": started,
        "finished": finished or utc_now(),
        "inputs": _file_entries(inputs),
        "outputs": _file_entries(o for o in outputs if Path(o) != Path(path)),
        "counts": {str(k): int(v) for k, v in counts.items()},
        "reasons": {str(k): int(v) for k, v in (reasons or {}).items()},
        "parameters": _jsonable(dict(parameters or {})),
        "versions": software_versions(),
        "details": _jsonable(dict(details or {})),
    }
    atomic_write_json(path, record)
    return record


class StageAudit:
    """Collects a stage's audit while it runs and writes it when the stage succeeds.

    Usage::

        with StageAudit(audit_path, stage="dedup", rule="deduplicate_records",
                        inputs=[...], outputs=[...], parameters=params) as audit:
            ...
            audit.counts["records_in"] = n
            audit.reasons["merged: same DOI"] += 1

    Nothing is written when the block raises, so a failed stage leaves no audit claiming
    success (and Snakemake removes its partial outputs). ``declares`` are the counts the
    stage promises PRISMA (:class:`reviewflow.vocab.PrismaCount` members): a block that
    ends without one of them is an error, not an audit with a hole in it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        stage: str,
        rule: str,
        inputs: Iterable[str | os.PathLike[str]] = (),
        outputs: Iterable[str | os.PathLike[str]] = (),
        parameters: Mapping[str, Any] | None = None,
        declares: Sequence[str] = (),
    ) -> None:
        self.path = path
        self.declares = tuple(str(c) for c in declares)
        self.stage = stage
        self.rule = rule
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.parameters: dict[str, Any] = dict(parameters or {})
        self.counts: dict[str, int] = {}
        self.reasons: dict[str, int] = {}
        self.details: dict[str, Any] = {}
        self.started = utc_now()
        self.record: dict[str, Any] | None = None

    def add_reason(self, reason: str, n: int = 1) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + n

    def __enter__(self) -> StageAudit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            return
        missing = [c for c in self.declares if c not in self.counts]
        if missing:
            raise DataError(
                f"rule {self.rule} did not count {', '.join(missing)}, which it declares for "
                "the PRISMA 2020 diagram",
                path=os.fspath(self.path),
            )
        self.record = write_audit(
            self.path,
            stage=self.stage,
            rule=self.rule,
            started=self.started,
            inputs=self.inputs,
            outputs=self.outputs,
            counts=self.counts,
            parameters=self.parameters,
            reasons=self.reasons,
            details=self.details,
        )


def find_audits(results_dir: str | os.PathLike[str]) -> list[Path]:
    return sorted(Path(results_dir).rglob("*.audit.json"))


def load_audits(results_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every audit record under ``results_dir``, oldest first, each with its ``path``."""
    audits = []
    for path in find_audits(results_dir):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DataError(f"unreadable audit record: {exc}", path=str(path)) from exc
        record["path"] = path.as_posix()
        audits.append(record)
    audits.sort(key=lambda a: (a.get("started", ""), a.get("path", "")))
    return audits


def describe_run(audit: Mapping[str, Any]) -> str:
    """What a stage run worked on, in a few words: the search line, the export file, ..."""
    details = audit.get("details", {}) or {}
    parts = []
    if audit.get("stage") in ("search", "import"):
        parts.append(Path(str(audit.get("path", ""))).parent.name)
    for key in ("database", "file", "query"):
        value = details.get(key)
        if value:
            text = str(value)
            parts.append(text if len(text) <= 80 else text[:77] + "…")
    if details.get("date_run"):
        parts.append(f"run {details['date_run']}")
    return "\n".join(p for p in parts if p)


def run_summaries(review_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """One row per run of a review (frozen ``runs/<date>/results`` and the current
    ``results``): what each run added."""
    folder = Path(review_dir)
    runs = sorted((folder / "runs").glob("*/results")) if (folder / "runs").is_dir() else []
    if (folder / "results").is_dir():
        runs.append(folder / "results")
    rows = []
    for results in runs:
        audits = {a.get("rule"): a for a in load_audits(results)}
        if not audits:
            continue

        def count(rule: str, *keys: str, _audits: dict[Any, dict[str, Any]] = audits) -> int | str:
            values = (_audits.get(rule) or {}).get("counts", {})
            return next((values[k] for k in keys if k in values), "")

        finished = max(str(a.get("finished", "")) for a in audits.values())
        rows.append(
            {
                "run": results.parent.name if results.parent.name != folder.name else "current",
                "results": results.as_posix(),
                "finished": finished,
                "records_identified": count("collect_records", "records_this_run", "records_out"),
                "records_new": count("collect_records", "records_new", "records_out"),
                "studies": count("deduplicate_records", "studies_out"),
                "studies_new": count("deduplicate_records", "studies_new", "studies_out"),
                "screened_new": count("screen_records", "new_screened", "screened"),
                "awaiting_new": count("screen_records", "new_awaiting", "awaiting"),
                "included_total": count("assess_fulltexts", "studies_included", "included"),
            }
        )
    return rows


def print_audit_table(audits: list[dict[str, Any]], *, file: Any = None) -> None:
    """One table of every stage run: what ran, when, on which inputs, counts and reasons."""
    from rich.console import Console
    from rich.table import Table

    # rich measures the terminal (and falls back to 80 columns for a pipe or a file)
    console = Console(file=file or sys.stdout)
    table = Table(title="reviewflow audit", show_lines=True)
    table.add_column("stage", no_wrap=True)  # short names, kept whole however narrow
    for column in ("rule", "what", "ran (UTC)", "inputs (sha256)", "counts", "why records left"):
        table.add_column(column, overflow="fold")
    for audit in audits:
        inputs = "\n".join(
            f"{Path(i['path']).name} {i['sha256'][:12]}" for i in audit.get("inputs", [])[:8]
        )
        extra = len(audit.get("inputs", [])) - 8
        if extra > 0:
            inputs += f"\n… {extra} more"
        counts = "\n".join(f"{k}: {v}" for k, v in audit.get("counts", {}).items())
        reasons = "\n".join(f"{k}: {v}" for k, v in audit.get("reasons", {}).items())
        table.add_row(
            audit.get("stage", ""),
            audit.get("rule", ""),
            describe_run(audit),
            f"{audit.get('started', '')}\n{audit.get('finished', '')}",
            inputs,
            counts,
            reasons,
        )
    console.print(table)
