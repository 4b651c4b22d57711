"""Classify stage: passages → a score per lever, with a scikit-learn model.

Scores are the model's probabilities rescaled per lever so that 0.5 is the
lever's decision threshold (chosen by cross-validation on the training
corpus): a passage carries a lever when its score is at least 0.5, and scores
of different levers can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from .nlp import DEFAULT_SPACY_MODEL, LEMMA_PIPES, load_nlp, without
from .types import DECISION


@dataclass
class Analysed:
    """Passages as the classifier sees them: lemma strings and mean word vectors.

    Indexable by arrays of positions, so that cross-validation can cut it into folds.
    """

    lemmas: np.ndarray  # object array of str
    vectors: np.ndarray  # (passages, dims), L2-normalised

    def __len__(self) -> int:
        return len(self.lemmas)

    def __getitem__(self, index) -> Analysed:
        return Analysed(self.lemmas[index], self.vectors[index])


class SpacyFeatures(TransformerMixin, BaseEstimator):
    """Texts → their lowercased lemmas and the mean of their content words' vectors.

    spaCy is loaded on first use through `load_nlp`, once per process, so the
    estimator stays a light, serialisable object.
    """

    def __init__(self, spacy_model: str = DEFAULT_SPACY_MODEL, batch_size: int = 64):
        self.spacy_model = spacy_model
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None) -> SpacyFeatures:
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True  # stateless: nothing to learn

    def transform(self, X: Sequence[str]) -> Analysed:
        nlp = load_nlp(self.spacy_model)
        lemmas, vectors = [], np.zeros((len(X), nlp.vocab.vectors_length), dtype=np.float32)
        docs = nlp.pipe(X, batch_size=self.batch_size, disable=without(nlp, *LEMMA_PIPES))
        for i, doc in enumerate(docs):
            lemmas.append(" ".join(t.lemma_.lower() for t in doc if t.is_alpha and len(t) > 1))
            content = [t.vector for t in doc if t.is_alpha and not t.is_stop and t.has_vector]
            if content:
                mean = np.asarray(content).mean(axis=0)
                vectors[i] = mean / (np.linalg.norm(mean) or 1.0)
        return Analysed(np.array(lemmas, dtype=object), vectors)


VIEWS = ("words", "chars", "vectors")
# Regularisation of each view's regressions: the sparse TF-IDF views take a
# weaker penalty than the dense vectors, whose 300 dimensions overfit sooner.
VIEW_C = {"words": 4.0, "chars": 2.0, "vectors": 1.0}
DEFAULT_C = tuple(VIEW_C[v] for v in VIEWS)


class TextViews(TransformerMixin, BaseEstimator):
    """Analysed passages → one feature matrix per view.

    words: TF-IDF over lemma uni- and bigrams; chars: TF-IDF over character
    3–5-grams of the lemmas, which carry word families across spellings and
    derivations; vectors: the spaCy mean vectors, which carry meaning across
    synonyms that the corpus never used.
    """

    def __init__(self, views: tuple[str, ...] = VIEWS, max_char_features: int = 50_000):
        self.views = views
        self.max_char_features = max_char_features

    def fit(self, X: Analysed, y=None) -> TextViews:
        unknown = set(self.views) - set(VIEWS)
        if unknown:
            raise ValueError(f"unknown views {sorted(unknown)}; choose among {VIEWS}")
        self.vectorizers_ = {}
        if "words" in self.views:
            self.vectorizers_["words"] = TfidfVectorizer(
                ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(X.lemmas)
        if "chars" in self.views:
            self.vectorizers_["chars"] = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                max_features=self.max_char_features).fit(X.lemmas)
        for vectorizer in self.vectorizers_.values():
            # Only kept for introspection; for character n-grams it holds every
            # discarded n-gram and would make the model file ten times larger.
            vectorizer.stop_words_ = None
        return self

    def transform(self, X: Analysed) -> list:
        return [
            X.vectors if view == "vectors" else self.vectorizers_[view].transform(X.lemmas)
            for view in self.views
        ]


class LeverClassifier(ClassifierMixin, BaseEstimator):
    """Per lever, one logistic regression per view, their probabilities averaged,
    and the lever's own decision threshold.

    `fit` takes the list of view matrices of `TextViews` and a binary indicator
    matrix (passages × levers). Thresholds maximise each lever's F1 on
    out-of-fold predictions of the training data, so that the data used to
    measure the model never sets them.
    """

    def __init__(self, C: tuple[float, ...] = DEFAULT_C, cv: int = 5, random_state: int = 0,
                 n_jobs: int | None = -1):
        self.C = C
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_views(self, views: list, Y: np.ndarray) -> list[list[LogisticRegression | None]]:
        def fit_one(X, c: float, y: np.ndarray) -> LogisticRegression | None:
            # A lever with fewer than two examples cannot be learnt; it scores 0.
            if y.sum() < 2:
                return None
            return LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(X, y)

        levers = Y.shape[1]
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(fit_one)(X, c, Y[:, j]) for X, c in zip(views, self.C) for j in range(levers)
        )
        return [fitted[i * levers:(i + 1) * levers] for i in range(len(views))]

    @staticmethod
    def _proba(models: list[list[LogisticRegression | None]], views: list) -> np.ndarray:
        n = views[0].shape[0]
        per_view = [
            np.column_stack([m.predict_proba(X)[:, 1] if m is not None else np.zeros(n) for m in row])
            for row, X in zip(models, views)
        ]
        return np.mean(per_view, axis=0)

    def fit(self, X: list, Y) -> LeverClassifier:
        if len(X) != len(self.C):
            raise ValueError(f"{len(X)} views but {len(self.C)} values of C")
        Y = np.asarray(Y, dtype=int)
        out_of_fold = np.zeros(Y.shape)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(Y):
            models = self._fit_views([v[train] for v in X], Y[train])
            out_of_fold[test] = self._proba(models, [v[test] for v in X])
        self.thresholds_ = np.array(
            [best_threshold(Y[:, j], out_of_fold[:, j]) for j in range(Y.shape[1])]
        )
        self.models_ = self._fit_views(X, Y)
        self.n_outputs_ = Y.shape[1]
        return self

    def predict_proba(self, X: list) -> np.ndarray:
        return self._proba(self.models_, X)

    def decision_scores(self, X: list) -> np.ndarray:
        return rescale(self.predict_proba(X), self.thresholds_)

    def predict(self, X: list) -> np.ndarray:
        return (self.decision_scores(X) >= DECISION).astype(int)


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut that maximises F1 for one lever (0.5 when it has no positives)."""
    if y.sum() == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(p, 3)):
        predicted = p >= t
        tp = np.sum(predicted & (y == 1))
        f1 = 2 * tp / (predicted.sum() + y.sum())
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return min(max(best, 0.02), 0.98)


def rescale(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Map each lever's probabilities piecewise-linearly so its threshold lands on 0.5
    (the `formula` message of i18n.py says it in words for the report)."""
    t = np.asarray(thresholds)
    below = proba / (2 * t)
    above = 0.5 + (proba - t) / (2 * (1 - t))
    return np.clip(np.where(proba < t, below, above), 0.0, 1.0)


def build_model(views: tuple[str, ...] = VIEWS) -> Pipeline:
    """The classifier: spaCy features → one matrix per view → per-lever regressions."""
    return Pipeline(
        [
            ("spacy", SpacyFeatures()),
            ("views", TextViews(views=views)),
            ("levers", LeverClassifier(C=tuple(VIEW_C[v] for v in views))),
        ]
    )


def classify(texts: Sequence[str], model: Pipeline) -> np.ndarray:
    """Scores (passages × levers) in [0, 1]; a lever is carried from 0.5 up."""
    if len(texts) == 0:
        return np.zeros((0, model[-1].n_outputs_))
    features = model[:-1].transform(list(texts))
    return model[-1].decision_scores(features)
