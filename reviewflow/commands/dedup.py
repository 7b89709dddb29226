"""``reviewflow dedup``: cluster the records of one CSV into publications."""

from __future__ import annotations

import argparse

from reviewflow.paths import DEDUP

HELP = "deduplicate a record CSV and write record_id,study_id (the rule's clusters table)"

_DESCRIPTION = """\
Find records that are the same publication and write one row per record: record_id,
study_id (records sharing a study_id are duplicates; study_id is one member's id), the
table rule deduplicate_records writes as results/dedup/clusters.csv.

DATA is a reviewflow record table or any bibliographic CSV whose id column is 'record_id'
or 'ID' with some of the columns ENTRYTYPE, author, title, year, journal, booktitle, volume,
number, pages, doi, isbn, abstract (any may be empty or 'NA'; author lists in BibTeX,
MEDLINE, 'F. Last' or run-together EndNote style; UTF-8 or Windows-1252). Pairs are merged
on evidence weighed across every field, unless a guard forbids it; pairs the evidence cannot
decide are listed with --uncertain for a person, most informative first; their verdicts go
back in with --decisions.
"""


def _probability(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("data", metavar="DATA.csv", help="records to deduplicate")
    parser.add_argument(
        "--output",
        "-o",
        default=DEDUP.clusters,
        metavar="CLUSTERS.csv",
        help=f"where to write the clusters table (default: {DEDUP.clusters})",
    )
    parser.add_argument(
        "--decisions",
        metavar="DECISIONS",
        help="manual decisions (.csv or .xlsx): record_id_a,record_id_b,decision,reviewer,"
        "date,note; rows without a decision are skipped",
    )
    parser.add_argument(
        "--uncertain",
        metavar="PAIRS.csv",
        help=f"also write the uncertain pairs here, ranked (as the rule's {DEDUP.uncertain_csv})",
    )
    parser.add_argument(
        "--doi-collisions",
        metavar="COLLISIONS.csv",
        help="also write the pairs that share a DOI but not a title or pages",
    )
    parser.add_argument(
        "--model",
        metavar="MODEL.json",
        help="match weights and thresholds (default: the shipped model; "
        "benchmarks/dedup.py fits others)",
    )
    parser.add_argument(
        "--duplicate-threshold",
        type=_probability,
        help="match probability from which a pair is merged, above 0.5 and below 1 "
        "(dedup.thresholds.duplicate; default: the model's)",
    )
    parser.add_argument(
        "--uncertain-threshold",
        type=_probability,
        help="match probability from which an unmerged pair is listed, between 0 and 1 "
        "(dedup.thresholds.uncertain; default: the model's)",
    )


def run(args: argparse.Namespace) -> int:
    import logging

    import pandas as pd

    from reviewflow.dedup import deduplicate, read_decisions, read_dedup_input
    from reviewflow.dedup.model import MatchModel
    from reviewflow.dedup.settings import DedupThresholds
    from reviewflow.dedup.stage import COLLISION_COLUMNS, UNCERTAIN_COLUMNS, _write_csv
    from reviewflow.errors import DataError

    given = {"duplicate": args.duplicate_threshold, "uncertain": args.uncertain_threshold}
    thresholds = DedupThresholds.from_raw(
        {k: v for k, v in given.items() if v is not None}, source="dedup.thresholds"
    )
    records = read_dedup_input(args.data, matching_only=True)
    decisions = read_decisions(args.decisions, set(records["record_id"])) if args.decisions else []
    model = None
    if args.model:
        try:
            model = MatchModel.load(args.model)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(f"not a dedup model: {exc}", path=args.model) from exc
    result = deduplicate(
        records,
        model=model,
        thresholds=thresholds,
        decisions=decisions,
        build_studies=False,
    )
    frame = result.clusters_frame()
    _write_csv(frame, args.output)
    if args.uncertain:
        pairs = pd.DataFrame(result.uncertain, columns=list(UNCERTAIN_COLUMNS)).fillna("")
        _write_csv(pairs, args.uncertain)
    if args.doi_collisions:
        collisions = pd.DataFrame(result.doi_collisions, columns=list(COLLISION_COLUMNS))
        _write_csv(collisions.fillna(""), args.doi_collisions)
    logging.getLogger(__name__).info(
        "%d records -> %d clusters (%d uncertain pairs, %d DOI collisions)",
        len(frame),
        frame["study_id"].nunique(),
        len(result.uncertain),
        len(result.doi_collisions),
    )
    return 0
