"""PRISMA 2020 flow diagram drawn from the counts alone (:mod:`reviewflow.prisma.counts`).

The layout follows the template: phase bars on the left, databases and registers in the
main column with removals and exclusions to its right, other methods in a grey column on
the right, previous studies (updated reviews) in a grey column on the left. Text stays text
in the SVG (searchable, selectable), every box carries the ids of the counts it shows (so
:func:`svg_with_tooltips` can name the audit key behind each number), and the files are
byte-stable for equal counts.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewflow.prisma.counts import BOX_TEXT, load_counts

__all__ = ["draw_prisma", "ordered_boxes", "run_draw_prisma", "svg_with_tooltips"]

#: Colours of the PRISMA2020 R package's defaults (Goldenrod1 title, Gainsboro side
#: columns, LightSteelBlue2 phase bars), so the figure looks like the familiar template.
_YELLOW = "#ffc125"
_GREY = "#dcdcdc"
_BLUE = "#bcd2ee"
_FONT_SIZE = 8.0
_WRAP = 46
_BOX_W = 2.9
_GAP_X = 0.5
_GAP_Y = 0.32
_LINE_H = _FONT_SIZE * 1.29 / 72
_PAD = 0.09


def _fmt(n: int) -> str:
    return f"{n:,}"


def _wrap(text: str, indent: str = "") -> list[str]:
    """Wrapped lines that never break inside "(n = 123)"."""
    glued = text.replace("(n = ", "(n\u00a0=\u00a0")
    lines = textwrap.wrap(glued, _WRAP, initial_indent=indent, subsequent_indent=indent + "  ")
    return [line.replace("\u00a0", " ") for line in lines] or [""]


def _n_line(
    boxes: Mapping[str, Any], box_id: str, label: str | None = None, indent: str = ""
) -> list[str]:
    box = boxes[box_id]
    return _wrap(f"{label or box['label']} (n = {_fmt(box['n'])})", indent)


def _block(boxes: Mapping[str, Any], box_id: str) -> list[str]:
    """A one-count box: its label, then ``(n = …)`` on its own line as in the template."""
    return [*_wrap(boxes[box_id]["label"]), f"(n = {_fmt(boxes[box_id]['n'])})"]


def _identified_lines(counts: Mapping[str, Any]) -> list[str]:
    boxes, layout = counts["boxes"], counts["layout"]
    lines = [BOX_TEXT["identified"]]
    for total_id, listing in (("database_results", "databases"), ("register_results", "registers")):
        if total_id not in boxes:
            continue
        lines += _n_line(boxes, total_id, indent="  ")
        if len(layout.get(listing, [])) > 1:
            for box_id in layout[listing]:
                lines += _n_line(boxes, box_id, indent="    ")
    if len(lines) == 1:
        lines += [f"  {BOX_TEXT['databases']} (n = 0)", f"  {BOX_TEXT['registers']} (n = 0)"]
    return lines


def _other_lines(counts: Mapping[str, Any]) -> list[str]:
    boxes, layout = counts["boxes"], counts["layout"]
    lines = [BOX_TEXT["identified"]]
    for box_id in layout.get("other_methods", []):
        lines += _n_line(boxes, box_id, indent="  ")
    lines += [""] + _wrap(
        "Pooled with the database and register records for deduplication and screening"
    )
    return lines


def _removed_lines(boxes: Mapping[str, Any]) -> list[str]:
    lines = [BOX_TEXT["removed"]]
    for box_id in ("duplicates", "excluded_automatic", "excluded_other"):
        if box_id in boxes:
            lines += _n_line(boxes, box_id, indent="  ")
    return lines


def _excluded_lines(counts: Mapping[str, Any]) -> list[str]:
    boxes, layout = counts["boxes"], counts["layout"]
    lines = [f"{BOX_TEXT['reports_excluded']} (n = {_fmt(boxes['reports_excluded']['n'])})"]
    for box_id in layout.get("fulltext_reasons", []):
        lines += _n_line(boxes, box_id, indent="  ")
    return lines


def _included_lines(boxes: Mapping[str, Any], studies: str, reports: str) -> list[str]:
    lines = _block(boxes, studies)
    if reports in boxes:
        lines += _block(boxes, reports)
    return lines


def _height(lines: Sequence[str]) -> float:
    return len(lines) * _LINE_H + 2 * _PAD


def _layout_rows(counts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of the diagram, top to bottom; each maps a column to the lines of its box."""
    boxes, layout = counts["boxes"], counts["layout"]
    rows: list[dict[str, Any]] = []
    ident: dict[str, Any] = {"phase": "identification", "main": _identified_lines(counts)}
    ident["ids"] = {
        "main": ["database_results", "register_results"]
        + layout.get("databases", [])
        + layout.get("registers", []),
        "right": ["duplicates", "excluded_automatic", "excluded_other"],
        "other": list(layout.get("other_methods", [])),
        "previous": ["previous_studies", "previous_reports"],
    }
    if any(b in boxes for b in ("duplicates", "excluded_automatic", "excluded_other")):
        ident["right"] = _removed_lines(boxes)
    if layout.get("other"):
        ident["other"] = _other_lines(counts)
    if layout.get("previous") and "previous_studies" in boxes:
        ident["previous"] = _included_lines(boxes, "previous_studies", "previous_reports")
    rows.append(ident)
    for main_id, right_id, right in (
        ("records_screened", "records_excluded", None),
        ("reports_sought", "reports_not_retrieved", None),
        ("reports_assessed", "reports_excluded", _excluded_lines),
    ):
        if main_id not in boxes:
            continue
        row: dict[str, Any] = {"phase": "screening", "main": _block(boxes, main_id)}
        pending = {"records_screened": "records_awaiting", "reports_assessed": "reports_awaiting"}
        row["ids"] = {
            "main": [main_id, pending.get(main_id, "")],
            "right": [right_id, *layout.get("fulltext_reasons", [])] if right else [right_id],
        }
        if pending.get(main_id) in boxes:
            row["main"] += _n_line(boxes, pending[main_id])
        if right_id in boxes:
            row["right"] = right(counts) if right else _block(boxes, right_id)
        rows.append(row)
    if "new_studies" in boxes:
        rows.append(
            {
                "phase": "included",
                "main": _included_lines(boxes, "new_studies", "new_reports"),
                "ids": {"main": ["new_studies", "new_reports"]},
            }
        )
    if "total_studies" in boxes:
        rows.append(
            {
                "phase": "included",
                "main": _included_lines(boxes, "total_studies", "total_reports"),
                "ids": {"main": ["total_studies", "total_reports"]},
                "total": True,
            }
        )
    return rows


def ordered_boxes(counts: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Box ids in the order the diagram reads (top to bottom), with an indent level."""
    layout = counts["layout"]
    order: list[tuple[str, int]] = [("previous_studies", 0), ("previous_reports", 0)]
    for total, listing in (
        ("database_results", "databases"),
        ("register_results", "registers"),
        ("other_results", "other_methods"),
    ):
        order += [(total, 0)] + [(b, 1) for b in layout.get(listing, [])]
    order += [
        (b, 0)
        for b in (
            "duplicates",
            "excluded_automatic",
            "excluded_other",
            "records_screened",
            "records_awaiting",
            "records_excluded",
            "reports_sought",
            "reports_not_retrieved",
            "reports_assessed",
            "reports_awaiting",
            "reports_excluded",
        )
    ]
    order += [(b, 1) for b in layout.get("fulltext_reasons", [])]
    order += [(b, 0) for b in ("new_studies", "new_reports", "total_studies", "total_reports")]
    seen = {b for b, _ in order}
    order += [(b, 0) for b in sorted(counts["boxes"]) if b not in seen]
    return [(b, depth) for b, depth in order if b in counts["boxes"]]


def _gid(counts: Mapping[str, Any], row: Mapping[str, Any], column: str) -> str:
    """An SVG id naming the boxes a drawn box shows, by position in ``sorted(boxes)``.

    :func:`svg_with_tooltips` reads it back to attach each box's sources as a tooltip.
    """
    index = {box_id: i for i, box_id in enumerate(sorted(counts["boxes"]))}
    found = [str(index[b]) for b in row.get("ids", {}).get(column, []) if b in index]
    return "prisma-box-" + "-".join(found) if found else ""


_GID = re.compile(r'<g id="(prisma-box-[0-9-]+?)(-text)?">')


def svg_with_tooltips(svg: str, counts: Mapping[str, Any]) -> str:
    """The diagram's SVG with a ``<title>`` on every box naming the audit keys behind it."""
    ordered = sorted(counts["boxes"])

    def title(match: re.Match[str]) -> str:
        lines = []
        for i in match.group(1).removeprefix("prisma-box-").split("-"):
            box = counts["boxes"][ordered[int(i)]]
            where = "; ".join(f"{s.get('audit', '')}: {s.get('key', '')}" for s in box["sources"])
            lines.append(f"{box['label']} (n = {box['n']:,}) from {where}")
        return f"{match.group(0)}<title>{html.escape(chr(10).join(lines))}</title>"

    return _GID.sub(title, svg)


@dataclass(frozen=True)
class _Columns:
    """Where the columns of the diagram start (inches), and which optional ones exist."""

    previous: bool
    other: bool
    side: float = 0.12
    prev: float = 0.62

    @property
    def main(self) -> float:
        return self.prev + (_BOX_W + _GAP_X if self.previous else 0)

    @property
    def right(self) -> float:
        return self.main + _BOX_W + _GAP_X

    @property
    def far(self) -> float:
        return self.right + _BOX_W + _GAP_X

    @property
    def width(self) -> float:
        return (self.far + _BOX_W if self.other else self.right + _BOX_W) + 0.15


_HEADER_H = 0.36


class _Canvas:
    """A matplotlib figure in inches, top down, with the diagram's two shapes."""

    def __init__(self, width: float, height: float) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        self.plt = plt
        self.fig = plt.figure(figsize=(width, height))
        self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(height, 0)
        self.ax.axis("off")

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        lines: Sequence[str],
        *,
        fill: str = "white",
        edge: str = "black",
        rounded: bool = False,
        center: bool = False,
        gid: str = "",
        bold: bool = False,
    ) -> None:
        from matplotlib.patches import FancyBboxPatch

        style = "round,pad=0,rounding_size=0.08" if rounded else "square,pad=0"
        patch = FancyBboxPatch(
            (x, y), w, h, boxstyle=style, facecolor=fill, edgecolor=edge, linewidth=0.8
        )
        if gid:
            patch.set_gid(gid)
        self.ax.add_patch(patch)
        if center:
            label = self.ax.text(
                x + w / 2,
                y + h / 2,
                "\n".join(lines),
                ha="center",
                va="center",
                fontweight="bold" if bold else "normal",
                linespacing=1.25,
            )
        else:
            label = self.ax.text(
                x + _PAD, y + _PAD, "\n".join(lines), ha="left", va="top", linespacing=1.25
            )
        if gid:
            label.set_gid(f"{gid}-text")

    def header(self, x: float, y: float, w: float, lines: Sequence[str], fill: str) -> None:
        self.box(
            x, y, w, _HEADER_H, lines, fill=fill, edge=fill, rounded=True, center=True, bold=True
        )

    def arrow(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        from matplotlib.patches import FancyArrowPatch

        self.ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=9,
                linewidth=0.8,
                color="black",
                shrinkA=0,
                shrinkB=0,
            )
        )

    def line(self, xs: Sequence[float], ys: Sequence[float]) -> None:
        self.ax.plot(list(xs), list(ys), color="black", linewidth=0.8)


def _draw_headers(canvas: _Canvas, columns: _Columns, y: float, updated: bool) -> None:
    """The yellow title bar over the main flow and the grey ones over the side columns."""
    main = BOX_TEXT["newstud_header" if updated else "studies_header"]
    canvas.header(columns.main, y, columns.right + _BOX_W - columns.main, [main], _YELLOW)
    if columns.other:
        other = BOX_TEXT["other_header" if updated else "other_studies_header"]
        canvas.header(columns.far, y, _BOX_W, _wrap(other), _GREY)
    if columns.previous:
        canvas.header(columns.prev, y, _BOX_W, [BOX_TEXT["previous_header"]], _GREY)


def _draw_rows(
    canvas: _Canvas,
    columns: _Columns,
    counts: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    heights: Sequence[float],
    y: float,
) -> list[dict[str, float]]:
    """Every row's boxes, with the arrow from each main box to its exclusions; returns
    where each row was placed (for the arrows between rows)."""
    placed: list[dict[str, float]] = []
    for row, h in zip(rows, heights, strict=True):
        pos: dict[str, float] = {"y": y, "h": h}
        main_h = _height(row["main"])
        canvas.box(columns.main, y, _BOX_W, main_h, row["main"], gid=_gid(counts, row, "main"))
        pos["main_h"] = main_h
        if "right" in row:
            right_h = _height(row["right"])
            canvas.box(
                columns.right, y, _BOX_W, right_h, row["right"], gid=_gid(counts, row, "right")
            )
            middle = y + min(main_h, right_h) / 2
            canvas.arrow((columns.main + _BOX_W, middle), (columns.right, middle))
        for column, x, bottom in (
            ("other", columns.far, "other_bottom"),
            ("previous", columns.prev, "prev_bottom"),
        ):
            if column in row:
                side_h = _height(row[column])
                canvas.box(
                    x,
                    y,
                    _BOX_W,
                    side_h,
                    row[column],
                    fill=_GREY,
                    edge=_GREY,
                    gid=_gid(counts, row, column),
                )
                pos[bottom] = y + side_h
        placed.append(pos)
        y += h + _GAP_Y
    return placed


def _draw_joins(
    canvas: _Canvas,
    columns: _Columns,
    rows: Sequence[Mapping[str, Any]],
    placed: Sequence[dict[str, float]],
) -> None:
    """Arrows down the main flow, and where the side columns join it."""
    middle = columns.main + _BOX_W / 2
    for upper, lower in zip(placed, placed[1:], strict=False):
        canvas.arrow((middle, upper["y"] + upper["main_h"]), (middle, lower["y"]))
    if columns.other and len(placed) > 1 and "other_bottom" in placed[0]:
        # Records found by other methods join the database records after identification
        # (they are deduplicated and screened with them), so their line meets the main
        # flow below the identification row, not the "removed before screening" box.
        join_y = placed[0]["y"] + placed[0]["h"] + _GAP_Y / 2
        mid_x = columns.far + _BOX_W / 2
        canvas.line([mid_x, mid_x], [placed[0]["other_bottom"], join_y])
        canvas.arrow((mid_x, join_y), (middle, join_y))
    if columns.previous and rows[-1].get("total"):
        total = placed[-1]
        mid_y = total["y"] + total["main_h"] / 2
        canvas.line([columns.prev + _BOX_W / 2] * 2, [placed[0]["prev_bottom"], mid_y])
        canvas.arrow((columns.prev + _BOX_W / 2, mid_y), (columns.main, mid_y))


def _draw_phases(
    canvas: _Canvas,
    columns: _Columns,
    rows: Sequence[Mapping[str, Any]],
    placed: Sequence[dict[str, float]],
) -> None:
    """The blue phase bars (Identification, Screening, Included) on the left."""
    from matplotlib.patches import FancyBboxPatch

    for phase in ("identification", "screening", "included"):
        idx = [i for i, r in enumerate(rows) if r["phase"] == phase]
        if not idx:
            continue
        top = placed[idx[0]]["y"]
        bottom = placed[idx[-1]]["y"] + placed[idx[-1]]["h"]
        canvas.ax.add_patch(
            FancyBboxPatch(
                (columns.side, top),
                0.32,
                bottom - top,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor=_BLUE,
                edgecolor=_BLUE,
            )
        )
        canvas.ax.text(
            columns.side + 0.16,
            (top + bottom) / 2,
            BOX_TEXT[phase],
            rotation=90,
            ha="center",
            va="center",
            fontweight="bold",
        )


def draw_prisma(
    counts: Mapping[str, Any],
    out_svg: str | os.PathLike[str],
    out_pdf: str | os.PathLike[str] | None = None,
    out_png: str | os.PathLike[str] | None = None,
) -> None:
    """Draw the PRISMA 2020 flow diagram of ``counts`` (from :func:`prisma_counts`)."""
    import matplotlib.pyplot as plt

    layout = counts["layout"]
    rows = _layout_rows(counts)
    columns = _Columns(
        previous=any("previous" in r for r in rows), other=any("other" in r for r in rows)
    )
    updated = bool(layout.get("updated_form", layout.get("update") or layout.get("previous")))
    heights = [max(_height(v) for v in r.values() if isinstance(v, list)) for r in rows]
    height = 0.15 + _HEADER_H + _GAP_Y + sum(heights) + _GAP_Y * (len(rows) - 1) + 0.15
    with plt.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "reviewflow-prisma",
            "font.family": "DejaVu Sans",
            "font.size": _FONT_SIZE,
        }
    ):
        canvas = _Canvas(columns.width, height)
        _draw_headers(canvas, columns, 0.15, updated)
        placed = _draw_rows(canvas, columns, counts, rows, heights, 0.15 + _HEADER_H + _GAP_Y)
        _draw_joins(canvas, columns, rows, placed)
        _draw_phases(canvas, columns, rows, placed)
        Path(out_svg).parent.mkdir(parents=True, exist_ok=True)
        _save(canvas.fig, out_svg, "svg", {"Date": None})
        if out_pdf:
            _save(canvas.fig, out_pdf, "pdf", {"CreationDate": None, "ModDate": None})
        if out_png:
            _save(canvas.fig, out_png, "png", {}, dpi=200)
        plt.close(canvas.fig)


def _save(
    fig: Any, path: str | os.PathLike[str], fmt: str, metadata: dict[str, Any], **kw: Any
) -> None:
    from io import BytesIO

    from reviewflow.io import atomic_write_bytes

    buffer = BytesIO()
    fig.savefig(buffer, format=fmt, metadata=metadata, **kw)
    atomic_write_bytes(path, buffer.getvalue())


def run_draw_prisma(
    *,
    counts_path: str | os.PathLike[str],
    out_svg: str | os.PathLike[str],
    out_pdf: str | os.PathLike[str],
    out_png: str | os.PathLike[str],
) -> None:
    """Rule ``draw_prisma``: the diagram drawn from ``counts.json`` alone."""
    draw_prisma(load_counts(counts_path), out_svg, out_pdf, out_png)
