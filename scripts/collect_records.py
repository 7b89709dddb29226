"""Snakemake entry point: rule collect_records (logic: reviewflow.collect)."""

from typing import TYPE_CHECKING

from reviewflow.collect import run_collect_stage
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_collect_stage(
        record_tables=list(snakemake.input.tables),
        out_records=snakemake.output.records,
        audit_path=snakemake.output.audit,
        previous_tables=list(snakemake.input.previous),
        run_label=snakemake.params.run_label,
    )
