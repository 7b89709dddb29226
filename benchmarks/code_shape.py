"""How the code is laid out: files per stage, the longest functions, where defaults are written.

Three tables, measured on the source tree (no run needed):

- files per stage: the stage's package modules, and with them its ``reviewflow``
  subcommand, its ``rules/*.smk`` and the ``scripts/`` of its rules;
- the longest functions of ``reviewflow/`` (lines from ``def`` to the last line);
- for every config key whose schema gives a non-empty default, the places that default is
  written: the schema, plus each line of code that pairs the key's name with the same value
  (``key=0.95``, ``"key", 0.95``, ``"key": 0.95``, ``key: float = 0.95``, an option
  ``--key ... default=0.95``), and each line of the demo ``config/config.yaml`` that
  spells the default out. ``enabled`` keys of several stages share one name, so their
  counts overlap.

    python benchmarks/code_shape.py [--functions 12] [--keys screening.stopping.recall_target,...]
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: stage -> (package or module under reviewflow/, commands/<name>.py, rules/<name>.smk)
STAGES: dict[str, tuple[str, str, str]] = {
    "imports": ("importers", "import_file", "imports"),
    "search": ("sources", "search", "search"),
    "citations": ("citations", "citations", "citations"),
    "collect": ("collect.py", "", "records"),
    "dedup": ("dedup", "dedup", "dedup"),
    "screening": ("screening", "screen", "screening"),
    "fulltext": ("fulltext", "fulltext", "fulltext"),
    "extraction": ("extraction", "extraction", "extraction"),
    "synthesis": ("synthesis", "synthesis", "synthesis"),
    "prisma": ("prisma", "prisma", "prisma"),
    "reproduction": ("reproduction", "", "reproduction"),
    "report": ("report", "report", "report"),
}


def _package_files(name: str) -> list[Path]:
    target = ROOT / "reviewflow" / name
    if target.is_dir():
        return sorted(p for p in target.rglob("*.py") if p.name != "__init__.py")
    single = target if target.suffix else target.with_suffix(".py")
    return [single] if single.is_file() else []


def _rule_scripts(smk: Path) -> list[Path]:
    if not smk.is_file():
        return []
    names = re.findall(r'script:\s*\n\s*"\.\./scripts/(\w+)\.py"', smk.read_text(encoding="utf-8"))
    return [ROOT / "scripts" / f"{n}.py" for n in names if (ROOT / "scripts" / f"{n}.py").is_file()]


def files_per_stage() -> list[tuple[str, int, int]]:
    rows = []
    for stage, (package, command, rules) in STAGES.items():
        modules = _package_files(package)
        extra = [ROOT / "reviewflow" / "commands" / f"{command}.py"] if command else []
        smk = ROOT / "rules" / f"{rules}.smk"
        extra += [smk] + _rule_scripts(smk)
        rows.append((stage, len(modules), len(modules) + sum(p.is_file() for p in extra)))
    return rows


def longest_functions(limit: int) -> list[tuple[int, str]]:
    found = []
    for path in sorted((ROOT / "reviewflow").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((lines, f"{path.relative_to(ROOT).as_posix()}:{node.name}"))
    return sorted(found, reverse=True)[:limit]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _defaults(schema: Any, base: Path, prefix: str, out: dict[str, Any]) -> None:
    """Every ``key.path -> default`` of a schema, following ``$ref`` into other files."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        target = base / ref.split("#")[0]
        loaded = _load(target)
        pointer = ref.partition("#")[2].strip("/")
        for part in pointer.split("/") if pointer else []:
            loaded = loaded[part]
        _defaults(loaded, target.parent, prefix, out)
    elif isinstance(ref, str):
        pass
    if "default" in schema and prefix and schema["default"] not in ({}, [], "", None):
        out[prefix] = schema["default"]
    for name, sub in (schema.get("properties") or {}).items():
        _defaults(sub, base, f"{prefix}.{name}" if prefix else name, out)
    if isinstance(schema.get("items"), dict):
        _defaults(schema["items"], base, f"{prefix}[]", out)


def _literal(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["True" if value else "False", "true" if value else "false"]
    if isinstance(value, int | float):
        text = repr(value)
        forms = {text, text.rstrip("0").rstrip(".") if "." in text else text}
        if isinstance(value, float) and value.is_integer():
            forms.add(str(int(value)))
        return sorted(forms)
    if isinstance(value, str):
        return [f'"{value}"', f"'{value}'"]
    return []


def default_places(keys: list[str] | None) -> list[tuple[str, str, int, list[str]]]:
    schema_path = ROOT / "config" / "config.schema.yaml"
    defaults: dict[str, Any] = {}
    _defaults(_load(schema_path), schema_path.parent, "", defaults)
    code = [
        *sorted((ROOT / "reviewflow").rglob("*.py")),
        *sorted((ROOT / "rules").glob("*.smk")),
        *sorted((ROOT / "scripts").glob("*.py")),
        ROOT / "config" / "config.yaml",
    ]
    texts = {p: p.read_text(encoding="utf-8").splitlines() for p in code}
    rows = []
    for key, value in sorted(defaults.items()):
        if keys and key not in keys:
            continue
        leaf = key.rsplit(".", 1)[-1].removesuffix("[]")
        literals = _literal(value)
        if not literals:
            continue
        alternatives = "|".join(re.escape(v) for v in literals)
        name = re.escape(leaf).replace("_", "[_-]")
        pattern = re.compile(
            rf"""\b{name}\b["']?\s*(?:[:=,]|:\s*[\w\[\]., |]+=|,.*\bdefault=)\s*(?:{alternatives})(?![\w.])"""
        )
        places = [
            f"{p.relative_to(ROOT).as_posix()}:{n}"
            for p, lines in texts.items()
            for n, line in enumerate(lines, start=1)
            if pattern.search(line)
        ]
        rows.append((key, repr(value), 1 + len(places), places))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=12, help="how many longest functions")
    parser.add_argument("--keys", help="comma-separated config keys to detail (default: all)")
    parser.add_argument("--places", action="store_true", help="list where each default is")
    args = parser.parse_args()

    print("files per stage (package modules | with command, rules and scripts)")
    for stage, modules, total in files_per_stage():
        print(f"  {stage:<13} {modules:>3} | {total:>3}")

    print(f"\nlongest functions in reviewflow/ (top {args.functions})")
    for lines, name in longest_functions(args.functions):
        print(f"  {lines:>4}  {name}")

    keys = args.keys.split(",") if args.keys else None
    rows = default_places(keys)
    print("\nplaces each default is written: all (schema, code, demo config) | schema and code")
    for key, value, n, places in rows:
        in_code = n - sum(p.startswith("config/") for p in places)
        if keys or in_code > 1:
            print(f"  {n:>2} | {in_code:>2}  {key} = {value}")
            if args.places:
                for place in places:
                    print(f"        {place}")
    total = sum(n for _, _, n, _ in rows)
    code = sum(n - sum(p.startswith("config/") for p in places) for _, _, n, places in rows)
    once = sum(
        1 for _, _, n, places in rows if n - sum(p.startswith("config/") for p in places) == 1
    )
    print(
        f"  keys with a default: {len(rows)}; written once in schema and code: {once}; "
        f"places in all: {total}; in schema and code: {code}"
    )


if __name__ == "__main__":
    main()
