"""Running the app: load the review, listen, print the link, open a browser, shut down cleanly."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import sys
import threading
import time
import webbrowser

from reviewflow.app.server import AppSettings, ScreeningApp, create_app

__all__ = ["app_url", "serve"]

log = logging.getLogger(__name__)


def app_url(host: str, port: int, token: str = "") -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"  # the address a browser on this machine can open
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def serve(settings: AppSettings, *, open_browser: bool = True) -> int:
    """Serve until interrupted; 0 on a clean stop."""
    import uvicorn

    started = time.perf_counter()
    if settings.needs_token() and not settings.token:
        settings = dataclasses.replace(settings, token=secrets.token_urlsafe(18))
    screening = ScreeningApp(settings, defer_refits=True)
    app = create_app(screening)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.02)
        port = settings.port
        for s in server.servers:
            for sock in s.sockets:
                port = sock.getsockname()[1]
        url = app_url(settings.host, port, settings.token if settings.needs_token() else "")
        files = screening.review.files
        print(
            f"reviewflow app: {screening.review.review_id} ({files.root}) at {url} "
            f"[ready in {time.perf_counter() - started:.2f} s]",
            flush=True,
        )
        for error in screening.book.errors():
            print(f"reviewflow app: {error}", file=sys.stderr, flush=True)
        if settings.needs_token():
            print(
                "reviewflow app: serving the network; only the link above (with its token) "
                "opens the app",
                flush=True,
            )
        screening.start_refits()  # the ranker's imports must not slow the first page
        if open_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, name="announce", daemon=True).start()
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot listen (the reason is logged above)
        if not server.started:
            print(
                f"reviewflow app: cannot listen on {settings.host}:{settings.port}; choose "
                "another --port (0 picks a free one)",
                file=sys.stderr,
            )
            return 2
        raise
    finally:
        screening.close()
        pending = screening.book.pending
        if pending:
            print(
                f"reviewflow app: {len(pending)} decision(s) could not be written because "
                "their file is malformed:",
                file=sys.stderr,
            )
            for item in pending:
                print("  " + ",".join(item.cells.values()), file=sys.stderr)
    return 0
