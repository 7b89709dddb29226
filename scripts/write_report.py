"""Snakemake entry point: rule write_report (logic: reviewflow.report)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file
from reviewflow.report import run_report_stage

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_report_stage(
        config={"review": snakemake.params.review, "report": snakemake.params.report},
        audit_paths=list(snakemake.input.audits),
        counts_path=snakemake.input.counts,
        prisma_svg=snakemake.input.prisma,
        synthesis_path=snakemake.input.synthesis,
        logic_model_png=snakemake.input.logic_model,
        included_path=snakemake.input.included,
        progress_path=snakemake.input.progress,
        thresholds_path=snakemake.input.thresholds,
        out_html=snakemake.output.html,
        audit_path=snakemake.output.audit,
        pdf_path=snakemake.params.pdf or None,
    )
