"""Evidence synthesis from the extraction dataset: realist, framework and narrative tables and
the logic model (rule ``synthesise_evidence``)."""

from __future__ import annotations

from reviewflow.synthesis.settings import SynthesisSettings
from reviewflow.synthesis.stage import SYNTHESIS_FILES, run_synthesis_stage

__all__ = ["SYNTHESIS_FILES", "SynthesisSettings", "run_synthesis_stage"]
