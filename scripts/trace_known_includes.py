"""Snakemake entry point: rule trace_known_includes (logic: reviewflow.reproduction)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    from reviewflow.reproduction import (
        ReproductionPaths,
        ReproductionSettings,
        run_reproduction_stage,
    )

    run_reproduction_stage(
        settings=ReproductionSettings.from_config(snakemake.params.settings),
        audit_paths=list(snakemake.input.audits),
        screening_decisions=list(snakemake.input.screening_decisions),
        known_includes_path=str(snakemake.input.known_includes or "") or None,
        paths=ReproductionPaths(
            records=snakemake.input.records,
            clusters=snakemake.input.clusters,
            screening_included=snakemake.input.screening_included,
            fulltext_decisions=snakemake.input.fulltext_decisions,
            dataset=snakemake.input.dataset,
            counts=snakemake.input.counts,
            out_trace=snakemake.output.trace,
            out_summary=snakemake.output.summary,
            audit=snakemake.output.audit,
        ),
    )
