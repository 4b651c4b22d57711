"""The model file: the scikit-learn Pipeline's parameters and arrays, and its metadata.

A model directory holds `model.npz`, `model.json` (lever ids, taxonomy digest,
training data, versions, metrics) and `MODEL_CARD.md`, written from the JSON by
`pipeline.training.card`, which writes the other two with `write_estimator`.

`model.npz` is a NumPy archive read without pickle: numbers in arrays, and one
JSON text naming each step's class, among the three of `STEP_CLASSES`, and its
parameters and vocabularies. A file that needs anything else is refused. It
loads in a tenth of a second, without importing skops, which imports every
estimator of scikit-learn (0.7 s of a worker's start).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ModelError
from .nlp import ANALYSER
from .paths import repository_path
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_FILE = "model.npz"
META_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"
STRUCTURE = "structure"  # the archive's JSON text, as UTF-8 bytes

# The only classes a model file may name: the steps of `classify.build_model`.
STEP_CLASSES = (
    "pipeline.classify.SpacyFeatures",
    "pipeline.classify.TextViews",
    "pipeline.classify.LeverClassifier",
)


def default_model_dir() -> Path:
    """The shipped model's directory."""
    return repository_path("models", "default")


@dataclass
class LeverModel:
    estimator: Pipeline
    levers: list[str]
    meta: dict = field(default_factory=dict)


def load_meta(directory: str | Path) -> dict:
    path = Path(directory) / META_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{directory}: no model here (no {META_FILE}); train one with `make train`") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable model metadata ({exc})") from exc


def check_model(meta: dict, taxonomy: Taxonomy, directory: str | Path) -> None:
    """A taxonomy may have levers the model was not trained for (they are scored
    from their cues), not the other way round; and the model must read passages as
    this version of leviers analyses them."""
    unknown = sorted(set(meta.get("levers") or ["?"]) - set(taxonomy.ids))
    if unknown:
        raise ModelError(f"{directory}: the model was trained for levers the taxonomy does not have "
                         f"({', '.join(unknown)}); retrain it")
    if meta.get("analyser") != ANALYSER:
        # Its words would reach it cut or lemmatised otherwise than it learnt them.
        raise ModelError(f"{directory}: the model was trained with an earlier version of leviers, "
                         "whose lemmas differ; retrain it with `leviers train`")


def load_model(directory: str | Path | None, taxonomy: Taxonomy) -> LeverModel:
    """Load a model (the shipped one when `directory` is None), refusing a file that
    is not one or a model trained for another taxonomy."""
    directory = Path(directory) if directory else default_model_dir()
    meta = load_meta(directory)
    check_model(meta, taxonomy, directory)
    return LeverModel(read_estimator(directory / MODEL_FILE), list(meta["levers"]), meta)


def write_estimator(estimator: Pipeline, path: str | Path) -> None:
    """Save a fitted Pipeline of `STEP_CLASSES` steps as `read_estimator` reads it."""
    arrays: dict[str, Any] = {}
    steps = [[name, f"{type(step).__module__}.{type(step).__qualname__}", _encode(step.__getstate__(), name, arrays)]
             for name, step in estimator.steps]
    arrays[STRUCTURE] = np.frombuffer(json.dumps({"steps": steps}, ensure_ascii=False).encode(), dtype=np.uint8)
    np.savez_compressed(path, **arrays)


def read_estimator(path: str | Path) -> Pipeline:
    from sklearn.pipeline import Pipeline

    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        steps = json.loads(arrays.pop(STRUCTURE).tobytes())["steps"]
        built = []
        for name, class_path, state in steps:
            if class_path not in STEP_CLASSES:
                raise ModelError(f"{path}: refused, it names the class {class_path}, not a step of a leviers model")
            module, _, class_name = class_path.rpartition(".")
            step = object.__new__(getattr(importlib.import_module(module), class_name))
            step.__setstate__(_decode(state, arrays))
            built.append((name, step))
        return Pipeline(built)
    except ModelError:
        raise
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no model file here; train one with `make train`") from exc
    except Exception as exc:  # a truncated zip, a pickle, any other file
        raise ModelError(f"{path}: not a leviers model file ({type(exc).__name__})") from exc


# A step's state in JSON: arrays by their key in the archive; lists, tuples and dicts
# tagged, so that they come back as they were.
def _encode(value: Any, key: str, arrays: dict[str, Any]) -> Any:
    if isinstance(value, np.ndarray):
        arrays[key] = value
        return {"array": key}
    if isinstance(value, dict):
        return {"dict": {k: _encode(v, f"{key}/{k}", arrays) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {type(value).__name__: [_encode(v, f"{key}/{i}", arrays) for i, v in enumerate(value)]}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot save a {type(value).__name__} in a model file ({key})")


def _decode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, content), = value.items()
    if tag == "array":
        return arrays[content]
    if tag == "dict":
        return {k: _decode(v, arrays) for k, v in content.items()}
    items = [_decode(v, arrays) for v in content]
    return tuple(items) if tag == "tuple" else items
