"""``reviewflow prisma``: PRISMA 2020 counts and flow diagram from a run's audit records."""

from __future__ import annotations

import argparse

HELP = (
    "count every PRISMA 2020 box from the audit records of a run (with the record behind "
    "each number) and draw the flow diagram (SVG, PDF, PNG)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", default="results", help="the run's results folder (default: %(default)s)"
    )
    parser.add_argument(
        "--config",
        default="config/config.yaml",
        help="the review's config (review id; update.previous_review for updated reviews)",
    )
    parser.add_argument(
        "--sources", action="store_true", help="also print the audit key behind each number"
    )


def run(args: argparse.Namespace) -> int:
    from reviewflow.config import load_config
    from reviewflow.errors import ReviewflowError
    from reviewflow.paths import PRISMA, stage_audit_records
    from reviewflow.prisma import PrismaSettings, draw_prisma, ordered_boxes, run_count_prisma

    config = load_config(args.config)
    audits = stage_audit_records(args.results)
    if not audits:
        raise ReviewflowError(f"no audit records under {args.results}/ (run the review first)")
    paths = PRISMA.under(args.results)
    counts = run_count_prisma(
        audit_paths=audits,
        settings=PrismaSettings.from_config(config),
        out_counts=paths.counts,
        audit_path=paths.count_audit,
    )
    draw_prisma(counts, paths.svg, paths.pdf, paths.png)
    for box_id, depth in ordered_boxes(counts):
        box = counts["boxes"][box_id]
        line = f"{'  ' * depth}{box['label']}: {box['n']:,}"
        if args.sources:
            line += "  <- " + "; ".join(f"{s['audit']}:{s['key']}" for s in box["sources"])
        print(line)
    print(f"diagram: {paths.svg} (.pdf, .png)")
    return 0
