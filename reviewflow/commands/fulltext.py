"""``reviewflow fulltext``: locate full texts, or check and apply full-text decisions."""

from __future__ import annotations

import argparse

HELP = "locate open-access full texts, or check and apply full-text decisions"

_DESCRIPTION = """\
locate  for each included study (a table with study_id and record-model columns), look for
        a PDF dropped in --pdf-dir (<study or record id with ':' as '_'>.pdf), then an
        open-access copy (Unpaywall by DOI, e-mail from $UNPAYWALL_EMAIL; Europe PMC by
        DOI, PMID or PMCID). Records without any identifier are 'no identifier' and cost
        no request. Every request is archived under --archive.
assess  check the full-text decision files against config 'fulltext' and write the
        decisions applied, the included studies and the PRISMA counts (reports sought,
        not retrieved, assessed, excluded per reason, included, awaiting a decision).

Run from the review folder: paths in the config are relative to it.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = _DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    locate = sub.add_parser("locate", help="find where each included study's report is")
    locate.add_argument("--included", default="results/screening/included.csv")
    locate.add_argument("--output", "-o", required=True, metavar="AVAILABILITY.csv")
    locate.add_argument("--archive", default="results/fulltext/archive", help="archive folder")
    locate.add_argument("--pdf-dir", default="fulltexts", help="folder of dropped PDFs")
    locate.add_argument("--clusters", help="results/dedup/clusters.csv (member record ids)")
    locate.add_argument("--replay", action="store_true", help="answer from the archive only")
    assess = sub.add_parser("assess", help="check and apply the full-text decisions")
    assess.add_argument("--config", required=True, help="the review config (YAML)")
    assess.add_argument("--included", default="results/screening/included.csv")
    assess.add_argument("--clusters", default="results/dedup/clusters.csv")
    assess.add_argument(
        "--output-dir", default="results/fulltext", help="where to write the three outputs"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.action == "locate":
        from reviewflow.fulltext.stage import run_locate_stage

        frame = run_locate_stage(
            included_path=args.included,
            out_availability=args.output,
            audit_path=str(Path(args.output).with_suffix(".audit.json")),
            archive_dir=args.archive,
            clusters_path=args.clusters,
            pdf_dir=args.pdf_dir,
            replay=args.replay,
        )
        print(frame["status"].value_counts().to_string())
        return 0
    from reviewflow.config import load_config
    from reviewflow.fulltext.stage import run_fulltext_stage

    config = load_config(args.config)
    settings = config.get("fulltext") or {}
    files = settings.get("decisions") or []
    out = Path(args.output_dir)
    result = run_fulltext_stage(
        included_path=args.included,
        clusters_path=args.clusters if Path(args.clusters).is_file() else None,
        decision_paths=[files] if isinstance(files, str) else list(files),
        exclusion_reasons=settings.get("exclusion_reasons") or [],
        out_decisions_applied=str(out / "decisions_applied.csv"),
        out_included=str(out / "included.csv"),
        audit_path=str(out / "assess_fulltexts.audit.json"),
    )
    print(f"{len(result)} studies included at full text; see {out}/")
    return 0
