"""The report renders in a real headless browser: figures load, links resolve, no errors."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from reviewflow.report import find_chromium, run_report_stage
from reviewflow.report.render import CHROMIUM_FLAGS

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH (Debian: apt-get install -y chromium)",
)

#: Injected into a copy of the report: collects errors from the first moment, then after
#: load records what rendered into an attribute that --dump-dom prints.
CHECK_SCRIPT = """<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) {
    var t = e.target || {};
    errors.push('error: ' + (e.message || (t.tagName + ' ' + (t.src || t.href || ''))));
  }, true);
  var original = console.error;
  console.error = function () { errors.push('console: ' + [].join.call(arguments, ' '));
                                return original.apply(console, arguments); };
  window.addEventListener('load', function () {
    var ids = {};
    document.querySelectorAll('[id]').forEach(function (el) { ids[el.id] = true; });
    var broken = [];
    document.querySelectorAll('[href]').forEach(function (a) {
      var h = a.getAttribute('href');
      var ok = h.charAt(0) === '#' ? ids[h.slice(1)] === true : /^https?:\\/\\//.test(h);
      if (!ok) { broken.push(h); }
    });
    var result = {
      images: [].map.call(document.images, function (i) {
        return {w: i.naturalWidth, h: i.naturalHeight, complete: i.complete}; }),
      svgs: [].map.call(document.querySelectorAll('main svg'), function (s) {
        var r = s.getBoundingClientRect();
        return {w: r.width, h: r.height, texts: s.querySelectorAll('text').length,
                titles: s.querySelectorAll('title').length}; }),
      external: [].map.call(document.querySelectorAll('[src]'), function (e) {
        return e.getAttribute('src').slice(0, 5); }).filter(function (s) {
        return s !== 'data:'; }),
      broken: broken,
      errors: errors
    };
    document.documentElement.setAttribute('data-render-check', JSON.stringify(result));
  });
})();
</script>"""


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def report(finished_run, tmp_path: Path) -> Path:
    out = tmp_path / "results" / "report" / "report.html"
    run_report_stage(
        **finished_run,
        out_html=out,
        audit_path=tmp_path / "results" / "report" / "write_report.audit.json",
    )
    return out


def test_report_is_one_self_contained_file(report):
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text
    assert not re.search(r'\ssrc="(?!data:)', text)
    assert text.count("<svg") == 1  # the PRISMA diagram, inline
    assert 'src="data:image/png;base64,' in text  # the logic model
    assert "results/dedup/deduplicate_records.audit.json: counts.duplicates_removed" in text
    assert "Duplicate records removed (n = 52) from results/dedup/" in text  # SVG tooltip
    assert '"nudge"[tiab] AND physician*[tiab]' in text.replace("&#34;", '"')


@needs_chromium
def test_report_renders_in_headless_chromium(report, tmp_path: Path):
    checked = report.with_name("report.check.html")
    text = report.read_text(encoding="utf-8")
    checked.write_text(text.replace("<head>", "<head>" + CHECK_SCRIPT, 1), encoding="utf-8")
    result = _chromium(
        "--virtual-time-budget=5000",
        "--enable-logging=stderr",
        "--dump-dom",
        checked.resolve().as_uri(),
        profile=tmp_path / "profile-dom",
    )
    match = re.search(r"data-render-check=\"([^\"]*)\"", result.stdout)
    assert match, "the render check did not run"
    check = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert check["errors"] == []
    assert check["broken"] == []
    assert check["external"] == []
    assert check["images"] and all(i["w"] > 0 and i["complete"] for i in check["images"])
    prisma = check["svgs"][0]
    assert prisma["w"] > 300 and prisma["h"] > 200 and prisma["texts"] > 10
    assert prisma["titles"] >= 6  # a tooltip on every box with numbers
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert console == []

    shot = tmp_path / "report.png"
    _chromium(
        "--hide-scrollbars",
        "--window-size=1280,2400",
        f"--screenshot={shot}",
        report.resolve().as_uri(),
        profile=tmp_path / "profile-shot",
    )
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 50_000


def test_report_command(finished_run, tmp_path: Path, capsys):
    from reviewflow.cli import main

    Path("config.yaml").write_text(
        "review:\n  id: t\n  title: Command review\n  authors: [A. Author, B. Author]\n",
        encoding="utf-8",
    )
    assert main(["report", "--config", "config.yaml", "--results", "results"]) == 0
    # the file rule write_report writes (reviewflow.paths.REPORT)
    text = Path("results/report/report.html").read_text(encoding="utf-8")
    assert "Command review" in text and "A. Author, B. Author" in text
    assert "Reports assessed for eligibility" in text
    assert Path("results/report/write_report.audit.json").is_file()
