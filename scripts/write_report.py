"""Snakemake entry point: rule write_report (logic: reviewflow.report)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file
from reviewflow.report import ReportConfig, ReportInputs, run_report_stage

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_report_stage(
        config=ReportConfig.from_config(snakemake.params.settings),
        audit_paths=list(snakemake.input.audits),
        inputs=ReportInputs(
            counts=snakemake.input.counts,
            prisma_svg=snakemake.input.prisma,
            synthesis=snakemake.input.synthesis,
            logic_model_png=snakemake.input.logic_model,
            included=snakemake.input.included,
            progress=snakemake.input.progress,
            thresholds=snakemake.input.thresholds,
            dataset=snakemake.input.dataset,
            extraction_audit=snakemake.input.extraction_audit,
            records=snakemake.input.records,
            reproduction=snakemake.input.reproduction,
            known_includes=snakemake.input.known_includes,
            seeds=snakemake.input.seeds or None,
        ),
        out_html=snakemake.output.html,
        audit_path=snakemake.output.audit,
        pdf_path=snakemake.params.pdf or None,
    )
