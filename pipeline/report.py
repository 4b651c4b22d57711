"""Report stage: passage scores → coverage tables per document and lever.

Rule: a passage carries a lever when its score is at least 0.5 (the lever's
threshold); a document covers a lever when at least one passage carries it.
A document's score for a lever is its best passage's score.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .classify import DECISION
from .segment import Passage
from .taxonomy import Taxonomy

COVERAGE_COLUMNS = [
    "document", "framework", "lever", "label", "covered", "score",
    "passages", "share", "evidence", "evidence_page",
]
ERROR_COLUMNS = ["document", "stage", "message"]


def passage_table(passages: list[Passage], scores: np.ndarray, lever_ids: list[str]) -> pd.DataFrame:
    """One row per passage: where it is, its text, the levers it carries, every score."""
    table = pd.DataFrame(
        {
            "document": [p.document for p in passages],
            "page": [p.page for p in passages],
            "passage": [p.index for p in passages],
            "text": [p.text for p in passages],
            "levers": ["|".join(l for l, s in zip(lever_ids, row) if s >= DECISION) for row in scores],
        }
    )
    score_columns = pd.DataFrame(np.round(scores, 4), columns=lever_ids, index=table.index)
    return pd.concat([table, score_columns], axis=1)


def coverage_table(passages: pd.DataFrame, documents: list[str], taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per document × lever, documents in the given order."""
    rows = []
    for document in documents:
        mine = passages[passages["document"] == document]
        for lever in taxonomy.levers:
            scores = mine[lever.id] if len(mine) else pd.Series(dtype=float)
            carrying = int((scores >= DECISION).sum())
            best = scores.idxmax() if carrying else None
            rows.append(
                {
                    "document": document,
                    "framework": lever.framework,
                    "lever": lever.id,
                    "label": lever.label,
                    "covered": int(carrying > 0),
                    "score": round(float(scores.max()), 4) if len(scores) else 0.0,
                    "passages": carrying,
                    "share": round(carrying / len(mine), 4) if len(mine) else 0.0,
                    "evidence": mine.at[best, "text"] if best is not None else "",
                    "evidence_page": int(mine.at[best, "page"]) if best is not None else None,
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


def write_outputs(
    folder: str | Path,
    coverage: pd.DataFrame,
    passages: pd.DataFrame,
    errors: pd.DataFrame,
    run: dict,
) -> list[Path]:
    """Write the report files into `folder` and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "coverage.csv": coverage,
        "coverage_matrix.csv": coverage_matrix(coverage),
        "passages.csv": passages,
        "errors.csv": errors.reindex(columns=ERROR_COLUMNS),
    }
    written = []
    for name, table in tables.items():
        table.to_csv(folder / name, index=False, encoding="utf-8")
        written.append(folder / name)
    (folder / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=2) + "\n", "utf-8")
    written.append(folder / "run.json")
    return written
