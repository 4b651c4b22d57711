"""Report stage: passage scores → coverage tables and the files of the output folder.

A passage carries a lever when its score is at least 0.5 (scores are rescaled so
that 0.5 is the lever's threshold, see classify.py). Whether a document covers a
lever is a `CoverageRule`: by default, when at least one passage carries it.
A document's score for a lever is its best passage's score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from .classify import DECISION, carried
from .errors import LeviersError
from .segment import Passage
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from .run import Result

COVERAGE_COLUMNS = [
    "document", "framework", "lever", "label", "covered", "score",
    "passages", "share", "evidence", "evidence_page",
]
SUMMARY_COLUMNS = ["ranking", "rank", "name", "label", "framework", "covered", "out_of", "share"]
ERROR_COLUMNS = ["document", "stage", "message"]

# A spreadsheet reads a cell that starts with one of these as a formula; tab and
# carriage return are on OWASP's list too, because some spreadsheets skip them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SCORE_FORMULA = (
    "s = p / (2t) when p < t, else s = 0.5 + (p − t) / (2(1 − t)), where p is the model's "
    "probability that the passage addresses the lever and t the lever's threshold, chosen by "
    "cross-validation on the training corpus; a document's score is the highest s of its passages"
)


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
        covered = (scores >= DECISION).sum(axis=0) >= self.min_passages
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


def passage_table(passages: list[Passage], scores: np.ndarray, lever_ids: list[str]) -> pd.DataFrame:
    """One row per passage: where it is, its text, the levers it carries, every score."""
    scores = np.round(scores, 4)  # rounded first, so that a file's scores agree with its `levers`
    table = pd.DataFrame(
        {
            "document": [p.document for p in passages],
            "page": [p.page for p in passages],
            "passage": [p.index for p in passages],
            "text": [p.text for p in passages],
            "levers": ["|".join(carried(row, lever_ids)) for row in scores],
        }
    )
    score_columns = pd.DataFrame(scores, columns=lever_ids, index=table.index)
    return pd.concat([table, score_columns], axis=1)


def top_passages(passages: pd.DataFrame, lever: str, n: int) -> pd.DataFrame:
    """The `n` passages that carry `lever` with the highest scores, best first."""
    return passages[passages[lever] >= DECISION].nlargest(n, lever)


def coverage_table(
    passages: pd.DataFrame, documents: list[str], taxonomy: Taxonomy, rule: CoverageRule = CoverageRule(),
) -> pd.DataFrame:
    """One row per document × lever, documents in the given order.

    The evidence is the best passage that carries the lever, also when there
    are too few of them for the rule to call the lever covered.
    """
    rows = []
    for document in documents:
        mine = passages[passages["document"] == document]
        covered = rule.covers(mine[taxonomy.ids].to_numpy())
        for lever, is_covered in zip(taxonomy.levers, covered):
            scores = mine[lever.id]
            carrying = int((scores >= DECISION).sum())
            best = top_passages(mine, lever.id, 1)
            rows.append(
                {
                    "document": document,
                    "framework": lever.framework,
                    "lever": lever.id,
                    "label": lever.label,
                    "covered": int(is_covered),
                    "score": round(float(scores.max()), 4) if len(scores) else 0.0,
                    "passages": carrying,
                    "share": round(carrying / len(mine), 4) if len(mine) else 0.0,
                    "evidence": best["text"].iloc[0] if len(best) else "",
                    "evidence_page": int(best["page"].iloc[0]) if len(best) else None,
                }
            )
    table = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    table["evidence_page"] = table["evidence_page"].astype("Int64")
    return table


def coverage_matrix(coverage: pd.DataFrame) -> pd.DataFrame:
    """Documents as rows, levers as columns, 1 where covered."""
    matrix = coverage.pivot(index="document", columns="lever", values="covered")
    # pivot sorts both axes; keep the documents' and the taxonomy's order.
    matrix = matrix.reindex(index=coverage["document"].unique(), columns=coverage["lever"].unique())
    return matrix.reset_index()


def summary_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """The corpus at a glance: documents ranked by how many levers they cover,
    then levers ranked by how many documents cover them (ties keep the input's
    and the taxonomy's order and share a rank)."""
    documents = coverage.groupby("document", sort=False).agg(
        covered=("covered", "sum"), out_of=("covered", "size"))
    documents = documents.reset_index().rename(columns={"document": "name"}).assign(
        ranking="documents", label="", framework="")
    levers = coverage.groupby("lever", sort=False).agg(
        label=("label", "first"), framework=("framework", "first"),
        covered=("covered", "sum"), out_of=("covered", "size"))
    levers = levers.reset_index().rename(columns={"lever": "name"}).assign(ranking="levers")

    def ranked(table: pd.DataFrame) -> pd.DataFrame:
        table = table.sort_values("covered", ascending=False, kind="stable")
        return table.assign(rank=table["covered"].rank(ascending=False, method="min").astype(int),
                            share=(table["covered"] / table["out_of"]).round(4))

    return pd.concat([ranked(documents), ranked(levers)], ignore_index=True).reindex(columns=SUMMARY_COLUMNS)


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell can start a formula: those that could get a leading apostrophe."""

    def neutralise(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    safe = table.copy()
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe


def write_csv(table: pd.DataFrame, path: str | Path, excel: bool = False) -> None:
    """Write a table as UTF-8 with a byte-order mark, without which Excel garbles
    accents; `excel` switches to the ';' separator and decimal commas of French Excel."""
    spreadsheet_safe(table).to_csv(
        path, index=False, encoding="utf-8-sig", sep=";" if excel else ",", decimal="," if excel else "."
    )


def write_outputs(folder: str | Path, result: Result, excel: bool = False) -> list[Path]:
    """Write the report files of an analysis into `folder` and return their paths."""
    # Imported here because the HTML report is built from this module's tables.
    from .html_report import render_report

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "coverage.csv": result.coverage,
        "coverage_matrix.csv": coverage_matrix(result.coverage),
        "summary.csv": summary_table(result.coverage),
        "passages.csv": result.passages,
        "errors.csv": result.errors.reindex(columns=ERROR_COLUMNS),
    }
    written = []
    for name, table in tables.items():
        write_csv(table, folder / name, excel)
        written.append(folder / name)
    (folder / "run.json").write_text(json.dumps(result.run, ensure_ascii=False, indent=2) + "\n", "utf-8")
    (folder / "report.html").write_text(render_report(result), "utf-8")
    return written + [folder / "run.json", folder / "report.html"]
