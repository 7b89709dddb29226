"""Snakemake entry point: rule assess_fulltexts (logic: reviewflow.fulltext.stage)."""

from typing import TYPE_CHECKING

from reviewflow.fulltext.stage import FulltextSettings, run_fulltext_stage
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_fulltext_stage(
        settings=FulltextSettings.from_config(snakemake.params.fulltext),
        included_path=snakemake.input.included,
        clusters_path=snakemake.input.clusters,
        availability_path=snakemake.input.availability,
        decision_paths=list(snakemake.input.decisions),
        out_decisions_applied=snakemake.output.decisions_applied,
        out_included=snakemake.output.included,
        audit_path=snakemake.output.audit,
        run_label=snakemake.params.run_label,
    )
