"""What a user sees when a database misbehaves mid-search, for each source and fault.

Each of the five search clients runs the search stage against its real recorded answers,
served from 127.0.0.1 by the tests' fault-injecting server (tests/fixture_server.py), while
one fault is scheduled on its second result page: once (a passing glitch) or on every
attempt (a fault that persists). The table shows what the stage did (completed, or the
first words of its error), the records written against the records expected, and the
requests sent. Waits between retries are skipped, so the run takes seconds.

    python benchmarks/search_faults.py [--sources europepmc,...]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration" / "sources")]

from fixture_server import FixtureServer  # noqa: E402
from source_routes import (  # noqa: E402
    CASES,
    HTML_PAGE,
    OPENALEX_PAGED_FILTER,
    PAGE_PATH,
    empty_page,
    openalex_paged_routes,
    run_search_stage,
)

from reviewflow.errors import ReviewflowError  # noqa: E402
from reviewflow.records import read_records  # noqa: E402

RETRIES = 3

#: records each recording holds for its search line (what a complete search writes)
EXPECTED = {"pubmed": 8, "europepmc": 300, "openalex": 38, "crossref": 20, "semanticscholar": 2000}

#: source -> (routes, search line, page size): a recording of several pages each
PAGED: dict[str, tuple[Any, dict[str, Any], dict[str, Any]]] = {
    "pubmed": (CASES["pubmed"][0], CASES["pubmed"][1], {}),
    "europepmc": (CASES["europepmc"][0], {**CASES["europepmc"][1], "max_records": 300}, {}),
    "openalex": (openalex_paged_routes, {"query": "", "filters": OPENALEX_PAGED_FILTER}, {"page_size": 10}),
    "crossref": (CASES["crossref"][0], CASES["crossref"][1], {}),
    "semanticscholar": (CASES["semanticscholar"][0], CASES["semanticscholar"][1], {}),
}  # fmt: skip

FAULTS: dict[str, Any] = {
    "empty page": lambda name: {"transform": empty_page(name)},
    "previous page again": lambda name: {"repeat_previous": True},
    "HTML page (200)": lambda name: {"body": HTML_PAGE, "content_type": "text/html"},
    "truncated body": lambda name: {"truncate": True},
    "connection reset": lambda name: {"reset": True},
    "429 Retry-After": lambda name: {"status": 429, "headers": {"Retry-After": "3"}},
    "503": lambda name: {"status": 503},
    "stall past timeout": lambda name: {"stall": 0.6},
}


def run(name: str, fault: str, persist: bool, allow: bool) -> dict[str, Any]:
    routes, search, extra = PAGED[name]
    with FixtureServer(routes()) as server, tempfile.TemporaryDirectory() as tmp:
        server.add_fault(path=PAGE_PATH[name], skip=1, **FAULTS[fault](name))
        for _ in range(RETRIES if persist else 0):
            server.add_fault(path=PAGE_PATH[name], **FAULTS[fault](name))
        settings = {"base_url": server.url, "requests_per_second": 1000, "max_retries": RETRIES}
        if fault.startswith("stall"):
            settings["timeout"] = 0.2
        base = Path(tmp) / "s"
        line = {"id": "s", "source": name, **search, "allow_shortfall": allow}
        outcome = "completed"
        received = 0
        try:
            run_search_stage(
                search=line,
                sources={name: {**settings, **extra}},
                replay=False,
                records_path=base / "records.csv",
                archive_path=base / "archive",
                audit_path=base / "audit.json",
            )
            received = len(read_records(base / "records.csv"))
            shortfall = json.loads((base / "audit.json").read_text())["details"]["shortfall"]
            if shortfall:
                outcome = f"completed; audit: shortfall {shortfall['received']}/{shortfall['expected']} accepted"
        except ReviewflowError as exc:
            text = re.sub(r"the page at \S+ ", "a page ", str(exc).split(" (request:")[0])
            outcome = "stopped: " + text.split(". Nothing")[0]
        return {
            "source": name,
            "fault": fault + (" (persists)" if persist else " (once)"),
            "outcome": outcome + (" [allow_shortfall]" if allow else ""),
            "records": f"{received}/{EXPECTED[name]}",
            "requests": server.count(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", default=",".join(PAGED))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    time.sleep = lambda seconds: None  # type: ignore[assignment]  # skip retry backoff
    header = ("source", "fault", "what the user sees", "records written/expected", "requests")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in args.sources.split(","):
        for fault in FAULTS:
            plans = [(False, False), (True, False)]
            if fault in ("empty page", "previous page again"):
                plans.append((True, True))
            for persist, allow in plans:
                if persist and fault not in (
                    "empty page",
                    "previous page again",
                    "HTML page (200)",
                ):
                    continue
                row = run(name, fault, persist, allow)
                print(
                    f"| {row['source']} | {row['fault']} | {row['outcome']} | "
                    f"{row['records']} | {row['requests']} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
