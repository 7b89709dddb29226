"""``reviewflow validate``: check a review config against the schema, listing every error."""

from __future__ import annotations

import argparse

HELP = "check a review config file against config/config.schema.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "configfile", nargs="?", default="config/config.yaml", help="the review's config"
    )


def run(args: argparse.Namespace) -> int:
    from reviewflow.config import load_config

    load_config(args.configfile)
    print(f"{args.configfile}: valid")
    return 0
