"""Imported by the workers' fork server before it forks them (see executors.py).

Everything a worker needs is loaded here once, then shared by every worker forked
from the server, and by every renewed worker, at no cost: the stages' modules,
spaCy's French pipeline, the shipped model and cues, and a first classification
(spaCy's and the cue matcher's first use costs seconds). A worker given another
model or other cues loads them itself.
"""

from . import tasks
from .extract import formats, pdf  # noqa: F401  (the readers)

try:
    tasks.warm_up()
except Exception:  # noqa: BLE001  the worker that needs them will say what is wrong
    pass
