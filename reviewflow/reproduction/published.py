"""The published review's counts beside this run's PRISMA 2020 counts, box by box.

Each published number (config ``published:``) is set against the box of this run's
``results/prisma/counts.json`` that counts the same thing, with the audit keys behind it,
so a reader sees where the reproduction found more or fewer records and which stage made
the difference. A box this run has not reached yet is shown as such, never as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["COMPARED_BOXES", "PublishedComparison", "compare_published"]

#: Published key -> (what the row says, PRISMA boxes summed for this run; a leading "-"
#: subtracts the box).
COMPARED_BOXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "identified": (
        "Records identified (all sources, before deduplication)",
        ("database_results", "register_results", "other_results"),
    ),
    "after_duplicates": (
        "Records after duplicates removed",
        ("database_results", "register_results", "other_results", "-duplicates"),
    ),
    "screened": ("Records screened", ("records_screened",)),
    "fulltext_assessed": ("Reports assessed for eligibility", ("reports_assessed",)),
    "included": ("Studies included in review", ("new_studies",)),
}


@dataclass(frozen=True)
class PublishedComparison:
    """One row: the published number, where it is printed, and this run's number."""

    key: str
    label: str
    published: int
    where: str
    note: str
    this_run: int | None
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def difference(self) -> int | None:
        return None if self.this_run is None else self.this_run - self.published

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "published": self.published,
            "where": self.where,
            "note": self.note,
            "this_run": self.this_run,
            "difference": self.difference,
            "sources": self.sources,
        }


def _sum_boxes(
    boxes: Mapping[str, Any], names: Sequence[str]
) -> tuple[int | None, list[dict[str, Any]]]:
    total = 0
    sources: list[dict[str, Any]] = []
    seen = False
    for name in names:
        sign = -1 if name.startswith("-") else 1
        box = boxes.get(name.lstrip("-"))
        if box is None:
            if sign < 0:
                return None, []
            continue
        seen = seen or sign > 0
        total += sign * int(box["n"])
        sources += [dict(s, subtracted=True) if sign < 0 else dict(s) for s in box["sources"]]
    return (total if seen else None), sources


def compare_published(
    published: Mapping[str, Any],
    counts: Mapping[str, Any] | None,
    line_counts: Mapping[str, tuple[int, dict[str, Any]]],
) -> list[PublishedComparison]:
    """Every published count against this run's, in the order of the PRISMA flow.

    ``counts`` is the run's ``counts.json`` (None before PRISMA ran); ``line_counts`` maps
    each search and import id to (records, audit source), for the per-source rows.
    """
    boxes = dict((counts or {}).get("boxes") or {})
    update = bool(((counts or {}).get("layout") or {}).get("update"))
    rows: list[PublishedComparison] = []

    def add(key: str, label: str, value: Mapping[str, Any], run, sources) -> None:
        rows.append(
            PublishedComparison(
                key=key,
                label=label,
                published=int(value["n"]),
                where=str(value["where"]),
                note=str(value.get("note", "")),
                this_run=run,
                sources=sources,
            )
        )

    for key, (label, names) in COMPARED_BOXES.items():
        if key in published:
            if key == "included" and update:
                names = ("total_studies",)
            run, sources = _sum_boxes(boxes, names)
            add(key, label, published[key], run, sources)
        if key != "identified":
            continue
        for entry in published.get("identified_by_source") or []:
            lines = [str(x) for x in entry.get("lines") or []]
            known = [line_counts[x] for x in lines if x in line_counts]
            add(
                "identified_by_source",
                f"{entry['source']}"
                + (f" (this run: {', '.join(lines)})" if lines else " (no line of this run)"),
                entry,
                sum(n for n, _ in known) if known else None,
                [s for _, s in known],
            )
    return rows
