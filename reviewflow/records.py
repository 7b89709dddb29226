"""The one record model: a table of bibliographic records, the same in every stage.

A record table is a :class:`pandas.DataFrame` whose columns are
:data:`reviewflow.vocab.RECORD_FIELDS`, every cell a string (``""`` when missing), written as
UTF-8 CSV. Strings everywhere keep identifiers such as PMIDs and years exactly as normalised
(no ``1.2e7`` or ``2019.0``) and make files diff cleanly under version control.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping

import pandas as pd

from reviewflow.errors import DataError
from reviewflow.io import unescape_frame, write_csv
from reviewflow.normalize import (
    clean_text,
    normalize_authors,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_openalex_id,
    normalize_pages,
    normalize_pmcid,
    normalize_pmid,
    normalize_s2_id,
    normalize_year,
    strip_html,
)
from reviewflow.vocab import EXTRA_FIELD, RECORD_FIELDS

__all__ = [
    "empty_records",
    "extra_cell",
    "make_record_id",
    "normalize_record",
    "read_records",
    "records_frame",
    "write_records",
]

_NORMALISERS = {
    "title": strip_html,
    "abstract": strip_html,
    "journal": strip_html,
    "doi": normalize_doi,
    "pmid": normalize_pmid,
    "pmcid": normalize_pmcid,
    "openalex_id": normalize_openalex_id,
    "s2_id": normalize_s2_id,
    "issn": normalize_issn,
    "isbn": normalize_isbn,
    "year": normalize_year,
    "pages": normalize_pages,
}


def normalize_record(raw: Mapping[str, object]) -> dict[str, str]:
    """Map a parsed record (any subset of the fields) onto the record model.

    ``authors`` may be a list or a joined string; every identifier is normalised here, so
    importers and clients only have to put values in the right field.
    """
    unknown = set(raw) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"unknown record fields: {sorted(unknown)}")
    record = {field: "" for field in RECORD_FIELDS}
    for field, value in raw.items():
        if field == "authors":
            if isinstance(value, str):
                record[field] = normalize_authors(value)
            elif value is not None:
                record[field] = normalize_authors(list(value))  # type: ignore[call-overload]
            continue
        if field == "keywords" and isinstance(value, list | tuple):
            record[field] = "; ".join(clean_text(v) for v in value if clean_text(v))
            continue
        if field == EXTRA_FIELD and isinstance(value, Mapping):
            record[field] = extra_cell(value)
            continue
        normaliser = _NORMALISERS.get(field, clean_text)
        record[field] = normaliser(value)
    return record


def extra_cell(fields: Mapping[str, object]) -> str:
    """The ``extra`` cell: unmapped source fields as one line of JSON, in source order.

    Values are cleaned like any text (one line, single spaces); a field seen several
    times keeps every value, as a list.
    """
    kept: dict[str, str | list[str]] = {}
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        cleaned = [clean_text(v) for v in values]
        cleaned = [v for v in cleaned if v]
        if cleaned:
            kept[str(name)] = cleaned if len(cleaned) > 1 else cleaned[0]
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":")) if kept else ""


def make_record_id(search_id: str, native_id: str = "", *, content: Iterable[str] = ()) -> str:
    """A stable record id: ``<search_id>:<native id>`` or ``<search_id>:h<hash of content>``.

    Ids stay the same when the same export or API answer is read again, which is what lets
    decisions recorded against a record id carry forward across reruns and updates.
    """
    if native_id:
        return f"{search_id}:{native_id}"
    digest = hashlib.sha1("\x1f".join(content).encode("utf-8")).hexdigest()[:12]
    return f"{search_id}:h{digest}"


def records_frame(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Build a record table from normalised rows (missing fields become ``""``)."""
    frame = pd.DataFrame(list(rows), columns=list(RECORD_FIELDS), dtype=object)
    return frame.fillna("").astype(object)


def empty_records() -> pd.DataFrame:
    return records_frame([])


def read_records(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a record table; refuse files that are not one (a clear error, not a KeyError)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read record table: {exc}", path=str(path)) from exc
    if "record_id" not in frame.columns:
        raise DataError("not a record table: no 'record_id' column", path=str(path), line=1)
    unescape_frame(frame)  # written by write_csv: no cell stays a live formula
    for field in RECORD_FIELDS:
        if field not in frame.columns:
            frame[field] = ""
    extra = [c for c in frame.columns if c not in RECORD_FIELDS]
    return frame[list(RECORD_FIELDS) + extra].astype(object)


def write_records(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a record table atomically, record-model columns first, extra columns after."""
    columns = list(RECORD_FIELDS) + [c for c in frame.columns if c not in RECORD_FIELDS]
    write_csv(frame.reindex(columns=columns).fillna(""), path)
