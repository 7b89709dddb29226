"""Reproducing a published review: its included studies traced through this run's stages.

:mod:`~reviewflow.reproduction.known` reads the published list of included studies,
:mod:`~reviewflow.reproduction.match` finds them among the run's records,
:mod:`~reviewflow.reproduction.trace` says where each stands,
:mod:`~reviewflow.reproduction.published` sets the published counts beside the run's, and
:mod:`~reviewflow.reproduction.stage` is rule ``trace_known_includes``.
"""

from __future__ import annotations

from reviewflow.reproduction.known import KnownInclude, read_known_includes
from reviewflow.reproduction.match import KnownMatches, MatchSettings, match_known_includes
from reviewflow.reproduction.published import compare_published
from reviewflow.reproduction.stage import (
    ReproductionPaths,
    ReproductionSettings,
    run_reproduction_stage,
)
from reviewflow.reproduction.trace import trace_known_includes

__all__ = [
    "KnownInclude",
    "KnownMatches",
    "MatchSettings",
    "ReproductionPaths",
    "ReproductionSettings",
    "compare_published",
    "match_known_includes",
    "read_known_includes",
    "run_reproduction_stage",
    "trace_known_includes",
]
