"""Snakemake entry point: rule locate_fulltexts (logic: reviewflow.fulltext.stage)."""

from typing import TYPE_CHECKING

from reviewflow.fulltext.stage import run_locate_stage
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_locate_stage(
        included_path=snakemake.input.included,
        clusters_path=snakemake.input.clusters,
        out_availability=snakemake.output.availability,
        archive_dir=snakemake.params.archive,
        replay_archive_dir=snakemake.input.archive[0] if snakemake.input.archive else None,
        audit_path=snakemake.output.audit,
        pdf_dir=snakemake.params.pdf_dir,
        sources=snakemake.params.sources,
        replay=snakemake.params.replay,
        email_env=snakemake.params.email_env,
        download=snakemake.params.download,
        download_dir="results/fulltext/pdfs",
    )
