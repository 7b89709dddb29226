"""Exceptions reviewflow raises on purpose, each one a message a user can act on.

Hierarchy::

    ReviewflowError              anything the user can fix; printed without a traceback
    ├── DataError                a bad input file: carries path, line (1-based) and field
    │   ├── ImportFormatError    an export that cannot be parsed as the format it claims
    │   └── DecisionFileError    a human decision file (screening, full text, dedup, extraction)
    ├── ConfigError              the config fails the schema or names something unknown
    └── SourceError              a remote source answered badly (status, body), names the request

Every command and every Snakemake script catches ``ReviewflowError`` at the top and prints
``str(error)``; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "DecisionFileError",
    "ImportFormatError",
    "ReviewflowError",
    "SourceError",
]


class ReviewflowError(Exception):
    """An error whose message tells the user what to fix."""


class DataError(ReviewflowError):
    """A problem at a known place in an input file."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ImportFormatError(DataError):
    """An export file that cannot be read as the format it claims to be."""


class DecisionFileError(DataError):
    """A human decision file with a row the pipeline cannot apply."""


class ConfigError(ReviewflowError):
    """A config file that fails the schema or refers to something that does not exist."""


class SourceError(ReviewflowError):
    """A remote source gave an answer that cannot be used (after retries)."""

    def __init__(
        self, message: str, *, source: str, url: str | None = None, status: int | None = None
    ) -> None:
        self.source = source
        self.url = url
        #: HTTP status of the answer that failed, when there was one (404: not found).
        self.status = status
        text = f"{source}: {message}"
        if url:
            text += f" (request: {url})"
        super().__init__(text)
