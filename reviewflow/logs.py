"""Routing a stage's logging into its Snakemake log file, clean errors, and secret redaction.

Keys and contact addresses come from the environment only (``NCBI_API_KEY``, ``S2_API_KEY``,
``OPENALEX_MAILTO``...). They travel in request URLs and headers, and an exception text or a
log line can carry them on, often URL-encoded (``secret.person%40example.org``,
``SECRET%2BKEY%2F123%3D``). :func:`redact` is the one place that removes them, in every
encoding a URL, a form or a JSON body can give them; every log handler reviewflow installs,
every error it prints and every archived request goes through it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, quote_plus

from reviewflow.errors import ReviewflowError

__all__ = [
    "REDACTED",
    "SECRET_ENVIRONMENT",
    "RedactingFormatter",
    "log_to_file",
    "redact",
    "redact_bytes",
    "register_secret",
    "secret_forms",
    "setup_console_logging",
]

#: What a secret is replaced with.
REDACTED = "***"

#: Environment variables whose values are secrets wherever they appear.
SECRET_ENVIRONMENT: tuple[str, ...] = (
    "NCBI_API_KEY",
    "NCBI_EMAIL",
    "OPENALEX_API_KEY",
    "OPENALEX_MAILTO",
    "CROSSREF_MAILTO",
    "S2_API_KEY",
    "UNPAYWALL_EMAIL",
)

#: Values shorter than this are not treated as secrets: redacting "1" would garble text.
MIN_SECRET_LENGTH = 4

_registered: set[str] = set()
_cache: dict[frozenset[str], tuple[str, ...]] = {}


def register_secret(value: str) -> None:
    """Treat ``value`` as a secret from now on (keys read from other variables, tests)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _registered.add(value)


def _hex_case_variants(text: str) -> set[str]:
    """``%2B`` and ``%2b``: percent-escapes are case-insensitive, and servers echo both."""
    lower = re.sub(r"%[0-9A-Fa-f]{2}", lambda m: m.group().lower(), text)
    upper = re.sub(r"%[0-9A-Fa-f]{2}", lambda m: m.group().upper(), text)
    return {text, lower, upper}


def secret_forms(value: str) -> set[str]:
    """Every spelling of ``value`` a URL, a form body, a log or a JSON body can carry."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value)}
    forms.add(quote_plus(value, safe="@"))
    forms.add(json.dumps(value)[1:-1])
    forms.add(json.dumps(value)[1:-1].replace("/", "\\/"))
    spelled: set[str] = set()
    for form in forms:
        spelled |= _hex_case_variants(form)
    return {f for f in spelled if len(f) >= MIN_SECRET_LENGTH}


def _current_secrets() -> tuple[str, ...]:
    values = {os.environ.get(name, "").strip() for name in SECRET_ENVIRONMENT}
    values |= _registered
    key = frozenset(v for v in values if len(v) >= MIN_SECRET_LENGTH)
    if key not in _cache:
        forms: set[str] = set()
        for value in key:
            forms |= secret_forms(value)
        # longest first, so that an encoded form is not half-replaced by a shorter one
        _cache.clear()
        _cache[key] = tuple(sorted(forms, key=len, reverse=True))
    return _cache[key]


def redact(text: Any, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret (environment keys, registered and ``secrets``) replaced."""
    result = str(text)
    extra: set[str] = set()
    for value in secrets:
        if value and len(value) >= MIN_SECRET_LENGTH:
            extra |= secret_forms(value)
    for form in sorted(extra, key=len, reverse=True) + list(_current_secrets()):
        if form in result:
            result = result.replace(form, REDACTED)
    return result


def redact_bytes(body: bytes, secrets: Iterable[str] = ()) -> tuple[bytes, bool]:
    """``body`` with secrets replaced (as UTF-8), and whether anything was replaced."""
    forms: set[str] = set(_current_secrets())
    for value in secrets:
        if value and len(value) >= MIN_SECRET_LENGTH:
            forms |= secret_forms(value)
    changed = False
    for form in sorted(forms, key=len, reverse=True):
        encoded = form.encode("utf-8")
        if encoded in body:
            body = body.replace(encoded, REDACTED.encode("ascii"))
            changed = True
    return body, changed


class RedactingFormatter(logging.Formatter):
    """A formatter whose every line (message, arguments, traceback) has secrets removed."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _RedactingStream:
    """A text stream that removes secrets from everything written through it."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def setup_console_logging(verbose: bool = False) -> None:
    """Log to stderr through :class:`RedactingFormatter` (unless logging is already set up)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])


@contextlib.contextmanager
def log_to_file(path: str | os.PathLike[str]) -> Iterator[None]:
    """Send logging and stderr to ``path`` for the duration of a Snakemake script.

    A :class:`ReviewflowError` ends the script with its message (in the log and on the
    terminal) and exit status 1 instead of a traceback: the user sees which file, line and
    field to fix. Any other exception is a bug: its traceback goes to the log and a one-line
    summary to the terminal, both with secrets removed (an exception text can hold a
    request URL), and the script exits with status 1.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    terminal = sys.__stderr__
    with open(path, "w", encoding="utf-8") as raw_handle:
        handle = _RedactingStream(raw_handle)
        handler = logging.StreamHandler(handle)  # type: ignore[arg-type]
        handler.setFormatter(
            RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        )
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        old_stderr = sys.stderr
        sys.stderr = handle  # type: ignore[assignment]
        try:
            yield
        except ReviewflowError as exc:
            handle.write(f"error: {exc}\n")
            if terminal is not None:
                terminal.write(redact(f"reviewflow error: {exc}\n"))
            raise SystemExit(1) from None
        except Exception as exc:
            handle.write("".join(traceback.format_exception(exc)))
            if terminal is not None:
                summary = f"{type(exc).__name__}: {exc}"
                terminal.write(
                    redact(f"reviewflow internal error (traceback in {path}): {summary}\n")
                )
            raise SystemExit(1) from None
        finally:
            sys.stderr = old_stderr
            root.removeHandler(handler)
