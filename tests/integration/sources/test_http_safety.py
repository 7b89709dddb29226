"""What a failing search leaves behind: no secret in any encoding, credentials kept at home,
and a machine offline told so at once.

Keys contain ``+ / = @`` on purpose: those are the characters URL encoding changes
(``SECRET%2BKEY%2F123%3D``, ``secret.person%40example.org``), which is how keys used to
slip past a redaction that looked only for the raw text.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from source_routes import CASES, pubmed_routes, run_search_stage, s2_routes

from reviewflow.errors import SourceError
from reviewflow.logs import log_to_file
from reviewflow.sources import SOURCES
from reviewflow.sources.http import archive_entries

KEY = "SECRET+KEY/123="
EMAIL = "secret.person@example.org"


def spellings(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return forms | {f.lower() for f in forms if "%" in f}


def leaked(text: str) -> list[str]:
    return [s for secret in (KEY, EMAIL) for s in spellings(secret) if s in text]


def everything_under(root: Path) -> str:
    import gzip

    texts = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(texts)


def _stage(search, sources, root):
    base = root / "results" / "search" / search["id"]
    return run_search_stage(
        search=search,
        sources=sources,
        replay=False,
        records_path=base / "records.csv",
        archive_path=base / "archive",
        audit_path=base / "search_database.audit.json",
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_secret_in_any_log_archive_or_message_of_failing_runs(
    serve, tmp_path, monkeypatch, capfd, no_sleep
):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    monkeypatch.setenv("NCBI_EMAIL", EMAIL)
    logs = tmp_path / "results" / "logs" / "search"
    search = {"id": "pm", "source": "pubmed", "query": "cancer", "max_records": 8}

    # 1. the server answers an unknown request with a 404 that echoes every parameter
    server = serve(pubmed_routes()[1:])  # no ESearch recording: the first request fails
    sources = {"pubmed": {"base_url": server.url, "requests_per_second": 1000, "max_retries": 1}}
    with pytest.raises(SystemExit), log_to_file(logs / "echo.log"):
        logging.getLogger("urllib3").setLevel(logging.DEBUG)  # logs every request line
        _stage(search, sources, tmp_path)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    assert dict(server.requests[0][2])["api_key"] == KEY  # the key was really sent
    assert "HTTP 404" in (logs / "echo.log").read_text()
    echoed = archive_entries(tmp_path / "results" / "search" / "pm" / "archive.partial")
    assert [e.get("redacted") for e in echoed] == [True]  # the body held the key, raw

    # 2. the connection resets on every attempt, and the search gives up
    server = serve(pubmed_routes())
    for _ in range(2):
        server.add_fault(reset=True)
    sources = {"pubmed": {"base_url": server.url, "requests_per_second": 1000, "max_retries": 1}}
    with pytest.raises(SystemExit), log_to_file(logs / "reset.log"):
        _stage({**search, "id": "pm2"}, sources, tmp_path)

    # 3. nothing listens on the port; 4. the host name does not resolve
    for host, name in ((f"127.0.0.1:{_closed_port()}", "refused"), ("eutils.invalid", "dns")):
        sources = {"pubmed": {"base_url": f"http://{host}", "requests_per_second": 1000}}
        with pytest.raises(SystemExit), log_to_file(logs / f"{name}.log"):
            _stage({**search, "id": f"pm-{name}"}, sources, tmp_path)

    captured = capfd.readouterr()
    assert leaked(captured.out + captured.err) == []
    everything = everything_under(tmp_path / "results")
    assert "reviewflow error" in captured.err and "HTTP 404" in everything
    assert leaked(everything) == []


def test_redaction_of_a_traceback_and_of_the_archive_index(serve, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    monkeypatch.setenv("OPENALEX_MAILTO", EMAIL)
    routes, search, *_ = CASES["openalex"]
    server = serve(routes())
    source = SOURCES["openalex"].from_settings(
        {"base_url": server.url, "requests_per_second": 1000}, archive_dir=tmp_path / "a"
    )
    assert len(list(source.search(**search))) == 2
    assert dict(server.requests[0][2])["mailto"] == EMAIL
    assert leaked(everything_under(tmp_path / "a")) == []
    # an unexpected error whose text carries a request URL, encoded as requests encodes it
    url = source.session.public_url("works", {"filter": "x", **source.auth_params()})
    url += "&" + "&".join(f"k={quote_plus(v)}" for v in (KEY, EMAIL))
    with pytest.raises(SystemExit), log_to_file(tmp_path / "bug.log"):
        raise RuntimeError(f"unexpected answer from {url}")
    text = (tmp_path / "bug.log").read_text()
    assert "Traceback" in text and "RuntimeError: unexpected answer" in text
    captured = capfd.readouterr()
    assert "reviewflow internal error" in captured.err
    assert leaked(text + captured.err) == []


def test_unreachable_host_fails_at_once_with_the_replay_hint(tmp_path, no_sleep, monkeypatch):
    port = _closed_port()
    source = SOURCES["europepmc"].from_settings(
        {"base_url": f"http://127.0.0.1:{port}", "requests_per_second": 1000},
        archive_dir=tmp_path / "a",
    )
    long_query = " OR ".join(f'"term number {i}"' for i in range(60))  # a real-sized strategy
    with pytest.raises(SourceError) as error:
        list(source.search(long_query))
    text = str(error.value)
    assert text == (
        f"europepmc: cannot reach 127.0.0.1:{port}: the connection was refused; no network? "
        "rerun from the archived answers with --config replay=true "
        "(reviewflow search: --replay --archive DIR)"
    )
    assert source.session.network_requests == 1 and no_sleep == []

    real = socket.getaddrinfo

    def no_dns(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    source = SOURCES["pubmed"].from_settings({"base_url": "https://eutils.ncbi.invalid/eutils"})
    with pytest.raises(SourceError, match=r"^pubmed: cannot reach eutils\.ncbi\.invalid: its name does not resolve; no network\?"):  # fmt: skip
        list(source.search(long_query))
    assert source.session.network_requests == 1 and no_sleep == []


def test_retry_lines_are_short_and_name_the_request_once(serve, tmp_path, no_sleep, caplog):
    routes, search, *_ = CASES["europepmc"]
    server = serve(routes())
    server.add_fault(status=503)
    server.add_fault(reset=True)
    source = SOURCES["europepmc"].from_settings(
        {"base_url": server.url, "requests_per_second": 1000}, archive_dir=tmp_path / "a"
    )
    long_query = "cancer OR " + " OR ".join(f'"term number {i}"' for i in range(60))
    with caplog.at_level(logging.WARNING):
        with pytest.raises(SourceError):  # the long query has no recording: a 404 at the end
            list(source.search(long_query, max_records=10))
    lines = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(lines) == 2
    for line in lines:
        assert len(line) < 320, line
        assert line.count("127.0.0.1") == 1


def test_credentials_do_not_follow_a_redirect_to_another_origin(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", KEY)
    routes, search, n_records, _ = CASES["semanticscholar"]
    other = serve(s2_routes())  # another port on 127.0.0.1: another origin
    server = serve(routes())
    server.add_fault(redirect=other.url)
    source = SOURCES["semanticscholar"].from_settings(
        {"base_url": server.url, "requests_per_second": 1000}, archive_dir=tmp_path / "a"
    )
    assert len(list(source.search(**search))) == n_records
    assert server.request_headers[0]["x-api-key"] == KEY  # sent to the API itself
    assert other.count() == 1
    assert "x-api-key" not in {k.lower() for k in other.request_headers[0]}
    first = archive_entries(tmp_path / "a")[0]
    assert first["final_url"].startswith(other.url + "/paper/search/bulk?")
    assert first["url"].startswith(server.url)
    assert leaked(everything_under(tmp_path / "a")) == []


def test_credentials_stay_on_a_redirect_within_the_origin(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", KEY)
    routes, search, n_records, _ = CASES["semanticscholar"]
    server = serve(routes())
    server.add_fault(redirect=server.url)
    source = SOURCES["semanticscholar"].from_settings(
        {"base_url": server.url, "requests_per_second": 1000}, archive_dir=tmp_path / "a"
    )
    assert len(list(source.search(**search))) == n_records
    assert [h.get("x-api-key") for h in server.request_headers[:2]] == [KEY, KEY]
