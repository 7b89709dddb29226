"""Fixtures of the source client tests: a fixture server factory and a sleep recorder."""

from __future__ import annotations

import pytest
from fixture_server import FixtureServer, Route


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits ApiSession asks for instead of sleeping through them."""
    waits: list[float] = []
    monkeypatch.setattr("reviewflow.sources.http.time.sleep", waits.append)
    return waits


@pytest.fixture
def serve():
    """Start a FixtureServer on given routes; stopped after the test."""
    servers: list[FixtureServer] = []

    def start(routes: list[Route]) -> FixtureServer:
        server = FixtureServer(routes).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
