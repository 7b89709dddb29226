"""``reviewflow screen``: run the screening stage on given files, outside Snakemake."""

from __future__ import annotations

import argparse
from typing import Any

from reviewflow.paths import SCREENING, ScreeningPaths

HELP = "retrain on screening decisions and write the next batch to screen (no Snakemake)"

#: The folder rule screen_records writes to (``--out`` moves every output with it).
_OUT = SCREENING.ranking.rsplit("/", 1)[0]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Read deduplicated studies, their clusters and every screening decision file, "
        "retrain the ranking model and write ranking.csv, next_batch.csv/.xlsx, "
        "progress.csv, thresholds.csv, conflicts.csv, included.csv and the audit record "
        "into --out, the files rule screen_records writes. Settings come from the screening "
        "block of --config (the schema's defaults if none)."
    )
    parser.add_argument("--studies", default=SCREENING.studies, help="studies.csv")
    parser.add_argument("--clusters", default=SCREENING.clusters, help="clusters.csv")
    parser.add_argument(
        "--decisions",
        nargs="*",
        default=None,
        metavar="CSV",
        help="decision files (default: screening.decisions from --config)",
    )
    parser.add_argument("--config", default="config/config.yaml", help="review config")
    parser.add_argument("--out", default=_OUT, help=f"output folder (default: {_OUT})")


def read_screening_block(path: str, *, given: bool) -> dict[str, Any]:
    """The config's screening block as written (empty without a config file)."""
    import os

    import yaml

    from reviewflow.errors import ConfigError

    if not os.path.exists(path):
        if given:
            raise ConfigError(f"no such config file: {path}")
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            return dict((yaml.safe_load(handle) or {}).get("screening") or {})
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the screening block: {exc}") from exc


def _outputs_in(folder: str) -> ScreeningPaths:
    """The rule's paths with its outputs moved from results/screening/ into ``folder``."""
    import dataclasses

    out = folder.rstrip("/") or "."
    moved = {
        name: f"{out}/{path[len(_OUT) + 1 :]}"
        for name, path in SCREENING.files().items()
        if path.startswith(_OUT + "/")
    }
    return dataclasses.replace(SCREENING, **moved)


def run(args: argparse.Namespace) -> int:
    from reviewflow.screening.settings import ScreeningSettings
    from reviewflow.screening.stage import run_screening_stage

    given = args.config != "config/config.yaml"
    block = read_screening_block(args.config, given=given)
    settings = ScreeningSettings.from_raw(block, source=f"{args.config}: screening")
    decisions = list(settings.decisions) if args.decisions is None else list(args.decisions)
    paths = _outputs_in(args.out)
    record = run_screening_stage(
        studies_path=args.studies,
        clusters_path=args.clusters,
        decision_paths=decisions,
        settings=settings,
        run_label="",  # outside an update: every study may be screened
        screen_only_new=False,
        out_ranking=paths.ranking,
        out_next_batch_csv=paths.next_batch_csv,
        out_next_batch_xlsx=paths.next_batch_xlsx,
        out_progress=paths.progress,
        out_thresholds=paths.thresholds,
        out_conflicts=paths.conflicts,
        out_included=paths.included,
        audit_path=paths.audit,
    )
    counts = record["counts"]
    print(
        f"{counts['screened']} of {counts['studies_in']} studies screened, "
        f"{counts['included']} included, phase {record['details']['phase']}, "
        f"next batch of {counts['next_batch']} in {paths.next_batch_xlsx}"
    )
    return 0
