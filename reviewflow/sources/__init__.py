"""Remote bibliographic databases: one client per API, all on :mod:`reviewflow.sources.http`.

``SOURCES`` maps a source name (as used in ``searches[].source`` and ``sources.<name>``
config blocks) to its client class: a :class:`~reviewflow.registry.Registry`, so clients
are imported when first looked up and an unknown name fails with the available options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewflow.registry import Registry

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


#: The source clients by name (see :class:`reviewflow.registry.Registry`).
SOURCES: Registry[type[Source]] = Registry("source", SOURCE_MODULES)


def get_source(name: str) -> type[Source]:
    return SOURCES[name]
