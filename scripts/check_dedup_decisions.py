"""Snakemake entry point: rule check_dedup_decisions (logic: reviewflow.decision_checks)."""

from typing import TYPE_CHECKING

from reviewflow.decision_checks import check_dedup_decisions
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    check_dedup_decisions(
        records_path=snakemake.input.records,
        decision_paths=list(snakemake.input.manual),
        out_report=snakemake.output.report,
    )
