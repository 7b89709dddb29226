"""``reviewflow import``: read one database export file into a record table."""

from __future__ import annotations

import argparse

from reviewflow.paths import IMPORT

HELP = (
    "read a database export (RIS, nbib, BibTeX, EndNote, Web of Science, Ovid, ProQuest, CSV) "
    "into records"
)

_FORMATS = (
    "auto",
    "ris",
    "nbib",
    "bibtex",
    "endnote_xml",
    "endnote_tagged",
    "wos",
    "wos_tabdelimited",
    "ovid_tagged",
    "ovid_labelled",
    "proquest",
    "csv",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "The format is detected from the content unless --format is given. Record ids are\n"
        "<search-id>:<the export's own id> (accession number, PMID, WoS UT, Scopus EID,\n"
        "DOI) or <search-id>:h<hash>, so importing the same file again gives the same ids.\n"
        "Fields no record column holds are kept, as JSON, in the column 'extra'; what the\n"
        "file does against its format (a missing ER, a duplicate key) is read and warned\n"
        "about, naming the line.\n\n"
        "examples:\n"
        "  reviewflow import scopus.ris --output scopus.csv --search-id scopus_2024\n"
        "  reviewflow import sheet.csv --output out.csv --column-map title='Article Title' \\\n"
        "      native_id=ID abstract=Abstract"
    )
    parser.add_argument("file", metavar="FILE", help="the export file")
    parser.add_argument(
        "--output",
        "-o",
        metavar="OUT.csv",
        help="record table to write (CSV; default: rule import_records' "
        f"{IMPORT.records.replace('{import_id}', '<search-id>')})",
    )
    parser.add_argument(
        "--format",
        default="auto",
        choices=_FORMATS,
        help="export format (default: auto, detected from the content)",
    )
    parser.add_argument(
        "--search-id",
        metavar="ID",
        help="prefix of the record ids and value of search_id (default: the file name stem)",
    )
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="database name for the source column (default: as the file states it)",
    )
    parser.add_argument(
        "--column-map",
        nargs="+",
        default=[],
        metavar="FIELD=COLUMN",
        help="CSV only: record field (or native_id) = CSV column, e.g. title='Article Title'",
    )


def _column_map(pairs: list[str]) -> dict[str, str]:
    from reviewflow.errors import ReviewflowError

    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ReviewflowError(f"--column-map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.importers import read_export, records_from_export
    from reviewflow.records import write_records

    search_id = args.search_id or Path(args.file).stem
    output = args.output or IMPORT.for_id(search_id).records
    parsed = read_export(args.file, format=args.format, column_map=_column_map(args.column_map))
    records = records_from_export(
        parsed, path=args.file, search_id=search_id, database=args.database
    )
    write_records(records, output)
    database = args.database or parsed.database or "database not stated"
    with_extra = int((records["extra"] != "").sum())
    print(
        f"{len(records)} records ({parsed.format}, {database}) -> {output}; "
        f"{int((records['abstract'] == '').sum())} without abstract, "
        f"{int((records['doi'] == '').sum())} without DOI; "
        f"{with_extra} with unmapped fields (column 'extra'), "
        f"{len(parsed.warnings)} warning{'s' if len(parsed.warnings) != 1 else ''}"
    )
    return 0
