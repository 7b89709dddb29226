"""The PRISMA counts and the report read audit records in declared order, not job start order."""

from __future__ import annotations

import json
from pathlib import Path

from reviewflow.prisma import PrismaSettings, audits_at, prisma_counts


def _restart(paths: list[str], starts: list[str]) -> None:
    """Give each audit record another start time, as a cluster's queue would."""
    for path, started in zip(paths, starts, strict=True):
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        record["started"] = started
        Path(path).write_text(json.dumps(record), encoding="utf-8")


def test_audits_come_back_in_the_order_the_rule_declares(audit_tree):
    # Searches queued behind imports on a cluster start last: reverse the start times.
    starts = [f"2026-01-01T00:00:{59 - i:02d}Z" for i in range(len(audit_tree))]
    _restart(audit_tree, starts)
    assert [a["path"] for a in audits_at(audit_tree)] == audit_tree


def test_start_times_change_neither_order_nor_counts(audit_tree):
    before = audits_at(audit_tree)
    counts_before = prisma_counts(before, PrismaSettings(review_id="t"))
    # Every job started in another order on another day: the result must not move.
    _restart(audit_tree, [f"2026-02-{28 - i:02d}T12:00:00Z" for i in range(len(audit_tree))])
    after = audits_at(audit_tree)
    assert [a["path"] for a in after] == [a["path"] for a in before]
    assert prisma_counts(after, PrismaSettings(review_id="t")) == counts_before


def test_a_path_listed_twice_is_read_once(audit_tree):
    assert [a["path"] for a in audits_at([*audit_tree, audit_tree[0]])] == audit_tree
