"""``reviewflow extraction``: write the extraction workbook, or check a filled one."""

from __future__ import annotations

import argparse

HELP = "export the extraction workbook, or check a filled one and list every problem"

_DESCRIPTION = """\
export  writes the extraction workbook (one sheet per group of the form in config
        'extraction', pre-filled for each included study, drop-down lists, help text as
        header comments) and one CSV per group: the files rule export_extraction_sheets
        writes, under --results. With --previous (default: the config's
        'extraction.filled' when it exists) rows already extracted are carried over and
        new studies appended.
check   reads a filled workbook (.xlsx, or a folder of <group>.csv) and lists every
        problem with sheet, row and column: unknown study ids, values outside a list,
        required fields left empty, CMO rows linked to unknown theory components,
        formulas, wrong types. Exit status 0 when it is valid, 1 when not.

Run from the review folder: paths in the config are relative to it.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    export = sub.add_parser("export", help="write the extraction workbook and CSVs")
    check = sub.add_parser("check", help="check a filled workbook and list every problem")
    check.add_argument("filled", metavar="FILLED.xlsx", help="filled workbook or CSV folder")
    for action in (export, check):
        action.add_argument("--config", default="config/config.yaml", help="the review config")
        action.add_argument(
            "--results", default="results", help="the run's results folder (default: results)"
        )
        action.add_argument(
            "--included", help="studies to extract (default: <results>/fulltext/included.csv)"
        )
        action.add_argument(
            "--clusters", help="record -> study ids (default: <results>/dedup/clusters.csv)"
        )
    export.add_argument("--previous", help="a filled workbook whose rows are carried over")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.config import load_config
    from reviewflow.extraction.form import ExtractionSettings
    from reviewflow.paths import EXTRACTION

    config = load_config(args.config)
    settings = ExtractionSettings.from_config(config["extraction"])
    paths = EXTRACTION.under(args.results)
    included = args.included or paths.included
    clusters = args.clusters or (paths.clusters if Path(paths.clusters).is_file() else None)
    if args.action == "export":
        from reviewflow.extraction.stage import run_export_stage

        previous = args.previous or settings.filled or None
        run_export_stage(
            settings=settings,
            included_path=included,
            clusters_path=clusters,
            previous_path=previous,
            out_xlsx=paths.workbook,
            out_csv_dir=paths.csv,
            audit_path=paths.export_audit,
            title=config["review"]["title"],
        )
        print(f"wrote {paths.workbook} and {paths.csv}/ (audit: {paths.export_audit})")
        return 0
    from reviewflow.extraction.stage import check_filled
    from reviewflow.extraction.validate import format_report

    _, result, bib = check_filled(
        settings=settings, filled_path=args.filled, included_path=included, clusters_path=clusters
    )
    print(format_report(result, source=args.filled, studies=len(bib)), end="")
    return 0 if result.ok else 1
