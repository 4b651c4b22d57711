"""Train a model on annotated files and measure it by cross-validation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, KFold

from ..classify import VIEWS, Analysed, build_model
from ..errors import AnnotationError
from ..model import LeverModel, default_model_dir, load_model
from ..nlp import ANALYSER, DEFAULT_SPACY_MODEL
from ..paths import repository_path
from ..taxonomy import Taxonomy
from ..types import DECISION
from .card import save_meta
from .corpus import Example, label_matrix, read_examples
from .metrics import metrics

DESIGN = (
    "lemmas from the lookup table and mean word vectors of spaCy `fr_core_news_md` → views {views} (words: TF-IDF over "
    "lemma uni- and bigrams; chars: TF-IDF over character 3–5-grams of the lemmas; vectors: the "
    "mean vector of content words) → per lever, one logistic regression per view (class_weight "
    "balanced, C {C}), probabilities averaged; each lever's threshold maximises its F1 on {cv}-fold "
    "out-of-fold predictions of the training data."
)


def _folds(examples: Sequence[Example], n_splits: int):
    """Folds that keep each annotated file whole when there are enough files,
    so that the figure says how the model does on text written apart from its training."""
    files = [ex.where.rsplit(":", 1)[0] for ex in examples]
    if len(set(files)) >= n_splits:
        return GroupKFold(n_splits).split(files, groups=files), f"{n_splits}-fold, grouped by file"
    return (
        KFold(n_splits, shuffle=True, random_state=0).split(files),
        f"{n_splits}-fold, shuffled",
    )


# Told how far training has got: a phase ("passages": spaCy's analysis, "folds":
# the cross-validation), how much of it is done, out of how much.
Progress = Callable[[str, int, int], None]
# Passages analysed between two reports of progress.
CHUNK = 256


def _analyse(estimator, texts: list[str], progress: Progress | None) -> Analysed:
    parts = []
    for start in range(0, len(texts), CHUNK):
        parts.append(estimator[:1].transform(texts[start:start + CHUNK]))
        if progress:
            progress("passages", min(start + CHUNK, len(texts)), len(texts))
    return Analysed(np.concatenate([p.lemmas for p in parts]), np.concatenate([p.vectors for p in parts]))


def cross_validate(examples: Sequence[Example], lever_ids: list[str], views: tuple[str, ...], n_splits: int = 5,
                   progress: Progress | None = None):
    """Out-of-fold predictions of the whole design, how they were made, and the spaCy features."""
    Y, scores, method, X = out_of_fold_scores(examples, lever_ids, views, n_splits, progress)
    return Y, (scores >= DECISION).astype(Y.dtype), method, X


def out_of_fold_scores(examples: Sequence[Example], lever_ids: list[str], views: tuple[str, ...],
                       n_splits: int = 5, progress: Progress | None = None):
    """Like `cross_validate`, with the out-of-fold scores (0.5 = each fold's thresholds) rather
    than 0/1, so that rules over a document's scores can be chosen without seeing their passages."""
    estimator = build_model(views)
    # spaCy's analysis does not depend on the fold: run it once.
    X = _analyse(estimator, [ex.text for ex in examples], progress)
    Y = label_matrix(examples, lever_ids)
    scores = np.zeros(Y.shape)
    folds, method = _folds(examples, n_splits)
    for done, (train, test) in enumerate(folds, 1):
        head = clone(estimator[1:]).fit(X[train], Y[train])
        scores[test] = head[-1].decision_scores(head[:-1].transform(X[test]))
        if progress:
            progress("folds", done, n_splits)
    return Y, scores, method, X


# Cross-validation cuts the data in five folds, and each training fold in five again.
MIN_PASSAGES = 10


def shipped_corpus() -> Path:
    """The annotated corpus the default model is trained on."""
    return repository_path("corpora", "annotated")


def training_files(paths: Sequence[str | Path], base: bool = False) -> list[Path]:
    """The files to train on: the given ones, after the shipped corpus when `base`;
    each file once, so that naming a corpus file too does not read it twice."""
    shipped = sorted(shipped_corpus().glob("*.jsonl")) if base else []
    if base and not shipped:
        raise AnnotationError(f"{shipped_corpus()}: no shipped corpus here to add to your files")
    files = shipped + [Path(p) for p in paths]
    return list({path.resolve(): path for path in files}.values())


def _data_summary(paths: Sequence[Path], examples: Sequence[Example], lever_ids: list[str],
                  skipped: int) -> dict:
    digest = hashlib.sha256()  # of every file trained on, shipped corpus included
    for path in paths:
        digest.update(path.read_bytes())
    counts = label_matrix(examples, lever_ids).sum(axis=0)
    return {
        "files": [path.name for path in paths],
        "skipped": skipped,
        "passages": len(examples),
        "none": sum(1 for ex in examples if not ex.labels),
        "sha256": digest.hexdigest(),
        "per_lever": {lever: int(n) for lever, n in zip(lever_ids, counts)},
    }


def train(
    paths: Sequence[str | Path], taxonomy: Taxonomy, views: tuple[str, ...] = VIEWS, name: str = "leviers",
    base: bool = False, progress: Progress | None = None,
) -> LeverModel:
    """Fit the default design on annotated files, after the shipped corpus when `base`;
    the metadata carries the training data's digest and size, and CV metrics.

    A lever with fewer than MIN_PASSAGES examples cannot be learnt: its threshold,
    chosen on a handful of out-of-fold scores, would let it fire on any passage.
    Such levers are left out of the model, listed in the metadata's `not_learnt`,
    and scored from their cues alone, like a lever of a new framework."""
    paths = training_files(paths, base)
    skipped: list[str] = []
    examples = read_examples(paths, taxonomy, skipped)
    if len(examples) < MIN_PASSAGES:
        raise AnnotationError(f"{len(examples)} annotated passages in {', '.join(map(str, paths))}: "
                              f"too few to train on (at least {MIN_PASSAGES})")
    lever_ids = taxonomy.ids
    Y, predicted, method, X = cross_validate(examples, lever_ids, views, progress=progress)
    scarce = Y.sum(axis=0) < MIN_PASSAGES
    if scarce.all():
        raise AnnotationError(f"no lever has {MIN_PASSAGES} annotated passages in "
                              f"{', '.join(map(str, paths))}: nothing can be learnt")
    predicted[:, scarce] = 0
    learnt = [lever for lever, few in zip(lever_ids, scarce) if not few]

    estimator = build_model(views)
    estimator[1:].fit(X, Y[:, ~scarce])  # the spaCy step holds no state
    meta = {
        "name": name,
        "levers": learnt,
        "taxonomy_digest": taxonomy.digest,
        "analyser": ANALYSER,
        "design": DESIGN.format(views=", ".join(views), C=estimator[-1].C, cv=estimator[-1].cv),
        "params": {"views": list(views), "C": list(estimator[-1].C)},
        "trained": date.today().isoformat(),
        "versions": {
            pkg: version(pkg)
            for pkg in ("leviers", "scikit-learn", "spacy", DEFAULT_SPACY_MODEL.replace("_", "-"))
        },
        "training_data": _data_summary(paths, examples, lever_ids, len(skipped)),
        "thresholds": dict(zip(learnt, map(float, estimator[-1].thresholds_))),
        "cv": {"method": method, "metrics": metrics(Y, predicted, lever_ids)},
        "not_learnt": [lever for lever, few in zip(lever_ids, scarce) if few],
        "evaluations": {},
    }
    return LeverModel(estimator, learnt, meta)


@dataclass
class CrossValidation:
    views: tuple[str, ...]
    passages: int
    method: str
    metrics: dict


def crossval(paths: Sequence[str | Path], taxonomy: Taxonomy, model_dir: str | Path | None = None,
             record: bool = False, progress: Progress | None = None) -> CrossValidation:
    """Cross-validate a model's design (the shipped one when `model_dir` is None) on annotated
    files; with `record`, store the figures in the model's metadata and card."""
    directory = Path(model_dir) if model_dir else default_model_dir()
    model = load_model(directory, taxonomy)
    views = tuple(model.meta["params"]["views"])
    examples = read_examples(paths, taxonomy)
    Y, predicted, method, _ = cross_validate(examples, model.levers, views, progress=progress)
    result = CrossValidation(views, len(examples), method, metrics(Y, predicted, model.levers))
    if record:
        model.meta["cv"] = {"method": method, "metrics": result.metrics}
        save_meta(model.meta, directory)
    return result
