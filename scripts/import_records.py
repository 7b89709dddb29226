"""Snakemake entry point: rule import_records (logic: reviewflow.importers.stage)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    from reviewflow.importers.settings import ImportLine
    from reviewflow.importers.stage import run_import_stage

    run_import_stage(
        export_path=snakemake.input.export,
        entry=ImportLine.from_config(snakemake.params.entry),
        out_records=snakemake.output.records,
        audit_path=snakemake.output.audit,
    )
