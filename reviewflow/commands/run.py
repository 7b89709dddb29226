"""``reviewflow run``: run a review's workflow with Snakemake."""

from __future__ import annotations

import argparse

HELP = "run a review (the demo by default) with Snakemake; extra arguments go to snakemake"

_EPILOG = """\
examples:
  reviewflow run                                         # the demo review
  reviewflow run --review config/reviews/CRD42016039552  # a review folder
  reviewflow run --review config/reviews/CRD42016039552 -- --config replay=true
  reviewflow run --review config/reviews/CRD42016039552 -- -n --forceall

Everything after "--" goes to snakemake unchanged: --config key=value overrides a config
key (booleans may be true/false, yes/no or 1/0), -n shows what would run, --forceall
reruns every rule. replay=true answers every remote request from the archived responses,
so a review reruns offline.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument(
        "--review",
        help="a review folder holding config.yaml (e.g. config/reviews/CRD42016039552); "
        "its results go to <folder>/results/. Default: the demo review in config/config.yaml",
    )
    parser.add_argument("--cores", "-c", default="2", help="cores for Snakemake (default 2)")
    parser.add_argument(
        "snakemake_args",
        nargs=argparse.REMAINDER,
        help='arguments for snakemake, after "--" (e.g. -- --config replay=true)',
    )


def run(args: argparse.Namespace) -> int:
    from reviewflow.workflow import run_snakemake

    extra = [a for a in args.snakemake_args if a != "--"]
    return run_snakemake(review=args.review, cores=args.cores, extra=extra)
