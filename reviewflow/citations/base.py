"""What every citation client shares: built on its database's search client and session."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import requests

from reviewflow.sources.http import ApiSession

__all__ = ["CitationClientBase"]


class CitationClientBase:
    """Base of the citation clients (see :class:`reviewflow.citations.chase.CitationClient`).

    A citation client talks to its API through the search client's :class:`ApiSession`, so
    base URL, rate limit, retries, archive and replay are configured once, in ``sources``.
    """

    #: the ``sources`` key and search-client name of the database
    name: ClassVar[str]
    #: whether the API's polite-pool parameters (``mailto``) go on every request
    passes_auth_params: ClassVar[bool] = False

    session: ApiSession

    @classmethod
    def from_settings(
        cls,
        settings: Mapping[str, Any] | None,
        *,
        archive_dir: str | os.PathLike[str] | None,
        replay: bool = False,
        session: requests.Session | None = None,
    ) -> Self:
        from reviewflow.sources import get_source

        source = get_source(cls.name).from_settings(
            settings, archive_dir=archive_dir, replay=replay, session=session
        )
        if not cls.passes_auth_params:
            return cls(source.session)  # type: ignore[call-arg]
        extra = getattr(source, "auth_params", None)
        params = list(extra().items()) if callable(extra) else []
        return cls(source.session, extra_params=params)  # type: ignore[call-arg]

    @property
    def requests_made(self) -> int:
        return self.session.requests_made

    @property
    def shortfalls(self) -> list[str]:
        """Lists that paged out before the count the API announced for them: a reference
        list or citing set cut short must stop the stage like a short search does."""
        found: list[str] = self.__dict__.setdefault("_shortfalls", [])
        return found

    def fell_short(self, what: str, received: int, expected: int | None) -> None:
        """Note a list cut short; ``expected`` None: the API announced more but sent none."""
        told = f"of {expected} works" if expected is not None else "works, then an empty page"
        self.shortfalls.append(f"{self.name}: {what}: {received} {told}")
