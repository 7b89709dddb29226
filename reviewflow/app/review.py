"""A review folder as the screening app sees it: its config, the files it reads and writes.

The app reads what Snakemake reads: the review's ``config.yaml`` (validated against the
schema, with ``update.yaml`` laid over it as ``rules/common.smk`` does), the deduplicated
studies, the screening stage's last ranking, and the decision files named in config. It
writes only to those decision files, and keeps its locks under ``results/app/``, which no
rule reads.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.errors import ConfigError

if TYPE_CHECKING:
    from reviewflow.screening.settings import HighlightSettings

__all__ = [
    "HighlightTerms",
    "Review",
    "ReviewFiles",
    "decision_file_for",
    "load_review",
    "reviewer_slug",
]


@dataclass(frozen=True)
class ReviewFiles:
    """Every path the app touches, absolute, under the review folder ``root``."""

    root: Path
    config: Path
    studies: Path
    clusters: Path
    ranking: Path
    next_batch: Path
    progress: Path
    screening_audit: Path
    availability: Path
    screening_decisions: tuple[Path, ...]
    fulltext_decisions: tuple[Path, ...]
    pdf_dirs: tuple[Path, ...]
    app_dir: Path

    @classmethod
    def for_review(cls, root: Path, config_path: Path, config: Mapping[str, Any]) -> ReviewFiles:
        def listed(value: Any) -> tuple[Path, ...]:
            names = [value] if isinstance(value, str) else list(value or [])
            return tuple(root / name for name in names if name)

        fulltext = dict(config.get("fulltext") or {})
        results = root / "results"
        return cls(
            root=root,
            config=config_path,
            studies=results / "dedup" / "studies.csv",
            clusters=results / "dedup" / "clusters.csv",
            ranking=results / "screening" / "ranking.csv",
            next_batch=results / "screening" / "next_batch.csv",
            progress=results / "screening" / "progress.csv",
            screening_audit=results / "screening" / "screen_records.audit.json",
            availability=results / "fulltext" / "availability.csv",
            screening_decisions=listed(config["screening"]["decisions"]),
            fulltext_decisions=listed(fulltext.get("decisions")),
            pdf_dirs=(root / str(fulltext.get("pdf_dir") or "fulltexts"), results / "fulltext"),
            app_dir=results / "app",
        )

    def relative(self, path: Path) -> str:
        """A path as the review's config names it (relative to the review folder)."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class HighlightTerms:
    """Config ``screening.highlight``: words marked in titles and abstracts.

    A trailing ``*`` matches any ending (``prescri*``: prescribing, prescription). Terms only
    guide the eye; they never change the ranking.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: HighlightSettings) -> HighlightTerms:
        return cls(
            include=tuple(t for t in settings.include if t.strip()),
            exclude=tuple(t for t in settings.exclude if t.strip()),
        )

    def pattern(self) -> re.Pattern[str] | None:
        """One regex whose named groups ``inc``/``exc`` say which list a match came from."""

        def alternatives(terms: Sequence[str]) -> str:
            parts = []
            for term in sorted(terms, key=len, reverse=True):
                stem = term.strip()
                wild = stem.endswith("*")
                body = re.escape(stem.rstrip("*")).replace(r"\ ", r"\s+")
                parts.append(body + (r"\w*" if wild else ""))
            return "|".join(parts)

        groups = []
        if self.include:
            groups.append(rf"(?P<inc>\b(?:{alternatives(self.include)})\b)")
        if self.exclude:
            groups.append(rf"(?P<exc>\b(?:{alternatives(self.exclude)})\b)")
        return re.compile("|".join(groups), re.IGNORECASE) if groups else None


@dataclass(frozen=True)
class Review:
    """A loaded review: its files, the settings the app needs, and the screening block.

    ``screening_params`` is the ``screening`` block as rule screen_records records it in its
    audit (:meth:`~reviewflow.screening.settings.ScreeningSettings.parameters`: every default filled in, with this run's
    update label), so the app ranks and judges the stop with the stage's settings.
    """

    files: ReviewFiles
    review_id: str
    title: str
    question: str
    eligibility_include: tuple[str, ...]
    eligibility_exclude: tuple[str, ...]
    adjudicator: str
    screening_params: dict[str, Any]
    exclusion_reasons: tuple[tuple[str, str], ...]
    highlight: HighlightTerms = field(default_factory=HighlightTerms)


def _deep_update(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Snakemake's ``update_config``: nested mappings merge, everything else is replaced."""
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_update(dict(out[key]), value)
        else:
            out[key] = value
    return out


def load_review(review_dir: str | os.PathLike[str]) -> Review:
    """Read and validate a review folder's config as the workflow would."""
    from reviewflow.config import load_config, validate_config
    from reviewflow.screening.settings import ScreeningSettings
    from reviewflow.settings import UpdateSettings
    from reviewflow.update import UPDATE_FILE, read_update_file, review_config_file

    root = Path(review_dir).resolve()
    if not root.is_dir():
        raise ConfigError(f"{review_dir}: no such review folder")
    config_path = review_config_file(root)
    config = load_config(config_path)
    update_path = root / UPDATE_FILE
    if update_path.is_file():
        config = _deep_update(config, read_update_file(update_path))
        validate_config(config, source=f"{config_path} with {update_path}")
    screening = ScreeningSettings.from_config(config["screening"], where="screening")
    update = UpdateSettings.from_config(config["update"], where="update")
    params = screening.parameters(
        run_label=update.run_label, screen_only_new=update.screen_only_new
    )  # as rule screen_records records them
    review = dict(config.get("review") or {})
    eligibility = dict(review.get("eligibility") or {})
    fulltext = dict(config.get("fulltext") or {})
    return Review(
        files=ReviewFiles.for_review(root, config_path, config),
        review_id=str(review.get("id", "")),
        title=str(review.get("title", "")),
        question=str(review.get("question", "")),
        eligibility_include=tuple(str(c) for c in eligibility.get("include", [])),
        eligibility_exclude=tuple(str(c) for c in eligibility.get("exclude", [])),
        adjudicator=screening.adjudicator,
        screening_params=params,
        exclusion_reasons=tuple(
            (str(r["code"]), str(r.get("label", r["code"])))
            for r in fulltext.get("exclusion_reasons", []) or []
        ),
        highlight=HighlightTerms.from_settings(screening.highlight_terms),
    )


def reviewer_slug(name: str) -> str:
    """``A. Reviewer`` -> ``a_reviewer``: how a reviewer's name appears in a file name."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def decision_file_for(
    reviewer: str,
    files: Sequence[Path],
    reviewers_in: Mapping[Path, set[str]],
    *,
    config_key: str = "screening.decisions",
    config_path: str = "config.yaml",
) -> Path:
    """The decision file a reviewer writes to, among the files named in config.

    In order: the file named for the reviewer (``screening_<name>.csv``, the convention
    the review configs document); the file whose rows are all by this reviewer; the only
    file when config names one. Anything else is ambiguous, and the error says which file
    to add to config (the app never edits config: Snakemake must read what it writes).
    """
    if not files:
        raise ConfigError(
            f"{config_path}: {config_key} names no decision file; add one (e.g. "
            f"decisions/screening_{reviewer_slug(reviewer) or 'name'}.csv with the header "
            "record_id,decision,reviewer,date,note) so that Snakemake reads what the app writes"
        )
    slug = reviewer_slug(reviewer)
    if slug:
        for path in files:
            stem = reviewer_slug(path.stem)
            if stem == slug or stem.endswith("_" + slug):
                return path
    for path in files:
        names = reviewers_in.get(path, set())
        if names and names == {reviewer}:
            return path
    if len(files) == 1:
        return files[0]
    listing = ", ".join(p.name for p in files)
    raise ConfigError(
        f"{config_path}: none of the files in {config_key} ({listing}) is {reviewer!r}'s; "
        f"add decisions/screening_{slug or 'name'}.csv to {config_key} (one file per reviewer)"
    )
