"""Writing a model: its file, its metadata and the model card made from them."""

from __future__ import annotations

import json
from pathlib import Path

from ..cues import CUE_RULE
from ..model import CARD_FILE, META_FILE, MODEL_FILE, LeverModel, write_estimator
from .metrics import metrics_table

# A drop from cross-validation to an evaluation set that the card points out.
GAP_WARNING = 0.1


def save_model(model: LeverModel, directory: str | Path) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    write_estimator(model.estimator, directory / MODEL_FILE)
    save_meta(model.meta, directory)


def save_meta(meta: dict, directory: str | Path) -> None:
    directory = Path(directory)
    (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    (directory / CARD_FILE).write_text(model_card(meta), "utf-8")


def model_card(meta: dict) -> str:
    """The model card, in Markdown, from a model's metadata."""
    data = meta["training_data"]
    lines = [
        f"# Model card: {meta.get('name', 'leviers model')}",
        "",
        "Multi-label classifier of French passages into the levers of `pipeline/taxonomy.toml`.",
        "This file is written by `leviers train` and `leviers evaluate --record`; do not edit it by hand.",
        "",
        "## Design",
        "",
        meta["design"],
        "",
        f"When documents are analysed, the expert cues of `pipeline/cues.toml` then move these scores: {CUE_RULE}. "
        "The cross-validation below measures the model alone; each evaluation says whether it measured the "
        "model and the cues together (the name of the file alone), or either alone.",
        "",
        "The designs tried and their figures are in `models/DESIGNS.md`.",
        "",
        "## Training data",
        "",
        f"- files: {', '.join(data['files'])}",
        f"- passages: {data['passages']} ({data['none']} with no lever), sha256 `{data['sha256'][:16]}`",
        "- positive passages per lever: "
        + ", ".join(f"`{k}` {v}" for k, v in data["per_lever"].items()),
        *([f"- not learnt, too few examples, scored from their cues alone: "
            f"{', '.join(f'`{k}`' for k in meta['not_learnt'])}"]
          if meta.get("not_learnt") else []),
        "",
        "## Versions",
        "",
        f"- trained: {meta['trained']}",
        *(f"- {name}: {version}" for name, version in meta["versions"].items()),
        f"- taxonomy digest: `{meta['taxonomy_digest']}`",
        "",
        f"## Cross-validation on the training corpus ({meta['cv']['method']})",
        "",
        metrics_table({"cv": meta["cv"]["metrics"]}, markdown=True),
    ]
    cv_micro = meta["cv"]["metrics"]["micro"]["f1"]
    for name, result in meta.get("evaluations", {}).items():
        lines += ["", f"## Evaluation on `{name}`", "", metrics_table({name: result}, markdown=True)]
        gap = cv_micro - result["micro"]["f1"]
        if gap > GAP_WARNING:
            lines += [
                "",
                f"**Micro-F1 here is {gap:.2f} below the cross-validation on the training corpus.** "
                "The corpus does not carry the variety of these passages: the model learnt cues that "
                "this text does not offer. What was tried about it is in `models/DESIGNS.md`.",
            ]
    for extra in meta.get("notes", []):
        lines += ["", extra]
    return "\n".join(lines) + "\n"
