"""Deduplication of a record table, from scratch or incrementally against earlier clusters.

Blocking proposes pairs, :func:`~reviewflow.dedup.compare.compare_pair` judges each, manual
decisions override, and :class:`~reviewflow.dedup.cluster.Clusterer` joins clusters
strongest-first with a compatibility check against every member. An incremental run
(:func:`match_new_records`) keeps the previous clusters as they are and only compares pairs
that involve a new record, so an update costs in proportion to what it adds.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reviewflow.dedup.blocking import candidate_pairs
from reviewflow.dedup.cluster import Clusterer, Edge
from reviewflow.dedup.compare import (
    DISTINCT,
    DUPLICATE,
    UNCERTAIN,
    PairResult,
    compare_pair,
    describe,
    details_conflict,
)
from reviewflow.dedup.decisions import ManualDecision
from reviewflow.dedup.guards import Guard
from reviewflow.dedup.merge import member_order, merge_cluster, studies_frame, study_id_for
from reviewflow.dedup.model import MatchModel, default_model
from reviewflow.dedup.prepare import prepare_records
from reviewflow.dedup.review import rank_uncertain
from reviewflow.dedup.settings import DedupThresholds
from reviewflow.io import table_rows

__all__ = ["DedupResult", "deduplicate", "match_new_records"]

log = logging.getLogger(__name__)

_PLAIN_DISTINCT = PairResult(DISTINCT, 0.0, "distinct: evidence against")
_SIDE_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


@dataclass
class DedupResult:
    """Everything a run decided, aligned with the input table's rows."""

    record_ids: list[str]
    study_ids: list[str]
    studies: pd.DataFrame | None
    merges: list[dict[str, str]]
    uncertain: list[dict[str, str]]
    reasons: Counter[str] = field(default_factory=Counter)
    manual_applied: int = 0
    pairs_compared: int = 0
    doi_collisions: list[dict[str, str]] = field(default_factory=list)

    def clusters_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"record_id": self.record_ids, "study_id": self.study_ids})


def deduplicate(
    records: pd.DataFrame,
    *,
    thresholds: DedupThresholds | None = None,
    model: MatchModel | None = None,
    decisions: Sequence[ManualDecision] = (),
    source_priority: Sequence[str] = (),
    previous_clusters: Mapping[str, str] | None = None,
    incremental: bool = False,
    build_studies: bool = True,
    max_block: int = 64,
    window: int = 8,
) -> DedupResult:
    """Cluster the records of ``records`` (record-model columns) into studies.

    ``model``: the match weights and thresholds (default: the shipped model);
    ``thresholds`` (``duplicate``, ``uncertain``: match probabilities) override its
    ``merge_at`` and ``review_at``. ``previous_clusters`` (record_id -> study_id of an
    earlier run) keeps study ids stable; with ``incremental=True`` those clusters are also
    kept as they are and only pairs with a record not in them are compared.
    """
    records = records.reset_index(drop=True)
    ids = records["record_id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        dupes = sorted({x for x in ids if ids.count(x) > 1})[:5] if len(ids) < 50_000 else []
        raise ValueError(f"record ids are not unique: {dupes}")
    position = {rid: n for n, rid in enumerate(ids)}
    prep = prepare_records(records)
    model = model or default_model()
    if thresholds is not None and thresholds.given:
        model = model.with_thresholds(
            float(thresholds.duplicate or model.merge_at),
            float(thresholds.uncertain or model.review_at),
        )
    # every pair is judged once; a distinct one is remembered only by its guard, so a large
    # run does not hold the evidence of hundreds of thousands of candidate pairs
    judged: dict[tuple[int, int], PairResult] = {}
    plain_distinct: set[int] = set()
    hard_distinct: dict[int, str] = {}
    n = len(ids)

    def judge(a: int, b: int) -> PairResult:
        key = (a, b) if a < b else (b, a)
        found = judged.get(key)
        if found is not None:
            return found
        code = key[0] * n + key[1]
        if code in plain_distinct:
            return _PLAIN_DISTINCT
        reason = hard_distinct.get(code)
        if reason is not None:
            return PairResult(DISTINCT, 0.0, f"distinct: {reason}", guard=Guard(reason, True))
        found = compare_pair(prep, key[0], key[1], model)
        if found.outcome != DISTINCT or found.doi_collision:
            judged[key] = found
        elif found.guard is not None and found.guard.hard:
            hard_distinct[code] = found.guard.reason
        else:
            plain_distinct.add(code)
        return found

    cannot = []
    forced: list[Edge] = []
    for decision in decisions:
        a, b = position.get(decision.record_id_a), position.get(decision.record_id_b)
        if a is None or b is None:
            continue
        if decision.decision == DISTINCT:
            cannot.append((a, b))
        else:
            forced.append(Edge(min(a, b), max(a, b), 1.0, "manual decision", 0))
    decided = {(min(e.i, e.j), max(e.i, e.j)) for e in forced} | {
        (min(a, b), max(a, b)) for a, b in cannot
    }

    def soft_conflict(a: int, b: int) -> bool:
        # complete linkage on evidence: a member the new one contradicts (distinct, or an
        # open pair whose volume or pages disagree) blocks the join; an open pair that only
        # lacks fields does not, or records with missing data could never join a cluster
        found = judge(a, b)
        return found.outcome == DISTINCT or (
            found.outcome == UNCERTAIN
            and found.evidence is not None
            and details_conflict(found.evidence)
        )

    def hard_conflict(a: int, b: int) -> str:
        found = judge(a, b).guard
        return found.reason if found is not None and found.hard else ""

    clusterer = Clusterer(
        len(ids),
        cannot_link=cannot,
        hard_conflict=hard_conflict,
        soft_conflict=soft_conflict,
    )
    previous = dict(previous_clusters or {})
    only = None
    if incremental and previous:
        groups: dict[str, list[int]] = {}
        for rid, sid in previous.items():
            if rid in position:
                groups.setdefault(sid, []).append(position[rid])
        group_of = {k: sid for sid, members in groups.items() for k in members}
        split = [(a, b) for a, b in cannot if a in group_of and group_of[a] == group_of.get(b)]
        if split:
            # a person has since said two members of an earlier study are distinct: that
            # study must be rebuilt, so this run re-clusters everything (ids stay stable)
            log.info("a manual 'distinct' splits an earlier study; re-clustering all records")
        else:
            clusterer.preload(sorted(g) for g in groups.values())
            only = {position[rid] for rid in ids if rid not in previous}

    pairs = candidate_pairs(prep, max_block=max_block, window=window, only=only)
    edges: list[Edge] = list(forced)
    uncertain: dict[tuple[int, int], tuple[float, str]] = {}
    collisions = []
    for i, j in sorted(pairs):
        if (i, j) in decided:
            continue
        result = judge(i, j)
        if result.doi_collision:
            collisions.append((i, j, result))
        if result.outcome == DUPLICATE:
            edges.append(Edge(i, j, result.weight, result.reason, 2))
        elif result.outcome == UNCERTAIN:
            uncertain[(i, j)] = (result.score, result.reason)
    edges.sort(key=lambda e: (e.rank, -e.score, e.i, e.j))

    merges: list[tuple[Edge, str]] = []
    reasons: Counter[str] = Counter()
    for edge in edges:
        outcome = clusterer.union(edge)
        if outcome == "joined":
            merges.append((edge, "joined"))
            reasons[f"merged: {edge.reason}"] += 1
        elif outcome != "same":
            p = judged[(edge.i, edge.j)].score if (edge.i, edge.j) in judged else 1.0
            uncertain[(edge.i, edge.j)] = (p, f"uncertain: {edge.reason}, but {outcome}")

    rows = table_rows(records) if build_studies else None
    previous_study_ids = set(previous.values())
    study_of = [""] * len(ids)
    sources = (
        records["source"].astype(str).tolist() if "source" in records.columns else [""] * len(ids)
    )
    study_rows = []
    for group in sorted(clusterer.groups(), key=min):
        if rows is not None:
            members = [{k: str(v) for k, v in rows[k].items()} for k in group]
            study = merge_cluster(
                members, source_priority=source_priority, previous_study_ids=previous_study_ids
            )
            study_rows.append(study)
            sid = study["study_id"]
        else:
            members = [{"record_id": ids[k], "source": sources[k]} for k in group]
            order = member_order(members, source_priority)
            sid = study_id_for([members[k]["record_id"] for k in order], previous_study_ids)
        for k in group:
            study_of[k] = sid

    merge_rows = [
        {
            "study_id": study_of[edge.i],
            "record_id_a": ids[edge.i],
            "record_id_b": ids[edge.j],
            "reason": edge.reason,
            "score": f"{_probability(judged, edge):.4f}",
        }
        for edge, _ in merges
    ]
    sizes = Counter(study_of)
    uncertain_rows = []
    side_columns = {
        name: records[name].astype(str).tolist() for name in _SIDE_FIELDS if name in records.columns
    }
    open_pairs = [
        (i, j, score, reason)
        for (i, j), (score, reason) in sorted(uncertain.items())
        if study_of[i] != study_of[j]
    ]
    for rank, (i, j, score, reason) in enumerate(
        rank_uncertain(open_pairs, study_of, sizes), start=1
    ):
        found = judged.get((i, j))
        row = {
            "rank": str(rank),
            "record_id_a": ids[i],
            "record_id_b": ids[j],
            "score": f"{score:.4f}",
            "reason": reason,
            "evidence": describe(model, found.evidence) if found and found.evidence else "",
        }
        for name, values in side_columns.items():
            row[f"{name}_a"] = values[i]
            row[f"{name}_b"] = values[j]
        uncertain_rows.append(row)
    collision_rows = [
        {
            "doi": prep.ids["doi"][i],
            "record_id_a": ids[i],
            "record_id_b": ids[j],
            "title_a": side_columns.get("title", [""] * len(ids))[i],
            "title_b": side_columns.get("title", [""] * len(ids))[j],
            "pages_a": side_columns.get("pages", [""] * len(ids))[i],
            "pages_b": side_columns.get("pages", [""] * len(ids))[j],
        }
        for i, j, _ in collisions
    ]

    return DedupResult(
        record_ids=ids,
        study_ids=study_of,
        studies=studies_frame(study_rows) if rows is not None else None,
        merges=merge_rows,
        uncertain=uncertain_rows,
        reasons=reasons,
        manual_applied=len(decided),
        pairs_compared=len(pairs),
        doi_collisions=collision_rows,
    )


def _probability(judged: Mapping[tuple[int, int], PairResult], edge: Edge) -> float:
    found = judged.get((edge.i, edge.j))
    return found.score if found is not None else 1.0


def match_new_records(
    previous_clusters: pd.DataFrame,
    records: pd.DataFrame,
    **options: Any,
) -> DedupResult:
    """Add new records to an existing deduplicated set without redoing it.

    ``previous_clusters`` is an earlier ``clusters.csv`` (``record_id, study_id``);
    ``records`` holds the earlier records and the new ones. Earlier clusters stay as they
    are (and keep their study ids); only pairs involving a new record are compared.
    """
    mapping = dict(
        zip(
            previous_clusters["record_id"].astype(str),
            previous_clusters["study_id"].astype(str),
            strict=True,
        )
    )
    return deduplicate(records, previous_clusters=mapping, incremental=True, **options)
