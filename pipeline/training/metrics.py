"""Passage-level metrics: per-lever precision, recall and F1, micro and macro, and their table."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from ..types import CoverageRule

MIN_SUPPORT = 5  # levers rarer than this in a gold set are left out of the macro average
# Under this many gold examples, one passage more or less moves a lever's F1 by 0.1 or more.
FEW_EXAMPLES = 10


def metrics(Y_true: np.ndarray, Y_pred: np.ndarray, lever_ids: list[str]) -> dict:
    """Metrics of predictions against gold labels, both binary (passages × levers)."""
    Y_true, Y_pred = np.asarray(Y_true, bool), np.asarray(Y_pred, bool)
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, Y_pred, average=None, zero_division=0.0)
    per_lever = {
        lever: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for lever, p, r, f, s in zip(lever_ids, precision, recall, f1, support)
    }
    micro = precision_recall_fscore_support(Y_true, Y_pred, average="micro", zero_division=0.0)[:3]
    counted = [m for m in per_lever.values() if m["support"] >= MIN_SUPPORT]
    none = ~Y_true.any(axis=1)
    return {
        "passages": int(len(Y_true)),
        "per_lever": per_lever,
        "micro": dict(zip(("precision", "recall", "f1"), map(float, micro))),
        "macro": {
            key: float(np.mean([m[key] for m in counted])) if counted else 0.0
            for key in ("precision", "recall", "f1")
        },
        "macro_levers": len(counted),
        "macro_min_support": MIN_SUPPORT,
        "none_support": int(none.sum()),
        # Share of the passages with no lever that the model also leaves empty.
        "none_correct": float((~Y_pred[none].any(axis=1)).mean()) if none.any() else 0.0,
    }


# The guide's ids name a passage's document before "-p": "doc12-p0043", "real-03-p012".
PASSAGE_ID = re.compile(r"^(?P<document>.+)-p\d+$")


def document_metrics(ids: Sequence[str], Y_true: np.ndarray, scores: np.ndarray, rule: CoverageRule) -> dict | None:
    """Precision, recall and F1 over document × lever, a document's gold levers being
    those of its passages and its predicted ones those the rule says it covers; None
    when the ids do not name documents."""
    found = [PASSAGE_ID.match(i) for i in ids]
    if not ids or not all(found):
        return None
    documents = np.array([m.group("document") for m in found if m])
    names = list(dict.fromkeys(documents))
    gold = np.array([np.asarray(Y_true)[documents == name].any(axis=0) for name in names])
    covered = np.array([rule.covers(np.asarray(scores)[documents == name]) for name in names])
    p, r, f, _ = precision_recall_fscore_support(gold, covered, average="micro", zero_division=0.0)
    return {"documents": len(names), "rule": str(rule), "precision": float(p), "recall": float(r), "f1": float(f)}


def metrics_table(results: dict[str, dict], markdown: bool = False) -> str:
    """One table of one or more models' metrics on the same passages, a row per lever,
    as aligned text for a terminal or as Markdown for a model card."""
    names = list(results)
    first = results[names[0]]
    letters = [chr(65 + i) for i in range(len(names))] if len(names) > 1 else [""]

    def figures(m: dict) -> list[str]:
        return [f"{m['precision']:.2f}", f"{m['recall']:.2f}", f"{m['f1']:.2f}"]

    def note(support: int) -> str:
        if support < first["macro_min_support"]:
            return "(rare)"
        return "(few examples)" if support < FEW_EXAMPLES else ""

    header = ["lever", "support"] + [f"{letter} {k}".strip() for letter in letters for k in ("P", "R", "F1")] + [""]
    rows = [
        [f"`{lever}`" if markdown else lever, str(m["support"])]
        + [cell for r in results.values() for cell in figures(r["per_lever"][lever])] + [note(m["support"])]
        for lever, m in first["per_lever"].items()
    ]
    rows += [
        ["micro", ""] + [cell for r in results.values() for cell in figures(r["micro"])] + [""],
        ["macro", ""] + [cell for r in results.values() for cell in figures(r["macro"])]
        + [f"over {first['macro_levers']} levers with support ≥ {first['macro_min_support']}"],
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
        lines = [
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            + ("  " + row[-1] if row[-1] else "")
            for row in [header, *rows]
        ]
        lines.insert(len(first["per_lever"]) + 1, "")
    none = ", ".join(f"{letter} {r['none_correct']:.2f}".strip() for letter, r in zip(letters, results.values()))
    lines += [
        "",
        f"Passages with no lever predicted as none: {none} "
        f"({first['none_support']} of {first['passages']} passages have none).",
    ]
    if "documents" in first:
        per_document = ", ".join(
            f"{letter} P {r['documents']['precision']:.2f} R {r['documents']['recall']:.2f} "
            f"F1 {r['documents']['f1']:.2f}".strip() for letter, r in zip(letters, results.values()))
        lines.append(f"Per document ({first['documents']['documents']} documents; {first['documents']['rule']}): "
                     f"{per_document}.")
    if len(names) > 1:
        lines += [f"{letter}: {name} ({r['passages']} passages)" for letter, (name, r) in zip(letters, results.items())]
    if any(note(m["support"]) for m in first["per_lever"].values()):
        lines.append(f"(rare): fewer than {first['macro_min_support']} gold passages, left out of the macro "
                     f"average; (few examples): fewer than {FEW_EXAMPLES}, its figures can swing widely.")
    return "\n".join(lines)
