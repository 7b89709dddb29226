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
        "--out", default="results/prisma", help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--sources", action="store_true", help="also print the audit key behind each number"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.audit import find_audits
    from reviewflow.config import load_config
    from reviewflow.errors import ReviewflowError
    from reviewflow.prisma import draw_prisma, ordered_boxes, run_count_prisma

    out = Path(args.out)
    own = {"prisma", "report"}
    audits = [p for p in find_audits(args.results) if p.parent.name not in own]
    if not audits:
        raise ReviewflowError(f"no audit records under {args.results}/ (run the review first)")
    counts = run_count_prisma(
        audit_paths=audits,
        config=load_config(args.config),
        out_counts=out / "counts.json",
        audit_path=out / "count_prisma.audit.json",
    )
    draw_prisma(counts, out / "prisma.svg", out / "prisma.pdf", out / "prisma.png")
    for box_id, depth in ordered_boxes(counts):
        box = counts["boxes"][box_id]
        line = f"{'  ' * depth}{box['label']}: {box['n']:,}"
        if args.sources:
            line += "  <- " + "; ".join(f"{s['audit']}:{s['key']}" for s in box["sources"])
        print(line)
    print(f"diagram: {out / 'prisma.svg'} (.pdf, .png)")
    return 0
