"""ApiSession pieces that need no server: Retry-After, rate limit, secrets, archive index."""

from __future__ import annotations

import email.utils
import json
import time

import pytest

from reviewflow.errors import DataError, SourceError
from reviewflow.sources.http import ApiSession, _api_message, _retry_after, archive_entries


def test_retry_after_seconds_and_http_date():
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= _retry_after(later) <= 31


def test_api_message_from_real_error_shapes():
    assert _api_message(b'{"error": "Invalid query parameters", "message": "x"}') == "x"
    assert _api_message(b'{"error":"Unrecognized or unsupported fields: [bad]"}').startswith(
        "Unrecognized"
    )
    assert _api_message(b"<html>Bad Gateway</html>") == "<html>Bad Gateway</html>"


def test_rate_limit_spaces_requests(monkeypatch):
    waits: list[float] = []
    session = ApiSession("openalex", "http://x", archive_dir=None, requests_per_second=4)
    session.sleep = waits.append
    session._last_sent = time.monotonic()
    session._wait_for_rate_limit()
    assert waits and 0.2 < waits[0] <= 0.25


def test_public_url_has_no_secrets():
    session = ApiSession(
        "pubmed", "https://eutils.example/eutils", archive_dir=None, requests_per_second=3,
        secret_params=("api_key", "email"),
    )  # fmt: skip
    url = session.public_url("esearch.fcgi", {"term": "a b", "api_key": "K", "email": "e@x"})
    assert url == "https://eutils.example/eutils/esearch.fcgi?term=a+b"


def test_replay_without_archive_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no archive"):
        ApiSession("crossref", "http://x", archive_dir=tmp_path, replay=True, requests_per_second=1)


def test_archive_index_cut_off_last_line_is_ignored_but_not_a_middle_one(tmp_path):
    good = json.dumps({"seq": 1, "method": "GET", "path": "works", "params": [], "final": True})
    (tmp_path / "requests.jsonl").write_text(good + "\n" + '{"seq": 2, "meth')
    assert [e["seq"] for e in archive_entries(tmp_path)] == [1]
    (tmp_path / "requests.jsonl").write_text('{"seq": 2, "meth\n' + good + "\n")
    with pytest.raises(DataError, match="line 1"):
        archive_entries(tmp_path)
