"""Rule ``synthesise_evidence``: every synthesis table and the logic model from one dataset."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.io import atomic_write_json, write_csv
from reviewflow.paths import SYNTHESIS
from reviewflow.synthesis.dataset import load_dataset
from reviewflow.synthesis.framework import code_studies, framework_matrix
from reviewflow.synthesis.logic_model import build_logic_model, draw_logic_model, edge_table
from reviewflow.synthesis.narrative import narrative_table
from reviewflow.synthesis.realist import cmo_table, component_summary
from reviewflow.synthesis.settings import SynthesisSettings
from reviewflow.vocab import Stage

__all__ = ["SYNTHESIS_FILES", "run_synthesis_stage"]

log = logging.getLogger(__name__)

#: Files the stage writes into its output folder: the rule's outputs (reviewflow.paths).
SYNTHESIS_FILES = {
    key: Path(path).name
    for key, path in SYNTHESIS.files().items()
    if key not in ("dataset", "audit")
}


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    write_csv(frame, path)


def _jsonable_block(settings: SynthesisSettings) -> dict[str, Any]:
    """The settings as the block they were read from (for the audit and synthesis.json);
    bounds of a strength rule left out stay out."""
    block = dataclasses.asdict(settings)
    block["realist"]["strength_rules"] = [
        {k: v for k, v in rule.items() if v is not None}
        for rule in block["realist"]["strength_rules"]
    ]
    if block["realist"]["default_judgement"] is None:
        del block["realist"]["default_judgement"]
    return block


def run_synthesis_stage(
    *,
    settings: SynthesisSettings,
    dataset_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
    theory_components: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """Rule ``synthesise_evidence``: realist, framework and narrative tables, the logic
    model and ``synthesis.json`` (every table as records, so the report reads one file).

    ``theory_components`` are the config's ``extraction.theory_components`` (the components
    the CMO configurations are linked to).
    """
    out = Path(out_dir)
    paths = {key: out / name for key, name in SYNTHESIS_FILES.items()}
    with StageAudit(
        audit_path,
        stage=Stage.SYNTHESIS,
        rule="synthesise_evidence",
        inputs=[dataset_path],
        outputs=list(paths.values()),
        parameters={**_jsonable_block(settings), "theory_components": list(theory_components)},
    ) as audit:
        dataset = load_dataset(dataset_path, [dict(c) for c in theory_components])
        cmo = cmo_table(dataset, settings.realist)
        components = component_summary(cmo, dataset, settings.realist)
        coding, themes = code_studies(dataset, settings.framework)
        matrix = framework_matrix(coding, themes)
        narrative_rows = narrative_table(dataset, settings.narrative, cmo)
        graph = build_logic_model(cmo, settings.logic_model, dataset)
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
            title=settings.logic_model.title,
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
            "settings": _jsonable_block(settings),
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
