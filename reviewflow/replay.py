"""Replays that are byte-identical: a review rerun from its archive, every output compared.

:func:`replay_check` runs the review again, from scratch and offline, into a scratch copy of
its folder (every entry of the folder linked, ``results/`` left out), with ``--config
replay=true`` and, where the system allows it, no network at all (``unshare -n``). Every
remote answer then comes from the archive: ``sources.archive_dir`` when the config names
one, else each stage's own ``archive/`` folder, copied over from the run being checked.
Then the sha256 of every output of the scratch run is compared with the run's.

What is not compared, and why, is said here once:

* :data:`RUN_RECORDS` are the run's record of itself, not outputs: the audit records (they
  hold when the stage ran and whether it asked the network), logs and timings;
* :data:`MASKED` outputs are compared with one marked element blanked: the report's
  generation time (:data:`reviewflow.report.GENERATED_MARK`) is the one thing a replay must
  change. A report printed to PDF by Chromium (``report.pdf``) carries Chromium's own
  timestamps and is listed, not compared.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewflow.errors import ReviewflowError
from reviewflow.paths import CITATIONS, FULLTEXT, RESULTS, SEARCH

__all__ = [
    "MASKED",
    "NOT_COMPARED",
    "RUN_RECORDS",
    "ReplayComparison",
    "compare_results",
    "output_digests",
    "replay_check",
    "scratch_review",
]

log = logging.getLogger(__name__)

#: Files under ``results/`` that record the run rather than being its outputs.
RUN_RECORDS = (
    "logs/*",
    "benchmarks/*",
    "*.audit.json",
    "*.snakemake_timestamp",
    "*.lock",
    "*.lock.owner",
)

#: Outputs that cannot be byte-identical by their nature, listed by the check.
NOT_COMPARED = ("report/report.pdf",)


def _report_mark() -> re.Pattern[str]:
    from reviewflow.report import GENERATED_MARK

    return GENERATED_MARK


#: Outputs compared with one marked element blanked (``results/``-relative path -> pattern).
MASKED: Mapping[str, str] = {"report/report.html": "report generation time"}


def _skipped(relative: str) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) for pattern in RUN_RECORDS) or (
        ".partial/" in relative
    )


def _digest(path: Path, relative: str) -> str:
    data = path.read_bytes()
    if relative in MASKED:
        text = _report_mark().sub('<time class="generated"></time>', data.decode("utf-8"))
        data = text.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def output_digests(results: str | os.PathLike[str]) -> dict[str, str]:
    """sha256 of every output under a results folder, by path relative to it."""
    root = Path(results)
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if not _skipped(relative):
            found[relative] = "" if relative in NOT_COMPARED else _digest(path, relative)
    return found


@dataclass
class ReplayComparison:
    """What a replay reproduced: identical outputs, differing ones, and files only one run has."""

    identical: list[str] = field(default_factory=list)
    differ: list[tuple[str, str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.differ or self.missing or self.extra)

    def describe(self) -> str:
        lines = [
            f"{len(self.identical) + len(self.differ)} outputs compared: "
            f"{len(self.identical)} byte-identical, {len(self.differ)} different"
        ]
        lines += [f"  differs: {name} ({a[:12]} -> {b[:12]})" for name, a, b in self.differ]
        lines += [f"  missing from the replay: {name}" for name in self.missing]
        lines += [f"  only in the replay: {name}" for name in self.extra]
        if self.not_compared:
            lines.append(
                f"  not compared (timestamped by their writer): {', '.join(self.not_compared)}"
            )
        masked = [
            name
            for name in MASKED
            if name in self.identical or any(d[0] == name for d in self.differ)
        ]
        lines += [f"  compared without its {MASKED[name]}: {name}" for name in masked]
        return "\n".join(lines)


def compare_results(
    original: str | os.PathLike[str], replayed: str | os.PathLike[str]
) -> ReplayComparison:
    """Compare every output of two results folders (see the module docstring)."""
    before, after = output_digests(original), output_digests(replayed)
    result = ReplayComparison()
    for name in sorted(set(before) | set(after)):
        if name in NOT_COMPARED:
            result.not_compared.append(name)
        elif name not in after:
            result.missing.append(name)
        elif name not in before:
            result.extra.append(name)
        elif before[name] == after[name]:
            result.identical.append(name)
        else:
            result.differ.append((name, before[name], after[name]))
    return result


#: Archives a replay in place reads from a stage's own results (no sources.archive_dir).
_OWN_ARCHIVES = (SEARCH.archive, CITATIONS.archive, FULLTEXT.archive)


def scratch_review(review: str | os.PathLike[str], scratch: str | os.PathLike[str]) -> Path:
    """A scratch copy of a review folder: every entry linked except ``results/`` (and
    Snakemake's own state), plus the stages' own archives, so a replay in place can read
    them. Nothing is written into the review folder."""
    source, target = Path(review).resolve(), Path(scratch)
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.name in (RESULTS, ".snakemake"):
            continue
        (target / entry.name).symlink_to(entry)
    results = source / RESULTS
    for pattern in _OWN_ARCHIVES:
        relative = Path(pattern).relative_to(RESULTS).as_posix().replace("{search_id}", "*")
        for archive in sorted(results.glob(relative)):
            if archive.is_dir():
                shutil.copytree(
                    archive, target / RESULTS / archive.relative_to(results), symlinks=True
                )
    return target


def _offline_prefix() -> list[str]:
    """``unshare`` arguments that cut the network off, if this system lets us use them."""
    binary = shutil.which("unshare")
    if binary is None:
        return []
    for flags in (["-n"], ["-r", "-n"]):
        probe = subprocess.run([binary, *flags, "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [binary, *flags]
    return []


def replay_check(
    review: str | os.PathLike[str] | None = None,
    *,
    scratch: str | os.PathLike[str] | None = None,
    cores: str = "2",
    offline: bool = True,
    extra: Sequence[str] = (),
) -> tuple[ReplayComparison, Path, bool]:
    """Rerun a review from its archive into ``scratch`` (a temporary folder by default) and
    compare its outputs with the review's ``results/``. Returns the comparison, the scratch
    folder and whether the network was cut off."""
    from reviewflow.config import REPO_ROOT
    from reviewflow.workflow import snakemake_command

    folder = Path(review).resolve() if review else REPO_ROOT
    if not (folder / RESULTS).is_dir():
        raise ReviewflowError(f"{folder}: no {RESULTS}/ to check (run the review first)")
    target = Path(scratch) if scratch else Path(tempfile.mkdtemp(prefix="reviewflow-replay-"))
    if target.exists() and any(target.iterdir()):
        raise ReviewflowError(f"{target}: the scratch folder must be empty")
    scratch_review(folder, target)
    prefix = _offline_prefix() if offline else []
    command = prefix + snakemake_command(
        review=str(target), cores=cores, extra=["--config", "replay=true", *extra]
    )
    log.info("replaying into %s: %s", target, " ".join(command))
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        tail = (finished.stdout + finished.stderr)[-3000:]
        raise ReviewflowError(
            f"the replay in {target} failed (exit {finished.returncode}):\n{tail}"
        )
    return compare_results(folder / RESULTS, target / RESULTS), target, bool(prefix)
