"""Named extensions of one kind, each imported on first use: one registry style for all.

Sources, citation indexes (and, to come, importers, rankers and stopping rules) are looked up
by the name config gives (``searches[].source``, ``citations.sources``). A registry maps
each name to ``"module:attribute"`` and imports the module only when the name is first
used, so importing reviewflow stays cheap; an unknown name fails with the names there are,
as ASReview's ``load_extension(group, name)`` does. The schema's ``enum`` of the config key
lists the same names (``tests/unit/core/test_registries.py`` checks that).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from reviewflow.errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Mapping[str, T], Generic[T]):
    """``name -> extension``, read-only; ``kind`` names what is looked up, for errors."""

    def __init__(self, kind: str, entries: Mapping[str, str]) -> None:
        self.kind = kind
        #: name -> ``"module:attribute"``, in the order the names are offered
        self.entries = dict(entries)

    def __getitem__(self, name: str) -> T:
        try:
            target = self.entries[name]
        except KeyError:
            raise ConfigError(
                f"unknown {self.kind} {name!r}. Available options: {', '.join(self.entries)}"
            ) from None
        module_name, _, attribute = target.partition(":")
        return getattr(importlib.import_module(module_name), attribute)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def load(self, name: str) -> T:
        """The extension registered under ``name`` (same as ``registry[name]``)."""
        return self[name]
