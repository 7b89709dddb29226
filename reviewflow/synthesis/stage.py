"""Rule ``synthesise_evidence``: every synthesis table and the logic model from one dataset."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.io import atomic_write_json, write_csv
from reviewflow.synthesis.dataset import load_dataset
from reviewflow.synthesis.framework import code_studies, framework_matrix
from reviewflow.synthesis.logic_model import build_logic_model, draw_logic_model, edge_table
from reviewflow.synthesis.narrative import narrative_table
from reviewflow.synthesis.realist import cmo_table, component_summary
from reviewflow.vocab import Stage

__all__ = ["SYNTHESIS_FILES", "run_synthesis_stage"]

log = logging.getLogger(__name__)

#: Files the stage writes into its output folder (the Snakemake rule declares the same).
SYNTHESIS_FILES = {
    "cmo": "realist_cmo.csv",
    "components": "programme_theory.csv",
    "framework_coding": "framework_coding.csv",
    "framework_themes": "framework_themes.csv",
    "narrative": "narrative.csv",
    "logic_model_edges": "logic_model_edges.csv",
    "logic_model_svg": "logic_model.svg",
    "logic_model_png": "logic_model.png",
    "summary": "synthesis.json",
}


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    write_csv(frame, path)


def run_synthesis_stage(
    *,
    dataset_path: str | os.PathLike[str],
    params: Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
    theory_components: Sequence[Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Realist, framework and narrative tables, the logic model and ``synthesis.json``.

    ``params`` is the config's ``synthesis`` block; ``theory_components`` the config's
    ``extraction.theory_components`` (the components the CMO configurations are linked to).
    ``synthesis.json`` holds every table as records, so the report reads one file.
    """
    out = Path(out_dir)
    paths = {key: out / name for key, name in SYNTHESIS_FILES.items()}
    realist = params.get("realist", {})
    framework = params.get("framework", {})
    narrative = params.get("narrative", {})
    logic = params.get("logic_model", {})
    with StageAudit(
        audit_path,
        stage=Stage.SYNTHESIS,
        rule="synthesise_evidence",
        inputs=[dataset_path],
        outputs=list(paths.values()),
        parameters={**params, "theory_components": list(theory_components or [])},
    ) as audit:
        dataset = load_dataset(dataset_path, [dict(c) for c in theory_components or []])
        cmo = cmo_table(dataset, realist)
        components = component_summary(cmo, dataset, realist)
        coding, themes = code_studies(dataset, framework)
        matrix = framework_matrix(coding, themes)
        narrative_rows = narrative_table(dataset, narrative, cmo)
        graph = build_logic_model(cmo, logic, dataset)
        edges = edge_table(graph)
        for key, frame in (
            ("cmo", cmo),
            ("components", components),
            ("framework_coding", coding),
            ("framework_themes", matrix),
            ("narrative", narrative_rows),
            ("logic_model_edges", edges),
        ):
            _write_csv(frame, paths[key])
        draw_logic_model(
            graph,
            paths["logic_model_svg"],
            paths["logic_model_png"],
            title=str(logic.get("title", "")),
        )
        frames = {
            "cmo": cmo,
            "components": components,
            "framework_themes": matrix,
            "framework_coding": coding,
            "narrative": narrative_rows,
            "logic_model_edges": edges,
        }
        summary = {
            "studies": len(dataset.studies),
            "settings": dict(params),
            # JSON objects are written with sorted keys: the column order is kept here.
            "columns": {key: list(frame.columns) for key, frame in frames.items()},
            "tables": {key: frame.to_dict("records") for key, frame in frames.items()},
        }
        atomic_write_json(paths["summary"], summary)
        audit.counts.update(
            studies=len(dataset.studies),
            cmo_configurations=len(cmo),
            theory_components=len(components),
            themes_a_priori=int((matrix["origin"] == "a priori").sum()) if len(matrix) else 0,
            themes_emergent=int((matrix["origin"] == "emergent").sum()) if len(matrix) else 0,
            logic_model_nodes=graph.number_of_nodes(),
            logic_model_edges=graph.number_of_edges(),
        )
        audit.details["strength_of_support"] = {
            str(r["component_id"]): str(r["strength_of_support"])
            for r in components.to_dict("records")
        }
    log.info("synthesis: %d studies, %d CMO configurations", len(dataset.studies), len(cmo))
    return summary
