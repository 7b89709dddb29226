"""Snakemake entry point: rule check_fulltext_decisions (logic: reviewflow.decision_checks)."""

from typing import TYPE_CHECKING

from reviewflow.decision_checks import check_fulltext_decisions
from reviewflow.fulltext.stage import FulltextSettings
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    check_fulltext_decisions(
        clusters_path=snakemake.input.clusters,
        decision_paths=list(snakemake.input.decisions),
        reason_codes=list(FulltextSettings.from_config(snakemake.params.fulltext).reason_labels),
        out_report=snakemake.output.report,
    )
