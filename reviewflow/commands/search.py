"""``reviewflow search``: one database search outside a review, straight to a CSV."""

from __future__ import annotations

import argparse

HELP = "search one database (pubmed, europepmc, openalex, crossref, semanticscholar) to a CSV"

_EPILOG = """\
examples:
  reviewflow search pubmed '"nudge"[tiab] AND physician*[tiab]' --output pubmed.csv
  reviewflow search openalex "" --filter type=article --filter openalex=W3045921891 -o oa.csv
  reviewflow search crossref widget --max-records 60 --archive crossref-archive/ -o cr.csv
  reviewflow search europepmc cancer --replay --archive crossref-archive/ -o again.csv

The query is in the database's own syntax. Keys come from the environment only
(NCBI_API_KEY, NCBI_EMAIL, OPENALEX_MAILTO, CROSSREF_MAILTO, S2_API_KEY). With --archive
every request and raw answer is kept there; rerunning with the same --archive resumes an
interrupted search, and --replay reads it back without the network. A search that
returns fewer records than the database reported, or that the database changed (PubMed's
PhraseNotFound...), stops with an error unless --allow-shortfall / --allow-warning says so.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reviewflow.sources import SOURCE_MODULES

    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument("source", choices=list(SOURCE_MODULES), help="the database to search")
    parser.add_argument("query", help="the query, in that database's own syntax")
    parser.add_argument("-o", "--output", required=True, help="record table to write (CSV)")
    parser.add_argument("--base-url", help="API base URL (default: the public API)")
    parser.add_argument("--max-records", type=int, help="stop after this many records")
    parser.add_argument("--date-from", help="earliest publication date (YYYY[-MM[-DD]])")
    parser.add_argument("--date-to", help="latest publication date (YYYY[-MM[-DD]])")
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a filter in the API's own terms (repeatable), e.g. type=article",
    )
    parser.add_argument("--archive", help="folder for the request/response archive")
    parser.add_argument(
        "--replay", action="store_true", help="answer every request from --archive, offline"
    )
    parser.add_argument("--id", default="", help="search id used in record ids (default: source)")
    parser.add_argument(
        "--requests-per-second", type=float, help="override the documented rate limit"
    )
    parser.add_argument(
        "--search-field",
        help="where the query goes: OpenAlex search (default) or title_and_abstract.search, "
        "Crossref query (default) or query.bibliographic",
    )
    parser.add_argument(
        "--allow-shortfall",
        action="store_true",
        help="write the records even if fewer came back than the database reported",
    )
    parser.add_argument(
        "--allow-warning",
        action="append",
        default=[],
        metavar="WARNING",
        help="accept a database warning, by kind (PhraseNotFound) or exactly (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from reviewflow.errors import ConfigError
    from reviewflow.records import write_records
    from reviewflow.sources.stage import run_search

    filters = {}
    for item in args.filter:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--filter {item!r}: expected KEY=VALUE")
        filters[key] = value
    if args.replay and not args.archive:
        raise ConfigError("--replay needs --archive (the folder to replay from)")
    if args.max_records is not None and args.max_records < 1:
        raise ConfigError("--max-records must be at least 1")
    settings = {}
    if args.base_url:
        settings["base_url"] = args.base_url
    if args.requests_per_second:
        settings["requests_per_second"] = args.requests_per_second
    result = run_search(
        args.source,
        args.query,
        search_id=args.id or args.source,
        archive_dir=args.archive,
        replay=args.replay,
        settings=settings,
        date_from=args.date_from,
        date_to=args.date_to,
        filters=filters,
        max_records=args.max_records,
        search_field=args.search_field,
        allow_shortfall=args.allow_shortfall,
        allow_warnings=args.allow_warning,
    )
    write_records(result.records, args.output)
    print(
        f"{args.source}: {result.hits} hits reported, {len(result.records)} records written "
        f"to {args.output} in {result.requests_made} requests ({result.base_url})",
        file=sys.stderr,
    )
    if result.shortfall:
        print(
            f"{args.source}: shortfall accepted: {result.shortfall['received']} of "
            f"{result.shortfall['expected']} records",
            file=sys.stderr,
        )
    for warning in result.warnings:
        print(f"{args.source}: database warning accepted: {warning}", file=sys.stderr)
    if result.query_translation:
        print(f"{args.source}: searched {result.query_translation}", file=sys.stderr)
    return 0
