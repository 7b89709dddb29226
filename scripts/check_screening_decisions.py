"""Snakemake entry point: rule check_screening_decisions (logic: reviewflow.decision_checks)."""

from typing import TYPE_CHECKING

from reviewflow.decision_checks import check_screening_decisions
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    check_screening_decisions(
        clusters_path=snakemake.input.clusters,
        decision_paths=list(snakemake.input.decisions),
        out_report=snakemake.output.report,
    )
