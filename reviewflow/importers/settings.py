"""One ``imports[]`` entry as typed settings: the export file and how to read and report it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from reviewflow.settings import Settings

__all__ = ["ImportLine"]


@dataclass(frozen=True)
class ImportLine(Settings):
    """One export searched by hand: read by rule ``import_records`` (``id``, ``path``,
    ``format``, ``column_map``, ``database``), reported by PRISMA (``kind``) and the
    report's search table (``platform``, ``date_searched``, ``query``, ``notes``);
    ``awaiting_export`` keeps a planned search out of the imports until its file exists."""

    SCHEMA: ClassVar[str] = "schemas/imports.schema.yaml#/items"

    id: str
    path: str
    format: str
    database: str
    platform: str
    kind: str
    awaiting_export: bool
    date_searched: str
    query: str
    column_map: Mapping[str, str]
    notes: str
