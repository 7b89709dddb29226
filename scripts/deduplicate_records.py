"""Snakemake entry point: rule deduplicate_records (logic: reviewflow.dedup; switched off in
config, reviewflow.passthrough)."""

from typing import TYPE_CHECKING

from reviewflow.dedup import run_dedup_stage
from reviewflow.dedup.settings import DedupSettings
from reviewflow.logs import log_to_file
from reviewflow.passthrough import pass_records_through_dedup

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    settings = DedupSettings.from_config(snakemake.params.settings)
    stage = run_dedup_stage if settings.enabled else pass_records_through_dedup
    stage(
        records_paths=[snakemake.input.records],
        decisions_path=(list(snakemake.input.manual) or [None])[0],
        settings=settings,
        run_label=snakemake.params.run_label,
        out_studies=snakemake.output.studies,
        out_clusters=snakemake.output.clusters,
        out_merges=snakemake.output.merges,
        out_uncertain_csv=snakemake.output.uncertain_csv,
        out_uncertain_xlsx=snakemake.output.uncertain_xlsx,
        audit_path=snakemake.output.audit,
        previous_runs=list(snakemake.params.previous_runs),
    )
