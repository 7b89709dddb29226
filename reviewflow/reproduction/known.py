"""Reading ``known_includes.csv``: the studies a published review included, one row each.

The file is a human input like the decision files: a CSV under version control in the
review folder, checked row by row against ``config/schemas/known_includes.schema.yaml`` so
that a bad cell is reported by file, line (the header is line 1) and column. Identifiers are
normalised with the same functions the importers use, so a DOI written ``https://doi.org/``
in a reference list matches the bare DOI a database returns.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from reviewflow.config import REPO_ROOT
from reviewflow.errors import DecisionFileError
from reviewflow.normalize import (
    clean_text,
    normalize_doi,
    normalize_openalex_id,
    normalize_pmcid,
    normalize_pmid,
)

__all__ = ["KNOWN_COLUMNS", "KNOWN_SCHEMA", "KnownInclude", "read_known_includes"]

#: The row schema every line of the file must pass.
KNOWN_SCHEMA = REPO_ROOT / "config" / "schemas" / "known_includes.schema.yaml"

#: Columns of ``known_includes.csv``, in the order the trace writes them back.
KNOWN_COLUMNS = (
    "label",
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "title",
    "year",
    "first_author",
    "note",
)

_NORMALISERS = {
    "doi": normalize_doi,
    "pmid": normalize_pmid,
    "pmcid": normalize_pmcid,
    "openalex_id": normalize_openalex_id,
}


@dataclass(frozen=True)
class KnownInclude:
    """One study of the published review, with its identifiers normalised."""

    known_id: str
    line: int
    label: str
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    openalex_id: str = ""
    title: str = ""
    year: str = ""
    first_author: str = ""
    note: str = ""

    def identifiers(self) -> dict[str, str]:
        """The identifier fields this row gives (name -> normalised value)."""
        return {
            name: getattr(self, name)
            for name in ("doi", "pmid", "pmcid", "openalex_id")
            if getattr(self, name)
        }


@cache
def _row_validator() -> Any:
    import yaml
    from jsonschema import Draft202012Validator

    schema = yaml.safe_load(KNOWN_SCHEMA.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _problems(values: Mapping[str, str], path: str, line: int) -> list[DecisionFileError]:
    found = []
    for error in sorted(_row_validator().iter_errors(dict(values)), key=lambda e: e.message):
        field = ".".join(str(p) for p in error.absolute_path) or None
        if error.validator == "additionalProperties":
            message = f"{error.message} (columns: {', '.join(KNOWN_COLUMNS)})"
        elif error.validator == "anyOf":
            message = "give at least one of doi, pmid, pmcid, openalex_id or title"
        elif error.validator == "required":
            message = error.message
            field = "label"
        else:
            message = f"{values.get(field or '', '')!r} is not a valid {field}"
        found.append(DecisionFileError(message, path=path, line=line, field=field))
    return found


def read_known_includes(path: str | os.PathLike[str]) -> list[KnownInclude]:
    """Every row of a known-includes file, checked; raise naming every bad cell."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DecisionFileError(f"cannot read known includes: {exc}", path=path) from exc
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[KnownInclude] = []
    problems: list[DecisionFileError] = []
    line_start = 1
    for cells in reader:
        line = line_start
        line_start = reader.line_num + 1
        if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            if "label" not in header:
                raise DecisionFileError(
                    f"missing column 'label' (columns: {', '.join(KNOWN_COLUMNS)})",
                    path=path,
                    line=line,
                    field="label",
                )
            continue
        if len(cells) > len(header):
            problems.append(
                DecisionFileError(
                    f"{len(cells)} cells but {len(header)} columns in the header",
                    path=path,
                    line=line,
                )
            )
            continue
        values = {
            column: clean_text(cell)
            for column, cell in zip(header, cells, strict=False)
            if clean_text(cell)
        }
        row_problems = _problems(values, path, line)
        if row_problems:
            problems += row_problems
            continue
        fields = {k: _NORMALISERS.get(k, clean_text)(v) for k, v in values.items()}
        rows.append(KnownInclude(known_id=f"K{len(rows) + 1:03d}", line=line, **fields))
    if header is None:
        raise DecisionFileError(
            f"empty known-includes file: write a header ({', '.join(KNOWN_COLUMNS)})",
            path=path,
            line=1,
        )
    if problems:
        first = problems[0]
        if len(problems) > 1:
            rest = "; ".join(str(p) for p in problems[1:6])
            more = f" (and {len(problems) - 6} more)" if len(problems) > 6 else ""
            first = DecisionFileError(
                f"{first.message}; also {rest}{more}",
                path=first.path,
                line=first.line,
                field=first.field,
            )
        raise first
    return rows
