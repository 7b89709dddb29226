"""The one archive run of every stage that asks remote APIs: live, resumed or replayed.

Search, citation tracking and full-text lookups all archive what they ask and what comes
back (:mod:`reviewflow.sources.http`) into a folder their rule declares as ``archive/``;
:func:`archive_run` is how each of them gets that folder:

* **live**: the sessions write into ``archive.partial/`` beside the output, under an
  exclusive lock (``archive.lock``, held by the kernel for as long as the job lives, so a
  job orphaned by a killed Snakemake cannot interleave with the rerun's job). That folder
  is not a Snakemake output: a failed job leaves it, and the retry *resumes* from the
  answers already in it. On success it replaces ``archive/`` by renames.
* **replay**: the sessions read the archive replayed (``<sources.archive_dir>/<name>``,
  or the run's own ``archive/`` when no archive_dir is set: "replay in place") and never
  touch the network; on success ``archive/`` holds a copy of what was replayed, so every
  run's results carry the archive its records came from.

:func:`replay_source` is where a replayed archive is looked for, used by ``rules/common.smk``
(to declare it as the rule's input) and by the stages alike.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from reviewflow.errors import SourceError

__all__ = ["archive_lock", "archive_run", "partial_archive", "replay_source"]


def replay_source(archive_dir: str, name: str) -> str:
    """The archive a replay of ``name`` (a search id, ``citations``, ``fulltext``) reads
    when ``sources.archive_dir`` is set; ``""`` when it is not (the run's own archive)."""
    return f"{archive_dir}/{name}" if archive_dir else ""


def partial_archive(archive_path: str | os.PathLike[str]) -> Path:
    """The checkpoint folder of a live run: ``archive.partial`` beside ``archive``."""
    path = Path(archive_path)
    return path.with_name(path.name + ".partial")


@contextlib.contextmanager
def archive_lock(archive_path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold ``<archive>.lock`` for the job that writes ``<archive>.partial``.

    The lock is the operating system's (``flock`` on POSIX, ``LockFileEx`` on Windows,
    through ``filelock``): it ends with the process, however it ends, so a crashed job
    never leaves a stale lock, and a job still running after its Snakemake was killed keeps
    the rerun's job from writing into the same folder. The holder's process id goes to
    ``<archive>.lock.owner`` for the message a second job gets.
    """
    base = Path(archive_path)
    lock_path = base.with_name(base.name + ".lock")
    owner_path = base.with_name(base.name + ".lock.owner")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        try:
            owner = owner_path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            owner = "unknown"
        raise SourceError(
            f"another job (process {owner}) is still writing {partial_archive(archive_path)}; "
            "wait for it to finish or stop it, then run again",
            source="archive",
        ) from None
    try:
        owner_path.write_text(f"{os.getpid()}\n", encoding="utf-8")
        yield
    finally:
        lock.release()


def _swap_into_place(work: Path, out: Path) -> None:
    """Make ``work`` the archive at ``out`` by renames; the old archive goes last."""
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    work.rename(out)
    if old.exists():
        shutil.rmtree(old)


def _copy_into_place(source: Path, out: Path) -> None:
    """``out`` as a copy of the replayed archive (empty when nothing was archived)."""
    if source.resolve() == out.resolve():
        out.mkdir(parents=True, exist_ok=True)
        return
    if out.exists():
        shutil.rmtree(out)
    if source.is_dir():
        shutil.copytree(source, out)
    else:  # the recorded run asked nothing (a full-text lookup without identifiers)
        out.mkdir(parents=True)


@contextlib.contextmanager
def archive_run(
    out: str | os.PathLike[str], *, replay: bool, replay_from: str | os.PathLike[str] = ""
) -> Iterator[Path]:
    """The folder a stage's sessions archive into (or replay from) while the block runs.

    ``out`` is the rule's ``archive/`` output; ``replay_from`` the archive replayed (empty:
    ``out`` itself). Nothing is moved when the block raises: a live run keeps its
    ``archive.partial/`` to resume from.
    """
    out_path = Path(out)
    if replay:
        source = Path(replay_from) if replay_from else out_path
        yield source
        _copy_into_place(source, out_path)
        return
    with archive_lock(out_path):
        work = partial_archive(out_path)
        work.mkdir(parents=True, exist_ok=True)
        yield work
        _swap_into_place(work, out_path)
