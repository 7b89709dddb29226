"""The screening app: screen one study at a time in the browser, into the review's own files.

``reviewflow app`` serves a local page for a review folder whose pipeline has run up to
screening. Modules: :mod:`review` (the review's config and files as the app sees them),
:mod:`decision_log` (appending rows to a decision file under a lock), :mod:`book` (every
reviewer's decisions merged, and each reviewer's next study), :mod:`ranking` (the stage's
ranker and stop status refreshed in a background process), :mod:`fulltext` (the full-text
view), :mod:`cards` (a study as the page shows it) and :mod:`server` (the web application).
"""

from __future__ import annotations
