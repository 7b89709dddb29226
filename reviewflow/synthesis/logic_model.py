"""The logic model drawn from the extraction data: contexts -> mechanisms -> outcomes.

Each CMO configuration contributes a context->mechanism and a mechanism->outcome link; an
edge's weight is the number of distinct studies behind it, so the figure shows where the
evidence is thick and where a link rests on one study. The graph is held in networkx and
laid out here in three left-to-right layers (barycentre ordering to reduce crossings) and
drawn with matplotlib, so no Graphviz binary is needed.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from typing import Any

import networkx as nx
import pandas as pd

from reviewflow.io import atomic_write_bytes, table_rows
from reviewflow.synthesis.dataset import Dataset, split_values
from reviewflow.synthesis.settings import LogicModelSettings

__all__ = ["LAYERS", "build_logic_model", "draw_logic_model", "edge_table"]

#: Column of the CMO table feeding each layer, and the layer's heading in the figure.
LAYERS: tuple[tuple[str, str], ...] = (
    ("context", "Contexts / inputs"),
    ("mechanism", "Mechanisms"),
    ("outcome", "Outcomes"),
)
_COLOURS = ("#dbe9f6", "#fde7c8", "#d9f0d3")


def _label(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _layer_values(row: Mapping[str, Any], column: str, dataset: Dataset) -> list[str]:
    """A layer's values for one configuration: a CMO column, else the study's own field."""
    if column in row:
        values = split_values(row[column])
    elif row.get("study_id") in dataset.studies:
        values = split_values(dataset.studies[row["study_id"]].fields.get(column))
    else:
        values = []
    return [v for v in values if v.lower() != dataset.not_reported]


def build_logic_model(
    cmo: pd.DataFrame, settings: LogicModelSettings, dataset: Dataset
) -> nx.DiGraph:
    """Nodes ``(layer, label)``; edges carry ``weight`` (studies) and ``studies`` (labels).

    Each layer reads the CMO column or study-level field named in ``settings["layers"]``
    (default: the configuration's own context, mechanism and outcome), so a review can draw
    the model from coded fields (setting -> theory component -> target behaviour) where free
    text would give one chain per configuration. Only configurations whose judgement is in
    ``judgements`` (default: supports, refines) draw links: a configuration that refutes its
    theory component is evidence against the chain, not for it.
    """
    limit, min_studies = settings.max_label_chars, settings.min_studies
    judgements = set(settings.judgements)
    layers = {column: getattr(settings.layers, column) for column, _ in LAYERS}
    graph: nx.DiGraph[tuple[int, str]] = nx.DiGraph()
    links: dict[tuple[tuple[int, str], tuple[int, str]], set[str]] = {}
    for row in table_rows(cmo):
        if row.get("judgement") not in judgements:
            continue
        values = [
            [(i, _label(v, limit)) for v in _layer_values(row, layers[column], dataset)]
            for i, (column, _) in enumerate(LAYERS)
        ]
        study = str(row.get("study", row.get("study_id")))
        for left, right in zip(values, values[1:], strict=False):
            for a in left:
                for b in right:
                    links.setdefault((a, b), set()).add(study)
    for (a, b), studies in sorted(links.items()):
        if len(studies) >= min_studies:
            graph.add_node(a, layer=a[0], label=a[1])
            graph.add_node(b, layer=b[0], label=b[1])
            graph.add_edge(a, b, weight=len(studies), studies=sorted(studies))
    return graph


def edge_table(graph: nx.DiGraph) -> pd.DataFrame:
    rows = [
        {
            "from_layer": LAYERS[a[0]][0],
            "from": a[1],
            "to_layer": LAYERS[b[0]][0],
            "to": b[1],
            "studies": data["weight"],
            "study_labels": "; ".join(data["studies"]),
        }
        for a, b, data in sorted(graph.edges(data=True))
    ]
    return pd.DataFrame(
        rows, columns=["from_layer", "from", "to_layer", "to", "studies", "study_labels"]
    )


def _order_layers(graph: nx.DiGraph) -> list[list[tuple[int, str]]]:
    """Nodes per layer, ordered by barycentre of their neighbours (a few down/up sweeps)."""
    layers = [
        sorted((n for n in graph if n[0] == i), key=lambda n: (-graph.degree(n, "weight"), n[1]))
        for i in range(len(LAYERS))
    ]
    for _ in range(4):
        for i in list(range(1, len(layers))) + list(range(len(layers) - 2, -1, -1)):
            ref = {n: k for k, n in enumerate(layers[i - 1 if i > 0 else i + 1])}

            def centre(node: tuple[int, str], ref: dict[tuple[int, str], int] = ref) -> float:
                near = [ref[m] for m in nx.all_neighbors(graph, node) if m in ref]
                return sum(near) / len(near) if near else float(len(ref))

            layers[i] = sorted(layers[i], key=lambda n: (centre(n), n[1]))
    return layers


def _free_spot(
    start: tuple[float, float], end: tuple[float, float], placed: list[tuple[float, float]]
) -> tuple[float, float]:
    """A point on the edge for its weight label, away from labels already placed."""
    spots = [
        (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
        for t in (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8)
    ]
    for spot in spots:
        if all((spot[0] - x) ** 2 + (spot[1] - y) ** 2 > 0.2**2 for x, y in placed):
            return spot
    return spots[0]


def draw_logic_model(
    graph: nx.DiGraph,
    out_svg: str | os.PathLike[str],
    out_png: str | os.PathLike[str] | None = None,
    *,
    title: str = "",
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    layers = _order_layers(graph)
    wrap = 26
    box_w, gap_x, line_h, pad, gap_y = 2.3, 1.6, 0.16, 0.08, 0.18
    heights = {
        n: len(textwrap.wrap(n[1], wrap) or [""]) * line_h + 2 * pad
        for layer in layers
        for n in layer
    }
    columns = [sum(heights[n] for n in layer) + gap_y * max(len(layer) - 1, 0) for layer in layers]
    top = 0.75 if title else 0.5
    height = max([*columns, 0.8]) + top + 0.3
    width = len(LAYERS) * box_w + (len(LAYERS) - 1) * gap_x + 0.4
    max_weight = max((d["weight"] for *_, d in graph.edges(data=True)), default=1)
    with plt.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "reviewflow-logic-model",
            "font.family": "DejaVu Sans",
            "font.size": 7.5,
        }
    ):
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")
        if title:
            ax.text(
                width / 2, 0.25, title, ha="center", va="center", fontsize=10, fontweight="bold"
            )
        anchors: dict[tuple[int, str], tuple[float, float, float]] = {}
        for i, (layer, (_, heading)) in enumerate(zip(layers, LAYERS, strict=True)):
            x = 0.2 + i * (box_w + gap_x)
            ax.text(
                x + box_w / 2,
                top - 0.2,
                heading,
                ha="center",
                va="center",
                fontweight="bold",
                fontsize=9,
            )
            y = top + (height - top - 0.3 - columns[i]) / 2
            for node in layer:
                h = heights[node]
                ax.add_patch(
                    FancyBboxPatch(
                        (x, y),
                        box_w,
                        h,
                        boxstyle="round,pad=0,rounding_size=0.06",
                        facecolor=_COLOURS[i],
                        edgecolor="#555555",
                        linewidth=0.6,
                    )
                )
                ax.text(
                    x + box_w / 2,
                    y + h / 2,
                    "\n".join(textwrap.wrap(node[1], wrap)),
                    ha="center",
                    va="center",
                    linespacing=1.2,
                )
                anchors[node] = (x, y + h / 2, x + box_w)
                y += h + gap_y
        placed: list[tuple[float, float]] = []
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: -e[2]["weight"]):
            start = (anchors[a][2], anchors[a][1])
            end = (anchors[b][0], anchors[b][1])
            lw = 0.6 + 3.0 * data["weight"] / max_weight
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=8,
                    linewidth=lw,
                    color="#4a6d8c",
                    alpha=0.75,
                    shrinkA=1,
                    shrinkB=1,
                )
            )
            mid = _free_spot(start, end, placed)
            placed.append(mid)
            ax.text(
                *mid,
                str(data["weight"]),
                ha="center",
                va="center",
                fontsize=6.5,
                bbox={
                    "boxstyle": "circle,pad=0.15",
                    "facecolor": "white",
                    "edgecolor": "#4a6d8c",
                    "linewidth": 0.5,
                },
            )
        if not graph.number_of_edges():
            ax.text(
                width / 2,
                (top + height) / 2,
                "No context-mechanism-outcome links extracted",
                ha="center",
                va="center",
                color="#555555",
            )
        outputs: tuple[tuple[Any, str, dict[str, Any], dict[str, Any]], ...] = (
            (out_svg, "svg", {"Date": None}, {}),
            (out_png, "png", {}, {"dpi": 200}),
        )
        for path, fmt, meta, kw in outputs:
            if path:
                from io import BytesIO

                buffer = BytesIO()
                fig.savefig(buffer, format=fmt, metadata=meta, **kw)
                atomic_write_bytes(path, buffer.getvalue())
        plt.close(fig)
