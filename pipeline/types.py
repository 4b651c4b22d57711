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
# What opens a list item ("a)", "b." too: French documents letter their sub-items);
# the PDF reader also uses it to keep a marker on its line.
BULLET_MARKS = r"[•▪◦‣●■□➢➤►✓✔–—\-*]|\d{1,2}[.)]|[a-z][.)]"
BULLET = re.compile(rf"^\s*(?:{BULLET_MARKS})\s+")


@dataclass(frozen=True)
class Page:
    number: int  # 1-based page as printed by a PDF reader, or section number
    text: str
    skipped: str = ""  # why the page's text could not be read (a scan without OCR)


# What a passage is, as segment tells it. Only the evidence kinds can prove that a
# document covers a lever or be quoted: a heading, a caption, a line of a table of
# contents, a glossary row or a text the document repeats on several pages (a
# template's question, a running title) names a subject without saying anything of it.
EVIDENCE_KINDS = ("paragraph", "list_item", "table_row")
OTHER_KINDS = ("heading", "caption", "toc", "glossary", "repeated")


@dataclass(frozen=True)
class Passage:
    document: str
    page: int
    index: int  # 0-based position in the document
    text: str
    kind: str = "paragraph"  # one of EVIDENCE_KINDS or OTHER_KINDS


@dataclass
class Classified:
    scores: np.ndarray  # passages × the taxonomy's levers, in [0, 1]; carried from DECISION up
    cues: list[dict[str, list[str]]]  # per passage: lever → the words that matched its cues


def carried(scores: Sequence[float], lever_ids: Sequence[str]) -> list[str]:
    """The levers a passage carries, from its row of scores."""
    return [lever for lever, score in zip(lever_ids, scores) if score >= DECISION]


LEVELS = ("strong", "weak", "none")


@dataclass(frozen=True)
class CoverageRule:
    """When a document covers a lever: when at least `min_passages` of its
    evidence passages carry the lever, or, if `high_confidence` is set, when one
    of them scores at least that much. A covered lever is covered `strong`ly when
    one passage scores at least `strong_score` or, if `strong_passages` is set,
    when at least that many carry it; `weak`ly otherwise, so that a single mention
    at 0.5 does not look like a lever the document is built on.

    The defaults were chosen by cross-validation on the whole documents of the
    training corpus, with the scores `analyse` gives (bench/document_rule.py,
    models/DESIGNS.md): one passage for coverage (the best F1), three carrying
    passages for strong (the most recall at a precision of 0.97).
    """

    min_passages: int = 1
    high_confidence: float | None = None
    strong_score: float | None = None
    strong_passages: int | None = 3

    def __post_init__(self) -> None:
        for name in ("min_passages", "strong_passages"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise LeviersError(f"{name} must be at least 1, not {value}")
        for name in ("high_confidence", "strong_score"):
            value = getattr(self, name)
            if value is not None and not DECISION <= value <= 1:
                raise LeviersError(f"{name} must be between {DECISION} and 1, not {value}")

    @staticmethod
    def _any(scores: np.ndarray, passages: int | None, score: float | None) -> np.ndarray:
        met = np.zeros(scores.shape[1], dtype=bool)
        if passages is not None:
            met |= (scores >= DECISION).sum(axis=0) >= passages
        if score is not None:
            met |= (scores >= score).any(axis=0)
        return met

    def covers(self, scores: np.ndarray) -> np.ndarray:
        """One boolean per lever (column) of a document's passages × levers evidence scores."""
        return self._any(scores, self.min_passages, self.high_confidence)

    def levels(self, scores: np.ndarray) -> np.ndarray:
        """One of LEVELS per lever (column) of a document's passages × levers evidence scores."""
        covered = self.covers(scores)
        strong = covered & self._any(scores, self.strong_passages, self.strong_score)
        return np.where(strong, "strong", np.where(covered, "weak", "none"))

    def __str__(self) -> str:
        k = self.min_passages
        text = (f"a document covers a lever when at least {k} of its passages carr{'y' if k > 1 else 'ies'} "
                f"it (score ≥ {DECISION})")
        if self.high_confidence is not None:
            text += f", or when one passage scores at least {self.high_confidence}"
        strongly = [f"one scores at least {self.strong_score}"] if self.strong_score is not None else []
        strongly += [f"at least {self.strong_passages} carry it"] if self.strong_passages is not None else []
        return text + (f"; strongly when {' or '.join(strongly)}" if strongly else "")


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
