"""``reviewflow synthesis``: the synthesis tables and logic model from the extraction dataset."""

from __future__ import annotations

import argparse

HELP = (
    "build the realist (CMO by theory component, strength of support), framework and "
    "narrative synthesis tables and the logic model from the extraction dataset"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default="config/config.yaml", help="the review's config (synthesis block)"
    )
    parser.add_argument(
        "--results", default="results", help="the run's results folder (default: %(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.config import load_config
    from reviewflow.paths import SYNTHESIS
    from reviewflow.synthesis import SynthesisSettings, run_synthesis_stage

    config = load_config(args.config)
    paths = SYNTHESIS.under(args.results)
    summary = run_synthesis_stage(
        settings=SynthesisSettings.from_config(config["synthesis"]),
        dataset_path=paths.dataset,
        theory_components=config["extraction"]["theory_components"],
        out_dir=Path(paths.summary).parent,
        audit_path=paths.audit,
    )
    print(f"{summary['studies']} studies synthesised into {Path(paths.summary).parent}/")
    for row in summary["tables"]["components"]:
        print(
            f"  {row['component_id']:<6} {row['strength_of_support']:<13} "
            f"{row['supporting_studies']} supporting, {row['refining_studies']} refining, "
            f"{row['refuting_studies']} refuting  {row['component']}"
        )
    return 0
