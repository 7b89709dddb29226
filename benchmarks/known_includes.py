"""Known-include matching: how often a published review's citation finds its record.

A known include is a citation (often title, year and first author only) that must be found
among the run's records. On every labelled set in ``../shared/data/dedup/`` this script
takes one record of each true duplicate group as a citation and removes it from the pool
(its other members must be found), plus as many records without a duplicate (nothing may be
found), then matches every citation with :func:`reviewflow.reproduction.match_known_includes`.

    python benchmarks/known_includes.py                 # every rule, every set, held-out pick
    python benchmarks/known_includes.py --sets stroke   # one set

Reported per set, citation shape and rule: recall (citations with a true record found) and
false matches (citations matched to any record of another publication, per citation). The
rule (one for every citation shape, as a file mixes them) is picked on all sets but one
(highest mean over shapes of recall minus 5 x false-match rate: a false match hides a lost
study, a missed one is only reported as lost) and scored on the one left out.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETS = ("stroke", "haematology", "cytology_screening", "neuroimaging")
SHAPES = ("title+year+first author", "title+year", "title")
#: name -> (title similarity with agreeing years, title only, fewest title words)
RULES: dict[str, tuple[float | None, float | None, int]] = {
    "matcher only": (None, None, 5),
    "0.90 / 0.98 / 5 words": (0.90, 0.98, 5),
    "0.95 / 0.95 / 5 words": (0.95, 0.95, 5),
    "0.95 / 0.98 / 4 words": (0.95, 0.98, 4),
    "0.95 / 0.98 / 5 words": (0.95, 0.98, 5),
    "0.95 / 0.98 / 6 words": (0.95, 0.98, 6),
    "0.98 / 0.98 / 5 words": (0.98, 0.98, 5),
}
PENALTY = 5.0


def citation(row: pd.Series, shape: str, index: int) -> dict[str, str]:
    from reviewflow.normalize import split_list

    first = split_list(row["authors"])[:1]
    fields = {"label": f"record {row['record_id']}", "title": row["title"]}
    if "year" in shape and row["year"]:
        fields["year"] = row["year"]
    if "first author" in shape and first:
        fields["first_author"] = first[0]
    return fields


def run_set(name: str, seed: int) -> list[dict[str, object]]:
    from reviewflow.dedup.stage import read_dedup_input
    from reviewflow.reproduction.known import KnownInclude
    from reviewflow.reproduction.match import MatchSettings, match_known_includes

    folder = SHARED / "data" / "dedup" / name
    records = read_dedup_input(folder / "records_pre_merged.csv")
    truth = pd.read_csv(folder / "truth.csv", dtype=str)
    cluster = dict(zip(truth["record_id"], truth["cluster_id"], strict=True))
    groups: dict[str, list[str]] = defaultdict(list)
    for record_id in records["record_id"]:
        groups[cluster[record_id]].append(record_id)
    rng = random.Random(seed)
    titled = set(records.loc[records["title"] != "", "record_id"])
    positives = [rng.choice(sorted(m)) for m in groups.values() if len(m) > 1]
    positives = [p for p in positives if p in titled]
    singles = sorted(m[0] for m in groups.values() if len(m) == 1 and m[0] in titled)
    negatives = rng.sample(singles, min(len(positives), len(singles)))
    chosen = positives + negatives
    pool = records[~records["record_id"].isin(set(chosen))].reset_index(drop=True)
    by_id = records.set_index("record_id")
    rows = []
    for shape in SHAPES:
        known = []
        for i, record_id in enumerate(chosen):
            row = by_id.loc[record_id].copy()
            row["record_id"] = record_id
            known.append(KnownInclude(known_id=f"K{i}", line=i + 2, **citation(row, shape, i)))
        for rule, (sparse, title_only, words) in RULES.items():
            settings = MatchSettings(
                sparse_title=sparse, title_only=title_only, min_title_words=words
            )
            found = match_known_includes(known, pool, settings).found
            hits = wrong = 0
            for item, record_id in zip(known, chosen, strict=True):
                matched = [m.record_id for m in found[item.known_id]]
                if any(cluster[r] != cluster[record_id] for r in matched):
                    wrong += 1
                elif matched:
                    hits += 1
            rows.append(
                {
                    "set": name,
                    "shape": shape,
                    "rule": rule,
                    "positives": len(positives),
                    "negatives": len(negatives),
                    "recall": hits / len(positives) if positives else 0.0,
                    "false_rate": wrong / len(chosen) if chosen else 0.0,
                    "false_matches": wrong,
                }
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    results = pd.DataFrame([r for name in args.sets for r in run_set(name, args.seed)])
    pd.set_option("display.width", 200)
    print(results.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if len(args.sets) < 2:
        return 0
    print("\nleave one set out: rule picked on the others, scored on the held-out set")
    picks = []
    for held in args.sets:
        tune = results[results["set"] != held]
        score = tune.groupby("rule").apply(
            lambda g: g["recall"].mean() - PENALTY * g["false_rate"].mean(),
            include_groups=False,
        )
        best = str(score.idxmax())
        for shape in SHAPES:
            test = results[
                (results["set"] == held) & (results["shape"] == shape) & (results["rule"] == best)
            ].iloc[0]
            picks.append(
                {
                    "held out": held,
                    "rule picked": best,
                    "shape": shape,
                    "recall": test["recall"],
                    "false matches": int(test["false_matches"]),
                    "citations": int(test["positives"] + test["negatives"]),
                }
            )
    print(pd.DataFrame(picks).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
