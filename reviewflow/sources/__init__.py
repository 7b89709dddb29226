"""Remote bibliographic databases: one client per API, all on :mod:`reviewflow.sources.http`.

``SOURCES`` maps a source name (as used in ``searches[].source`` and ``sources.<name>``
config blocks) to its client class. Clients are imported when first looked up, so that
importing the package stays cheap; an unknown name fails with the available options.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from reviewflow.errors import ConfigError

if TYPE_CHECKING:
    from reviewflow.sources.base import Source

__all__ = ["SOURCES", "SOURCE_MODULES", "get_source"]

#: Source name -> ``module:Class`` of its client, in the order databases are usually searched.
SOURCE_MODULES: dict[str, str] = {
    "pubmed": "reviewflow.sources.pubmed:PubMedSource",
    "europepmc": "reviewflow.sources.europepmc:EuropePMCSource",
    "openalex": "reviewflow.sources.openalex:OpenAlexSource",
    "crossref": "reviewflow.sources.crossref:CrossrefSource",
    "semanticscholar": "reviewflow.sources.semanticscholar:SemanticScholarSource",
}


class _Registry(Mapping[str, "type[Source]"]):
    """A dict of client classes that imports each client module on first use."""

    def __getitem__(self, name: str) -> type[Source]:
        try:
            target = SOURCE_MODULES[name]
        except KeyError:
            raise ConfigError(
                f"unknown source {name!r}. Available options: {', '.join(SOURCE_MODULES)}"
            ) from None
        module_name, class_name = target.split(":")
        return getattr(importlib.import_module(module_name), class_name)  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(SOURCE_MODULES)

    def __len__(self) -> int:
        return len(SOURCE_MODULES)


SOURCES: Mapping[str, type[Source]] = _Registry()


def get_source(name: str) -> type[Source]:
    return SOURCES[name]
