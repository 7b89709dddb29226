"""Snakemake entry point: rule synthesise_evidence (logic: reviewflow.synthesis)."""

from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.logs import log_to_file
from reviewflow.synthesis import SynthesisSettings, run_synthesis_stage

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_synthesis_stage(
        settings=SynthesisSettings.from_config(snakemake.params.synthesis),
        dataset_path=snakemake.input.dataset,
        theory_components=snakemake.params.theory_components,
        out_dir=Path(snakemake.output.summary).parent,
        audit_path=snakemake.output.audit,
    )
