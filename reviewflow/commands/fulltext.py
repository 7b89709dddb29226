"""``reviewflow fulltext``: locate full texts, or check and apply full-text decisions."""

from __future__ import annotations

import argparse

HELP = "locate open-access full texts, or check and apply full-text decisions"

_DESCRIPTION = """\
locate  for each included study (a table with study_id and record-model columns), look for
        a PDF dropped in the config's fulltext.pdf_dir (<study or record id with ':' as
        '_'>.pdf), then an open-access copy (Unpaywall by DOI, e-mail from the variable
        fulltext.unpaywall_email_env names; Europe PMC by DOI, PMID or PMCID). Records
        without any identifier are 'no identifier' and cost no request. Every request is
        archived under <results>/fulltext/archive/.
assess  check the full-text decision files against config 'fulltext' and write the
        decisions applied, the included studies and the PRISMA counts (reports sought,
        not retrieved, assessed, excluded per reason, included, awaiting a decision).

Both write the files rule locate_fulltexts / assess_fulltexts writes, under --results.
Run from the review folder: paths in the config are relative to it.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    for name, text in (
        ("locate", "find where each included study's report is"),
        ("assess", "check and apply the full-text decisions"),
    ):
        action = sub.add_parser(name, help=text)
        action.add_argument("--config", default="config/config.yaml", help="the review config")
        action.add_argument(
            "--results", default="results", help="the run's results folder (default: results)"
        )
        action.add_argument(
            "--included", help="the studies (default: <results>/screening/included.csv)"
        )
        action.add_argument(
            "--clusters", help="record -> study ids (default: <results>/dedup/clusters.csv)"
        )
    sub.choices["locate"].add_argument(
        "--replay", action="store_true", help="answer every lookup from the archive, offline"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewflow.config import load_config
    from reviewflow.fulltext.stage import FulltextSettings, run_fulltext_stage, run_locate_stage
    from reviewflow.paths import FULLTEXT

    config = load_config(args.config)
    settings = FulltextSettings.from_config(config["fulltext"])
    paths = FULLTEXT.under(args.results)
    included = args.included or paths.screened
    clusters = args.clusters or (paths.clusters if Path(paths.clusters).is_file() else None)
    if args.action == "locate":
        from reviewflow.sources.base import SourcesSettings

        frame = run_locate_stage(
            settings=settings,
            sources=SourcesSettings.from_config(config["sources"]),
            replay=args.replay or config["replay"],
            included_path=included,
            clusters_path=clusters,
            out_availability=paths.availability,
            audit_path=paths.locate_audit,
            archive_dir=paths.archive,
            download_dir=paths.pdfs,
        )
        print(frame["status"].value_counts().to_string())
        return 0
    result = run_fulltext_stage(
        settings=settings,
        included_path=included,
        clusters_path=clusters,
        decision_paths=list(settings.decisions),
        availability_path=paths.availability,
        out_decisions_applied=paths.decisions_applied,
        out_included=paths.included,
        audit_path=paths.assess_audit,
    )
    print(f"{len(result)} studies included at full text; see {Path(paths.included).parent}/")
    return 0
