"""``reviewflow extraction``: write the extraction workbook, or check a filled one."""

from __future__ import annotations

import argparse

HELP = "export the extraction workbook, or check a filled one and list every problem"

_DESCRIPTION = """\
export  writes the extraction workbook (one sheet per group of the form in config
        'extraction', pre-filled for each included study, drop-down lists, help text as
        header comments) and one CSV per group. With --previous (default: the config's
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
    export.add_argument("--config", required=True, help="the review config (YAML)")
    export.add_argument(
        "--included",
        default="results/fulltext/included.csv",
        help="studies to extract (default: results/fulltext/included.csv)",
    )
    export.add_argument("--output", "-o", required=True, metavar="X.xlsx", help="workbook to write")
    export.add_argument(
        "--csv-dir", help="also write one CSV per group here (default: <output>_csv/)"
    )
    export.add_argument("--previous", help="a filled workbook whose rows are carried over")
    export.add_argument("--clusters", help="results/dedup/clusters.csv (record -> study ids)")
    check = sub.add_parser("check", help="check a filled workbook and list every problem")
    check.add_argument("filled", metavar="FILLED.xlsx", help="filled workbook or CSV folder")
    check.add_argument("--config", required=True, help="the review config (YAML)")
    check.add_argument(
        "--included",
        default="results/fulltext/included.csv",
        help="the included studies (default: results/fulltext/included.csv)",
    )
    check.add_argument("--clusters", help="results/dedup/clusters.csv (record -> study ids)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.config import load_config

    config = load_config(args.config)
    extraction = config.get("extraction") or {}
    if args.action == "export":
        from reviewflow.extraction.export import export_form
        from reviewflow.extraction.form import load_form
        from reviewflow.fulltext.decisions import record_study_map
        from reviewflow.fulltext.stage import read_included

        included = read_included(args.included)
        previous = args.previous or extraction.get("filled") or None
        csv_dir = args.csv_dir or str(Path(args.output).with_suffix("")) + "_csv"
        summary = export_form(
            load_form(extraction),
            included,
            out_xlsx=args.output,
            out_csv_dir=csv_dir,
            previous_path=previous,
            mapping=record_study_map(args.clusters, included),
            title=str((config.get("review") or {}).get("title", "")),
        )
        print(
            f"wrote {args.output} and {csv_dir}/: {summary.studies} studies "
            f"({summary.new_studies} new), rows carried over: {summary.carried_rows}"
        )
        return 0
    from reviewflow.extraction.stage import check_filled
    from reviewflow.extraction.validate import format_report

    _, result, bib = check_filled(
        extraction=extraction,
        filled_path=args.filled,
        included_path=args.included,
        clusters_path=args.clusters,
    )
    print(format_report(result, source=args.filled, studies=len(bib)), end="")
    return 0 if result.ok else 1
