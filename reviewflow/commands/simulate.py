"""``reviewflow simulate``: replay screening on labelled data to judge models and stopping."""

from __future__ import annotations

import argparse

HELP = "simulate active learning screening on a labelled CSV and write the screening order"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Screen every record of DATA.csv (columns title, abstract, label_included 0/1; "
        "authors, keywords, year optional) in the order reviewflow's active learning would "
        "ask for it, starting from one random included and one random excluded record. "
        "Writes ORDER.csv with columns row (0-based row of DATA.csv), label_included and "
        "prior. Score it with ../shared/bench/screening_metrics.py ORDER.csv DATA.csv "
        "--match row."
    )
    parser.add_argument("data", metavar="DATA.csv", help="labelled screening data")
    parser.add_argument(
        "--output", "-o", required=True, metavar="ORDER.csv", help="where to write the order"
    )
    parser.add_argument("--seed", type=int, default=42, help="seed for priors and model (42)")
    parser.add_argument(
        "--model",
        help="model preset or registry name (default: reviewflow-default); "
        "see reviewflow.screening.models.PRESETS",
    )
    parser.add_argument(
        "--label-column", default="label_included", help="0/1 label column (label_included)"
    )
    parser.add_argument(
        "--stop-output",
        metavar="STOP.csv",
        help="write the rows a reviewer would have screened until the configured stopping "
        "rule said stop, in the order screened (columns row, label_included, prior, phase); "
        "score it with screening_metrics.py STOP.csv DATA.csv --match row",
    )
    parser.add_argument(
        "--stopping-report",
        metavar="REPORT.csv",
        help="also replay every stopping rule on this run and write what each achieved",
    )
    parser.add_argument(
        "--rule", help="stopping rule (default: screening.stopping.rule, else biased_urn)"
    )
    parser.add_argument(
        "--recall-target", type=float, help="stopping target (default: config, else 0.95)"
    )
    parser.add_argument(
        "--confidence", type=float, help="stopping confidence (default: config, else 0.95)"
    )
    parser.add_argument(
        "--config",
        metavar="CONFIG.yaml",
        help="take screening.model / features / stopping settings from a review config",
    )


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import logging

    from reviewflow.commands.screen import read_screening_block
    from reviewflow.io import atomic_open
    from reviewflow.screening.settings import ScreeningSettings
    from reviewflow.screening.simulate import (
        read_labelled,
        run_simulation,
        stopping_report,
        write_order,
        write_stop_order,
    )
    from reviewflow.screening.stopping import get_stopper

    block = read_screening_block(args.config, given=True) if args.config else {}
    model = dict(block.pop("model", None) or {})
    if args.model:
        model["name"] = args.model
    stop = dict(block.pop("stopping", None) or {})
    for key, value in (
        ("rule", args.rule),
        ("recall_target", args.recall_target),
        ("confidence", args.confidence),
    ):
        if value is not None:
            stop[key] = value
    screening = ScreeningSettings.from_raw(
        {**block, "model": model, "stopping": stop}, source=f"{args.config or '--'}: screening"
    )
    settings = screening.stop
    get_stopper(settings.rule)  # an unknown rule fails before the simulation runs
    frame = read_labelled(args.data, args.label_column)
    result = run_simulation(
        frame,
        seed=args.seed,
        model=dataclasses.asdict(screening.model),
        features=dataclasses.asdict(screening.features),
        keep_scores=bool(args.stopping_report) or settings.rule == "quant",
    )
    write_order(result, args.output)
    if args.stop_output:
        rows = write_stop_order(result, args.stop_output, settings, seed=args.seed)
        found = int(result.labels[rows].sum())
        logging.getLogger(__name__).info(
            "rule %s stopped after %d of %d records, %d of %d relevant found",
            settings.rule,
            len(rows),
            len(result.order),
            found,
            int(result.labels.sum()),
        )
    logging.getLogger(__name__).info(
        "%d records screened in simulation, %d retrainings, %.1f s",
        len(result.order),
        result.fits,
        result.seconds,
    )
    if args.stopping_report:
        import pandas as pd

        report_rows = stopping_report(result, settings, seed=args.seed)
        with atomic_open(args.stopping_report, "w", encoding="utf-8", newline="") as handle:
            pd.DataFrame(report_rows).to_csv(handle, index=False, lineterminator="\n")
    return 0
