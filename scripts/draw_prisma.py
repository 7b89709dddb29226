"""Snakemake entry point: rule draw_prisma (logic: reviewflow.prisma.draw)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file
from reviewflow.prisma import run_draw_prisma

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_draw_prisma(
        counts_path=snakemake.input.counts,
        out_svg=snakemake.output.svg,
        out_pdf=snakemake.output.pdf,
        out_png=snakemake.output.png,
    )
