"""The report's tables: passages, coverage per document and lever, the corpus summary.

A passage carries a lever when its score is at least DECISION (scores are
rescaled so that it is the lever's threshold, see classify.py). Whether a
document covers a lever is a `CoverageRule`: by default, when at least one
passage carries it. A document's score for a lever is its best passage's score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..taxonomy import Taxonomy
from ..types import DECISION, LABEL_SEPARATOR, Classified, CoverageRule, Passage, carried

COVERAGE_COLUMNS = [
    "document", "framework", "lever", "label", "covered", "score",
    "passages", "share", "evidence", "evidence_page",
]
SUMMARY_COLUMNS = ["ranking", "rank", "name", "label", "framework", "covered", "out_of", "share"]
ERROR_COLUMNS = ["document", "stage", "message"]

def passage_table(passages: list[Passage], scored: Classified, lever_ids: list[str]) -> pd.DataFrame:
    """One row per passage: where it is, its text, the levers it carries, the words that
    matched their cues, every score."""
    scores = np.round(scored.scores, 4)  # rounded first, so that a file's scores agree with its `levers`
    table = pd.DataFrame(
        {
            "document": [p.document for p in passages],
            "page": [p.page for p in passages],
            "passage": [p.index for p in passages],
            "text": [p.text for p in passages],
            "levers": [LABEL_SEPARATOR.join(carried(row, lever_ids)) for row in scores],
            "cues": [cue_cell(found) for found in scored.cues],
        }
    )
    score_columns = pd.DataFrame(scores, columns=lever_ids, index=table.index)
    return pd.concat([table, score_columns], axis=1)


def cue_cell(found: dict[str, list[str]]) -> str:
    """The cues a passage matched, as one cell: "lever: words, words; lever: words"."""
    return "; ".join(f"{lever}: {', '.join(words)}" for lever, words in found.items())


def cue_words(cell: str, lever: str) -> list[str]:
    """The words of a `cue_cell` that matched one lever's cues."""
    for part in cell.split("; ") if cell else ():
        name, _, words = part.partition(": ")
        if name == lever:
            return words.split(", ")
    return []


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
