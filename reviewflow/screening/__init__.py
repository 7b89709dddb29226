"""ML-assisted title/abstract screening: ranking, active learning, stopping, simulation.

Modules: :mod:`features` (text to TF-IDF), :mod:`models` (registry of rankers),
:mod:`active_learning` (the screening loop), :mod:`stopping` (registry of stoppers),
:mod:`decisions` (human decision files), :mod:`simulate` (replay labelled data) and
:mod:`stage` (the Snakemake stage ``screen_records``).
"""
