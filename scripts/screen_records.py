"""Snakemake entry point: rule screen_records (logic: reviewflow.screening.stage; switched
off in config, reviewflow.passthrough)."""

from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    from reviewflow.passthrough import pass_studies_through_screening
    from reviewflow.screening.settings import ScreeningSettings
    from reviewflow.screening.stage import run_screening_stage

    settings = ScreeningSettings.from_config(snakemake.params.settings)
    stage = run_screening_stage if settings.enabled else pass_studies_through_screening
    stage(
        studies_path=snakemake.input.studies,
        clusters_path=snakemake.input.clusters,
        decision_paths=list(snakemake.input.decisions),
        settings=settings,
        run_label=snakemake.params.run_label,
        screen_only_new=snakemake.params.screen_only_new,
        out_ranking=snakemake.output.ranking,
        out_next_batch_csv=snakemake.output.next_batch_csv,
        out_next_batch_xlsx=snakemake.output.next_batch_xlsx,
        out_progress=snakemake.output.progress,
        out_thresholds=snakemake.output.thresholds,
        out_conflicts=snakemake.output.conflicts,
        out_included=snakemake.output.included,
        audit_path=snakemake.output.audit,
    )
