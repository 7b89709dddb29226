"""The ``screening`` block as typed settings: what the rule, ``reviewflow screen`` and the
screening app all read."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from reviewflow.screening.active_learning import ModelSettings
from reviewflow.screening.features import FeatureSettings
from reviewflow.screening.stopping import StopSettings
from reviewflow.settings import Settings, one_or_many

__all__ = ["HighlightSettings", "ScreeningSettings"]


@dataclass(frozen=True)
class HighlightSettings(Settings):
    """``screening.highlight``: words the screening app marks in titles and abstracts.

    A trailing ``*`` matches any ending (``prescri*``: prescribing, prescription). Terms only
    guide the eye; they never change the ranking, so the rule leaves them out of its
    parameters and editing them reruns nothing.
    """

    SCHEMA: ClassVar[str] = "schemas/screening.schema.yaml#/properties/highlight"

    include: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class ScreeningSettings(Settings):
    """``screening``: the decision files, the model and its loop, the text features, the
    batch size and the stopping rule. ``stopping`` and ``highlight`` are None when config
    leaves them out (the schema creates neither block); :attr:`stop` and
    :attr:`highlight_terms` are then the schema's defaults."""

    SCHEMA: ClassVar[str] = "schemas/screening.schema.yaml"

    enabled: bool
    decisions: tuple[str, ...] = field(metadata={"read": one_or_many})
    adjudicator: str
    highlight: HighlightSettings | None
    seed: int
    batch_size: int
    model: ModelSettings
    features: FeatureSettings
    stopping: StopSettings | None

    @property
    def stop(self) -> StopSettings:
        return self.stopping or StopSettings.defaults()

    @property
    def highlight_terms(self) -> HighlightSettings:
        return self.highlight or HighlightSettings.defaults()

    def parameters(self, **resolved: Any) -> dict[str, Any]:
        """The settings as the audit records them (the highlight terms left out, as the rule
        leaves them), with the model a preset resolves to and values given at run time."""
        name, params = self.model.resolved()
        loop = {
            k: v for k, v in dataclasses.asdict(self.model).items() if k not in ("name", "params")
        }
        return {
            "enabled": self.enabled,
            "decisions": list(self.decisions),
            "adjudicator": self.adjudicator,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "model": dataclasses.asdict(self.model),
            "features": dataclasses.asdict(self.features),
            "stopping": dataclasses.asdict(self.stop),
            **resolved,
            "model_resolved": {"name": name, "params": params, "loop": loop},
        }
