"""Safe file writing and hashing: nothing a stage writes is ever left half-written or live.

Every output goes through :func:`atomic_write_bytes` (write to a temporary file in the same
folder, flush, fsync, then ``os.replace``), so an interrupted run leaves either the old file
or the new one, never a truncated mix. That matters most for human decision files.

Every CSV a person may open in a spreadsheet goes through :func:`write_csv`: a text cell
starting with ``= + - @`` would run as a formula there (CSV injection, OWASP), so it gets
a leading apostrophe, as the screening batch has always had. A cell that is a plain number
(``-0.53``, ``+1``) is left alone: a spreadsheet reads it as that number, it cannot run
anything, and an apostrophe would turn scores into text. :func:`unescape_frame` undoes the
apostrophe when the pipeline reads its own tables back; the one text it cannot tell apart
is one that itself starts with an apostrophe and then ``= + - @``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "WORKBOOK_EPOCH",
    "atomic_open",
    "escape_cell",
    "escape_frame",
    "newest_time",
    "read_csv_table",
    "save_workbook",
    "unescape_cell",
    "unescape_frame",
    "write_csv",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "sha256_file",
    "table_rows",
]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; move it into place on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(tmp_name, 0o666 & ~_current_umask())  # mkstemp's 0600 would outlive the rename
    try:
        with open(tmp_name, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> None:
    """JSON with sorted keys and a final newline, so that equal data gives equal bytes."""
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: First characters that make spreadsheet programs treat text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")

#: A cell a spreadsheet reads as a plain number: safe as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ESCAPE_PATTERN = r"^[=+\-@]"
_NUMBER_PATTERN = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def escape_cell(value: Any) -> Any:
    """A cell no spreadsheet will run: text starting with ``= + - @`` gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    """Undo :func:`escape_cell` on a cell read back from a CSV reviewflow wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        if not _PLAIN_NUMBER.fullmatch(value[1:]):
            return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[Any]:
    from pandas.api.types import is_object_dtype, is_string_dtype

    return [c for c in frame.columns if is_object_dtype(frame[c]) or is_string_dtype(frame[c])]


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`escape_cell`."""
    out = frame.copy()
    for column in _text_columns(out):
        values = out[column]
        text = values.map(lambda v: isinstance(v, str))
        if not text.any():
            continue
        strings = values[text].astype(str)
        risky = strings.str.contains(_ESCAPE_PATTERN, regex=True) & ~strings.str.contains(
            _NUMBER_PATTERN, regex=True
        )
        if risky.any():
            out.loc[risky[risky].index, column] = "'" + strings[risky]
    return out


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell passed through :func:`unescape_cell` (in place)."""
    for column in _text_columns(frame):
        values = frame[column]
        marked = values.map(lambda v: isinstance(v, str) and v.startswith("'"))
        if marked.any():
            frame.loc[marked, column] = values[marked].map(unescape_cell)
    return frame


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """The one CSV writer of outputs a person opens: escaped cells, UTF-8, LF, atomic."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
        escape_frame(frame).to_csv(handle, index=False, lineterminator="\n")


def read_csv_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A CSV written by :func:`write_csv`, every cell as text, apostrophes undone."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    return unescape_frame(frame)


def table_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as dicts by column name. Every table the pipeline reads is
    labelled by strings (CSV headers), which pandas' own types cannot know."""
    return cast("list[dict[str, Any]]", frame.to_dict("records"))


#: The time a workbook states when nothing it holds carries one: the ZIP format's first
#: representable moment (1980-01-01T00:00:00Z), which no real run can be mistaken for.
WORKBOOK_EPOCH = dt.datetime(1980, 1, 1)


def newest_time(values: Iterable[Any]) -> str:
    """The latest ISO 8601 time among ``values`` (``retrieved_at`` cells), ``""`` if none."""
    found = sorted(
        str(v) for v in values if isinstance(v, str) and len(v) >= 10 and v[:4].isdigit()
    )
    return found[-1] if found else ""


def _workbook_time(as_of: str) -> dt.datetime:
    """``as_of`` as naive UTC (what xlsx core properties and ZIP entries hold)."""
    if not as_of:
        return WORKBOOK_EPOCH
    when = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return max(when.replace(microsecond=0), WORKBOOK_EPOCH)


def save_workbook(workbook: Any, path: str | os.PathLike[str], *, as_of: str = "") -> None:
    """Write an openpyxl workbook atomically, byte for byte the same for the same content.

    openpyxl stamps the save time into the workbook's properties (created, modified) and
    into every ZIP entry; here both are ``as_of`` (the data's own time, e.g. the newest
    ``retrieved_at`` of the rows: see :func:`newest_time`), or :data:`WORKBOOK_EPOCH` when
    the data carries none, so a replayed run writes an identical file.
    """
    from openpyxl.writer.excel import ExcelWriter

    when = _workbook_time(as_of)
    workbook.properties.created = when
    workbook.properties.modified = when
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(written) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
    ):
        for entry in source.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=when.timetuple()[:6])
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = entry.external_attr
            target.writestr(stamped, source.read(entry.filename))
    atomic_write_bytes(path, fixed.getvalue())
