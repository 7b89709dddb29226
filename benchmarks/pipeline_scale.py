"""Pipeline scale benchmark: wall time and peak memory of each N-dependent stage.

Builds a review of N records in reviewflow's record model, split over three sources the
way a real search is (two database searches and one export import, with duplicates across
them), then runs the stages whose cost grows with N, each in its own child process, and
measures each child's wall time and peak resident memory (``VmHWM``):

- ``collect_records`` (:func:`reviewflow.collect.run_collect_stage`),
- ``deduplicate_records`` (:func:`reviewflow.dedup.stage.run_dedup_stage`),
- ``screen_records`` (:func:`reviewflow.screening.stage.run_screening_stage`) with a
  decision file holding real labels for some records,
- ``count_prisma`` (:func:`reviewflow.prisma.run_count_prisma`) on the stages' audits.

A row ``python + imports`` measures a child that only imports those modules: the fixed cost
inside every stage's figures. Full-text assessment, extraction and synthesis work on the
included studies only and do not grow with N.

Records: the labelled screening sets in ``../shared/data/screening/`` (6,091 real records
with their published decisions; ``--labelled`` of them become decisions of reviewer
"benchmark labels", ``label_included`` 1 -> include, 0 -> exclude), and for the rest the
synthetic corpus of ``benchmarks/dedup.py`` (:func:`synthesise`: copies of the five
labelled dedup sets made distinct, with known duplicate groups and database-typical noise;
missing abstracts stay missing). Settings: the demo config's ``dedup`` and ``screening``
blocks. See docs/scale.md for measured figures::

    python benchmarks/pipeline_scale.py                      # N = 50,000 and 200,000
    python benchmarks/pipeline_scale.py --sizes 20000 --json scale.json
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
STAGES = ("imports", "collect", "dedup", "screening", "prisma")
STAGE_NAMES = {
    "imports": "python + imports",
    "collect": "collect_records",
    "dedup": "deduplicate_records",
    "screening": "screen_records",
    "prisma": "count_prisma",
}
#: The sources records are spread over: (search id, source, found_by, share of records).
SOURCES = (
    ("pubmed_main", "pubmed", "database", 0.40),
    ("openalex_main", "openalex", "database", 0.35),
    ("embase_export", "embase", "import", 0.25),
)
REVIEWER = "benchmark labels"


def _load_dedup_benchmark() -> Any:
    """``benchmarks/dedup.py`` as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "dedup_benchmark", ROOT / "benchmarks" / "dedup.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _demo_config() -> dict[str, Any]:
    import yaml

    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _labelled_records() -> list[tuple[dict[str, str], str]]:
    """Every record of the labelled screening sets, in the record model, with its label."""
    from reviewflow.records import normalize_record

    out = []
    for path in sorted((SHARED / "data" / "screening").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                record = normalize_record(
                    {
                        "title": row.get("title", ""),
                        "abstract": row.get("abstract", ""),
                        "authors": row.get("authors", ""),
                        "year": row.get("year", ""),
                        "doi": row.get("doi", ""),
                        "pmid": row.get("pubmedID", ""),
                        "keywords": row.get("keywords", ""),
                    }
                )
                record["raw_ref"] = f"{path.name}#{line}"
                out.append((record, row["label_included"]))
    return out


def build_review(n: int, work: Path, *, labelled: int, seed: int = 13) -> dict[str, Any]:
    """Write the source tables, their import audits and the decision file for N records."""
    import pandas as pd

    from reviewflow.audit import StageAudit
    from reviewflow.dedup.stage import read_dedup_input
    from reviewflow.records import write_records
    from reviewflow.vocab import Stage

    rng = random.Random(seed)
    real = _labelled_records()
    if n < len(real):
        real = rng.sample(real, n)
    n_synthetic = n - len(real)
    frames = []
    if n_synthetic:
        dedup_bench = _load_dedup_benchmark()
        bib, truth = work / "synthetic.csv", work / "synthetic_truth.csv"
        dedup_bench.synthesise(n_synthetic, bib, truth, seed)
        synthetic = read_dedup_input(bib)
        synthetic["raw_ref"] = "synthetic.csv#" + (synthetic.index + 2).astype(str)
        frames.append(synthetic)
        bib.unlink()
    real_frame = pd.DataFrame([record for record, _ in real])
    real_frame["record_id"] = [f"labelled{i}" for i in range(len(real))]
    frames.append(real_frame)
    records = pd.concat(frames, ignore_index=True).fillna("")
    records = records.sample(frac=1.0, random_state=seed).reset_index(drop=True)

    # spread over the sources; the native id is the row's id in the synthetic/labelled corpus
    bounds, start = [], 0
    for i, (_, _, _, share) in enumerate(SOURCES):
        end = len(records) if i == len(SOURCES) - 1 else start + round(share * len(records))
        bounds.append((start, end))
        start = end
    tables = []
    record_id_of: dict[str, str] = {}
    for (search_id, source, found_by, _), (lo, hi) in zip(SOURCES, bounds, strict=True):
        part = records.iloc[lo:hi].copy()
        native = part["record_id"]
        part["record_id"] = search_id + ":" + native
        record_id_of.update(zip(native, part["record_id"], strict=True))
        part["source"], part["search_id"], part["found_by"] = source, search_id, found_by
        part["retrieved_at"] = "2026-01-01T00:00:00+00:00"
        stage = Stage.SEARCH if found_by == "database" else Stage.IMPORT
        folder = work / "results" / stage.value / search_id
        path = folder / "records.csv"
        rule = "search_database" if stage is Stage.SEARCH else "import_records"
        with StageAudit(
            folder / f"{rule}.audit.json",
            stage=stage,
            rule=rule,
            inputs=[],
            outputs=[path],
            parameters={"database": source, "search_id": search_id},
        ) as audit:
            write_records(part, path)
            audit.counts["records_out"] = len(part)
        tables.append(path.as_posix())

    decisions = work / "decisions" / "screening.csv"
    decisions.parent.mkdir(parents=True, exist_ok=True)
    chosen = rng.sample(range(len(real)), min(labelled, len(real)))
    with open(decisions, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["record_id", "decision", "reviewer", "date", "note"])
        for i in chosen:
            record, label = real[i]
            decision = "include" if label.strip() == "1" else "exclude"
            note = f"label_included of {record['raw_ref'].split('#')[0]}"
            writer.writerow([record_id_of[f"labelled{i}"], decision, REVIEWER, "", note])
    return {"tables": tables, "decisions": decisions.as_posix(), "labelled": len(chosen)}


def run_stage(stage: str, work: Path, setup: dict[str, Any]) -> None:
    """Run one stage on the review in ``work`` (called in a child process)."""
    os.chdir(work)
    config = _demo_config()
    if stage == "imports":
        import reviewflow.collect
        import reviewflow.dedup.stage
        import reviewflow.prisma
        import reviewflow.screening.stage  # noqa: F401
    elif stage == "collect":
        from reviewflow.collect import run_collect_stage

        run_collect_stage(
            record_tables=[Path(t).relative_to(work).as_posix() for t in setup["tables"]],
            out_records="results/records/all_records.csv",
            audit_path="results/records/collect_records.audit.json",
        )
    elif stage == "dedup":
        from reviewflow.dedup.settings import DedupSettings
        from reviewflow.dedup.stage import run_dedup_stage

        block = {k: v for k, v in config.get("dedup", {}).items() if k != "decisions"}
        run_dedup_stage(
            records_paths=["results/records/all_records.csv"],
            decisions_path=None,
            settings=DedupSettings.from_raw(block, source="dedup"),
            out_studies="results/dedup/studies.csv",
            out_clusters="results/dedup/clusters.csv",
            out_merges="results/dedup/merges.csv",
            out_uncertain_csv="results/dedup/uncertain_pairs.csv",
            out_uncertain_xlsx="results/dedup/uncertain_pairs.xlsx",
            audit_path="results/dedup/deduplicate_records.audit.json",
        )
    elif stage == "screening":
        from reviewflow.screening.stage import run_screening_stage

        params = {k: v for k, v in config.get("screening", {}).items() if k != "decisions"}
        out = "results/screening/"
        run_screening_stage(
            studies_path="results/dedup/studies.csv",
            clusters_path="results/dedup/clusters.csv",
            decision_paths=[Path(setup["decisions"]).relative_to(work).as_posix()],
            params=params,
            out_ranking=out + "ranking.csv",
            out_next_batch_csv=out + "next_batch.csv",
            out_next_batch_xlsx=out + "next_batch.xlsx",
            out_progress=out + "progress.csv",
            out_thresholds=out + "thresholds.csv",
            out_conflicts=out + "conflicts.csv",
            out_included=out + "included.csv",
            audit_path=out + "screen_records.audit.json",
        )
    elif stage == "prisma":
        from reviewflow.prisma import run_count_prisma

        audits = sorted(p.as_posix() for p in Path("results").rglob("*.audit.json"))
        audits = [a for a in audits if not a.startswith("results/prisma/")]
        run_count_prisma(
            audit_paths=audits,
            config={"review": config.get("review", {}), "update": {}},
            out_counts="results/prisma/counts.json",
            audit_path="results/prisma/count_prisma.audit.json",
        )
    else:
        raise ValueError(f"unknown stage {stage!r}")


def _peak_rss_kb() -> int:
    """This process's peak resident memory (``VmHWM``), 0 where /proc is missing.

    Not ``ru_maxrss``: Linux carries a child's high-water mark across ``fork`` + ``exec``,
    so a child of a parent holding a large table would report the parent's memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(stage: str, work: Path) -> tuple[float, float, int, str]:
    """Run one stage in a child; wall seconds, peak RSS in MB, exit status, stderr tail."""
    command = [sys.executable, str(Path(__file__).resolve()), "--run-stage", stage, str(work)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    wall = time.perf_counter() - start
    peak_kb = next(
        (int(x.split()[1]) for x in out.decode().splitlines() if x.startswith("peak_rss_kb ")), 0
    )
    return wall, peak_kb / 1024, process.returncode, err.decode(errors="replace")[-3000:]


def _audit(work: Path, relative: str) -> dict[str, Any]:
    path = work / relative
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _in_out(stage: str, work: Path) -> tuple[int | str, int | str, str]:
    """Units in and out of a stage, read from its audit."""
    if stage == "collect":
        c = _audit(work, "results/records/collect_records.audit.json").get("counts", {})
        return c.get("records_this_run", ""), c.get("records_out", ""), "records -> records"
    if stage == "dedup":
        c = _audit(work, "results/dedup/deduplicate_records.audit.json").get("counts", {})
        return c.get("records_in", ""), c.get("studies_out", ""), "records -> studies"
    if stage == "screening":
        c = _audit(work, "results/screening/screen_records.audit.json").get("counts", {})
        kept = c.get("included", 0) + c.get("maybe", 0) if c else ""
        return c.get("studies_in", ""), kept, "studies -> included"
    if stage == "prisma":
        audit = _audit(work, "results/prisma/count_prisma.audit.json")
        return len(audit.get("inputs", [])), len(audit.get("counts", {})), "audits -> boxes"
    return "", "", ""


def benchmark(n: int, *, labelled: int, keep: Path | None) -> list[dict[str, Any]]:
    """Build a review of ``n`` records and measure every stage on it."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="pipeline-scale-") as tmp:
        work = keep / f"n{n}" if keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        setup = build_review(n, work, labelled=labelled)
        (work / "setup.json").write_text(json.dumps(setup), encoding="utf-8")
        print(f"N={n}: review built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        for stage in STAGES:
            wall, peak, status, err = measure(stage, work)
            n_in, n_out, unit = _in_out(stage, work)
            row = {
                "stage": STAGE_NAMES[stage],
                "n": n,
                "wall_s": round(wall, 2),
                "peak_rss_mb": round(peak, 1),
                "in": n_in,
                "out": n_out,
                "unit": unit,
            }
            if status != 0:
                row["error"] = f"exit {status}: {err.strip().splitlines()[-1] if err else ''}"
                print(err, file=sys.stderr)
            rows.append(row)
            print(f"N={n}: {row['stage']} {wall:.1f} s {peak:.0f} MB", file=sys.stderr)
            if status != 0:
                break
        stages = [r for r in rows if r["stage"] != STAGE_NAMES["imports"]]
        rows.append(
            {
                "stage": "total (stages in sequence)",
                "n": n,
                "wall_s": round(sum(r["wall_s"] for r in stages), 2),
                "peak_rss_mb": max((r["peak_rss_mb"] for r in stages), default=0.0),
                "in": n,
                "out": next((r["out"] for r in stages if r["stage"] == "screen_records"), ""),
                "unit": "records -> included",
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'stage':<28}{'N':>9}{'wall s':>9}{'peak RSS MB':>13}{'in':>9}{'out':>9}  {'unit'}"
    print(header)
    print("-" * len(header))
    for row in rows:
        line = (
            f"{row['stage']:<28}{row['n']:>9}{row['wall_s']:>9.1f}{row['peak_rss_mb']:>13.0f}"
            f"{row['in']!s:>9}{row['out']!s:>9}  {row['unit']}"
        )
        if "error" in row:
            line += f"  FAILED {row['error']}"
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", nargs="+", type=int, default=[50_000, 200_000], help="record counts N"
    )
    parser.add_argument(
        "--labelled",
        type=int,
        default=1500,
        help="labelled records given a screening decision (default 1500)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON here")
    parser.add_argument(
        "--keep", metavar="DIR", type=Path, help="keep each review under DIR/n<N> for inspection"
    )
    parser.add_argument("--run-stage", nargs=2, metavar=("STAGE", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_stage:
        stage, work = args.run_stage
        setup = json.loads((Path(work) / "setup.json").read_text(encoding="utf-8"))
        run_stage(stage, Path(work).resolve(), setup)
        print(f"peak_rss_kb {_peak_rss_kb()}")
        return 0
    rows = []
    for n in args.sizes:
        rows += benchmark(n, labelled=args.labelled, keep=args.keep)
    print_table(rows)
    if args.json:
        meta = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "labelled": args.labelled}
        Path(args.json).write_text(json.dumps({"machine": meta, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
