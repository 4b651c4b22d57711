"""Measuring models on annotated passages, and recording the figures in their cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..classify import classify
from ..model import default_model_dir, load_model
from ..taxonomy import Taxonomy
from ..types import DECISION
from .card import save_meta
from .corpus import label_matrix, read_examples
from .metrics import metrics


@dataclass
class Evaluation:
    gold: Path
    passages: int
    skipped: list[str]  # Label Studio tasks without annotation, left out
    results: dict[str, dict]  # model directory → metrics


def evaluate(gold: str | Path, taxonomy: Taxonomy, model_dirs: Sequence[str | Path | None] = (None,),
             record: bool = False) -> Evaluation:
    """Measure each model (None: the shipped one) on annotated passages in any format
    that training reads; with `record`, store the figures in each model's metadata and card."""
    gold = Path(gold)
    skipped: list[str] = []
    examples = read_examples([gold], taxonomy, skipped)
    results = {}
    for model_dir in model_dirs:
        directory = Path(model_dir) if model_dir else default_model_dir()
        model = load_model(directory, taxonomy)
        predicted = classify([ex.text for ex in examples], model.estimator) >= DECISION
        figures = metrics(label_matrix(examples, model.levers), predicted, model.levers)
        results[str(directory)] = figures
        if record:
            model.meta.setdefault("evaluations", {})[gold.name] = figures
            save_meta(model.meta, directory)
    return Evaluation(gold, len(examples), skipped, results)
