"""Full-text stage: where each included study's full text is, and the full-text decisions.

``locate`` finds open-access copies (Unpaywall, Europe PMC) and PDFs reviewers dropped into
the review folder; ``decisions`` reads and checks the full-text decision files; ``stage``
holds the two Snakemake entry points.
"""

from __future__ import annotations

from reviewflow.fulltext.stage import run_fulltext_stage, run_locate_stage

__all__ = ["run_fulltext_stage", "run_locate_stage"]
