"""The web application: pages, a small JSON API, and the guards around them.

Pages are rendered on the server (Jinja2) and driven by one small script shipped in the
package (``static/app.js``); nothing is fetched from elsewhere, so the app works offline.

Guards: the app listens on 127.0.0.1 unless told otherwise, and then only answers requests
that carry its token (in the link it prints, then in a cookie). Host headers other than
the loopback names are refused (DNS rebinding), and every request that writes must carry
the ``X-Reviewflow`` header that the page's script sends and a cross-site form cannot.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reviewflow.app.book import CHOICES, ScreeningBook, read_studies, read_study_map
from reviewflow.app.cards import reason_text, study_card
from reviewflow.app.fulltext import FulltextDesk
from reviewflow.app.ranking import Ranking, RankingRefresher, pipeline_ranking
from reviewflow.app.review import Review, load_review
from reviewflow.errors import ConfigError, DataError, ReviewflowError

__all__ = ["AppSettings", "ScreeningApp", "create_app", "is_loopback"]

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
REVIEWER_COOKIE = "reviewflow_reviewer"
TOKEN_COOKIE = "reviewflow_token"
WRITE_HEADER = "x-reviewflow"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    return host in _LOOPBACK or host.startswith("127.")


@dataclass(frozen=True)
class AppSettings:
    """How the app runs (the command's options); the review itself is in its config."""

    review_dir: Path
    reviewer: str = ""
    host: str = "127.0.0.1"
    port: int = 8765
    unblind: bool = False
    token: str = ""
    refit: bool = True  # refresh the ranking in a background process
    watch_seconds: float = 1.0  # how often decision files are checked for hand edits

    def needs_token(self) -> bool:
        return not is_loopback(self.host)


class ScreeningApp:
    """Everything one running app holds: the review, its decisions, the latest ranking."""

    def __init__(self, settings: AppSettings, *, defer_refits: bool = False) -> None:
        self.settings = settings
        self.review: Review = load_review(settings.review_dir)
        files = self.review.files
        studies = read_studies(files.studies)
        self._ranking_lock = threading.Lock()
        self._lifecycle = threading.Lock()
        self._stop = threading.Event()
        self._recall: dict[str, list[str]] = {}
        self.refresher: RankingRefresher | None = None
        initial = pipeline_ranking(
            files.root, files.studies, list(files.screening_decisions), files.ranking.parent
        )
        self.ranking: Ranking = initial or Ranking(
            version=-1, order=tuple(studies), basis="file order (no ranking yet)", source="none"
        )
        self.book = ScreeningBook(
            self.review, studies, read_study_map(files.clusters, studies), on_change=self._submit
        )
        self._desk: FulltextDesk | None = None
        self._first_version = self.book.version  # the pipeline's numbers hold until a change
        self.pattern = self.review.highlight.pattern()
        if settings.refit and not defer_refits:
            self.start_refits()
        self._watcher = threading.Thread(target=self._watch, name="decision-files", daemon=True)
        self._watcher.start()

    @property
    def desk(self) -> FulltextDesk:
        """The full-text view's files, read when the view is first opened."""
        with self._ranking_lock:
            if self._desk is None:
                self._desk = FulltextDesk(self.review, self.book)
            return self._desk

    # background ------------------------------------------------------------------------

    def start_refits(self) -> None:
        """Start the background ranker (once; ``serve`` does it when the page is up)."""
        with self._lifecycle:
            if self.refresher is not None or not self.settings.refit or self._stop.is_set():
                return
            files = self.review.files
            self.refresher = RankingRefresher(
                files.studies, self.review.screening_params, self._on_ranking
            )
            self.refresher.submit(self.book.version, self.book.merged)

    def _submit(self, version: int, merged: Any) -> None:
        if self.refresher is not None:
            self.refresher.submit(version, merged)

    def _on_ranking(self, ranking: Ranking) -> None:
        with self._ranking_lock:
            if ranking.version >= self.ranking.version:
                self.ranking = ranking

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.watch_seconds):
            try:
                self.book.refresh()
            except Exception:  # keep watching; the page shows file errors itself
                log.exception("checking the decision files failed")

    def close(self) -> None:
        with self._lifecycle:
            self._stop.set()
            if self.refresher is not None:
                self.refresher.close()

    # what the page shows ---------------------------------------------------------------

    def can_see_others(self, reviewer: str) -> bool:
        return self.settings.unblind or (bool(reviewer) and reviewer == self.review.adjudicator)

    def progress(self) -> dict[str, Any]:
        with self._ranking_lock:
            ranking = self.ranking
        status = ranking.status
        finals = list(self.book.merged.final.values())
        refreshing = self.refresher is not None and (
            self.refresher.pending or ranking.version < self.book.version
        )
        out: dict[str, Any] = {
            "included": finals.count("include"),
            "excluded": finals.count("exclude"),
            "maybe": finals.count("maybe"),
            "decided": len(finals),
            "total": len(self.book.pool),
            "conflicts": len(self.book.merged.conflicts),
            "source": ranking.source,
            "basis": ranking.basis,
            "fit_seconds": round(ranking.seconds, 3),
            "refreshing": refreshing,
            "ranking_error": self.refresher.error if self.refresher else None,
            "status": None,
        }
        if status is not None:
            out["status"] = {
                "phase": status.phase,
                "rule": status.stop_rule,
                "stop_met": status.stop_met,
                "screened": status.screened,
                "total": status.total,
                "relevant": status.relevant,
                "remaining": status.total - status.screened,
                "estimated_recall": status.estimated_recall,
                "recall_lower_bound": status.recall_lower_bound,
                "p_value": status.p_value,
                "records_left": status.records_left,
                "basis": status.basis,
                "current": ranking.version == self.book.version
                or (ranking.source == "pipeline" and self.book.version == self._first_version),
            }
        return out

    def _card(self, reviewer: str, study_id: str, why: str, ranking: Ranking) -> dict[str, Any]:
        study = self.book.studies[study_id]
        position = 1
        left = len(self.book.pool) - len(self.book.merged.final)
        if why == "next":
            final = self.book.merged.final
            for sid in ranking.order:
                if sid == study_id:
                    break
                if sid not in final:
                    position += 1
            status = ranking.status
            if status is not None and status.phase == "sampling":
                switched = status.progress.get("switched_at") or 0
                position += int(status.progress.get("sample_screened") or 0)
                left = status.total - int(switched)
        if why == "again":
            reason = "Undone: your decision on this study was taken back; decide it again."
        else:
            reason = reason_text(why, ranking.status, ranking.basis, position, left)
        others = []
        if self.can_see_others(reviewer):
            votes = self.book.merged.by_reviewer.get(study_id, {})
            others = [
                {"reviewer": r, "decision": v.decision, "note": v.note}
                for r, v in sorted(votes.items())
                if r != reviewer
            ]
        own = self.book.own_decision(reviewer, study_id)
        return study_card(
            study,
            why=why,
            reason=reason,
            score=ranking.scores.get(study_id),
            pattern=self.pattern,
            own=own.decision if own else "",
            others=others,
        )

    def state(self, reviewer: str, current: str = "") -> dict[str, Any]:
        """What the screening page needs for this reviewer, right now.

        ``current`` is the study the page shows: ``current_open`` says whether it is still
        this reviewer's to decide (not decided in another tab meanwhile), so a page that
        polls keeps its card instead of jumping to a newer ranking's pick.
        """
        with self._ranking_lock:
            ranking = self.ranking
        book = self.book
        state: dict[str, Any] = {
            "reviewer": reviewer,
            "adjudicator": self.review.adjudicator,
            "file": "",
            "file_error": "",
            "errors": [str(e) for e in book.errors()],
            "pending": [
                {"study_id": book.study_of.get(p.cells["record_id"], ""), **p.cells}
                for p in book.pending
                if p.cells["reviewer"] == reviewer
            ],
            "card": None,
            "upcoming": None,
            "progress": self.progress(),
            "kappa": book.kappa() if self.can_see_others(reviewer) else [],
            "version": book.version,
            "current_open": bool(current) and book.is_open_for(reviewer, current),
        }
        if not reviewer:
            state["file_error"] = "Say who is screening: every decision is signed."
            return state
        try:
            state["file"] = self.review.files.relative(book.file_for(reviewer))
        except ConfigError as exc:
            state["file_error"] = str(exc)
            return state
        again = [
            s for s in self._recall.get(reviewer, []) if book.own_decision(reviewer, s) is None
        ]
        self._recall[reviewer] = again
        queue = [(s, "again") for s in again] + book.queue(reviewer, ranking.order, limit=2)
        seen: list[tuple[str, str]] = []
        for item in queue:
            if item[0] not in {s for s, _ in seen}:
                seen.append(item)
        if seen:
            state["card"] = self._card(reviewer, *seen[0], ranking)
        if len(seen) > 1:
            state["upcoming"] = self._card(reviewer, *seen[1], ranking)
        return state

    def undo(self, reviewer: str) -> tuple[str | None, str]:
        study, error = self.book.undo(reviewer)
        if study is not None:
            self._recall.setdefault(reviewer, []).insert(0, study)
        return study, str(error) if error else ""


# --- HTTP ---------------------------------------------------------------------------------


def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class _TokenGuard(BaseHTTPMiddleware):
    """Every request must show the token (query ``token=`` once, then the cookie)."""

    def __init__(self, app: Any, token: str) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE, "")
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return HTMLResponse(
                "<!doctype html><title>reviewflow</title><p>This screening app needs the "
                "link with its token, as printed when it started.</p>",
                status_code=403,
            )
        response = await call_next(request)
        if "token" in request.query_params:
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
        return response


def create_app(screening: ScreeningApp) -> Starlette:
    """The Starlette application serving one :class:`ScreeningApp`."""
    env = _templates()
    review = screening.review

    def reviewer_of(request: Request) -> str:
        asked = request.query_params.get("reviewer")
        if asked is not None:
            return asked.strip()
        cookie = request.cookies.get(REVIEWER_COOKIE)
        if cookie:
            return unquote(cookie).strip()
        return screening.settings.reviewer

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        reviewer = reviewer_of(request)
        html = env.get_template(name).render(
            review=review,
            reviewer=reviewer,
            can_see_others=screening.can_see_others(reviewer),
            choices=CHOICES,
            **context,
        )
        response = HTMLResponse(html)
        if "reviewer" in request.query_params:
            response.set_cookie(REVIEWER_COOKIE, quote(reviewer), samesite="strict")
        return response

    async def body(request: Request) -> dict[str, Any]:
        if request.headers.get(WRITE_HEADER) != "1":
            raise PermissionError("missing X-Reviewflow header")
        data = await request.json()
        if not isinstance(data, dict):
            raise DataError("the request body must be a JSON object")
        return data

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except PermissionError as exc:
                return JSONResponse({"error": str(exc)}, status_code=403)
            except ReviewflowError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            except ValueError as exc:  # JSON that does not parse
                return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)

        return wrapped

    async def screen_page(request: Request) -> Response:
        reviewer = reviewer_of(request)
        state = await anyio.to_thread.run_sync(screening.state, reviewer)
        return page(request, "screen.html", state=state, view="screen")

    async def api_state(request: Request) -> Response:
        current = request.query_params.get("current", "")
        state = await anyio.to_thread.run_sync(screening.state, reviewer_of(request), current)
        return JSONResponse(state)

    async def api_decide(request: Request) -> Response:
        data = await body(request)
        reviewer = reviewer_of(request)
        if not reviewer:
            raise DataError("say who is screening first")

        def work() -> dict[str, Any]:
            error = screening.book.decide(
                reviewer,
                str(data.get("study_id", "")),
                str(data.get("decision", "")),
                str(data.get("note", "")),
            )
            return {"error": str(error) if error else "", "state": screening.state(reviewer)}

        result = await anyio.to_thread.run_sync(work)
        return JSONResponse(result, status_code=202 if result["error"] else 200)

    async def api_undo(request: Request) -> Response:
        await body(request)
        reviewer = reviewer_of(request)

        def work() -> dict[str, Any]:
            study, error = screening.undo(reviewer)
            return {"undone": study, "error": error, "state": screening.state(reviewer)}

        return JSONResponse(await anyio.to_thread.run_sync(work))

    async def conflicts_page(request: Request) -> Response:
        reviewer = reviewer_of(request)
        allowed = screening.can_see_others(reviewer)
        return page(
            request,
            "conflicts.html",
            view="conflicts",
            allowed=allowed,
            conflicts=screening.book.conflicts() if allowed else [],
            kappa=screening.book.kappa() if allowed else [],
            may_adjudicate=bool(review.adjudicator) and reviewer == review.adjudicator,
            errors=[str(e) for e in screening.book.errors()],
        )

    async def api_adjudicate(request: Request) -> Response:
        data = await body(request)
        reviewer = reviewer_of(request)
        if not review.adjudicator:
            raise DataError("no adjudicator in config (screening.adjudicator)")
        if reviewer != review.adjudicator:
            raise PermissionError(f"only the adjudicator ({review.adjudicator}) settles conflicts")

        def work() -> dict[str, Any]:
            error = screening.book.decide(
                reviewer,
                str(data.get("study_id", "")),
                str(data.get("decision", "")),
                str(data.get("note", "")),
            )
            return {"error": str(error) if error else "", "conflicts": screening.book.conflicts()}

        return JSONResponse(await anyio.to_thread.run_sync(work))

    async def fulltext_page(request: Request) -> Response:
        studies = await anyio.to_thread.run_sync(screening.desk.studies)
        reviewer = reviewer_of(request)
        try:
            own = review.files.relative(screening.desk.file_for(reviewer)) if reviewer else ""
            file_error = "" if reviewer else "Say who is assessing: every decision is signed."
        except ConfigError as exc:
            own, file_error = "", str(exc)
        return page(
            request,
            "fulltext.html",
            view="fulltext",
            studies=studies,
            reasons=review.exclusion_reasons,
            file=own,
            file_error=file_error,
            errors=[str(e) for e in screening.desk.errors()],
        )

    async def api_fulltext(request: Request) -> Response:
        data = await body(request)
        reviewer = reviewer_of(request)
        if not reviewer:
            raise DataError("say who is assessing first")

        def work() -> dict[str, Any]:
            screening.desk.decide(
                reviewer,
                str(data.get("study_id", "")),
                str(data.get("decision", "")),
                str(data.get("reason", "")),
                str(data.get("note", "")),
            )
            return {"error": "", "studies": screening.desk.studies()}

        return JSONResponse(await anyio.to_thread.run_sync(work))

    async def pdf(request: Request) -> Response:
        found = screening.desk.local_pdf(request.path_params["study_id"])
        if found is None:
            return JSONResponse({"error": "no PDF of this study in the review folder"}, 404)
        return FileResponse(found, media_type="application/pdf")

    async def reviewer_page(request: Request) -> Response:
        return page(request, "reviewer.html", view="reviewer")

    async def api_reviewer(request: Request) -> Response:
        data = await body(request)
        name = " ".join(str(data.get("name", "")).split())
        if not name:
            raise DataError("a reviewer needs a name")
        response = JSONResponse({"reviewer": name})
        response.set_cookie(REVIEWER_COOKIE, quote(name), samesite="strict")
        return response

    routes = [
        Route("/", screen_page),
        Route("/conflicts", conflicts_page),
        Route("/fulltext", fulltext_page),
        Route("/reviewer", reviewer_page),
        Route("/pdf/{study_id:path}", pdf),
        Route("/api/state", guarded(api_state)),
        Route("/api/decide", guarded(api_decide), methods=["POST"]),
        Route("/api/undo", guarded(api_undo), methods=["POST"]),
        Route("/api/adjudicate", guarded(api_adjudicate), methods=["POST"]),
        Route("/api/fulltext", guarded(api_fulltext), methods=["POST"]),
        Route("/api/reviewer", guarded(api_reviewer), methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    settings = screening.settings
    hosts = ["*"] if settings.needs_token() else ["127.0.0.1", "localhost", "[::1]"]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    if settings.needs_token():
        middleware.append(Middleware(_TokenGuard, token=settings.token))
    return Starlette(routes=routes, middleware=middleware)
