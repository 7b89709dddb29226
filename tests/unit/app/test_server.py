"""The web application through its HTTP interface, on a real review folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reviewflow.app.server import AppSettings, ScreeningApp, create_app
from reviewflow.fulltext.decisions import read_fulltext_decisions
from reviewflow.screening.decisions import read_decision_file
from reviewflow.screening.status import screening_status

from .conftest import wait_until, write_config, write_decisions

WRITE = {"X-Reviewflow": "1"}


@pytest.fixture
def running(review_dir):
    screening = ScreeningApp(AppSettings(review_dir=review_dir, reviewer="alice"))
    client = TestClient(create_app(screening), base_url="http://127.0.0.1")
    yield screening, client
    screening.close()


def _refitted(screening: ScreeningApp) -> bool:
    return screening.ranking.version == screening.book.version


def test_page_serves_the_top_ranked_study_and_the_model_learns(running, review_dir):
    screening, client = running
    page = client.get("/")
    assert page.status_code == 200 and 'id="initial-state"' in page.text
    assert "/static/app.js" in page.text and "http" not in page.text.split("<main>")[0][-200:]
    wait_until(lambda: _refitted(screening))
    state = client.get("/api/state").json()
    ranking = screening.ranking
    assert state["card"]["study_id"] == ranking.order[0]
    assert state["card"]["why"] == "next" and state["card"]["reason"].startswith("Ranked")
    status = screening_status(
        screening.book.merged, screening.book.pool, screening.review.screening_params
    )
    assert state["progress"]["status"]["screened"] == status.screened == 40
    assert state["progress"]["status"]["records_left"] == status.records_left
    assert state["progress"]["status"]["estimated_recall"] == status.estimated_recall

    shown = state["card"]["study_id"]
    answer = client.post(
        "/api/decide", json={"study_id": shown, "decision": "include"}, headers=WRITE
    )
    assert answer.status_code == 200 and answer.json()["error"] == ""
    after = answer.json()["state"]
    assert after["card"]["study_id"] != shown  # the previous ranking's next pick, at once
    wait_until(lambda: _refitted(screening))
    assert screening.ranking.status.screened == 41
    assert shown not in screening.ranking.order
    rows = read_decision_file(review_dir / "decisions" / "screening.csv", screening.book.study_of)
    assert (rows[-1].record_id, rows[-1].decision, rows[-1].reviewer) == (shown, "include", "alice")


def test_highlight_undo_and_reviewer_cookie(running):
    screening, client = running
    card = client.get("/api/state").json()["card"]
    marks = {mark for _, mark in card["title"] + card["abstract"]}
    assert marks <= {"", "inc", "exc"}
    client.post(
        "/api/decide", json={"study_id": card["study_id"], "decision": "exclude"}, headers=WRITE
    )
    undone = client.post("/api/undo", json={}, headers=WRITE).json()
    assert undone["undone"] == card["study_id"]
    assert undone["state"]["card"]["study_id"] == card["study_id"]
    assert undone["state"]["card"]["why"] == "again"

    bob = client.post("/api/reviewer", json={"name": "  Bob   B. "}, headers=WRITE)
    assert bob.json() == {"reviewer": "Bob B."}
    assert client.get("/api/state").json()["reviewer"] == "Bob B."


def test_guards_header_host_and_token(review_dir):
    settings = AppSettings(review_dir=review_dir, reviewer="alice", refit=False)
    screening = ScreeningApp(settings)
    try:
        client = TestClient(create_app(screening), base_url="http://127.0.0.1")
        card = client.get("/api/state").json()["card"]
        assert card["reason"].startswith("Not ranked yet")  # no pipeline ranking, no refit
        refused = client.post(
            "/api/decide", json={"study_id": card["study_id"], "decision": "include"}
        )
        assert refused.status_code == 403  # a cross-site form cannot set the header
        assert (
            TestClient(create_app(screening), base_url="http://evil.example").get("/").status_code
            == 400
        )

        networked = dataclasses.replace(settings, host="0.0.0.0", token="s3cret-token")
        screening.settings = networked
        remote = TestClient(create_app(screening), base_url="http://192.0.2.10:8765")
        assert remote.get("/").status_code == 403
        assert remote.get("/?token=wrong").status_code == 403
        assert remote.get("/?token=s3cret-token").status_code == 200
        assert remote.get("/api/state").status_code == 200  # the cookie carries it on
    finally:
        screening.close()


def test_conflicts_view_is_for_the_adjudicator(review_dir):
    for name in ("alice", "bob", "carol"):
        write_decisions(review_dir / "decisions" / f"screening_{name}.csv", [])
    write_config(
        review_dir,
        decisions=[f"decisions/screening_{n}.csv" for n in ("alice", "bob", "carol")],
        adjudicator="carol",
    )
    screening = ScreeningApp(AppSettings(review_dir=review_dir, reviewer="alice", refit=False))
    try:
        client = TestClient(create_app(screening), base_url="http://127.0.0.1")
        study = client.get("/api/state").json()["card"]["study_id"]
        client.post("/api/decide", json={"study_id": study, "decision": "include"}, headers=WRITE)
        bob = client.get("/api/state?reviewer=bob").json()
        assert bob["card"]["study_id"] == study and bob["card"]["why"] == "second"
        assert bob["card"]["others"] == []  # blind
        client.post(
            "/api/decide?reviewer=bob",
            json={"study_id": study, "decision": "exclude"},
            headers=WRITE,
        )
        assert "Screening is blind" in client.get("/conflicts").text
        refused = client.post(
            "/api/adjudicate", json={"study_id": study, "decision": "include"}, headers=WRITE
        )
        assert refused.status_code == 403
        carol = client.get("/api/state?reviewer=carol").json()["card"]
        assert carol["why"] == "next"  # the adjudicator settles conflicts, never re-screens
        page = client.get("/conflicts?reviewer=carol").text
        assert "bob: <strong>exclude</strong>" in page and "Cohen" in page
        settled = client.post(
            "/api/adjudicate",
            json={"study_id": study, "decision": "include", "note": "meets criterion 1"},
            headers=WRITE,
        ).json()
        assert settled["conflicts"][0]["status"] == "resolved"
        rows = read_decision_file(
            review_dir / "decisions" / "screening_carol.csv", screening.book.study_of
        )
        assert [(r.record_id, r.decision, r.reviewer, r.note) for r in rows] == [
            (study, "include", "carol", "meets criterion 1")
        ]
        assert screening.book.merged.final[study] == "include"
    finally:
        screening.close()


def test_fulltext_view_writes_the_fulltext_file(running, review_dir):
    screening, client = running
    included = [s for s, d in screening.book.merged.final.items() if d == "include"]
    pdfs = review_dir / "fulltexts"
    pdfs.mkdir()
    (pdfs / (included[0].replace(":", "_") + ".pdf")).write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = client.get("/fulltext")
    assert page.status_code == 200 and f'data-study="{included[0]}"' in page.text
    assert "Population not professionals" in page.text
    assert client.get(f"/pdf/{included[0]}").content.startswith(b"%PDF")
    assert client.get(f"/pdf/{included[1]}").status_code == 404
    missing_reason = client.post(
        "/api/fulltext", json={"study_id": included[0], "decision": "exclude"}, headers=WRITE
    )
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()["error"]
    client.post(
        "/api/fulltext",
        json={"study_id": included[0], "decision": "exclude", "reason": "wrong_design"},
        headers=WRITE,
    )
    client.post(
        "/api/fulltext", json={"study_id": included[1], "decision": "include"}, headers=WRITE
    )
    rows = read_fulltext_decisions(
        [review_dir / "decisions" / "fulltext.csv"],
        record_to_study=screening.book.study_of,
        reason_codes=["wrong_population", "wrong_design"],
    )
    assert [(r.study_id, r.decision, r.reason, r.reviewer) for r in rows] == [
        (included[0], "exclude", "wrong_design", "alice"),
        (included[1], "include", "", "alice"),
    ]
    undone = client.post(
        "/api/fulltext", json={"study_id": included[0], "decision": "undo"}, headers=WRITE
    )
    now = {s["study_id"]: s for s in undone.json()["studies"]}
    assert now[included[0]]["decision"] == "" and now[included[1]]["decision"] == "include"
    nothing = client.post(
        "/api/fulltext", json={"study_id": included[0], "decision": "undo"}, headers=WRITE
    )
    assert nothing.status_code == 400 and "nothing to undo" in nothing.json()["error"]


def test_malformed_file_message_in_the_state(running, review_dir):
    screening, client = running
    path: Path = review_dir / "decisions" / "screening.csv"
    path.write_text(path.read_text() + "demo:1,includ,Hand Editor,2026-12-01,\n")
    broken = path.read_bytes()
    screening.book.refresh()
    state = client.get("/api/state").json()
    assert any("line 42" in e and "'decision'" in e for e in state["errors"])
    study = state["card"]["study_id"]
    answer = client.post(
        "/api/decide", json={"study_id": study, "decision": "maybe"}, headers=WRITE
    )
    assert answer.status_code == 202 and "line 42" in answer.json()["error"]
    assert answer.json()["state"]["pending"][0]["study_id"] == study
    assert path.read_bytes() == broken
