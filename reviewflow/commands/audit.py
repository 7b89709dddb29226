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
    parser.add_argument(
        "--runs",
        action="store_true",
        help="one line per run of the review (runs/<date>/ and the current one): "
        "what each run added",
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.audit import load_audits, print_audit_table, run_summaries
    from reviewflow.errors import ReviewflowError

    if args.runs:
        rows = run_summaries(Path(args.results).resolve().parent)
        if not rows:
            raise ReviewflowError(f"no runs with audit records beside {args.results}/")
        if args.json:
            json.dump(rows, sys.stdout, indent=2)
            sys.stdout.write("\n")
            return 0
        from rich.console import Console
        from rich.table import Table

        table = Table(title="runs of this review: what each added")
        for column in rows[0]:
            if column != "results":
                table.add_column(column.replace("_", " "))
        for row in rows:
            table.add_row(*(str(v) for k, v in row.items() if k != "results"))
        Console().print(table)
        return 0

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
