"""The ``dedup`` block as typed settings: what the rule and ``reviewflow dedup`` both read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from reviewflow.settings import Settings

__all__ = ["DedupSettings", "DedupThresholds"]


@dataclass(frozen=True)
class DedupThresholds(Settings):
    """``dedup.thresholds``: match probabilities that override the shipped model's
    ``merge_at`` / ``review_at`` (None: the model's own, chosen by leaving one labelled set
    out at a time, docs/dedup.md)."""

    SCHEMA: ClassVar[str] = "schemas/dedup.schema.yaml#/properties/thresholds"

    duplicate: float | None
    uncertain: float | None

    @property
    def given(self) -> bool:
        return self.duplicate is not None or self.uncertain is not None


@dataclass(frozen=True)
class DedupSettings(Settings):
    """``dedup``: whether the stage runs, the thresholds, the study-id order and the update
    behaviour. ``decisions`` names the verdict files the rule declares as its input."""

    SCHEMA: ClassVar[str] = "schemas/dedup.schema.yaml"

    enabled: bool
    thresholds: DedupThresholds
    decisions: str | None
    source_priority: tuple[str, ...]
    previous_clusters: str
    incremental: bool

    def parameters(self, **resolved: Any) -> dict[str, Any]:
        """The settings as the audit records them, with values resolved at run time."""
        return {
            "enabled": self.enabled,
            "thresholds": {
                k: v
                for k, v in (
                    ("duplicate", self.thresholds.duplicate),
                    ("uncertain", self.thresholds.uncertain),
                )
                if v is not None
            },
            "decisions": self.decisions or "",
            "source_priority": list(self.source_priority),
            "previous_clusters": self.previous_clusters,
            "incremental": self.incremental,
            **resolved,
        }
