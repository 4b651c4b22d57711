"""Measuring models on annotated passages, and recording the figures in their cards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..classify import classify
from ..cues import load_cues
from ..model import default_model_dir, load_model
from ..taxonomy import Taxonomy
from ..types import DECISION, CoverageRule
from .card import save_meta
from .corpus import label_matrix, read_examples
from .metrics import document_metrics, metrics


@dataclass
class Evaluation:
    gold: Path
    passages: int
    skipped: list[str]  # Label Studio tasks without annotation, left out
    results: dict[str, dict]  # model directory → metrics


def evaluate(gold: str | Path, taxonomy: Taxonomy, model_dirs: Sequence[str | Path | None] = (None,),
             record: bool = False, scoring: str = "hybrid") -> Evaluation:
    """Measure each model (None: the shipped one), with the cues as `classify` combines
    them, on annotated passages in any format that training reads; passages whose ids
    name their document ("doc-p012") are also measured per document (CoverageRule's
    default). With `record`, store the figures in each model's metadata and card."""
    gold = Path(gold)
    skipped: list[str] = []
    examples = read_examples([gold], taxonomy, skipped)
    cues = load_cues(taxonomy)
    Y = label_matrix(examples, taxonomy.ids)
    results = {}
    for model_dir in model_dirs:
        directory = Path(model_dir) if model_dir else default_model_dir()
        model = load_model(directory, taxonomy)
        scores = classify([ex.text for ex in examples], model, cues, scoring).scores
        figures = metrics(Y, scores >= DECISION, taxonomy.ids)
        documents = document_metrics([ex.id for ex in examples], Y, scores, CoverageRule())
        if documents:
            figures["documents"] = documents
        results[str(directory)] = figures
        if record:
            name = gold.name if scoring == "hybrid" else f"{gold.name}, {scoring} alone"
            model.meta.setdefault("evaluations", {})[name] = figures
            save_meta(model.meta, directory)
    return Evaluation(gold, len(examples), skipped, results)
