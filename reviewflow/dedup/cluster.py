"""Clusters from duplicate pairs, built so that one weak link cannot chain studies together.

Plain connected components (single linkage) merge A with C when A~B and B~C, even if A and
C are plainly different (an erratum, another year). Here edges are applied strongest first
(manual decisions, then identifiers, then fuzzy score) and two clusters are joined only if
*every* pair across them is compatible: no guard of :func:`reviewflow.dedup.compare.incompatible`
fires, no manual "distinct" decision separates them and, for fuzzy edges, no cross pair is
judged distinct. A refused edge becomes an uncertain pair for a person to decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Edge", "Clusterer"]


@dataclass(frozen=True, slots=True)
class Edge:
    """A proposed merge of records ``i`` and ``j`` (positions), with why and how strongly."""

    i: int
    j: int
    score: float
    reason: str
    rank: int  # 0 manual, 1 identifier, 2 fuzzy: lower is applied first


class Clusterer:
    """Union-find over record positions whose unions are checked against every member."""

    def __init__(
        self,
        n: int,
        *,
        cannot_link: Iterable[tuple[int, int]] = (),
        hard_conflict: Callable[[int, int], str],
        soft_conflict: Callable[[int, int], bool],
    ) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}
        self.cannot = {(min(a, b), max(a, b)) for a, b in cannot_link}
        self.hard_conflict = hard_conflict
        self.soft_conflict = soft_conflict

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def preload(self, groups: Iterable[list[int]]) -> None:
        """Start from existing clusters (an incremental run), joined without checks."""
        for group in groups:
            if len(group) < 2:
                continue
            root = group[0]
            for other in group[1:]:
                self.parent[self.find(other)] = root
            self.members[root] = list(group)

    def why_not(self, edge: Edge) -> str:
        """Why joining the clusters of ``edge`` would be wrong (``""`` if it is fine)."""
        left, right = self.group(self.find(edge.i)), self.group(self.find(edge.j))
        for a in left:
            for b in right:
                if (min(a, b), max(a, b)) in self.cannot:
                    return "a manual decision keeps members apart"
                if edge.rank == 0:
                    continue
                reason = self.hard_conflict(a, b)
                if reason:
                    return reason
                if edge.rank == 2 and (a, b) != (edge.i, edge.j) and self.soft_conflict(a, b):
                    return "another member of the cluster differs"
        return ""

    def union(self, edge: Edge) -> str:
        """Join the clusters of the edge; return ``"joined"``, ``"same"`` or a refusal reason."""
        ra, rb = self.find(edge.i), self.find(edge.j)
        if ra == rb:
            return "same"
        refusal = self.why_not(edge)
        if refusal:
            return refusal
        group = self.group(ra) + self.group(rb)
        self.members.pop(ra, None)
        self.members.pop(rb, None)
        self.parent[rb] = ra
        self.members[ra] = group
        return "joined"

    def groups(self) -> list[list[int]]:
        """Every cluster (singletons included) as sorted positions."""
        found: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            found.setdefault(self.find(x), []).append(x)
        return list(found.values())
