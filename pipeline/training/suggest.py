"""Pick the passages of an analysis whose annotation would teach the model most.

Those are the passages the model is least sure about: a score near 0.5, the
threshold of its lever. The pick is spread across levers and documents, and
leaves out near-duplicates (a paragraph repeated from one document to the
next teaches nothing twice). The suggestions are written for the annotation
guide (JSONL, CSV) and for Label Studio (tasks and a labelling config), the
model's current levers filled in, to be corrected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from ..errors import LeviersError
from ..report.spreadsheet import read_csv, write_csv
from ..taxonomy import Taxonomy
from ..types import DECISION, LABEL_SEPARATOR

PLACE_COLUMNS = ["document", "page", "passage", "text", "levers", "cues", "kind", "deplores"]
FIELDS = ["id", "text", "labels", "document", "page", "uncertain", "score"]
# Shorter passages (titles, figures alone) are too bare to annotate usefully.
MIN_WORDS = 8
# Two passages sharing this share of their words are one passage for the annotator.
NEAR_DUPLICATE = 0.8
# How far from its threshold a passage may be to be preferred to one on a lever or
# in a document already picked once more: 0.05 on the 0–1 score scale.
SPREAD = 0.05


def read_passages(output_dir: str | Path, taxonomy: Taxonomy) -> pd.DataFrame:
    """The passages.csv of an `analyse` output folder, as written (also with --excel)."""
    path = Path(output_dir) / "passages.csv"
    try:
        table = read_csv(path, ("document", "text", "levers", "cues", "kind", "deplores"))
    except OSError as exc:
        raise LeviersError(f"{path}: cannot read ({exc.strerror}); run `leviers analyse` first") from exc
    if list(table.columns) != PLACE_COLUMNS + taxonomy.ids:
        raise LeviersError(f"{path}: not the passages.csv of `leviers analyse` for the current levers")
    return table


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def pick(passages: pd.DataFrame, lever_ids: list[str], n: int) -> pd.DataFrame:
    """The `n` passages to annotate first, in the order picked, with the lever each is
    nearest the threshold of (`uncertain`) and that score."""
    scores = passages[lever_ids].to_numpy(float)
    distance = np.abs(scores - DECISION)
    nearest, margin = distance.argmin(axis=1), distance.min(axis=1)
    words = [_words(text) for text in passages["text"]]
    documents = pd.factorize(passages["document"])[0]
    cost = np.where([len(w) >= MIN_WORDS for w in words], margin, np.inf)
    per_lever, per_document = np.zeros(len(lever_ids)), np.zeros(documents.max(initial=-1) + 1)
    chosen: list[int] = []
    while len(chosen) < n and np.isfinite(cost).any():
        i = int(np.argmin(cost + SPREAD * (per_lever[nearest] + per_document[documents])))
        cost[i] = np.inf
        if any(len(words[i] & words[j]) >= NEAR_DUPLICATE * len(words[i] | words[j]) for j in chosen):
            continue
        chosen.append(i)
        per_lever[nearest[i]] += 1
        per_document[documents[i]] += 1
    picked = passages.iloc[chosen].copy()
    picked["uncertain"] = [lever_ids[nearest[i]] for i in chosen]
    picked["score"] = scores[chosen, nearest[chosen]]
    return picked


def label_studio_config(taxonomy: Taxonomy) -> str:
    """A Label Studio labelling config: the passage, and one multiple choice per lever,
    which shows its French label and description but exports its id (its alias)."""
    choices = "\n".join(
        f"    <Choice value={quoteattr(lever.label)} alias={quoteattr(lever.id)} hint={quoteattr(lever.description)}/>"
        for lever in taxonomy.levers
    )
    return (
        "<View>\n"
        '  <Header value="$document, page $page"/>\n'
        '  <Text name="text" value="$text"/>\n'
        '  <Choices name="levers" toName="text" choice="multiple" showInline="false">\n'
        f"{choices}\n"
        "  </Choices>\n"
        "</View>\n"
    )


def write_suggestions(picked: pd.DataFrame, taxonomy: Taxonomy, output: str | Path, excel: bool = False) -> list[Path]:
    """Write the picked passages as OUTPUT.jsonl, OUTPUT.csv (`excel`: for French Excel, as
    `analyse --excel` writes), OUTPUT.labelstudio.json (tasks with the model's levers as
    predictions, and its scores to sort them by) and OUTPUT.labelstudio.xml (the labelling config)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "id": f"{row.document}:p{row.page}:{row.passage}",
            "text": row.text,
            "labels": [lever for lever in row.levers.split(LABEL_SEPARATOR) if lever],
            "document": row.document,
            "page": int(row.page),
            "uncertain": row.uncertain,
            "score": round(float(row.score), 4),
        }
        for row in picked.itertuples()
    ]
    jsonl, table, tasks, config = (output.with_suffix(suffix) for suffix in
                                   (".jsonl", ".csv", ".labelstudio.json", ".labelstudio.xml"))
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    write_csv(pd.DataFrame([{**r, "labels": LABEL_SEPARATOR.join(r["labels"])} for r in rows], columns=FIELDS),
              table, excel)
    tasks.write_text(json.dumps([
        {
            # Label Studio's Data Manager shows each data field as a column to sort by:
            # `uncertain` and `score` put the passages the model is least sure of first.
            "data": {"text": r["text"], "passage_id": r["id"], "document": r["document"], "page": r["page"],
                     "uncertain": taxonomy.lever(r["uncertain"]).label, "score": r["score"]},
            "predictions": [{
                "model_version": "leviers",
                # The prediction's score is the model's confidence: 0 at the threshold, 1 far from it.
                "score": round(abs(r["score"] - DECISION) / DECISION, 4),
                "result": [{"from_name": "levers", "to_name": "text", "type": "choices",
                            "value": {"choices": r["labels"]}}] if r["labels"] else [],
            }],
        }
        for r in rows
    ], ensure_ascii=False, indent=1) + "\n", "utf-8")
    config.write_text(label_studio_config(taxonomy), "utf-8")
    return [jsonl, table, tasks, config]
