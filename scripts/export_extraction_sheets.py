"""Snakemake entry point: rule export_extraction_sheets (logic: reviewflow.extraction)."""

from typing import TYPE_CHECKING

from reviewflow.extraction.form import ExtractionSettings
from reviewflow.extraction.stage import run_export_stage
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_export_stage(
        settings=ExtractionSettings.from_config(snakemake.params.extraction),
        included_path=snakemake.input.included,
        clusters_path=snakemake.input.clusters,
        previous_path=snakemake.input.previous[0] if snakemake.input.previous else None,
        out_xlsx=snakemake.output.workbook,
        out_csv_dir=snakemake.output.csv,
        audit_path=snakemake.output.audit,
        title=snakemake.params.title,
    )
