"""Imported by the workers' fork server before it forks them (see executors.py):
the stages' modules imported and spaCy's French pipeline loaded once, so that
every worker, and every renewed worker, starts with them at no cost."""

from . import tasks  # noqa: F401  (the stages, scikit-learn, spaCy's code)
from .extract import formats, pdf  # noqa: F401  (the readers)
from .nlp import load_nlp

load_nlp()
