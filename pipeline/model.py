"""Model files: a skops file of the scikit-learn Pipeline, its metadata, its card.

A model directory holds `model.skops`, `model.json` (lever ids, taxonomy digest,
training data, versions, metrics) and `MODEL_CARD.md`, written from the JSON.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.pipeline import Pipeline

from .errors import ModelError
from .taxonomy import Taxonomy

MODEL_FILE = "model.skops"
META_FILE = "model.json"
CARD_FILE = "MODEL_CARD.md"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "default"

# A drop from cross-validation to an evaluation set that the card points out.
GAP_WARNING = 0.1

# The only types a model file may need beyond those skops trusts by itself.
TRUSTED_TYPES = [
    "pipeline.classify.LeverClassifier",
    "pipeline.classify.SpacyFeatures",
    "pipeline.classify.TextViews",
]


@dataclass
class LeverModel:
    estimator: Pipeline
    levers: list[str]
    meta: dict = field(default_factory=dict)


def save_model(model: LeverModel, directory: str | Path) -> None:
    import skops.io as sio

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # Deflated, the vocabularies in the file's schema take a fifth of the space.
    sio.dump(model.estimator, directory / MODEL_FILE, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    save_meta(model.meta, directory)


def save_meta(meta: dict, directory: str | Path) -> None:
    directory = Path(directory)
    (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    (directory / CARD_FILE).write_text(model_card(meta), "utf-8")


def load_meta(directory: str | Path) -> dict:
    path = Path(directory) / META_FILE
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{directory}: no model here (no {META_FILE}); train one with `make train`") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable model metadata ({exc})") from exc


def load_model(directory: str | Path, taxonomy: Taxonomy) -> LeverModel:
    """Load a model, refusing files that carry unexpected code or another taxonomy."""
    import skops.io as sio

    directory = Path(directory)
    meta = load_meta(directory)
    if meta.get("taxonomy_digest") != taxonomy.digest or meta.get("levers") != taxonomy.ids:
        raise ModelError(
            f"{directory}: the model was trained for other levers than the current taxonomy; retrain it"
        )
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


def _metrics_table(m: dict) -> list[str]:
    lines = ["| lever | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for lever, v in m["per_lever"].items():
        lines.append(f"| `{lever}` | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1']:.2f} | {v['support']} |")
    lines += [
        f"| **micro** | {m['micro']['precision']:.2f} | {m['micro']['recall']:.2f} | **{m['micro']['f1']:.2f}** | |",
        f"| **macro** ({m['macro_levers']} levers with support ≥ {m['macro_min_support']}) "
        f"| {m['macro']['precision']:.2f} | {m['macro']['recall']:.2f} | **{m['macro']['f1']:.2f}** | |",
        "",
        f"Passages with no lever predicted as none: {m['none_correct']:.2f} "
        f"({m['none_support']} of {m['passages']} passages).",
    ]
    return lines


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
        "The designs tried and their figures are in `models/DESIGNS.md`.",
        "",
        "## Training data",
        "",
        f"- files: {', '.join(data['files'])}",
        f"- passages: {data['passages']} ({data['none']} with no lever), sha256 `{data['sha256'][:16]}`",
        "- positive passages per lever: "
        + ", ".join(f"`{k}` {v}" for k, v in data["per_lever"].items()),
        "",
        "## Versions",
        "",
        f"- trained: {meta['trained']}",
        *(f"- {name}: {version}" for name, version in meta["versions"].items()),
        f"- taxonomy digest: `{meta['taxonomy_digest']}`",
        "",
        f"## Cross-validation on the training corpus ({meta['cv']['method']})",
        "",
        *_metrics_table(meta["cv"]["metrics"]),
    ]
    cv_micro = meta["cv"]["metrics"]["micro"]["f1"]
    for name, result in meta.get("evaluations", {}).items():
        lines += ["", f"## Evaluation on `{name}`", "", *_metrics_table(result)]
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
