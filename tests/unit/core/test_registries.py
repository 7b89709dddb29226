"""The schema's enums name exactly what the registries hold, and an unknown name is refused."""

from __future__ import annotations

import pytest

from reviewflow.citations import CITATION_CLIENTS
from reviewflow.config import schema_at
from reviewflow.errors import ConfigError
from reviewflow.sources import SOURCES
from reviewflow.sources.base import Source


def test_search_sources_in_the_schema_are_the_registry() -> None:
    enum = schema_at("schemas/search.schema.yaml#/items")["properties"]["source"]["enum"]
    assert list(enum) == list(SOURCES)


def test_citation_sources_in_the_schema_are_the_registry() -> None:
    items = schema_at("schemas/citations.schema.yaml")["properties"]["sources"]["items"]
    assert list(items["enum"]) == list(CITATION_CLIENTS)


def test_every_source_has_its_sources_block() -> None:
    blocks = set(schema_at("schemas/sources.schema.yaml")["properties"])
    assert set(SOURCES) | set(CITATION_CLIENTS) <= blocks


def test_registered_names_load_and_unknown_ones_list_the_options() -> None:
    for name in SOURCES:
        client = SOURCES[name]
        assert issubclass(client, Source) and client.name == name
    for name in CITATION_CLIENTS:
        assert CITATION_CLIENTS.load(name).name == name
    with pytest.raises(ConfigError, match="unknown source 'scopus'. Available options: pubmed"):
        SOURCES["scopus"]
