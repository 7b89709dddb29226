"""Screening app speed on the demo: start-up, next study after a decision, background refit.

Copies the demo's config and the results of its last run (``snakemake -c2`` first) into a
temporary folder, so the repository's decision files are never written, then runs
``reviewflow app`` there and measures:

- **start**: from launching the command to the first page with a study on it (target < 3 s);
- **next study (HTTP)**: from sending a decision to holding the next study's card, for
  ``--decisions`` decisions in a row, each while the refit for the one before may still run
  (target < 300 ms);
- **next study (browser)**: from the key press in headless Chromium to the next study on
  screen (the page shows the study the server named next at once; the server's answer,
  measured over HTTP above, confirms it), when Chromium and Playwright are installed;
- **refit**: from a decision to the ranking refitted on it arriving (not a target: the
  page never waits for it).

    nice -n 10 .venv/bin/python benchmarks/app.py [--starts 3] [--decisions 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def review_copy(target: Path) -> Path:
    if not (ROOT / "results" / "screening" / "ranking.csv").is_file():
        sys.exit("run the demo first (snakemake -c2): results/screening/ranking.csv is missing")
    shutil.copytree(ROOT / "config", target / "config")
    for part in ("dedup", "screening", "fulltext"):
        source = ROOT / "results" / part
        if source.is_dir():
            shutil.copytree(
                source, target / "results" / part, ignore=shutil.ignore_patterns("archive")
            )
    return target


def start(review: Path) -> tuple[subprocess.Popen[str], str, float]:
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reviewflow",
            "app",
            "--review",
            str(review),
            "--no-browser",
            "--port",
            "0",
            "--reviewer",
            "Benchmark Reviewer",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"at (http://\S+)", line)
    if not match:
        process.kill()
        sys.exit(f"the app did not start: {line!r}")
    url = match.group(1)
    with urllib.request.urlopen(url) as response:
        page = response.read().decode()
    assert "data-study" in page or '"study_id"' in page
    return process, url, time.perf_counter() - t0


def get(url: str) -> dict:
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())


def post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "X-Reviewflow": "1"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def wait_refit(url: str, version: int, timeout: float = 1200) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        state = get(url + "api/state")
        progress = state["progress"]
        if (
            progress["source"] == "model"
            and not progress["refreshing"]
            and state["version"] >= version
        ):
            return time.perf_counter() - t0
        time.sleep(0.05)
    raise TimeoutError("no refit")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=15)
    if process.stdout:
        process.stdout.close()


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"{statistics.median(ms):8.0f} {p95:8.0f} {ms[-1]:8.0f}"


def browser_latencies(url: str, n: int) -> list[float] | None:
    try:
        from playwright.sync_api import sync_playwright

        from reviewflow.report import find_chromium
        from reviewflow.report.render import CHROMIUM_FLAGS
    except ImportError:
        return None
    chromium = find_chromium()
    if chromium is None:
        return None
    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
        )
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#card[data-study]")
        for i in range(n):
            before = page.get_attribute("#card", "data-study")
            t0 = time.perf_counter()
            page.keyboard.press("e" if i % 4 else "i")
            page.wait_for_function(
                "b => document.getElementById('card').getAttribute('data-study') !== b",
                arg=before,
            )
            out.append(time.perf_counter() - t0)
            # the decision is written and the server's next study is on screen
            page.wait_for_function("() => !document.body.classList.contains('saving')")
        browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=3, help="cold starts to time")
    parser.add_argument("--decisions", type=int, default=30, help="decisions to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        starts = []
        for i in range(args.starts):
            review = review_copy(Path(tmp) / f"start{i}")
            process, _, seconds = start(review)
            starts.append(seconds)
            stop(process)
        review = review_copy(Path(tmp) / "screen")
        process, url, _ = start(review)
        try:
            first_refit = wait_refit(url, 0)
            http, refits = [], []
            state = get(url + "api/state")
            for i in range(args.decisions):
                t0 = time.perf_counter()
                answer = post(
                    url + "api/decide",
                    {
                        "study_id": state["card"]["study_id"],
                        "decision": "exclude" if i % 4 else "include",
                    },
                )
                http.append(time.perf_counter() - t0)
                state = answer["state"]
                if i % 10 == 9:
                    refits.append(wait_refit(url, state["version"]))
            browser = browser_latencies(url, max(10, args.decisions // 2))
        finally:
            stop(process)
    load = os.getloadavg()[0]
    print(
        f"demo review, {len(starts)} cold starts, {len(http)} decisions over HTTP; "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end"
    )
    print(f"{'measure':42} {'median':>8} {'p95':>8} {'max':>8}   (ms)")
    print(f"{'start to first study on the page':42} {summary(starts)}")
    print(f"{'decision to next study (HTTP)':42} {summary(http)}")
    if browser:
        print(f"{'key press to next study (Chromium)':42} {summary(browser)}")
    else:
        print(f"{'key press to next study (Chromium)':42} {'skipped: no chromium/playwright':>26}")
    print(f"{'start to the first refit (features + fit)':42} {summary([first_refit])}")
    print(f"{'decision to its refit arriving':42} {summary(refits)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
