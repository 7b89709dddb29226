"""Requests spent chasing N seeds through OpenAlex, against the minimum the API allows.

A local server (127.0.0.1) answers ``/works`` filters (``openalex:``, ``cited_by:``,
``cites:``, ``|``-ORed, cursor paging, ``per-page`` up to 200) from a synthetic citation
graph whose works are copies of a real recorded OpenAlex work (shape, fields, sizes) with
new ids and reference lists. Each seed has 40 references and 25 citing works drawn from a
shared pool, so works overlap between seeds as they do in a real topic.

The minimum: seeds resolved 100 per request, then for each batch of 100 seeds one request
per 200 distinct works in each direction (the API's limits: 100 ORed values, 200 per page).
The naive count is what per-seed chasing costs (1 lookup + 1 request per direction per
seed, before any paging). Run: ``python benchmarks/citations.py``.
"""

from __future__ import annotations

import copy
import json
import math
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from reviewflow.citations.chase import batched, run_rounds
from reviewflow.citations.openalex import OpenAlexCitations
from reviewflow.citations.seeds import seeds_from_config

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "tests" / "fixtures" / "citations" / "oa_snowball.bodies"
REFS_PER_SEED, CITING_PER_SEED = 40, 25


#: Both directions, as citations.directions defaults to.
BOTH = ("backward", "forward")


def _template() -> dict:
    body = next(RECORDED.glob("01_*.json")).read_text(encoding="utf-8")
    return json.loads(body)["results"][0]


class Graph:
    """Seeds W1..Wn; references and citing works from a pool shared by all seeds."""

    def __init__(self, n_seeds: int, seed: int = 2019) -> None:
        rng = random.Random(seed)
        self.template = _template()
        pool = [f"W{10_000_000 + i}" for i in range(max(2000, n_seeds * 30))]
        self.seeds = [f"W{i + 1}" for i in range(n_seeds)]
        self.refs = {s: rng.sample(pool, REFS_PER_SEED) for s in self.seeds}
        self.citing: dict[str, set[str]] = {}
        for s in self.seeds:
            for work in rng.sample(pool, CITING_PER_SEED):
                self.citing.setdefault(work, set()).add(s)
        self.cited_by_count = {s: 0 for s in self.seeds}
        for cited in self.citing.values():
            for s in cited:
                self.cited_by_count[s] += 1

    def work(self, wid: str) -> dict:
        work = copy.copy(self.template)
        work["id"] = f"https://openalex.org/{wid}"
        work["doi"] = None
        work["ids"] = {"openalex": work["id"]}
        refs = self.refs.get(wid, []) + sorted(
            s for s in self.citing.get(wid, ()) if s not in self.refs.get(wid, [])
        )
        work["referenced_works"] = [f"https://openalex.org/{r}" for r in refs]
        work["cited_by_count"] = self.cited_by_count.get(wid, 0)
        return work

    def matches(self, filter_: str) -> list[str]:
        name, _, values = filter_.partition(":")
        ids = values.split("|")
        if name == "openalex":
            return [i for i in ids if i in self.refs]
        if name == "cited_by":
            return sorted({r for i in ids for r in self.refs.get(i, [])})
        if name == "cites":
            wanted = set(ids)
            return sorted(w for w, cited in self.citing.items() if cited & wanted)
        raise ValueError(filter_)


def serve(graph: Graph) -> tuple[ThreadingHTTPServer, list[str]]:
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            params = dict(parse_qsl(urlsplit(self.path).query))
            log.append(params["filter"])
            ids = graph.matches(params["filter"])
            size = int(params.get("per-page", 25))
            start = 0 if params.get("cursor", "*") == "*" else int(params["cursor"])
            page = ids[start : start + size]
            following = str(start + size) if start + size < len(ids) else None
            body = json.dumps(
                {
                    "meta": {"count": len(ids), "per_page": size, "next_cursor": following},
                    "results": [graph.work(w) for w in page],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, log


def minimum_requests(graph: Graph) -> int:
    total = math.ceil(len(graph.seeds) / 100)
    for batch in batched(graph.seeds, 100):
        for filter_name in ("cited_by", "cites"):
            found = len(graph.matches(f"{filter_name}:{'|'.join(batch)}"))
            total += max(1, math.ceil(found / 200)) if found else 0
    return total


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 100, 1000]
    rows = []
    for n in sizes:
        graph = Graph(n)
        server, log = serve(graph)
        host, port = server.server_address[:2]
        with tempfile.TemporaryDirectory() as tmp:
            client = OpenAlexCitations.from_settings(
                {"base_url": f"http://{host}:{port}", "requests_per_second": 10_000},
                archive_dir=Path(tmp) / "openalex",
            )
            started = time.perf_counter()
            result = run_rounds([client], seeds_from_config(graph.seeds), directions=BOTH, depth=1)
            elapsed = time.perf_counter() - started
        server.shutdown()
        rows.append(
            (n, len(result.records), client.requests_made, minimum_requests(graph), 3 * n, elapsed)
        )
    header = ("seeds", "records", "requests", "minimum", "per-seed (naive)", "seconds")
    print("OpenAlex citation tracking, both directions, local server")
    print(" | ".join(f"{h:>16}" for h in header))
    for row in rows:
        print(" | ".join(f"{v:>16.1f}" if isinstance(v, float) else f"{v:>16}" for v in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
