"""Loading a model: a skops file of the scikit-learn Pipeline and its metadata.

A model directory holds `model.skops`, `model.json` (lever ids, taxonomy digest,
training data, versions, metrics) and `MODEL_CARD.md`, written from the JSON by
`pipeline.training.card`, which writes the other two as well.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ModelError
from .paths import repository_path
from .taxonomy import Taxonomy

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MODEL_FILE = "model.skops"
META_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"

# The only types a model file may need beyond those skops trusts by itself.
TRUSTED_TYPES = [
    "pipeline.classify.LeverClassifier",
    "pipeline.classify.SpacyFeatures",
    "pipeline.classify.TextViews",
]


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


def check_model_levers(meta: dict, taxonomy: Taxonomy, directory: str | Path) -> None:
    """A taxonomy may have levers the model was not trained for (they are scored
    from their cues), not the other way round."""
    unknown = sorted(set(meta.get("levers") or ["?"]) - set(taxonomy.ids))
    if unknown:
        raise ModelError(f"{directory}: the model was trained for levers the taxonomy does not have "
                         f"({', '.join(unknown)}); retrain it")


def load_model(directory: str | Path | None, taxonomy: Taxonomy) -> LeverModel:
    """Load a model (the shipped one when `directory` is None), refusing files that
    carry unexpected code or another taxonomy."""
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    directory = Path(directory) if directory else default_model_dir()
    meta = load_meta(directory)
    check_model_levers(meta, taxonomy, directory)
    path = directory / MODEL_FILE
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelError(f"{path}: refused, it needs untrusted types {', '.join(unexpected)}")
        estimator = sio.load(path, trusted=untrusted)
    except ModelError:
        raise
    except Exception as exc:  # a truncated zip, a pickle, any other file
        raise ModelError(f"{path}: not a leviers model file ({type(exc).__name__})") from exc
    if not isinstance(estimator, Pipeline):
        raise ModelError(f"{path}: not a leviers model file (holds a {type(estimator).__name__})")
    return LeverModel(estimator, list(meta["levers"]), meta)
