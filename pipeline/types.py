"""The types the stages hand to each other, and the few rules every stage reads the same way.

This module is the leaf of the package: every stage may import it, and it
imports nothing of the package but its errors, so no stage has to import
another to know what it receives.

    extract → [Page] → segment → [Passage] → classify → scores → report ← Result
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .errors import LeviersError

if TYPE_CHECKING:
    import pandas as pd

    from .taxonomy import Taxonomy

# A passage carries a lever when its score is at least this: scores are
# rescaled per lever so that its threshold lands here (see classify.rescale).
DECISION = 0.5

# What `classify` scores with: the model and the cues (the default), or either alone to measure it.
SCORINGS = ("hybrid", "model", "cues")

# Separates lever ids in one cell of a CSV (passages.csv, annotation files).
LABEL_SEPARATOR = "|"

# The page-text format that extract writes and segment reads: one paragraph
# per block, blocks separated by a blank line, lines by a newline. A block
# holding only REGION_END marks where the reading moves on to another column
# or box of a PDF page: a heading is not carried across it.
REGION_END = "\f"
# What opens a list item; the PDF reader also uses it to keep a marker on its line.
BULLET_MARKS = r"[•▪◦‣●■□➢➤►✓✔–—\-*]|\d{1,2}[.)]"
BULLET = re.compile(rf"^\s*(?:{BULLET_MARKS})\s+")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based page as printed by a PDF reader, or section number
    text: str
    skipped: str = ""  # why the page's text could not be read (a scan without OCR)


@dataclass(frozen=True)
class Passage:
    document: str
    page: int
    index: int  # 0-based position in the document
    text: str


@dataclass
class Classified:
    scores: np.ndarray  # passages × the taxonomy's levers, in [0, 1]; carried from DECISION up
    cues: list[dict[str, list[str]]]  # per passage: lever → the words that matched its cues


def carried(scores: Sequence[float], lever_ids: Sequence[str]) -> list[str]:
    """The levers a passage carries, from its row of scores."""
    return [lever for lever, score in zip(lever_ids, scores) if score >= DECISION]


@dataclass(frozen=True)
class CoverageRule:
    """When a document covers a lever: when at least `min_passages` of its
    passages carry the lever, or, if `high_confidence` is set, when one passage
    scores at least that much.

    One passage (the default) flags every lever a document mentions once;
    asking for more flags the levers it insists on, and `high_confidence`
    keeps a single mention the model is sure of (it only matters from two
    passages up).
    """

    min_passages: int = 1
    high_confidence: float | None = None

    def __post_init__(self) -> None:
        if self.min_passages < 1:
            raise LeviersError(f"min_passages must be at least 1, not {self.min_passages}")
        if self.high_confidence is not None and not DECISION <= self.high_confidence <= 1:
            raise LeviersError(f"high_confidence must be between {DECISION} and 1, not {self.high_confidence}")

    def covers(self, scores: np.ndarray) -> np.ndarray:
        """One boolean per lever (column) of a document's passages × levers scores."""
        covered: np.ndarray = (scores >= DECISION).sum(axis=0) >= self.min_passages
        if self.high_confidence is not None:
            covered |= (scores >= self.high_confidence).any(axis=0)
        return covered

    def __str__(self) -> str:
        k = self.min_passages
        text = (f"a document covers a lever when at least {k} of its passages carr{'y' if k > 1 else 'ies'} "
                f"it (score ≥ {DECISION})")
        if self.high_confidence is not None:
            text += f", or when one passage scores at least {self.high_confidence}"
        return text


@dataclass
class DocumentSummary:
    name: str
    pages: int = 0
    passages: int = 0
    covered: dict[str, tuple[int, int]] = field(default_factory=dict)  # framework → (covered, levers)
    missing: list[str] = field(default_factory=list)  # ids of the levers not covered
    error: str | None = None  # "stage: message" when the document failed
    skipped: str = ""  # pages that could not be read (scans without OCR), and why


@dataclass
class Result:
    coverage: pd.DataFrame
    passages: pd.DataFrame
    errors: pd.DataFrame
    documents: list[DocumentSummary]
    run: dict
    taxonomy: Taxonomy
    rule: CoverageRule

    @property
    def failed(self) -> list[DocumentSummary]:
        return [d for d in self.documents if d.error]
