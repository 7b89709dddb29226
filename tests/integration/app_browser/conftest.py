"""The demo review run up to screening once, and the app served from it in a subprocess.

Browser tests drive Debian's headless Chromium with Playwright (``executable_path``), as
setup.sh installs them; without either they are skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

_WORKFLOW_TESTS = str(Path(__file__).resolve().parents[2] / "workflow")
if _WORKFLOW_TESTS not in sys.path:
    sys.path.insert(0, _WORKFLOW_TESTS)

from workflow_support import copy_workflow, snakemake  # noqa: E402

from reviewflow.report import find_chromium  # noqa: E402
from reviewflow.report.render import CHROMIUM_FLAGS  # noqa: E402

CHROMIUM = find_chromium()
DECISIONS = Path("config/demo/decisions/screening_nagtegaal.csv")
#: What the app needs of a finished run: the studies, the last ranking, full-text locations.
SCREENING_TARGETS = ("results/screening/ranking.csv", "results/fulltext/availability.csv")


def playwright_or_skip():  # noqa: ANN201 - the sync API object
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api


@pytest.fixture(scope="session")
def demo_to_screening(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the workflow with the demo run up to screening (and full-text locations)."""
    workdir = copy_workflow(tmp_path_factory.mktemp("app-demo"))
    result = snakemake(workdir, *SCREENING_TARGETS, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


def review_copy(source: Path, target: Path, **screening: object) -> Path:
    """The config and results an app needs, copied; ``screening`` keys replace config's."""
    shutil.copytree(source / "config", target / "config")
    for part in ("dedup", "screening", "fulltext"):
        shutil.copytree(
            source / "results" / part,
            target / "results" / part,
            ignore=shutil.ignore_patterns("archive"),
        )
    if screening:
        path = target / "config" / "config.yaml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        config["screening"].update(screening)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


@contextmanager
def running_app(review: Path, *args: str) -> Iterator[str]:
    """``reviewflow app`` on any free port; yields the URL it prints."""
    log = review / "app.log"
    with open(log, "w", encoding="utf-8") as errors:
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
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert process.stdout is not None
        try:
            line = process.stdout.readline()
            match = re.search(r"at (http://\S+)", line)
            assert match, f"no URL in {line!r}: {log.read_text(encoding='utf-8')}"
            yield match.group(1)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


@pytest.fixture
def browser():
    sync_api = playwright_or_skip()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[f for f in CHROMIUM_FLAGS if f != "--headless"],
            headless=True,
        )
        try:
            yield chromium
        finally:
            chromium.close()
