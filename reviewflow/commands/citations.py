"""``reviewflow citations``: chase references and citing works of a few studies, outside a run."""

from __future__ import annotations

import argparse

HELP = "backward/forward citation tracking from seed studies (DOI, PMID, OpenAlex id, ...)"

_EPILOG = """\
examples:
  reviewflow citations 10.1145/3383583.3398584 --output found.csv
  reviewflow citations W3045921891 pmid:31452104 --direction backward --depth 2 \\
      --output refs.csv --archive refs_archive/

Each found record carries found_by=citation, citation_seed, citation_direction and
citation_round. The seed table (resolved ids per source, or why a seed could not be
resolved) is written beside OUT as <OUT stem>.seeds.csv. Contact addresses and keys come
from the environment (OPENALEX_MAILTO, CROSSREF_MAILTO, S2_API_KEY).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument(
        "seeds",
        nargs="+",
        metavar="SEED",
        help="a DOI, pmid:123, PMC123, OpenAlex W-id, Semantic Scholar paperId or CorpusId:123",
    )
    parser.add_argument("--output", "-o", required=True, help="record table to write (CSV)")
    from reviewflow.citations import CITATION_CLIENTS

    parser.add_argument(
        "--direction",
        choices=("backward", "forward", "both"),
        help="backward = references, forward = citing works (default: citations.directions)",
    )
    parser.add_argument(
        "--source",
        action="append",
        choices=tuple(CITATION_CLIENTS),
        help="citation index to ask; repeat for several (default: citations.sources)",
    )
    parser.add_argument("--base-url", help="API base URL (a mirror or a local test server)")
    parser.add_argument(
        "--depth",
        type=int,
        metavar="N",
        help="rounds of chasing, 1-5 (without screening decisions only round 1 runs; "
        "default: citations.depth)",
    )
    parser.add_argument(
        "--archive",
        help="folder for the raw responses (default: <OUT stem>_archive/ beside OUT)",
    )
    parser.add_argument("--replay", action="store_true", help="answer every request from --archive")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.citations.seeds import write_seeds_table
    from reviewflow.citations.stage import CitationSettings, chase_citations, make_clients
    from reviewflow.records import records_frame, write_records

    given: dict[str, object] = {"seeds": list(args.seeds)}
    if args.direction:
        given["directions"] = (
            ["backward", "forward"] if args.direction == "both" else [args.direction]
        )
    if args.source:
        given["sources"] = list(dict.fromkeys(args.source))
    if args.depth is not None:
        given["depth"] = args.depth
    settings = CitationSettings.from_raw(given, source="citations")
    output = Path(args.output)
    archive = Path(args.archive) if args.archive else output.with_name(f"{output.stem}_archive")
    connection = {
        n: ({"base_url": args.base_url} if args.base_url else {}) for n in settings.sources
    }
    clients = make_clients(settings.sources, connection, archive, args.replay)
    result, _ = chase_citations(
        settings.seeds,
        clients=clients,
        directions=settings.directions,
        depth=settings.depth,
        from_included=False,
        max_per_seed=settings.max_per_seed,
    )
    write_records(records_frame(result.records.values()), output)
    seeds_path = output.with_name(f"{output.stem}.seeds.csv")
    write_seeds_table(seeds_path, result.seeds, result.resolutions, list(settings.sources))
    requests = sum(c.requests_made for c in clients)
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items() if "_round" in k)
    print(f"{len(result.records)} records -> {output} ({counts}; {requests} requests)")
    print(f"seeds -> {seeds_path}")
    return 0
