"""Forward and backward citation tracking (the ``citations`` stage).

``CITATION_CLIENTS`` maps a source name (``citations.sources`` in config) to its client
class, a :class:`~reviewflow.registry.Registry`: clients are imported when first looked up,
and an unknown name fails with the available options. OpenAlex is the primary source: it
batches 100 seeds per request in both directions. Crossref adds deposited reference lists (backward only), Semantic Scholar and
Europe PMC add their own citation graphs one seed at a time.
"""

from __future__ import annotations

from typing import Any

from reviewflow.registry import Registry

__all__ = ["CITATION_CLIENTS", "CITATION_MODULES", "get_citation_client"]

#: Source name -> ``module:Class`` of its citation client, primary source first.
CITATION_MODULES: dict[str, str] = {
    "openalex": "reviewflow.citations.openalex:OpenAlexCitations",
    "crossref": "reviewflow.citations.crossref:CrossrefCitations",
    "semanticscholar": "reviewflow.citations.semanticscholar:SemanticScholarCitations",
    "europepmc": "reviewflow.citations.europepmc:EuropePMCCitations",
}

#: The citation clients by name (see :class:`reviewflow.registry.Registry`).
CITATION_CLIENTS: Registry[Any] = Registry("citation source", CITATION_MODULES)


def get_citation_client(name: str) -> Any:
    """The client class for a source name, or a :class:`ConfigError` listing the options."""
    return CITATION_CLIENTS[name]
