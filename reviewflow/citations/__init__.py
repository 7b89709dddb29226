"""Forward and backward citation tracking (the ``citations`` stage).

``CITATION_CLIENTS`` maps a source name (``citations.sources`` in config) to its client
class; clients are imported when first looked up, and an unknown name fails with the
available options. OpenAlex is the primary source: it batches 100 seeds per request in both
directions. Crossref adds deposited reference lists (backward only), Semantic Scholar and
Europe PMC add their own citation graphs one seed at a time.
"""

from __future__ import annotations

import importlib
from typing import Any

from reviewflow.errors import ConfigError

__all__ = ["CITATION_CLIENTS", "get_citation_client"]

#: Source name -> ``module:Class`` of its citation client, primary source first.
CITATION_CLIENTS: dict[str, str] = {
    "openalex": "reviewflow.citations.openalex:OpenAlexCitations",
    "crossref": "reviewflow.citations.crossref:CrossrefCitations",
    "semanticscholar": "reviewflow.citations.semanticscholar:SemanticScholarCitations",
    "europepmc": "reviewflow.citations.europepmc:EuropePMCCitations",
}


def get_citation_client(name: str) -> Any:
    """The client class for a source name, or a :class:`ConfigError` listing the options."""
    try:
        target = CITATION_CLIENTS[name]
    except KeyError:
        raise ConfigError(
            f"unknown citation source {name!r}. Available options: {', '.join(CITATION_CLIENTS)}"
        ) from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)
