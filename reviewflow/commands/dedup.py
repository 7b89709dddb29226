"""``reviewflow dedup``: cluster the records of one CSV into publications."""

from __future__ import annotations

import argparse

HELP = "deduplicate a record CSV and write record_id,cluster_id"

_DESCRIPTION = """\
Find records that are the same publication and write one row per record: record_id,
cluster_id (records sharing a cluster_id are duplicates; cluster_id is one member's id).

DATA is a reviewflow record table or any bibliographic CSV whose id column is 'record_id'
or 'ID' with some of the columns ENTRYTYPE, author, title, year, journal, booktitle, volume,
number, pages, doi, isbn, abstract (any may be empty; author lists in BibTeX, MEDLINE or
'F. Last' style). Pairs the rules cannot decide are listed with --uncertain for a person;
their verdicts go back in with --decisions.
"""


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.5 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value} is outside 0.5-1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("data", metavar="DATA.csv", help="records to deduplicate")
    parser.add_argument(
        "--output", "-o", required=True, metavar="CLUSTERS.csv", help="where to write clusters"
    )
    parser.add_argument(
        "--decisions",
        metavar="DECISIONS.csv",
        help="manual decisions: record_id_a,record_id_b,decision,reviewer,date,note",
    )
    parser.add_argument(
        "--uncertain", metavar="PAIRS.csv", help="also write the uncertain pairs here"
    )
    parser.add_argument(
        "--duplicate-threshold",
        type=_fraction,
        default=0.95,
        help="title similarity for an automatic merge (default 0.95)",
    )
    parser.add_argument(
        "--uncertain-threshold",
        type=_fraction,
        default=0.85,
        help="title similarity from which an unmerged pair is listed as uncertain (default 0.85)",
    )


def run(args: argparse.Namespace) -> int:
    import logging

    import pandas as pd

    from reviewflow.dedup import deduplicate, read_decisions, read_dedup_input
    from reviewflow.dedup.stage import UNCERTAIN_COLUMNS, _write_csv

    records = read_dedup_input(args.data)
    decisions = read_decisions(args.decisions, set(records["record_id"])) if args.decisions else []
    result = deduplicate(
        records,
        thresholds={"duplicate": args.duplicate_threshold, "uncertain": args.uncertain_threshold},
        decisions=decisions,
        build_studies=False,
    )
    frame = pd.DataFrame({"record_id": result.record_ids, "cluster_id": result.study_ids})
    _write_csv(frame, args.output)
    if args.uncertain:
        pairs = pd.DataFrame(result.uncertain, columns=list(UNCERTAIN_COLUMNS)).fillna("")
        _write_csv(pairs, args.uncertain)
    logging.getLogger(__name__).info(
        "%d records -> %d clusters (%d uncertain pairs)",
        len(frame),
        frame["cluster_id"].nunique(),
        len(result.uncertain),
    )
    return 0
