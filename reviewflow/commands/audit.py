"""``reviewflow audit``: every stage of a finished run in one table (or JSON)."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "show what every stage ran on, when, and how many records went in and out"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results",
        default="results",
        help="the run's results folder (default: results)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list instead")
    parser.add_argument("--stage", help="only this stage (search, dedup, screening, ...)")


def run(args: argparse.Namespace) -> int:
    from reviewflow.audit import load_audits, print_audit_table
    from reviewflow.errors import ReviewflowError

    audits = load_audits(args.results)
    if args.stage:
        audits = [a for a in audits if a.get("stage") == args.stage]
    if not audits:
        raise ReviewflowError(
            f"no audit records under {args.results}/ (has the review been run? "
            "try 'snakemake -c2' first)"
        )
    if args.json:
        json.dump(audits, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_audit_table(audits)
    return 0
