"""Snakemake entry point: rule search_database (logic: reviewflow.sources.stage)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    from reviewflow.sources.base import SourcesSettings
    from reviewflow.sources.stage import SearchLine, run_search_stage

    run_search_stage(
        search=SearchLine.from_config(snakemake.params.search),
        sources=SourcesSettings.from_config(snakemake.params.sources),
        replay=snakemake.params.replay,
        records_path=snakemake.output.records,
        archive_path=snakemake.params.archive,
        audit_path=snakemake.output.audit,
    )
