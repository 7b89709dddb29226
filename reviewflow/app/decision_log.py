"""Appending decisions to a review's decision file: one row per decision, never a lost row.

A decision file is a CSV under version control that Snakemake reads and people edit by
hand. The app appends to it under an exclusive lock (:mod:`filelock`, one lock file per
decision file under ``results/app/locks/``), so two tabs, two reviewers or two app
processes never lose or interleave a row:

1. take the lock;
2. read the file as it is now; if it changed since the app last read it (a hand edit,
   another process), check it again with the pipeline's own reader: a malformed file is
   left untouched and the error names its file, line and column;
3. write the old bytes unchanged plus the new rows to a temporary sibling, fsync, and move
   it into place (:func:`reviewflow.io.atomic_write_bytes`), so a crash leaves the old file
   or the new one, never half a row.

The file keeps its byte order mark, its line ends and its column order; a header without a
``reviewer``, ``date`` or ``note`` column gains it at the end (older rows read as empty
there). Free text that a spreadsheet would run as a formula gets a leading apostrophe, and
line breaks in a note become spaces, so one decision is one line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from filelock import FileLock

from reviewflow.errors import DecisionFileError
from reviewflow.io import atomic_write_bytes

__all__ = ["DecisionLog", "FileSignature", "file_signature", "utc_timestamp"]

T = TypeVar("T")

_FORMULA_START = ("=", "+", "-", "@")
_LOCK_TIMEOUT = 30.0  # seconds; another writer holds the lock for milliseconds


@dataclass(frozen=True)
class FileSignature:
    """What says a file changed on disk: inode, size and modification time (ns)."""

    inode: int
    size: int
    mtime_ns: int


def file_signature(path: Path) -> FileSignature | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return FileSignature(st.st_ino, st.st_size, st.st_mtime_ns)


def utc_timestamp(now: dt.datetime | None = None) -> str:
    """``2026-12-01T09:30:05Z``: seconds are enough to order two reviewers' decisions."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _safe_cell(value: str) -> str:
    text = " ".join(str(value).split()) if value else ""
    return f"'{text}" if text[:1] in _FORMULA_START else text


def _lock_path(lock_dir: Path, path: Path) -> Path:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return lock_dir / f"{path.name}.{digest}.lock"


class DecisionLog(Generic[T]):
    """One decision file: its checked rows, and appends that never lose a row.

    ``parse(path)`` is the pipeline's reader for this kind of file (it raises
    :class:`DecisionFileError` naming file, line and column); ``columns`` the columns the
    app writes, in the order a new file gets them. ``extend(rows, cells, first_line)``,
    when given, turns appended cells into parsed rows without reading the file again.
    """

    def __init__(
        self,
        path: Path,
        *,
        columns: Sequence[str],
        parse: Callable[[Path], list[T]],
        lock_dir: Path,
        extend: Callable[[list[dict[str, str]], int], list[T]] | None = None,
    ) -> None:
        self.path = path
        self.columns = tuple(columns)
        self._parse = parse
        self._extend = extend
        self._lock = FileLock(str(_lock_path(lock_dir, path)), timeout=_LOCK_TIMEOUT)
        self._mutex = threading.RLock()
        self._signature: FileSignature | None = None
        self._loaded = False
        self.rows: list[T] = []
        self.error: DecisionFileError | None = None

    # reading ---------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Read the file again if it changed on disk; True when the rows changed.

        A malformed file keeps the rows last read and sets :attr:`error`; a missing file
        has no rows (it is created with a header on the first append).
        """
        with self._mutex:
            signature = file_signature(self.path)
            if self._loaded and signature == self._signature:
                return False
            self._loaded = True
            self._signature = signature
            if signature is None:
                changed = bool(self.rows) or self.error is not None
                self.rows, self.error = [], None
                return changed
            try:
                rows = self._parse(self.path)
            except DecisionFileError as exc:
                self.error = exc
                return True
            self.rows, self.error = rows, None
            return True

    # writing ---------------------------------------------------------------------------

    def append(self, records: Sequence[Mapping[str, str]]) -> list[T]:
        """Append one row per mapping (column -> value); return the rows as parsed.

        Raises :class:`DecisionFileError` (nothing written) when the file on disk is
        malformed, and ``filelock.Timeout`` if another writer never lets go of the lock.
        """
        if not records:
            return []
        with self._mutex, self._lock:
            signature = file_signature(self.path)
            if not self._loaded or signature != self._signature or self.error is not None:
                self._loaded = True
                self._signature = signature
                if signature is None:
                    self.rows, self.error = [], None
                else:
                    try:
                        self.rows, self.error = self._parse(self.path), None
                    except DecisionFileError as exc:
                        self.error = exc
                        raise
            old = self.path.read_bytes() if signature is not None else b""
            data, first_line = self._appended(old, records)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, data)
            self._signature = file_signature(self.path)
            cells = [{k: _safe_cell(v) for k, v in r.items()} for r in records]
            if self._extend is not None and first_line:
                new_rows = self._extend(cells, first_line)
                self.rows = self.rows + new_rows
            else:
                self.rows = self._parse(self.path)
                new_rows = self.rows[-len(records) :]
            self.error = None
            return new_rows

    def _appended(self, old: bytes, records: Sequence[Mapping[str, str]]) -> tuple[bytes, int]:
        """The new file bytes, and the line number of the first new row (0 if unknown)."""
        bom = b"\xef\xbb\xbf" if old.startswith(b"\xef\xbb\xbf") else b""
        text = old[len(bom) :].decode("utf-8")
        newline = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
        header, header_line = self._header(text)
        if header is None:
            header = list(self.columns)
            head = text + ("" if not text or text.endswith("\n") else newline)
            head += ",".join(header) + newline
        else:
            missing = [c for c in self.columns if c not in header]
            head = text
            if missing:  # widen the header, keep every other byte
                lines = text.split("\n")
                old_header = lines[header_line - 1]
                ending = "\r" if old_header.endswith("\r") else ""
                lines[header_line - 1] = old_header.rstrip("\r") + "," + ",".join(missing) + ending
                head = "\n".join(lines)
                header = header + missing
            if head and not head.endswith("\n"):
                head += newline
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=newline)
        for record in records:
            writer.writerow([_safe_cell(record.get(column, "")) for column in header])
        first_line = head.count("\n") + 1
        exact = "\r" not in text.replace("\r\n", "")  # lone CRs would shift csv's count
        return bom + (head + out.getvalue()).encode("utf-8"), first_line if exact else 0

    @staticmethod
    def _header(text: str) -> tuple[list[str] | None, int]:
        """The header cells (lower case) and its 1-based line, skipping comments."""
        reader = csv.reader(io.StringIO(text))
        line_start = 1
        for cells in reader:
            line = line_start
            line_start = reader.line_num + 1
            if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            return [c.strip().lower() for c in cells], line
        return None, 0
