"""PRISMA 2020: the boxes counted from the stages' audit records, then the diagram drawn.

:mod:`~reviewflow.prisma.counts` is rule ``count_prisma`` (every number with the audit key
behind it), :mod:`~reviewflow.prisma.draw` rule ``draw_prisma`` (the figure, from the
counts alone).
"""

from __future__ import annotations

from reviewflow.prisma.counts import (
    BOX_TEXT,
    SOURCE_NAMES,
    PrismaSettings,
    audits_at,
    load_counts,
    previous_version,
    prisma_counts,
    run_count_prisma,
)
from reviewflow.prisma.draw import draw_prisma, ordered_boxes, run_draw_prisma, svg_with_tooltips

__all__ = [
    "BOX_TEXT",
    "SOURCE_NAMES",
    "PrismaSettings",
    "audits_at",
    "draw_prisma",
    "load_counts",
    "ordered_boxes",
    "previous_version",
    "prisma_counts",
    "run_count_prisma",
    "run_draw_prisma",
    "svg_with_tooltips",
]
