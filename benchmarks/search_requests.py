"""Requests and wall time of each search client against result sets of 1k, 10k and 100k.

A local server (127.0.0.1) serves synthetic result pages built from one real record of
each API (tests/fixtures/sources/), paged the way the API pages (cursor, cursorMark,
token, WebEnv + retstart), at most the API's largest page. For each source and size the
table shows the requests made, the minimum possible (hits / largest page, plus the ESearch
for PubMed; past PubMed's 9,999-record history limit one ESearch and one EFetch per date
window of 9,999), wall time and whether every record came exactly once. The PubMed server
refuses ``retstart`` past 9,998 as NCBI does and dates its records evenly over 1990-2024,
so the client's date-window splitting is measured too.

    python benchmarks/search_requests.py [--sizes 1000,10000,100000] [--sources openalex,...]
"""

from __future__ import annotations

import argparse
import bisect
import copy
import datetime
import hashlib
import json
import math
import re
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from reviewflow.sources import SOURCES

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sources"


def _first_body(folder: str) -> dict[str, Any]:
    path = sorted((FIXTURES / folder).glob("0*"))[0]
    return json.loads(path.read_text(encoding="utf-8"))


def _templates() -> dict[str, Any]:
    """One real record per API (fields our parsers read), and PubMed's XML pieces."""
    work = _first_body("openalex/oa_snowball.bodies")
    openalex = {k: v for k, v in work["results"][0].items() if k != "abstract_inverted_index"}
    crossref = _first_body("crossref/test_workscontainer_with_cursor.bodies")["message"]["items"][0]
    s2 = _first_body("semanticscholar/test_search_paper_bulk_retrieval_next_page.bodies")["data"][0]
    pages = json.loads((FIXTURES / "europepmc/cursormark_10pages_cancer.json").read_text())
    xml = (FIXTURES / "pubmed_entrez/efetch_pubmed_11748933_11700088.xml").read_text()
    head = xml[: xml.index("<PubmedArticle>")]
    article = xml[xml.index("<PubmedArticle>") : xml.index("</PubmedArticle>") + 16]
    esearch = (FIXTURES / "pubmed_entrez/esearch_pubmed_cancer_usehistory_webenv.xml").read_text()
    return {
        "openalex": openalex,
        "crossref": crossref,
        "semanticscholar": s2,
        "europepmc": pages[0]["resultList"]["result"][0],
        "pubmed": (head, article, "</PubmedArticleSet>\n", esearch),
    }


def _day(text: str) -> datetime.date:
    return datetime.date(*(int(x) for x in text.split("/")))


class Synthetic:
    """Pages of ``total`` records for one API; counts what it serves."""

    def __init__(self, source: str, total: int, templates: dict[str, Any]) -> None:
        self.source = source
        self.total = total
        self.template = templates[source]
        self.served: list[int] = []
        self.requests = 0
        span = (datetime.date(2024, 12, 31) - datetime.date(1990, 1, 1)).days
        self.dates = [
            datetime.date(1990, 1, 1) + datetime.timedelta(days=i * span // total)
            for i in range(total)
        ]

    def _range(self, offset: int, size: int, limit: int) -> range:
        stop = min(self.total, offset + min(size, limit))
        self.served.extend(range(offset, stop))
        return range(offset, stop)

    def answer(self, path: str, q: dict[str, str]) -> tuple[str, bytes]:
        self.requests += 1
        if self.source == "openalex":
            offset = 0 if q["cursor"] == "*" else int(q["cursor"])
            items = self._range(offset, int(q["per-page"]), 200)
            results = []
            for i in items:
                work = copy.copy(self.template)
                work["id"] = f"https://openalex.org/W{10**9 + i}"
                results.append(work)
            nxt = str(items.stop) if items.stop < self.total else None
            page = {"meta": {"count": self.total, "next_cursor": nxt}, "results": results}
            return "application/json", json.dumps(page).encode()
        if self.source == "crossref":
            offset = 0 if q["cursor"] == "*" else int(q["cursor"])
            items = self._range(offset, int(q["rows"]), 1000)
            found = [{**self.template, "DOI": f"10.5555/bench.{i}"} for i in items]
            message = {"total-results": self.total, "items": found, "next-cursor": str(items.stop)}
            return "application/json", json.dumps({"message": message}).encode()
        if self.source == "europepmc":
            offset = 0 if q["cursorMark"] == "*" else int(q["cursorMark"])
            items = self._range(offset, int(q["pageSize"]), 1000)
            found = [{**self.template, "id": str(i), "pmid": str(i + 1)} for i in items]
            page = {
                "hitCount": self.total,
                "nextCursorMark": str(items.stop),
                "resultList": {"result": found},
            }
            return "application/json", json.dumps(page).encode()
        if self.source == "semanticscholar":
            offset = int(q.get("token", "0"))
            items = self._range(offset, 1000, 1000)
            found = [
                {**self.template, "paperId": hashlib.sha1(str(i).encode()).hexdigest()}
                for i in items
            ]
            token = str(items.stop) if items.stop < self.total else None
            page = {"total": self.total, "token": token, "data": found}
            return "application/json", json.dumps(page).encode()
        head, article, tail, esearch = self.template
        if path.endswith("esearch.fcgi"):
            # record i is published on day i * span / total from 1990: a window's records
            # are one run of indices, named in the WebEnv
            lo, hi = 0, self.total
            if "mindate" in q:
                lo = bisect.bisect_left(self.dates, _day(q["mindate"]))
                hi = bisect.bisect_right(self.dates, _day(q["maxdate"]))
            body = re.sub(r"<Count>\d+</Count>", f"<Count>{hi - lo}</Count>", esearch, count=1)
            body = re.sub(r"<WebEnv>[^<]*</WebEnv>", f"<WebEnv>w{lo}-{hi}</WebEnv>", body, count=1)
            return "text/xml", body.encode()
        lo, hi = (int(x) for x in q["WebEnv"][1:].split("-"))
        retstart = int(q["retstart"])
        if retstart > 9998:  # as NCBI: the history server serves the first 9,999 records
            return "text/xml", b"<eFetchResult><ERROR>Search Backend failed</ERROR></eFetchResult>"
        start = lo + retstart
        stop = min(hi, start + min(int(q["retmax"]), 10000))
        self.served.extend(range(start, stop))
        pmid = re.compile(r'<PMID Version="1">\d+</PMID>')
        parts = [
            pmid.sub(f'<PMID Version="1">{i + 1}</PMID>', article, count=1)
            for i in range(start, stop)
        ]
        return "text/xml", (head + "".join(parts) + tail).encode()


def _serve(synthetic: Synthetic) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            content_type, body = synthetic.answer(parts.path, query)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def measure(source: str, total: int, templates: dict[str, Any]) -> dict[str, Any]:
    synthetic = Synthetic(source, total, templates)
    server = _serve(synthetic)
    host, port = server.server_address[:2]
    cls = SOURCES[source]
    with tempfile.TemporaryDirectory() as archive:
        client = cls.from_settings(
            {"base_url": f"http://{host}:{port}", "requests_per_second": 1e6},
            archive_dir=archive,
        )
        started = time.perf_counter()
        ids = [record["record_id"] for record in client.search("benchmark")]
        wall = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    minimum = math.ceil(total / cls.max_page_size)
    if source == "pubmed":
        # one ESearch, and past 9,999 hits one EFetch and one ESearch per date window
        minimum = 1 + minimum if total <= 9999 else 1 + 2 * math.ceil(total / 9999)
    return {
        "source": source,
        "hits": total,
        "records": len(ids),
        "requests": client.session.requests_made,
        "minimum": minimum,
        "extra": client.session.requests_made - minimum,
        "fetched_twice": len(synthetic.served) - len(set(synthetic.served)),
        "unique": len(set(ids)) == len(ids) == total,
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--sources", default=",".join(SOURCES))
    args = parser.parse_args()
    templates = _templates()
    header = ("source", "hits", "records", "requests", "minimum", "extra", "fetched twice",
              "all once", "wall s", "records/s")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for source in args.sources.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            row = measure(source, size, templates)
            print(
                f"| {row['source']} | {row['hits']} | {row['records']} | {row['requests']} | "
                f"{row['minimum']} | {row['extra']} | {row['fetched_twice']} | "
                f"{'yes' if row['unique'] else 'NO'} | {row['wall_s']:.2f} | "
                f"{row['records'] / row['wall_s']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
