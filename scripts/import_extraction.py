"""Snakemake entry point: rule import_extraction (logic: reviewflow.extraction.stage)."""

from typing import TYPE_CHECKING

from reviewflow.extraction.form import ExtractionSettings
from reviewflow.extraction.stage import run_import_stage
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_import_stage(
        settings=ExtractionSettings.from_config(snakemake.params.extraction),
        included_path=snakemake.input.included,
        clusters_path=snakemake.input.clusters,
        filled_path=snakemake.input.filled[0] if snakemake.input.filled else None,
        out_dataset=snakemake.output.dataset,
        out_report=snakemake.output.report,
        out_tables_dir=snakemake.output.tables,
        audit_path=snakemake.output.audit,
    )
