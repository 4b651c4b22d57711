"""One task per document: extract → segment → classify, run where the executor puts it.

`analyse_document` is the unit of work that `run.analyse` maps over the files,
in local worker processes or on a Dask cluster (`executors.py`). A worker loads
spaCy, the model and the cues once (module-level caches keyed by what they were
loaded from) and keeps them for every document it is given. The result is plain
data (`DocumentResult`, its table as JSON-safe columns), so that it crosses
processes and machines cheaply, is stored as is in the cache (`cache.py`), and
gives the same report bytes whether it was computed now, elsewhere or read back.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .absence import affirmed
from .cues import Cues
from .errors import LeviersError
from .model import LeverModel, load_model
from .taxonomy import Taxonomy
from .types import Classified, carried

if TYPE_CHECKING:
    import pandas as pd

# Changes whenever a document's result changes for the same bytes, model, cues and
# taxonomy (segmentation or absence rules, the table's columns): part of the cache key.
RESULT_FORMAT = 1
TEXT_COLUMNS = ("document", "text", "levers", "cues", "kind", "deplores")
CLASSIFY_SLICE = 256  # passages classified at once
INT_COLUMNS = ("page", "passage")


@dataclass(frozen=True)
class Settings:
    """What a worker needs to analyse a document: sent with each task, small."""

    model_dir: str  # on a cluster, a path every worker can read (a shared filesystem)
    taxonomy: Taxonomy
    cues: Cues


@dataclass
class DocumentResult:
    """One document's analysis: its passage table as columns, or why it failed."""

    name: str
    pages: int = 0
    skipped: str = ""  # pages that could not be read, and why
    error: tuple[str, str] | None = None  # (stage, message) when the document failed
    table: dict[str, list] = field(default_factory=dict)  # column → values, JSON-safe
    seconds: dict[str, float] = field(default_factory=dict)  # per stage

    @property
    def passages(self) -> int:
        return len(self.table.get("text", ()))


# The worker's resources, loaded on its first document: (model dir, taxonomy, cues) → model.
_MODELS: dict[tuple[str, str, str], LeverModel] = {}


def worker_model(settings: Settings) -> LeverModel:
    """The model for these settings, loaded once per process. A model that cannot be
    loaded is the tool's failure, not the document's: the ModelError goes up."""
    from .classify import check_scorable

    key = (settings.model_dir, settings.taxonomy.digest, settings.cues.digest)
    if key not in _MODELS:
        model = load_model(settings.model_dir, settings.taxonomy)
        check_scorable(model, settings.cues)
        _MODELS[key] = model
    return _MODELS[key]


def analyse_document(path: str | Path, name: str, settings: Settings) -> DocumentResult:
    """Extract, segment and classify one document; its own failure is recorded in the
    result at the stage where it happened, the tool's (no model, no spaCy) is raised."""
    from .classify import classify
    from .extract import _timed_extract, skipped_pages
    from .nlp import load_nlp
    from .report.tables import passage_table
    from .segment import segment

    model = worker_model(settings)
    nlp = load_nlp()
    result = DocumentResult(name)
    stage = "extract"
    try:
        extracted, result.seconds["extract"] = _timed_extract(Path(path))
        if isinstance(extracted, BaseException):
            raise extracted
        pages = extracted
        stage = "segment"
        clock = time.perf_counter()
        passages = segment(pages, name, nlp)
        result.seconds["segment"] = time.perf_counter() - clock
        stage = "classify"
        clock = time.perf_counter()
        texts = [p.text for p in passages]
        scores, matches, absent = [], [], []
        # In slices, so that a 300-page document's spaCy docs are not all in memory
        # at once; each passage is scored alone, so the scores are the same.
        for start in range(0, len(texts), CLASSIFY_SLICE):
            part = texts[start:start + CLASSIFY_SLICE]
            scored = classify(part, model, settings.cues)
            scores.append(scored.scores)
            matches += scored.cues
            absent += deplored(part, scored.scores, model, settings.cues)
        if scores:
            scored = Classified(np.vstack(scores), matches)
        else:
            scored = classify([], model, settings.cues)
        result.seconds["classify"] = time.perf_counter() - clock
        stage = "report"
        table = table_columns(passage_table(passages, scored, settings.taxonomy.ids, absent))
        skipped = skipped_pages(pages)
    except (Exception, MemoryError) as exc:
        # Whatever a document raises is recorded against it, and the batch goes on.
        result.error = (stage, failure(stage, exc))
        return result
    result.pages, result.skipped, result.table = len(pages), skipped, table
    return result


def failure(stage: str, exc: BaseException) -> str:
    """One line saying why a document failed: the file's fault only when it is."""
    if isinstance(exc, LeviersError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"out of memory in {stage}: the document is too large to analyse"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc})"
    # A bug of leviers met on this file: say so rather than blame the file.
    return f"internal error of leviers in {stage} ({type(exc).__name__}: {exc}); please report it"[:300]


def deplored(texts: list[str], scores: np.ndarray, model: LeverModel, cues: Cues) -> list[list[str]]:
    """For each passage, the levers it carries only through the sentences that negate or
    deplore them: scored again without those sentences, it no longer carries them."""
    from .classify import classify

    lever_ids = list(cues.lever_ids)
    out: list[list[str]] = [[] for _ in texts]
    rest = {i: affirmed(text) for i, text in enumerate(texts)}
    changed = [i for i, text in rest.items() if text != texts[i] and carried(scores[i], lever_ids)]
    if not changed:
        return out
    kept = [i for i in changed if rest[i]]
    rescored = dict(zip(kept, classify([rest[i] for i in kept], model, cues).scores))
    for i in changed:
        still = set(carried(rescored[i], lever_ids)) if i in rescored else set()
        out[i] = [lever for lever in carried(scores[i], lever_ids) if lever not in still]
    return out


def table_columns(table: pd.DataFrame) -> dict[str, list]:
    """A passage table as JSON-safe columns (Python ints, floats and strings)."""
    return {str(column): table[column].tolist() for column in table.columns}


def table_frame(columns: dict[str, list], lever_ids: list[str], name: str) -> pd.DataFrame:
    """The passage table of `table_columns`, with the same dtypes whatever its length, and
    the document's current name (the same bytes may come back under another name)."""
    import pandas as pd  # here: the main process starts its workers before it imports pandas

    rows = len(columns.get("text", ()))
    frame: dict[str, object] = {}
    for column in ("document", "page", "passage", "text", "levers", "cues", "kind", "deplores"):
        if column == "document":
            frame[column] = pd.Series([name] * rows, dtype=object)
        elif column in INT_COLUMNS:
            frame[column] = pd.Series(columns.get(column, []), dtype="int64")
        else:
            frame[column] = pd.Series(columns.get(column, []), dtype=object)
    # The scores as one array, not a Series per lever: a re-run builds this table for
    # each document it reads back from the cache. (Text columns stay Series: from an
    # array, pandas would make them strings, not objects.)
    scores = np.array([columns.get(lever, [0.0] * rows) for lever in lever_ids], dtype="float64")
    frame.update(zip(lever_ids, scores.reshape(len(lever_ids), rows)))
    return pd.DataFrame(frame)


def file_digest(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def warm_up() -> None:
    """Load spaCy, the shipped model and cues, and classify once, into this process's caches."""
    from .classify import classify
    from .cues import load_cues
    from .model import default_model_dir
    from .taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    settings = Settings(str(default_model_dir().resolve()), taxonomy, load_cues(taxonomy))
    classify(["Un tiers-lieu accueille les porteurs de projets du territoire."], worker_model(settings),
             settings.cues)
