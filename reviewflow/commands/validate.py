"""``reviewflow validate``: check a review config against the schema, listing every error."""

from __future__ import annotations

import argparse

HELP = "check a review config file against config/config.schema.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "configfile", nargs="?", default="config/config.yaml", help="the review's config"
    )
    parser.add_argument(
        "--docs",
        action="store_true",
        help="print the config reference (config/README.md) generated from the schema",
    )


def run(args: argparse.Namespace) -> int:
    if args.docs:
        from reviewflow.config_docs import render_config_docs

        print(render_config_docs(), end="")
        return 0
    from reviewflow.config import load_config

    load_config(args.configfile)
    print(f"{args.configfile}: valid")
    return 0
