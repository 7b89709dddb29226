"""``reviewflow screen``: run the screening stage on given files, outside Snakemake."""

from __future__ import annotations

import argparse

HELP = "retrain on screening decisions and write the next batch to screen (no Snakemake)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read deduplicated studies, their clusters and every screening decision file, "
        "retrain the ranking model and write ranking.csv, next_batch.csv/.xlsx, "
        "progress.csv, thresholds.csv, conflicts.csv, included.csv and the audit record "
        "into --out. Settings come from the screening block of --config (defaults if none)."
    )
    parser.add_argument("--studies", default="results/dedup/studies.csv", help="studies.csv")
    parser.add_argument("--clusters", default="results/dedup/clusters.csv", help="clusters.csv")
    parser.add_argument(
        "--decisions",
        nargs="*",
        default=None,
        metavar="CSV",
        help="decision files (default: screening.decisions from --config)",
    )
    parser.add_argument("--config", default="config/config.yaml", help="review config")
    parser.add_argument("--out", default="results/screening", help="output folder")


def run(args: argparse.Namespace) -> int:
    import os

    import yaml

    from reviewflow.errors import ConfigError
    from reviewflow.screening.stage import run_screening_stage

    params: dict = {}
    if args.config and os.path.exists(args.config):
        with open(args.config, encoding="utf-8") as handle:
            params = dict((yaml.safe_load(handle) or {}).get("screening") or {})
    elif args.config != "config/config.yaml":
        raise ConfigError(f"no such config file: {args.config}")
    decisions = args.decisions
    if decisions is None:
        named = params.get("decisions", [])
        decisions = [named] if isinstance(named, str) else list(named)
    out = args.out.rstrip("/")
    record = run_screening_stage(
        studies_path=args.studies,
        clusters_path=args.clusters,
        decision_paths=decisions,
        params=params,
        out_ranking=f"{out}/ranking.csv",
        out_next_batch_csv=f"{out}/next_batch.csv",
        out_next_batch_xlsx=f"{out}/next_batch.xlsx",
        out_progress=f"{out}/progress.csv",
        out_thresholds=f"{out}/thresholds.csv",
        out_conflicts=f"{out}/conflicts.csv",
        out_included=f"{out}/included.csv",
        audit_path=f"{out}/screen_records.audit.json",
    )
    counts = record.get("counts", {})
    details = record.get("details", {})
    print(
        f"{counts.get('screened', 0)} of {counts.get('studies_in', 0)} studies screened, "
        f"{counts.get('included', 0)} included, phase {details.get('phase')}, "
        f"next batch of {counts.get('next_batch', 0)} in {out}/next_batch.xlsx"
    )
    return 0
