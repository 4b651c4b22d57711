"""report.html: an analysis as one self-contained page, to open offline or mail.

The page comes from `templates/report.html.j2`, rendered by Jinja2 with
autoescaping, so a passage holding markup shows as text. This module only
prepares what the template shows: the tables' rows and the charts' geometry
(inline SVG, so that the page fetches nothing; its only script sorts tables).
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from ..cues import CUE_FLOOR, CUE_LIFT, CUE_ONLY, MAX_LEVERS, NO_CUE_PENALTY
from ..i18n import DEFAULT_LANG, number, plural, translator
from ..taxonomy import Lever, Taxonomy
from ..types import DECISION, LABEL_SEPARATOR, CoverageRule, Result
from .tables import best_passages, cue_words, evidence_scores, quote, summary_table

QUOTES_PER_LEVER = 3
# Geometry of the charts, in pixels.
CELL, GAP, GROUP_GAP = 36, 4, 16  # heatmap cells, the space between them and between frameworks
HEATMAP_LEFT, HEATMAP_TOP = 330, 200  # room for the documents' names and the levers' slanted labels
LINE = 13  # between the lines of a wrapped label
# Labels wrap rather than being cut: a lever's slanted label in two lines at
# most (the longest is 58 characters), a document's name in as many as it needs.
LEVER_WRAP, DOCUMENT_WRAP, BAR_WRAP = 30, 44, 46
BAR_LABEL, BAR_WIDTH, BAR_ROW, BAR_TOP = 330, 260, 24, 30
LEGEND_SCORES = (0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0)

# Rows of the coverage table from DataFrame.itertuples: attributes named after its columns.
CoverageRows = list[Any]


def wrap(text: str, width: int) -> list[str]:
    """A label's lines; a word longer than a line (a file name) is broken, not cut."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def highlighted(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """A quote cut into (part, is a cue) so that the template marks the words that matched:
    from left to right, the longest word that starts first. (With str.find, not a regular
    expression of the words: compiling one per quote cost more than the rest of the page.)"""
    longest_first = sorted({w for w in words if w}, key=len, reverse=True)
    if not longest_first:
        return [(text, False)]
    parts: list[tuple[str, bool]] = []
    start = 0
    while True:
        found = [(text.find(w, start), w) for w in longest_first]
        # min keeps the first of equal positions: the longest word there.
        at, word = min(((i, w) for i, w in found if i >= 0), key=lambda hit: hit[0], default=(-1, ""))
        if at < 0:
            break
        parts += [(text[start:at], False), (word, True)]
        start = at + len(word)
    parts.append((text[start:], False))
    return [(part, cue) for part, cue in parts if part]


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
    environment.filters.update(colour=colour)
    return environment


def strong_rule(rule: CoverageRule, t: Callable[..., str], lang: str) -> str:
    """The rule's strong level in words."""
    ways = [t("strong_score", score=number(rule.strong_score, lang))] if rule.strong_score is not None else []
    ways += [t("strong_passages", count=rule.strong_passages)] if rule.strong_passages is not None else []
    return t("rule_strong", ways=t("or").join(ways)) if ways else ""


def render_report(result: Result, lang: str = DEFAULT_LANG) -> str:
    """The whole page for an analysis, in French or English."""
    coverage = result.coverage
    # Read once, then shared out by document: an itertuples or a filter per
    # document and chart cost more than the rest of the page.
    rows: dict[str, CoverageRows] = {}
    for row in coverage.itertuples():
        rows.setdefault(row.document, []).append(row)
    documents = list(rows)
    anchors = {name: f"doc-{i}" for i, name in enumerate(documents, 1)}
    summaries = {s.name: s for s in result.documents}
    t = translator(lang)
    rule = result.rule
    rule_text = (
        t("rule", min=rule.min_passages, decision=number(DECISION, lang, 1))
        + (t("rule_high", high=number(rule.high_confidence, lang)) if rule.high_confidence is not None else "")
        + strong_rule(rule, t, lang))
    return _environment().get_template("report.html.j2").render(
        lang=lang,
        t=t,
        num=functools.partial(number, lang=lang),
        plural=functools.partial(plural, lang=lang),
        tip=functools.partial(lever_tip, lang=lang),
        label=lambda item: item.label_in(lang),
        run=result.run,
        counts=result.run["documents"],
        rule=rule,
        rule_text=rule_text,
        cues_text=t("appendix_cues", lift=number(CUE_LIFT, lang, 1), floor=number(CUE_FLOOR, lang, 1),
                    penalty=number(NO_CUE_PENALTY, lang, 1), max=MAX_LEVERS, strong=number(CUE_ONLY["strong"], lang),
                    weak=number(CUE_ONLY["weak"], lang)),
        decision=number(DECISION, lang, 1),
        taxonomy=result.taxonomy,
        brief=brief(coverage, anchors, result.taxonomy, lang) if documents else None,
        heatmap=heatmap(rows, anchors, result.taxonomy, lang) if documents else None,
        corpus=corpus(coverage, summaries, anchors, result.taxonomy) if documents else None,
        documents=[document(name, anchors[name], rows[name], result, lang) for name in documents],
        summaries=summaries,
        errors=list(result.errors.itertuples()),
    )


def lever_tip(lever: Lever, lang: str) -> str:
    """What a lever's hover text says: its label and description (the description is French)."""
    return f"{lever.label_in(lang)} ({lever.id}): {lever.description}"


def brief(coverage: pd.DataFrame, anchors: dict[str, str], taxonomy: Taxonomy, lang: str) -> dict:
    """The first screen in plain words: for the corpus and each document, how many
    levers it addresses and how many strongly."""
    t = translator(lang)
    treated = coverage["level"] != "none"
    per_document = coverage.assign(treated=treated, strong=coverage["level"] == "strong").groupby(
        "document", sort=False)
    documents = []
    for name, rows in per_document:
        by_framework = [
            t("by_framework", framework=framework.id.upper(),
              covered=int(rows.loc[rows["framework"] == framework.id, "treated"].sum()),
              levers=int((rows["framework"] == framework.id).sum()))
            for framework in taxonomy.frameworks
        ]
        documents.append({
            "name": name, "anchor": anchors[name], "frameworks": by_framework,
            "sentence": t("document_sentence", treated=plural(int(rows["treated"].sum()), t("lever_noun"), lang),
                          levers=len(rows),
                          strong=int(rows["strong"].sum())),
        })
    per_lever = coverage.assign(treated=treated).groupby("lever", sort=False)["treated"].sum()
    top, bottom = per_lever.idxmax(), per_lever.idxmin()
    sentence = t(
        "corpus_sentence", documents=len(documents), levers=len(taxonomy.levers),
        mean=number(float(treated.sum()) / len(documents), lang, 1).removesuffix(",0").removesuffix(".0"),
        top=taxonomy.lever(top).label_in(lang), top_count=int(per_lever[top]),
        bottom=taxonomy.lever(bottom).label_in(lang), bottom_count=int(per_lever[bottom]),
    )
    return {"corpus": sentence if len(documents) > 1 else None, "documents": documents}


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
    lines: list[str]


def heatmap(rows_of: dict[str, CoverageRows], anchors: dict[str, str], taxonomy: Taxonomy, lang: str) -> dict:
    """The heatmap's geometry: a column per lever grouped by framework, a row per document."""
    x, columns, bands = HEATMAP_LEFT, {}, []
    for framework in taxonomy.frameworks:
        start = x
        for lever in taxonomy.levers:
            if lever.framework == framework.id:
                columns[lever.id] = Column(lever, x, wrap(lever.label_in(lang), LEVER_WRAP))
                x += CELL + GAP
        bands.append({"framework": framework, "x": start, "width": x - GAP - start, "middle": (start + x - GAP) / 2})
        x += GROUP_GAP
    rows, y = [], HEATMAP_TOP
    for name, mine in rows_of.items():
        lines = wrap(name, DOCUMENT_WRAP)
        pitch = max(CELL + GAP, len(lines) * LINE + 8)
        middle = y + pitch / 2
        rows.append({"document": name, "anchor": anchors[name], "y": middle - CELL / 2, "lines": lines,
                     "first_line": middle + 4 - (len(lines) - 1) * LINE / 2,
                     "cells": [(columns[row.lever].x, row) for row in mine]})
        y += pitch
    height = y + 50
    return {"columns": list(columns.values()), "bands": bands, "rows": rows, "width": x + 150,
            "height": height, "legend_y": height - 30, "legend": LEGEND_SCORES,
            "cell": CELL, "left": HEATMAP_LEFT, "top": HEATMAP_TOP, "line": LINE}


def bars(framework_label: str, rows: CoverageRows, taxonomy: Taxonomy, rule: CoverageRule, lang: str) -> dict:
    """One horizontal bar per lever of a framework: the document's score, with the rule's thresholds."""
    thresholds = [DECISION] + ([rule.high_confidence] if rule.high_confidence is not None else [])
    placed, y = [], BAR_TOP
    for row in rows:
        lever = taxonomy.lever(row.lever)
        lines = wrap(lever.label_in(lang), BAR_WRAP)
        pitch = max(BAR_ROW, len(lines) * LINE + 11)
        # The bar sits in the middle of its row, the label's lines around it.
        placed.append({"y": y + (pitch - BAR_ROW) / 2, "lever": lever, "row": row, "lines": lines,
                       "first_line": y + pitch / 2 + 4 - (len(lines) - 1) * LINE / 2})
        y += pitch
    height = y + 22
    return {
        "label": framework_label, "height": height, "width": BAR_LABEL + BAR_WIDTH + 50,
        "left": BAR_LABEL, "track": BAR_WIDTH, "top": BAR_TOP, "line": LINE, "rows": placed,
        "thresholds": [(BAR_LABEL + s * BAR_WIDTH, s) for s in thresholds],
    }


def document(name: str, anchor: str, coverage: CoverageRows, result: Result, lang: str) -> dict:
    """One document's section: its charts, the levers it leaves out or barely touches with
    what their framework asks about them, the quotes for the others, and its points of
    vigilance (the passages that deplore a lever's absence). `coverage`: its rows."""
    taxonomy, rule = result.taxonomy, result.rule
    passages = result.passages[result.passages["document"] == name]
    evidence = evidence_scores(passages, taxonomy.ids)
    scores = passages[taxonomy.ids].to_numpy(dtype=float)
    texts, pages = passages["text"].tolist(), passages["page"].tolist()
    cues, deplores = passages["cues"].tolist(), passages["deplores"].tolist()

    def quotes(lever: str) -> list[tuple[list[tuple[str, bool]], int, float]]:
        """The passages quoted for a lever, best first: the quote with its cues marked, page, score."""
        column = taxonomy.ids.index(lever)
        return [(highlighted(quote(texts[i]), cue_words(cues[i], lever)), pages[i], float(scores[i, column]))
                for i in best_passages(evidence[:, column], texts, pages, QUOTES_PER_LEVER)]

    frameworks = [(framework, [row for row in coverage if row.framework == framework.id])
                  for framework in taxonomy.frameworks]
    deploring = np.flatnonzero(passages["deplores"].fillna("").astype(bool).to_numpy())
    return {
        "name": name,
        "anchor": anchor,
        "charts": [bars(framework.label_in(lang), rows, taxonomy, rule, lang) for framework, rows in frameworks],
        "counts": ", ".join(f"{framework.id.upper()} {sum(row.level != 'none' for row in rows)}/{len(rows)}"
                            for framework, rows in frameworks),
        "gaps": [(taxonomy.lever(row.lever), row) for row in coverage if row.level != "strong"],
        "evidence": [(taxonomy.lever(row.lever), row, quotes(row.lever)) for row in coverage if row.level != "none"],
        "vigilance": [
            (quote(texts[i]), pages[i], [taxonomy.lever(lever) for lever in deplores[i].split(LABEL_SEPARATOR)])
            for i in deploring
        ],
    }
