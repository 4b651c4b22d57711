"""Annotated passages: read and validate the files of the annotation guide.

Formats: JSON Lines (`{"id", "text", "labels", ...}`) and CSV (`id,text,labels`
with labels separated by `|`). Every problem names the file and the line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AnnotationError
from .taxonomy import Taxonomy


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    labels: tuple[str, ...]
    where: str  # "file:line", for messages


def _records(path: Path) -> Iterable[tuple[int, object]]:
    """(line number, raw record) for each record of a JSONL or CSV file."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(handle)
            missing = {"id", "text", "labels"} - set(reader.fieldnames or [])
            if missing:
                raise AnnotationError(f"{path}:1: missing CSV column(s) {', '.join(sorted(missing))}")
            for row in reader:
                labels = [l.strip() for l in (row["labels"] or "").split("|") if l.strip()]
                yield reader.line_num, {"id": row["id"], "text": row["text"], "labels": labels}
            return
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise AnnotationError(f"{path}:{number}: malformed JSON ({exc.msg})") from exc


def read_examples(paths: Iterable[str | Path], taxonomy: Taxonomy) -> list[Example]:
    """All examples of the given files, validated against the taxonomy."""
    known = set(taxonomy.ids)
    examples: list[Example] = []
    by_id: dict[str, str] = {}
    by_text: dict[str, Example] = {}
    for path in map(Path, paths):
        for number, record in _records(path):
            where = f"{path}:{number}"
            if not isinstance(record, dict):
                raise AnnotationError(f"{where}: expected an object with id, text and labels")
            ex_id, text, labels = record.get("id"), record.get("text"), record.get("labels")
            if not isinstance(ex_id, (str, int)) or str(ex_id).strip() == "":
                raise AnnotationError(f"{where}: missing 'id'")
            if not isinstance(text, str) or not text.strip():
                raise AnnotationError(f"{where}: empty text")
            if not isinstance(labels, list) or not all(isinstance(l, str) for l in labels):
                raise AnnotationError(f"{where}: 'labels' must be a list of lever ids")
            unknown = sorted(set(labels) - known)
            if unknown:
                raise AnnotationError(f"{where}: unknown lever id {', '.join(unknown)}")
            ex_id = str(ex_id)
            if ex_id in by_id:
                raise AnnotationError(f"{where}: duplicate id '{ex_id}' (first at {by_id[ex_id]})")
            example = Example(ex_id, text.strip(), tuple(sorted(set(labels))), where)
            twin = by_text.get(example.text)
            if twin is not None and twin.labels != example.labels:
                raise AnnotationError(
                    f"{where}: same text as {twin.where} with different labels"
                )
            by_id[ex_id] = where
            by_text[example.text] = example
            examples.append(example)
    return examples


def label_matrix(examples: Iterable[Example], lever_ids: list[str]) -> np.ndarray:
    """Binary indicator matrix (examples × levers)."""
    column = {lever: j for j, lever in enumerate(lever_ids)}
    examples = list(examples)
    Y = np.zeros((len(examples), len(lever_ids)), dtype=int)
    for i, example in enumerate(examples):
        for label in example.labels:
            Y[i, column[label]] = 1
    return Y
