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
    parser.add_argument(
        "--direction",
        choices=("backward", "forward", "both"),
        default="both",
        help="backward = references, forward = citing works (default: both)",
    )
    parser.add_argument(
        "--source",
        action="append",
        choices=("openalex", "crossref", "semanticscholar", "europepmc"),
        help="citation index to ask; repeat for several (default: openalex)",
    )
    parser.add_argument("--base-url", help="API base URL (a mirror or a local test server)")
    parser.add_argument(
        "--depth",
        type=int,
        default=1,
        choices=range(1, 6),
        metavar="N",
        help="rounds of chasing, 1-5 (without screening decisions only round 1 runs)",
    )
    parser.add_argument(
        "--archive",
        help="folder for the raw responses (default: <OUT stem>_archive/ beside OUT)",
    )
    parser.add_argument("--replay", action="store_true", help="answer every request from --archive")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.citations.seeds import write_seeds_table
    from reviewflow.citations.stage import chase_citations, make_clients
    from reviewflow.records import records_frame, write_records

    output = Path(args.output)
    sources = args.source or ["openalex"]
    archive = Path(args.archive) if args.archive else output.with_name(f"{output.stem}_archive")
    settings = {name: ({"base_url": args.base_url} if args.base_url else {}) for name in sources}
    clients = make_clients(sources, settings, archive, args.replay)
    result, _ = chase_citations(
        args.seeds, clients=clients, directions=args.direction, depth=args.depth
    )
    write_records(records_frame(result.records.values()), output)
    seeds_path = output.with_name(f"{output.stem}.seeds.csv")
    write_seeds_table(seeds_path, result.seeds, result.resolutions, sources)
    requests = sum(c.requests_made for c in clients)
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items() if "_round" in k)
    print(f"{len(result.records)} records -> {output} ({counts}; {requests} requests)")
    print(f"seeds -> {seeds_path}")
    return 0
