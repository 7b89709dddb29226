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
        "--dataset",
        default="results/extraction/dataset.json",
        help="the validated extraction dataset (default: %(default)s)",
    )
    parser.add_argument(
        "--out", default="results/synthesis", help="output folder (default: %(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.config import load_config
    from reviewflow.synthesis import run_synthesis_stage

    config = load_config(args.config)
    summary = run_synthesis_stage(
        dataset_path=args.dataset,
        params=config.get("synthesis", {}),
        theory_components=config.get("extraction", {}).get("theory_components", []),
        out_dir=args.out,
        audit_path=Path(args.out) / "synthesise_evidence.audit.json",
    )
    print(f"{summary['studies']} studies synthesised into {args.out}/")
    for row in summary["tables"]["components"]:
        print(
            f"  {row['component_id']:<6} {row['strength_of_support']:<13} "
            f"{row['supporting_studies']} supporting, {row['refining_studies']} refining, "
            f"{row['refuting_studies']} refuting  {row['component']}"
        )
    return 0
