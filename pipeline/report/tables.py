"""The report's tables: passages, coverage per document and lever, the corpus summary.

A passage carries a lever when its score is at least DECISION (scores are
rescaled so that it is the lever's threshold, see classify.py). Only evidence
counts for coverage and quotes: passages of the evidence kinds, for the levers
they do not deplore the absence of. Whether a document covers a lever, and how
strongly, is a `CoverageRule` over its evidence; a document's score for a lever
is its best evidence's score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..taxonomy import Taxonomy
from ..types import DECISION, EVIDENCE_KINDS, LABEL_SEPARATOR, Classified, CoverageRule, Passage, carried

COVERAGE_COLUMNS = [
    "document", "framework", "lever", "label", "covered", "level", "score",
    "passages", "share", "evidence", "evidence_page",
]
SUMMARY_COLUMNS = ["ranking", "rank", "name", "label", "framework", "covered", "out_of", "share", "strong"]
ERROR_COLUMNS = ["document", "stage", "message"]
SENTENCE_END = (".", "!", "?", "…", "»", ")", '"', "”")


def passage_table(passages: list[Passage], scored: Classified, lever_ids: list[str],
                  deplored: Sequence[Sequence[str]] | None = None) -> pd.DataFrame:
    """One row per passage: where it is, its text, the levers it carries, the words that
    matched their cues, its kind, the levers whose absence it deplores (carried, but not
    evidence), every score."""
    scores = np.round(scored.scores, 4)  # rounded first, so that a file's scores agree with its `levers`
    table = pd.DataFrame(
        {
            "document": [p.document for p in passages],
            "page": [p.page for p in passages],
            "passage": [p.index for p in passages],
            "text": [p.text for p in passages],
            "levers": [LABEL_SEPARATOR.join(carried(row, lever_ids)) for row in scores],
            "cues": [cue_cell(found) for found in scored.cues],
            "kind": [p.kind for p in passages],
            "deplores": [LABEL_SEPARATOR.join(levers) for levers in deplored or [()] * len(passages)],
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


def evidence_scores(passages: pd.DataFrame, lever_ids: list[str]) -> np.ndarray:
    """The passages × levers scores that count for coverage: 0 for a passage that is
    not of an evidence kind, and for a lever whose absence the passage deplores."""
    scores = passages[lever_ids].to_numpy(dtype=float, copy=True)
    scores[~passages["kind"].isin(EVIDENCE_KINDS).to_numpy()] = 0.0
    column = {lever: i for i, lever in enumerate(lever_ids)}
    deplores = passages["deplores"].to_numpy()
    # Few passages deplore anything: only theirs are read (this runs for every document).
    for row in np.flatnonzero(deplores.astype(bool)):
        for lever in filter(None, str(deplores[row]).split(LABEL_SEPARATOR)):
            if lever in column:
                scores[row, column[lever]] = 0.0
    return scores


def best_passages(scores: np.ndarray, texts: Sequence[str], pages: Sequence[int], n: int) -> list[int]:
    """The positions of the `n` best evidence passages for a lever, given its column of
    `evidence_scores`: each text once, from as many pages as there are quotes when the
    document allows, since a lever shown by three passages of one page, or three copies of
    one text, is shown by less than it seems. Best first; ties keep the passages' order."""
    firsts: list[int] = []  # the best passage of each page
    others: list[int] = []
    seen_texts: set[str] = set()
    seen_pages: set[int] = set()
    # In plain Python over the carrying passages: this runs per document and lever, where
    # pandas' per-call overhead cost more than the whole report.
    for i in np.argsort(-scores, kind="stable").tolist():
        if not scores[i] >= DECISION:
            break
        text = _normalised(texts[i])
        if text in seen_texts:
            continue
        seen_texts.add(text)
        if pages[i] in seen_pages:
            others.append(i)
        else:
            seen_pages.add(pages[i])
            firsts.append(i)
            if len(firsts) == n:
                break
    return sorted((firsts + others)[:n], key=lambda i: -scores[i])


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def quote(text: str) -> str:
    """A passage as a quote: marked "…" where it starts or stops within a sentence."""
    text = text.strip()
    if text[:1].islower():
        text = "… " + text
    if not text.endswith(SENTENCE_END):
        text = text.rstrip(":;,") + " …"
    return text


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
        evidence = evidence_scores(mine, taxonomy.ids)
        levels = rule.levels(evidence)
        texts, pages = mine["text"].tolist(), mine["page"].tolist()
        for column, (lever, level) in enumerate(zip(taxonomy.levers, levels)):
            scores = evidence[:, column]
            carrying = int((scores >= DECISION).sum())
            best = best_passages(scores, texts, pages, 1)
            rows.append(
                {
                    "document": document,
                    "framework": lever.framework,
                    "lever": lever.id,
                    "label": lever.label,
                    "covered": int(level != "none"),
                    "level": str(level),
                    "score": round(float(scores.max()), 4) if len(scores) else 0.0,
                    "passages": carrying,
                    "share": round(carrying / len(mine), 4) if len(mine) else 0.0,
                    "evidence": quote(texts[best[0]]) if best else "",
                    "evidence_page": int(pages[best[0]]) if best else None,
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
    coverage = coverage.assign(strong=coverage["level"] == "strong")
    documents = coverage.groupby("document", sort=False).agg(
        covered=("covered", "sum"), out_of=("covered", "size"), strong=("strong", "sum"))
    documents = documents.reset_index().rename(columns={"document": "name"}).assign(
        ranking="documents", label="", framework="")
    levers = coverage.groupby("lever", sort=False).agg(
        label=("label", "first"), framework=("framework", "first"),
        covered=("covered", "sum"), out_of=("covered", "size"), strong=("strong", "sum"))
    levers = levers.reset_index().rename(columns={"lever": "name"}).assign(ranking="levers")

    def ranked(table: pd.DataFrame) -> pd.DataFrame:
        # Among those that cover as many, the ones covered strongly come first.
        table = table.sort_values(["covered", "strong"], ascending=False, kind="stable")
        return table.assign(rank=table["covered"].rank(ascending=False, method="min").astype(int),
                            share=(table["covered"] / table["out_of"]).round(4))

    return pd.concat([ranked(documents), ranked(levers)], ignore_index=True).reindex(columns=SUMMARY_COLUMNS)
