"""Settings dataclasses built from one section of the screening config."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Self

__all__ = ["ConfigSettings"]


class ConfigSettings:
    """Base of the frozen dataclasses that hold a config section (features, loop, stopping).

    Keys the dataclass does not know are ignored here: the config schema has already
    rejected misspelt ones, and a section may carry keys meant for another reader (the
    model section holds ``name`` and ``params`` beside the loop settings).
    """

    @classmethod
    def from_config(cls, values: Mapping[str, Any] | None) -> Self:
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in dict(values or {}).items() if k in known})
