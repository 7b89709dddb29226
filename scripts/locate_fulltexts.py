"""Snakemake entry point: rule locate_fulltexts (logic: reviewflow.fulltext.stage)."""

from typing import TYPE_CHECKING

from reviewflow.fulltext.stage import FulltextSettings, run_locate_stage
from reviewflow.logs import log_to_file
from reviewflow.sources.base import SourcesSettings

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_locate_stage(
        settings=FulltextSettings.from_config(snakemake.params.fulltext),
        sources=SourcesSettings.from_config(snakemake.params.sources),
        replay=snakemake.params.replay,
        included_path=snakemake.input.included,
        clusters_path=snakemake.input.clusters,
        out_availability=snakemake.output.availability,
        audit_path=snakemake.output.audit,
        archive_dir=snakemake.params.archive,
        download_dir=snakemake.params.pdfs,
    )
