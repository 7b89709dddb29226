"""The screening app in a real browser, on the demo review run up to screening."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from workflow_support import snakemake

from .conftest import DECISIONS, SCREENING_TARGETS, review_copy, running_app

pytestmark = pytest.mark.timeout(900)

KEYS = {"include": "i", "exclude": "e", "maybe": "m"}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _shown(page) -> str:
    page.wait_for_selector("#card[data-study]")
    return page.get_attribute("#card", "data-study")


def _press(page, key: str, before: str) -> str:
    """Press a decision key and wait for the next study to be on the card."""
    page.keyboard.press(key)
    page.wait_for_function(
        "before => { const c = document.getElementById('card');"
        " return c.getAttribute('data-study') !== before && !document.body.classList.contains('saving'); }",
        arg=before,
    )
    return _shown(page)


def test_screen_ten_by_keyboard_undo_reload_and_the_pipeline_reads_them(demo_to_screening, browser):
    review = demo_to_screening
    decisions = review / DECISIONS
    original = _rows(decisions)
    ranking = _rows(review / "results" / "screening" / "ranking.csv")
    errors: list[str] = []
    with running_app(review, "--reviewer", "Ada Reviewer") as url:
        assert url.startswith("http://127.0.0.1:")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        current = _shown(page)
        assert current == ranking[0]["study_id"]  # the top-ranked study nobody decided
        assert "Ranked" in page.inner_text("#why")
        studies = len(_rows(review / "results" / "dedup" / "studies.csv"))
        assert page.inner_text("#progress").count(f"400 of {studies:,}") == 1

        plan = [
            "include",
            "exclude",
            "exclude",
            "maybe",
            "exclude",
            "include",
            "exclude",
            "exclude",
            "exclude",
            "maybe",
        ]
        done: list[tuple[str, str, str]] = []
        for n, decision in enumerate(plan):
            note = ""
            if n == 5:
                page.keyboard.press("n")
                page.keyboard.type("reminder to prescribers")
                page.keyboard.press("Enter")
                note = "reminder to prescribers"
            done.append((current, decision, note))
            current = _press(page, KEYS[decision], current)
        page.keyboard.press("u")
        page.wait_for_function(
            "s => document.getElementById('card').getAttribute('data-study') === s",
            arg=done[-1][0],
        )
        assert "Undone" in page.inner_text("#saved")
        page.reload()
        after_reload = _shown(page)
        assert after_reload == done[-1][0]  # the undone study waits first
        page.wait_for_function(
            "text => document.getElementById('progress').innerText.includes(text)",
            arg=f"409 of {studies:,}",
            timeout=120_000,
        )
        assert errors == []

    rows = _rows(decisions)
    assert rows[: len(original)] == original  # history untouched
    added = rows[len(original) :]
    assert len(added) == 11
    for row, (study, decision, note) in zip(added, done, strict=False):
        assert (row["record_id"], row["decision"], row["reviewer"], row["note"]) == (
            study,
            decision,
            "Ada Reviewer",
            note,
        )
    undo = added[-1]
    assert (undo["record_id"], undo["decision"], undo["note"]) == (
        done[-1][0],
        "undo",
        "undo of maybe",
    )
    for row in added:
        stamp = dt.datetime.fromisoformat(row["date"].replace("Z", "+00:00"))
        assert (
            stamp.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - stamp).total_seconds() < 3600
        )

    # the next run sees exactly these rows, and only screening and what follows it reruns
    dry = snakemake(review, "-n", *SCREENING_TARGETS)
    assert dry.returncode == 0, dry.stderr[-3000:]
    planned = dry.stdout + dry.stderr
    assert "check_screening_decisions" in planned and "screen_records" in planned
    for untouched in (
        "deduplicate_records",
        "import_records",
        "search_database",
        "collect_records",
    ):
        assert untouched not in planned
    run = snakemake(review, "results/screening/ranking.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    audit = json.loads((review / "results/screening/screen_records.audit.json").read_text())
    standing = dict((s, d) for s, d, _ in done[:-1])
    assert audit["counts"]["screened"] == 400 + len(standing)
    assert audit["counts"]["included"] == 79 + list(standing.values()).count("include")
    assert audit["counts"]["maybe"] == list(standing.values()).count("maybe")
    after = {r["study_id"]: r["decision"] for r in _rows(review / "results/screening/ranking.csv")}
    assert {s: after[s] for s in standing} == standing
    assert after[done[-1][0]] == ""  # undone: undecided again


def test_two_reviewers_blind_from_two_browser_contexts_then_adjudication(
    demo_to_screening, browser, tmp_path
):
    folder = "config/demo/decisions"
    review = review_copy(
        demo_to_screening,
        tmp_path / "review",
        decisions=[f"{folder}/screening_{n}.csv" for n in ("alice", "bob", "carol")],
        adjudicator="carol",
    )
    for name in ("alice", "bob", "carol"):
        (review / folder / f"screening_{name}.csv").write_text(
            "record_id,decision,reviewer,date,note\n", encoding="utf-8"
        )
    with running_app(review, "--reviewer", "alice") as url:
        alice = browser.new_context().new_page()
        bob = browser.new_context().new_page()
        alice.goto(url)
        bob.goto(url + "?reviewer=bob")
        assert alice.inner_text("#reviewer-name") == "alice"
        assert bob.inner_text("#reviewer-name") == "bob"
        first_alice, first_bob = _shown(alice), _shown(bob)
        assert first_alice == first_bob  # nobody has decided anything yet

        seen_alice = [first_alice]
        current = first_alice
        for key in ("i", "e", "e"):
            current = _press(alice, key, current)
            seen_alice.append(current)
        # bob, screening at the same time, is asked alice's studies too, blind to her calls
        current = first_bob
        seen_bob = [current]
        for key in ("e", "e", "i"):
            assert bob.is_hidden("#others")
            current = _press(bob, key, current)
            seen_bob.append(current)
        rows_alice = _rows(review / folder / "screening_alice.csv")
        rows_bob = _rows(review / folder / "screening_bob.csv")
        assert [r["reviewer"] for r in rows_alice] == ["alice"] * 3
        assert [r["reviewer"] for r in rows_bob] == ["bob"] * 3
        assert rows_bob[0]["record_id"] == rows_alice[0]["record_id"] == first_alice

        # the adjudicator sees the disagreement and Cohen's kappa, and settles it
        carol = browser.new_context().new_page()
        carol.goto(url.rstrip("/") + "/conflicts?reviewer=carol")
        conflict = carol.locator(f"[data-study='{first_alice}']")
        assert "alice: include" in conflict.inner_text() and "bob: exclude" in conflict.inner_text()
        assert "Cohen's kappa" in carol.inner_text("main")
        conflict.locator(".adjudication-note").fill("criterion 1 met in the abstract")
        conflict.locator("[data-adjudicate='include']").click()
        carol.wait_for_selector(f"[data-study='{first_alice}'].resolved")
        blind = bob.context.new_page()
        blind.goto(url.rstrip("/") + "/conflicts")
        assert "Screening is blind" in blind.inner_text("main")
    adjudication = _rows(review / folder / "screening_carol.csv")
    assert [(r["record_id"], r["decision"], r["reviewer"], r["note"]) for r in adjudication] == [
        (first_alice, "include", "carol", "criterion 1 met in the abstract")
    ]


def test_malformed_decision_file_message_in_the_page_and_nothing_lost(
    demo_to_screening, browser, tmp_path
):
    review = review_copy(demo_to_screening, tmp_path / "review")
    decisions = review / DECISIONS
    before = len(_rows(decisions))
    with running_app(review, "--reviewer", "Ada Reviewer") as url:
        page = browser.new_page()
        page.goto(url)
        current = _shown(page)
        current = _press(page, "e", current)
        good = decisions.read_text(encoding="utf-8")
        broken = good + "nagtegaal_records:3,includ,Hand Editor,2026-12-01,typo\n"
        decisions.write_text(broken, encoding="utf-8")
        page.wait_for_selector("#banner:not([hidden])", timeout=30_000)
        message = page.inner_text("#banner")
        bad_line = good.count("\n") + 1
        assert "screening_nagtegaal.csv" in message and f"line {bad_line}," in message
        assert "'decision'" in message and "includ" in message
        page.keyboard.press("i")  # decided while the file is broken
        page.wait_for_function(
            "() => document.getElementById('banner').innerText.includes('Not written yet')"
        )
        assert decisions.read_text(encoding="utf-8") == broken  # the app wrote nothing
        decisions.write_text(good, encoding="utf-8")  # the reviewer fixes the file
        page.wait_for_function("() => document.getElementById('banner').hidden", timeout=30_000)
    rows = _rows(decisions)
    assert [(r["record_id"], r["decision"]) for r in rows[-2:]] == [
        (rows[-2]["record_id"], "exclude"),
        (current, "include"),
    ]
    assert len(rows) == before + 2
    shutil.rmtree(review)


def test_fulltext_save_then_undo_in_the_page_and_the_file(demo_to_screening, browser, tmp_path):
    review = review_copy(demo_to_screening, tmp_path / "review")
    decisions = review / "config" / "demo" / "decisions" / "fulltext_nagtegaal.csv"
    before = _rows(decisions)
    with running_app(review, "--reviewer", "Ada Reviewer") as url:
        page = browser.new_page()
        page.goto(url.rstrip("/") + "/fulltext")
        row = page.locator("#fulltext tbody tr").first
        study = row.get_attribute("data-study")
        standing = row.locator(".ft-decision").input_value()
        assert standing in ("include", "exclude")  # the demo decided every report
        other = "exclude" if standing == "include" else "include"
        row.locator(".ft-decision").select_option(other)
        if other == "exclude":
            row.locator(".ft-reason").select_option(index=1)
        row.locator(".ft-save").click()
        page.wait_for_function(
            "el => el.textContent.startsWith('saved: ')",
            arg=row.locator(".ft-status").element_handle(),
        )
        row.locator(".ft-undo").click()
        page.wait_for_function(
            "el => el.textContent.startsWith('undone: ')",
            arg=row.locator(".ft-status").element_handle(),
        )
        assert row.locator(".ft-decision").input_value() == standing
        assert f"{standing} by" in row.locator(".ft-status").inner_text()
    after = _rows(decisions)
    assert after[: len(before)] == before  # nothing rewritten, two rows appended
    assert [(r["record_id"], r["decision"], r["reviewer"]) for r in after[len(before) :]] == [
        (study, other, "Ada Reviewer"),
        (study, "undo", "Ada Reviewer"),
    ]
