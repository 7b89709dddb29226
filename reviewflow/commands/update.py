"""``reviewflow update``: freeze the last run, rerun every search from where it stopped."""

from __future__ import annotations

import argparse

HELP = (
    "update a review: freeze the last run under runs/<date>/, move every search window on "
    "to today, and rerun (only new records go to screening)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--review", help="the review folder (default: the demo review in this repository)"
    )
    parser.add_argument("--today", help="the update's date, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--extra-config",
        help="a YAML file merged into update.yaml (e.g. another archive for replay)",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    parser.add_argument(
        "--no-run", action="store_true", help="freeze and write update.yaml, do not run"
    )
    parser.add_argument("--cores", "-c", default="2", help="cores for Snakemake (default 2)")
    parser.add_argument("snakemake_args", nargs=argparse.REMAINDER, help="passed to snakemake")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import yaml

    from reviewflow.config import REPO_ROOT
    from reviewflow.update import apply_update, plan_update
    from reviewflow.workflow import run_snakemake

    folder = Path(args.review) if args.review else REPO_ROOT
    plan = plan_update(folder, args.today)
    print(plan.describe())
    if args.dry_run:
        return 0
    extra = None
    if args.extra_config:
        with open(args.extra_config, encoding="utf-8") as handle:
            extra = yaml.safe_load(handle) or {}
    path = apply_update(plan, extra)
    print(f"wrote {path}; the last run is kept in {plan.freeze_to}")
    if args.no_run:
        return 0
    extra_args = [a for a in args.snakemake_args if a != "--"]
    return run_snakemake(review=args.review, cores=args.cores, extra=extra_args)
