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
        "--pdf", action="store_true", help="also print a PDF beside it (needs chromium)"
    )


def run(args: argparse.Namespace) -> int:
    from reviewflow.config import load_config
    from reviewflow.paths import REPORT, stage_audit_records
    from reviewflow.report import ReportConfig, ReportInputs, run_report_stage

    config = load_config(args.config)
    paths = REPORT.under(args.results)
    run_report_stage(
        config=ReportConfig.from_config(config),
        audit_paths=stage_audit_records(args.results),
        inputs=ReportInputs.in_results(args.results),
        out_html=paths.html,
        audit_path=paths.audit,
        pdf_path=paths.pdf if args.pdf or config["report"]["pdf"] else None,
    )
    print(f"report: {paths.html}")
    return 0
