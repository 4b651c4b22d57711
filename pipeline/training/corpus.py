"""Annotated passages: read and validate annotation files.

Formats, told apart by their content: the annotation guide's JSON Lines
(`{"id", "text", "labels", ...}`) and CSV (`id,text,labels` with labels
separated by LABEL_SEPARATOR), Label Studio's JSON export and Doccano's JSON Lines export
of text classification. Every problem names the file and the line.

A CSV may come from French Excel: `;` between cells, saved as UTF-8 (with a
byte-order mark) or as Windows-1252, the encoding of its plain "CSV" format.
A lever may be named by its id or by its French label.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AnnotationError
from ..report.spreadsheet import unguarded
from ..taxonomy import Taxonomy
from ..types import LABEL_SEPARATOR


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    labels: tuple[str, ...]
    where: str  # "file:line", for messages


# What UTF-8 accents look like once read as Windows-1252 (é → Ã©): a file converted twice.
MOJIBAKE = ("Ã©", "Ã¨", "Ã\xa0", "Ãª", "Ã§", "Ã´", "â€™")
SAVE_AS_UTF8 = ("in Excel, open the original and save it as « CSV UTF-8 (délimité par des virgules) »; "
                "in LibreOffice, choose the character set « Unicode (UTF-8) »")


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, dict]]:
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if header.count(";") > header.count(",")
                            else ",")
    missing = {"id", "text", "labels"} - set(reader.fieldnames or [])
    if missing:
        raise AnnotationError(f"{path}:1: missing CSV column(s) {', '.join(sorted(missing))}")
    for row in reader:
        labels = [l.strip() for l in (row["labels"] or "").split(LABEL_SEPARATOR) if l.strip()]
        # A text the formula guard of `leviers suggest` neutralised is read as it was.
        yield reader.line_num, {"id": row["id"], "text": unguarded(row["text"] or ""), "labels": labels}


def _read_text(path: Path) -> str:
    """A file's text: UTF-8 (with or without a byte-order mark), or for a CSV, Windows-1252."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if path.suffix.lower() != ".csv":
            raise AnnotationError(f"{path}: not a UTF-8 text file; save it as UTF-8") from exc
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise AnnotationError(f"{path}: neither UTF-8 nor Windows-1252; {SAVE_AS_UTF8}") from exc
    if any(mark in text for mark in MOJIBAKE):
        raise AnnotationError(f"{path}: accents garbled (é shows as Ã©), the file was converted from UTF-8 "
                              f"twice; {SAVE_AS_UTF8}")
    return text


def _doccano(path: Path, number: int, record: dict) -> dict:
    """A Doccano text-classification line in the guide's shape; its id defaults to its line."""
    labels = record.get("label", record.get("labels"))
    if isinstance(labels, list) and any(isinstance(l, list) for l in labels):
        raise AnnotationError(
            f"{path}:{number}: labels are [start, end, label] spans, a sequence-labelling (NER) export; "
            "export the project as text classification"
        )
    return {"id": record.get("id", f"{path.name}:{number}"), "text": record.get("text"), "labels": labels}


def _jsonl_records(path: Path, text: str) -> Iterator[tuple[int, object]]:
    doccano = None  # decided by the first record: Doccano's carry `label`, or no `id`
    # Split on newlines only: JSON strings may hold other line separators (U+2028).
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"{path}:{number}: malformed JSON ({exc.msg})") from exc
        if doccano is None and isinstance(record, dict):
            doccano = "label" in record or "id" not in record
        yield number, _doccano(path, number, record) if doccano and isinstance(record, dict) else record


def _array_items(path: Path, text: str) -> Iterator[tuple[int, object]]:
    """(line number, item) for each item of a JSON array, so that messages can name a task's line."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"{path}:{exc.lineno}: malformed JSON ({exc.msg})") from exc
    decoder, position = json.JSONDecoder(), text.index("[") + 1
    for item in items:
        # The file parsed whole, so each item starts at the next character that is not a separator.
        while text[position] in " \t\r\n,":
            position += 1
        yield text.count("\n", 0, position) + 1, item
        position = decoder.raw_decode(text, position)[1]


def _label_studio(path: Path, number: int, task: object) -> dict | None:
    """A Label Studio task in the guide's shape, from its latest annotation not cancelled;
    None when it has none."""
    where = f"{path}:{number}"
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise AnnotationError(f"{where}: expected an object with 'data' and 'annotations' (a Label Studio task)")
    data = task["data"]
    text = data.get("text", next((v for v in data.values() if isinstance(v, str)), None))
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None
    # Label Studio's timestamps are ISO 8601, which sort as strings; on a tie, the last one listed.
    latest = max(reversed(annotations), key=lambda a: a.get("updated_at") or a.get("created_at") or "")
    labels = []
    for result in latest.get("result") or []:
        if isinstance(result, dict) and result.get("type") == "choices":
            choices = (result.get("value") or {}).get("choices")
            if not isinstance(choices, list):
                raise AnnotationError(f"{where}: a 'choices' result without a list of choices")
            labels += choices
    return {"id": task.get("id"), "text": text, "labels": labels}


def _records(path: Path, skipped: list[str] | None = None) -> Iterator[tuple[int, object]]:
    """(line number, record in the guide's shape) for each record of an annotation file."""
    try:
        text = _read_text(path)
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot read ({exc.strerror})") from exc
    start = text.lstrip()[:1]
    if start == "[":
        for number, task in _array_items(path, text):
            record = _label_studio(path, number, task)
            if record is None:
                if skipped is not None:
                    skipped.append(f"{path}:{number}")
                continue
            yield number, record
    elif start == "{" or path.suffix.lower() in (".jsonl", ".json"):
        yield from _jsonl_records(path, text)
    else:
        yield from _csv_records(path, text)


def read_examples(
    paths: Iterable[str | Path], taxonomy: Taxonomy, skipped: list[str] | None = None
) -> list[Example]:
    """All examples of the given files, validated against the taxonomy.

    Label Studio tasks nobody annotated are left out; `skipped`, when given,
    receives their "file:line".
    """
    known = set(taxonomy.ids)
    # Label Studio without aliases, or a spreadsheet filled by hand, may name levers by their labels.
    by_label = {lever.label: lever.id for lever in taxonomy.levers}
    examples: list[Example] = []
    by_id: dict[str, str] = {}
    by_text: dict[str, Example] = {}
    for path in map(Path, paths):
        for number, record in _records(path, skipped):
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
            labels = [by_label.get(label, label) for label in labels]
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
