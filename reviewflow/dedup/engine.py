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
from reviewflow.dedup.prepare import Prepared, prepare_records
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

    The steps: judge the candidate pairs blocking proposes (manual decisions first), join
    clusters strongest edge first under the compatibility checks, give each cluster its
    study id, then describe merges, open pairs and DOI collisions for the outputs.
    """
    records = records.reset_index(drop=True)
    ids = _unique_ids(records)
    position = {rid: n for n, rid in enumerate(ids)}
    prep = prepare_records(records)
    model = _with_thresholds(model or default_model(), thresholds)
    judge = _PairJudge(prep, model, len(ids))
    manual = _ManualLinks.of(decisions, position)
    clusterer = Clusterer(
        len(ids),
        cannot_link=manual.cannot,
        hard_conflict=judge.hard_conflict,
        soft_conflict=judge.soft_conflict,
    )
    previous = dict(previous_clusters or {})
    only = None
    if incremental and previous:
        only = _keep_previous_clusters(clusterer, previous, manual.cannot, position, ids)

    pairs = candidate_pairs(prep, max_block=max_block, window=window, only=only)
    judged_pairs = _judge_candidates(sorted(pairs), manual, judge)
    merges, reasons = _join_clusters(clusterer, judged_pairs, judge.judged)
    study_of, study_rows = _study_ids(
        clusterer, records, ids, build_studies, source_priority, set(previous.values())
    )

    side_columns = {
        name: records[name].astype(str).tolist() for name in _SIDE_FIELDS if name in records.columns
    }
    return DedupResult(
        record_ids=ids,
        study_ids=study_of,
        studies=studies_frame(study_rows) if build_studies else None,
        merges=_merge_rows(merges, study_of, ids, judge.judged),
        uncertain=_uncertain_rows(
            judged_pairs.uncertain, study_of, ids, side_columns, judge.judged, model
        ),
        reasons=reasons,
        manual_applied=len(manual.decided),
        pairs_compared=len(pairs),
        doi_collisions=_collision_rows(judged_pairs.collisions, prep.ids["doi"], ids, side_columns),
    )


def _unique_ids(records: pd.DataFrame) -> list[str]:
    ids = records["record_id"].astype(str).tolist()
    if len(set(ids)) != len(ids):
        dupes = sorted({x for x in ids if ids.count(x) > 1})[:5] if len(ids) < 50_000 else []
        raise ValueError(f"record ids are not unique: {dupes}")
    return ids


def _with_thresholds(model: MatchModel, thresholds: DedupThresholds | None) -> MatchModel:
    """The model with config's thresholds in place of its own (either may be left out)."""
    if thresholds is None or not thresholds.given:
        return model
    return model.with_thresholds(
        float(thresholds.duplicate or model.merge_at),
        float(thresholds.uncertain or model.review_at),
    )


class _PairJudge:
    """Every pair judged once, by :func:`compare_pair`. A distinct pair is remembered only by
    its guard, so a large run does not hold the evidence of hundreds of thousands of
    candidate pairs; the others (and DOI collisions) are kept whole in ``judged``."""

    def __init__(self, prep: Prepared, model: MatchModel, n: int) -> None:
        self.prep, self.model, self.n = prep, model, n
        self.judged: dict[tuple[int, int], PairResult] = {}
        self.plain_distinct: set[int] = set()
        self.hard_distinct: dict[int, str] = {}

    def __call__(self, a: int, b: int) -> PairResult:
        key = (a, b) if a < b else (b, a)
        found = self.judged.get(key)
        if found is not None:
            return found
        code = key[0] * self.n + key[1]
        if code in self.plain_distinct:
            return _PLAIN_DISTINCT
        reason = self.hard_distinct.get(code)
        if reason is not None:
            return PairResult(DISTINCT, 0.0, f"distinct: {reason}", guard=Guard(reason, True))
        found = compare_pair(self.prep, key[0], key[1], self.model)
        if found.outcome != DISTINCT or found.doi_collision:
            self.judged[key] = found
        elif found.guard is not None and found.guard.hard:
            self.hard_distinct[code] = found.guard.reason
        else:
            self.plain_distinct.add(code)
        return found

    def soft_conflict(self, a: int, b: int) -> bool:
        # complete linkage on evidence: a member the new one contradicts (distinct, or an
        # open pair whose volume or pages disagree) blocks the join; an open pair that only
        # lacks fields does not, or records with missing data could never join a cluster
        found = self(a, b)
        return found.outcome == DISTINCT or (
            found.outcome == UNCERTAIN
            and found.evidence is not None
            and details_conflict(found.evidence)
        )

    def hard_conflict(self, a: int, b: int) -> str:
        found = self(a, b).guard
        return found.reason if found is not None and found.hard else ""


@dataclass
class _ManualLinks:
    """A person's verdicts as links: pairs that cannot join, forced edges, pairs decided."""

    cannot: list[tuple[int, int]]
    forced: list[Edge]
    decided: set[tuple[int, int]]

    @classmethod
    def of(cls, decisions: Sequence[ManualDecision], position: Mapping[str, int]) -> _ManualLinks:
        cannot: list[tuple[int, int]] = []
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
        return cls(cannot, forced, decided)


def _keep_previous_clusters(
    clusterer: Clusterer,
    previous: Mapping[str, str],
    cannot: Sequence[tuple[int, int]],
    position: Mapping[str, int],
    ids: Sequence[str],
) -> set[int] | None:
    """Preload an earlier run's clusters and return the new records, the only ones whose
    pairs need judging; None (judge everything) when a manual 'distinct' splits one."""
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
        return None
    clusterer.preload(sorted(g) for g in groups.values())
    return {position[rid] for rid in ids if rid not in previous}


@dataclass
class _JudgedPairs:
    """The candidate pairs as judged: edges to join (strongest first), open pairs with their
    probability and reason, and pairs sharing a DOI that nothing else links."""

    edges: list[Edge]
    uncertain: dict[tuple[int, int], tuple[float, str]]
    collisions: list[tuple[int, int, PairResult]]


def _judge_candidates(
    pairs: Sequence[tuple[int, int]], manual: _ManualLinks, judge: _PairJudge
) -> _JudgedPairs:
    found = _JudgedPairs(list(manual.forced), {}, [])
    for i, j in pairs:
        if (i, j) in manual.decided:
            continue
        result = judge(i, j)
        if result.doi_collision:
            found.collisions.append((i, j, result))
        if result.outcome == DUPLICATE:
            found.edges.append(Edge(i, j, result.weight, result.reason, 2))
        elif result.outcome == UNCERTAIN:
            found.uncertain[(i, j)] = (result.score, result.reason)
    found.edges.sort(key=lambda e: (e.rank, -e.score, e.i, e.j))
    return found


def _join_clusters(
    clusterer: Clusterer,
    found: _JudgedPairs,
    judged: Mapping[tuple[int, int], PairResult],
) -> tuple[list[Edge], Counter[str]]:
    """Join along every edge the compatibility checks allow; an edge they refuse becomes an
    open pair for a person (added to ``found.uncertain``). Returns the edges that merged."""
    merges: list[Edge] = []
    reasons: Counter[str] = Counter()
    for edge in found.edges:
        outcome = clusterer.union(edge)
        if outcome == "joined":
            merges.append(edge)
            reasons[f"merged: {edge.reason}"] += 1
        elif outcome != "same":
            p = judged[(edge.i, edge.j)].score if (edge.i, edge.j) in judged else 1.0
            found.uncertain[(edge.i, edge.j)] = (p, f"uncertain: {edge.reason}, but {outcome}")
    return merges, reasons


def _study_ids(
    clusterer: Clusterer,
    records: pd.DataFrame,
    ids: Sequence[str],
    build_studies: bool,
    source_priority: Sequence[str],
    previous_study_ids: set[str],
) -> tuple[list[str], list[dict[str, str]]]:
    """Each record's study id and, with ``build_studies``, one merged row per study."""
    rows = table_rows(records) if build_studies else None
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
    return study_of, study_rows


def _merge_rows(
    merges: Sequence[Edge],
    study_of: Sequence[str],
    ids: Sequence[str],
    judged: Mapping[tuple[int, int], PairResult],
) -> list[dict[str, str]]:
    return [
        {
            "study_id": study_of[edge.i],
            "record_id_a": ids[edge.i],
            "record_id_b": ids[edge.j],
            "reason": edge.reason,
            "score": f"{_probability(judged, edge):.4f}",
        }
        for edge in merges
    ]


def _uncertain_rows(
    uncertain: Mapping[tuple[int, int], tuple[float, str]],
    study_of: Sequence[str],
    ids: Sequence[str],
    side_columns: Mapping[str, Sequence[str]],
    judged: Mapping[tuple[int, int], PairResult],
    model: MatchModel,
) -> list[dict[str, str]]:
    """Pairs still in different studies, most informative first, both sides shown."""
    open_pairs = [
        (i, j, score, reason)
        for (i, j), (score, reason) in sorted(uncertain.items())
        if study_of[i] != study_of[j]
    ]
    rows = []
    ranked = rank_uncertain(open_pairs, study_of, Counter(study_of))
    for rank, (i, j, score, reason) in enumerate(ranked, start=1):
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
        rows.append(row)
    return rows


def _collision_rows(
    collisions: Sequence[tuple[int, int, PairResult]],
    dois: Sequence[str],
    ids: Sequence[str],
    side_columns: Mapping[str, Sequence[str]],
) -> list[dict[str, str]]:
    blank = [""] * len(ids)
    return [
        {
            "doi": dois[i],
            "record_id_a": ids[i],
            "record_id_b": ids[j],
            "title_a": side_columns.get("title", blank)[i],
            "title_b": side_columns.get("title", blank)[j],
            "pages_a": side_columns.get("pages", blank)[i],
            "pages_b": side_columns.get("pages", blank)[j],
        }
        for i, j, _ in collisions
    ]


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
