"""report.html: an analysis as one self-contained page, to open offline or mail.

The page comes from `templates/report.html.j2`, rendered by Jinja2 with
autoescaping, so a passage holding markup shows as text. This module only
prepares what the template shows: the tables' rows and the charts' geometry
(inline SVG, so that the page fetches nothing; its only script sorts tables).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import jinja2
import pandas as pd

from ..classify import SCORE_FORMULA
from ..taxonomy import Lever, Taxonomy
from ..types import DECISION, LABEL_SEPARATOR, CoverageRule, Result
from .tables import cue_words, quote, summary_table, top_passages

QUOTES_PER_LEVER = 3
# Geometry of the charts, in pixels.
CELL, GAP, GROUP_GAP = 30, 3, 14  # heatmap cells, the space between them and between frameworks
HEATMAP_LEFT, HEATMAP_TOP = 300, 190  # room for the documents' names and the levers' slanted labels
BAR_LABEL, BAR_WIDTH, BAR_ROW, BAR_TOP = 360, 260, 24, 30
LEGEND_SCORES = (0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def lever_tip(lever: Lever) -> str:
    """What a lever's hover text says: its label and description."""
    return f"{lever.label} ({lever.id}): {lever.description}"


def highlighted(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """A quote cut into (part, is a cue) so that the template marks the words that matched."""
    pattern = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    if not pattern:
        return [(text, False)]
    parts = re.split(f"({pattern})", text)
    return [(part, i % 2 == 1) for i, part in enumerate(parts) if part]


def colour(score: float) -> str:
    """Greys below the threshold, blues from it up, darker as the score rises."""
    if score < DECISION:
        low, high, t = (246, 246, 246), (196, 196, 196), score / DECISION
    else:
        low, high, t = (158, 202, 225), (8, 69, 148), (score - DECISION) / (1 - DECISION)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high))


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(clip=clip, colour=colour)
    environment.globals.update(plural=plural, tip=lever_tip)
    return environment


def render_report(result: Result) -> str:
    """The whole page for an analysis."""
    documents = list(dict.fromkeys(result.coverage["document"]))
    anchors = {name: f"doc-{i}" for i, name in enumerate(documents, 1)}
    summaries = {s.name: s for s in result.documents}
    return _environment().get_template("report.html.j2").render(
        run=result.run,
        counts=result.run["documents"],
        rule=result.rule,
        decision=DECISION,
        formula=SCORE_FORMULA,
        taxonomy=result.taxonomy,
        heatmap=heatmap(result.coverage, anchors, result.taxonomy) if documents else None,
        corpus=corpus(result.coverage, summaries, anchors, result.taxonomy) if documents else None,
        documents=[document(name, anchors[name], result) for name in documents],
        summaries=summaries,
        errors=list(result.errors.itertuples()),
    )


def corpus(coverage: pd.DataFrame, summaries: dict, anchors: dict[str, str], taxonomy: Taxonomy) -> dict:
    """The two ranking tables: documents by levers covered, levers by documents covering them."""
    summary = summary_table(coverage)
    by_framework = coverage.groupby(["document", "framework"], sort=False)["covered"].agg(["sum", "size"])
    documents = [
        {"rank": row.rank, "name": row.name, "anchor": anchors[row.name], "covered": row.covered,
         "strong": row.strong, "out_of": row.out_of, "about": summaries[row.name],
         "frameworks": [tuple(by_framework.loc[(row.name, f.id)]) for f in taxonomy.frameworks]}
        for row in summary[summary["ranking"] == "documents"].itertuples()
    ]
    levers = [
        {"rank": row.rank, "lever": taxonomy.lever(row.name), "covered": row.covered, "strong": row.strong,
         "out_of": row.out_of, "share": row.share}
        for row in summary[summary["ranking"] == "levers"].itertuples()
    ]
    return {"documents": documents, "levers": levers}


@dataclass
class Column:
    lever: Lever
    x: float


def heatmap(coverage: pd.DataFrame, anchors: dict[str, str], taxonomy: Taxonomy) -> dict:
    """The heatmap's geometry: a column per lever grouped by framework, a row per document."""
    x, columns, bands = HEATMAP_LEFT, {}, []
    for framework in taxonomy.frameworks:
        start = x
        for lever in taxonomy.levers:
            if lever.framework == framework.id:
                columns[lever.id] = Column(lever, x)
                x += CELL + GAP
        bands.append({"framework": framework, "x": start, "width": x - GAP - start, "middle": (start + x - GAP) / 2})
        x += GROUP_GAP
    rows = [
        {"document": name, "anchor": anchors[name], "y": HEATMAP_TOP + i * (CELL + GAP),
         "cells": [(columns[row.lever].x, row) for row in mine.itertuples()]}
        for i, (name, mine) in enumerate(coverage.groupby("document", sort=False))
    ]
    height = HEATMAP_TOP + len(rows) * (CELL + GAP) + 50
    return {"columns": list(columns.values()), "bands": bands, "rows": rows, "width": x + 120,
            "height": height, "legend_y": height - 30, "legend": LEGEND_SCORES,
            "cell": CELL, "left": HEATMAP_LEFT, "top": HEATMAP_TOP}


def bars(framework_label: str, rows: pd.DataFrame, taxonomy: Taxonomy, rule: CoverageRule) -> dict:
    """One horizontal bar per lever of a framework: the document's score, with the rule's thresholds."""
    height = BAR_TOP + len(rows) * BAR_ROW + 22
    thresholds = [DECISION] + ([rule.high_confidence] if rule.high_confidence is not None else [])
    return {
        "label": framework_label, "height": height, "width": BAR_LABEL + BAR_WIDTH + 50,
        "left": BAR_LABEL, "track": BAR_WIDTH, "top": BAR_TOP,
        "rows": [(BAR_TOP + i * BAR_ROW, taxonomy.lever(row.lever), row) for i, row in enumerate(rows.itertuples())],
        "thresholds": [(BAR_LABEL + s * BAR_WIDTH, s) for s in thresholds],
    }


def document(name: str, anchor: str, result: Result) -> dict:
    """One document's section: its charts, the levers it leaves out, the quotes for the others,
    and its points of vigilance (the passages that deplore a lever's absence)."""
    taxonomy, rule = result.taxonomy, result.rule
    coverage = result.coverage[result.coverage["document"] == name]
    passages = result.passages[result.passages["document"] == name]
    frameworks = [(framework, coverage[coverage["framework"] == framework.id]) for framework in taxonomy.frameworks]
    return {
        "name": name,
        "anchor": anchor,
        "charts": [bars(framework.label, rows, taxonomy, rule) for framework, rows in frameworks],
        "counts": [(framework.id.upper(), int(rows["covered"].sum()), len(rows)) for framework, rows in frameworks],
        "missing": [(taxonomy.lever(row.lever), row) for row in coverage[coverage["covered"] == 0].itertuples()],
        "evidence": [
            (taxonomy.lever(row.lever), row,
             [(highlighted(quote(passage["text"]), cue_words(passage["cues"], row.lever)), passage["page"],
               passage[row.lever])
              for _, passage in top_passages(passages, row.lever, QUOTES_PER_LEVER).iterrows()])
            for row in coverage[coverage["covered"] == 1].itertuples()
        ],
        "vigilance": [
            (quote(passage.text), passage.page,
             [taxonomy.lever(lever) for lever in passage.deplores.split(LABEL_SEPARATOR)])
            for passage in passages[passages["deplores"].fillna("").astype(bool)].itertuples()
        ],
    }
