"""``reviewflow report``: the self-contained HTML report of a finished run."""

from __future__ import annotations

import argparse

HELP = (
    "write the review report (methods as run, PRISMA diagram, synthesis, included "
    "studies) as one self-contained HTML file, optionally also as PDF"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", default="results", help="the run's results folder (default: %(default)s)"
    )
    parser.add_argument("--config", default="config/config.yaml", help="the review's config")
    parser.add_argument(
        "--out",
        default="results/report/report.html",
        help="the HTML file to write (default: %(default)s)",
    )
    parser.add_argument(
        "--pdf", action="store_true", help="also print a PDF beside it (needs chromium)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.audit import find_audits
    from reviewflow.config import load_config
    from reviewflow.report import ReportInputs, run_report_stage

    results = Path(args.results)
    out = Path(args.out)
    audits = [p for p in find_audits(results) if p.parent.name not in {"prisma", "report"}]
    run_report_stage(
        config=load_config(args.config),
        audit_paths=audits,
        inputs=ReportInputs.in_results(results),
        out_html=out,
        audit_path=out.with_name("write_report.audit.json"),
        pdf_path=out.with_suffix(".pdf") if args.pdf else None,
    )
    print(f"report: {out}")
    return 0
