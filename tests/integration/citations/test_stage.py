"""The chase_citations stage replaying the demo's archive of real OpenAlex answers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.citations.stage import CitationSettings, run_citation_stage
from reviewflow.errors import SourceError
from reviewflow.sources.base import SourcesSettings

#: The demo's archive folder: its citations/ subfolder is what replay reads.
DEMO_ARCHIVE = Path(__file__).resolve().parents[3] / "config" / "demo" / "archive"
SEEDS = [{"id": "W3045921891", "note": "preprint"}, "W3046863325"]


def _run(tmp_path: Path, name: str, decision_paths=(), **overrides):
    out = tmp_path / name
    block = {"seeds": SEEDS, "sources": ["openalex"], "depth": 2, **overrides}
    run_citation_stage(
        settings=CitationSettings.from_raw(block),
        sources=SourcesSettings.from_raw({"archive_dir": str(DEMO_ARCHIVE)}),
        replay=True,
        decision_paths=list(decision_paths),
        record_tables=[],
        archive_dir=out / "archive",
        out_records=out / "records.csv",
        out_seeds=out / "seeds.csv",
        audit_path=out / "chase_citations.audit.json",
    )
    return out


def test_replay_writes_records_seeds_and_prisma_counts(tmp_path):
    out = _run(tmp_path, "a")
    audit = json.loads((out / "chase_citations.audit.json").read_text(encoding="utf-8"))
    counts = audit["counts"]
    assert counts["backward_round1"] == 38
    assert counts["forward_round1"] == 5
    assert counts["records_out"] == 43
    assert counts["seeds"] == 2
    assert counts["seeds_unresolved"] == 0
    assert counts["requests"] == 3
    assert counts["rounds"] == 1  # no record found was included: round 2 never starts
    records = pd.read_csv(out / "records.csv", dtype=str, keep_default_na=False)
    assert len(records) == 43 and set(records["found_by"]) == {"citation"}
    # Replayed records carry the time OpenAlex answered, not the time of the replay.
    assert set(records["retrieved_at"]) == {"2025-11-17T17:13:37Z", "2025-11-17T17:13:35Z"}
    seeds = pd.read_csv(out / "seeds.csv", dtype=str, keep_default_na=False)
    assert seeds[["seed", "openalex", "status", "note"]].values.tolist() == [
        ["W3045921891", "W3045921891", "resolved", "preprint"],
        ["W3046863325", "W3046863325", "resolved", ""],
    ]


def test_replay_is_byte_identical(tmp_path):
    first, second = _run(tmp_path, "a"), _run(tmp_path, "b")
    for name in ("records.csv", "seeds.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_included_record_becomes_a_round_two_seed(tmp_path):
    """A decision including a record found in round 1 makes it the next round's seed.

    Its references are not in the archive, so replay stops with a clear error naming the
    request round 2 needs: the round did start, and no partial output claims success.
    """
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("record_id,decision\ncitations:W2741809807,include\n", encoding="utf-8")
    out = tmp_path / "c"
    with pytest.raises(SourceError, match="filter=openalex%3AW2741809807"):
        _run(tmp_path, "c", decision_paths=[decisions])
    assert not (out / "chase_citations.audit.json").exists()


def _archive_with_a_short_forward_list(tmp_path: Path, announced: int) -> Path:
    """The demo archive, with the recorded citing-works page announcing more works than it
    holds and no page after it: what OpenAlex sends when paging breaks off."""
    import gzip
    import hashlib
    import shutil

    root = tmp_path / "short_archive"
    shutil.copytree(DEMO_ARCHIVE / "citations", root / "citations")
    folder = root / "citations" / "openalex"
    index = [json.loads(line) for line in (folder / "requests.jsonl").read_text().splitlines()]
    entry = next(e for e in index if e["params"][0][1].startswith("cites:"))
    body = folder / entry["body"]
    data = json.loads(gzip.decompress(body.read_bytes()))
    data["meta"]["count"] = announced
    raw = json.dumps(data).encode("utf-8")
    body.write_bytes(gzip.compress(raw, mtime=0))
    entry.update(sha256=hashlib.sha256(raw).hexdigest(), bytes=len(raw))
    (folder / "requests.jsonl").write_text(
        "".join(json.dumps(e, sort_keys=True) + "\n" for e in index), encoding="utf-8"
    )
    return root


def _run_from(archive: Path, out: Path, **overrides) -> None:
    block = {"seeds": SEEDS, "sources": ["openalex"], "depth": 1, **overrides}
    run_citation_stage(
        settings=CitationSettings.from_raw(block),
        sources=SourcesSettings.from_raw({"archive_dir": str(archive)}),
        replay=True,
        decision_paths=[],
        record_tables=[],
        archive_dir=out / "archive",
        out_records=out / "records.csv",
        out_seeds=out / "seeds.csv",
        audit_path=out / "chase_citations.audit.json",
    )


def test_a_citing_list_cut_short_stops_the_stage_and_writes_nothing(tmp_path):
    archive = _archive_with_a_short_forward_list(tmp_path, announced=25)
    out = tmp_path / "out"
    with pytest.raises(SourceError, match=r"cites:W3046863325\|W3045921891: 5 of 25 works"):
        _run_from(archive, out)
    assert not (out / "records.csv").exists()
    assert not (out / "chase_citations.audit.json").exists()


def test_an_accepted_short_list_is_named_in_the_audit(tmp_path):
    archive = _archive_with_a_short_forward_list(tmp_path, announced=25)
    out = tmp_path / "out"
    _run_from(archive, out, allow_shortfall=True)
    audit = json.loads((out / "chase_citations.audit.json").read_text(encoding="utf-8"))
    assert audit["counts"]["lists_short"] == 1
    assert audit["details"]["shortfalls"] == [
        "openalex: filter cites:W3046863325|W3045921891: 5 of 25 works"
    ]
    assert audit["counts"]["forward_round1"] == 5
