"""Snakemake entry point: rule count_prisma (logic: reviewflow.prisma.counts)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file
from reviewflow.prisma import PrismaSettings, run_count_prisma

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_count_prisma(
        audit_paths=list(snakemake.input.audits),
        previous_audits=list(snakemake.input.previous),
        settings=PrismaSettings.from_config(
            {
                "review": snakemake.params.review,
                "update": snakemake.params.update_settings,
                "imports": snakemake.params.imports,
            }
        ),
        out_counts=snakemake.output.counts,
        audit_path=snakemake.output.audit,
    )
