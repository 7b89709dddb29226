"""The one redaction function: every secret, in every spelling a URL, a form or JSON gives it."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote, quote_plus, urlencode

import pytest

from reviewflow.logs import RedactingFormatter, redact, redact_bytes, secret_forms

KEYS = ("SECRET+KEY/123=", "secret.person@example.org", "a b+c/d=e@f")


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEYS[0])
    monkeypatch.setenv("NCBI_EMAIL", KEYS[1])
    monkeypatch.setenv("S2_API_KEY", KEYS[2])


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(
    "spell",
    [
        lambda k: k,
        lambda k: quote(k, safe=""),
        lambda k: quote(k),
        lambda k: quote_plus(k),
        lambda k: re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote_plus(k)),
        lambda k: urlencode({"api_key": k}).split("=", 1)[1],
        lambda k: json.dumps(k)[1:-1],
    ],
)
def test_every_spelling_is_redacted(secrets, key, spell):
    text = f"Max retries exceeded with url: /esearch.fcgi?term=x&api_key={spell(key)}&retmax=0"
    out = redact(text)
    assert spell(key) not in out
    assert out.startswith("Max retries exceeded with url: /esearch.fcgi?term=x&api_key=***")
    assert out.endswith("&retmax=0")


def test_bytes_and_explicit_secrets_and_short_values(secrets):
    body, changed = redact_bytes(b'{"echo": "' + quote_plus(KEYS[1]).encode() + b'"}')
    assert changed and body == b'{"echo": "***"}'
    assert redact("token=abcd1234 ok", secrets=["abcd1234"]) == "token=*** ok"
    assert redact("a 1 b", secrets=["1"]) == "a 1 b"  # too short to be a secret
    assert "SECRET%2BKEY%2F123%3D" in secret_forms(KEYS[0])


def test_log_lines_and_tracebacks_are_redacted(secrets):
    formatter = RedactingFormatter("%(message)s")
    try:
        raise ValueError(f"bad url ...&email={quote(KEYS[1])}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, "f", 1, "got %s", (KEYS[0],), sys.exc_info())
    text = formatter.format(record)
    assert "got ***" in text and "email=***" in text
    assert all(k not in text for k in KEYS) and "%40example" not in text
