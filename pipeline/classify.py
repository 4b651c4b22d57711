"""Classify stage: passages → a score per lever, with a scikit-learn model.

Scores are the model's probabilities rescaled per lever so that 0.5 is the
lever's decision threshold (chosen by cross-validation on the training
corpus): a passage carries a lever when its score is at least 0.5, and scores
of different levers can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from .nlp import DEFAULT_SPACY_MODEL, LEMMA_PIPES, load_nlp, without

DECISION = 0.5


class SpacyLemmas(TransformerMixin, BaseEstimator):
    """Texts → their lowercased lemmas, without punctuation, numbers or spaces.

    spaCy is loaded on first use through `load_nlp`, once per process, so the
    estimator stays a light, serialisable object.
    """

    def __init__(self, spacy_model: str = DEFAULT_SPACY_MODEL, batch_size: int = 64):
        self.spacy_model = spacy_model
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None) -> SpacyLemmas:
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True  # stateless: nothing to learn

    def transform(self, X: Sequence[str]) -> list[str]:
        nlp = load_nlp(self.spacy_model)
        docs = nlp.pipe(X, batch_size=self.batch_size, disable=without(nlp, *LEMMA_PIPES))
        return [
            " ".join(t.lemma_.lower() for t in doc if t.is_alpha and len(t) > 1)
            for doc in docs
        ]


class LeverClassifier(ClassifierMixin, BaseEstimator):
    """One logistic regression per lever, each with its own decision threshold.

    `fit` takes a binary indicator matrix (passages × levers). Thresholds
    maximise each lever's F1 on out-of-fold predictions of the training data,
    so that the data used to measure the model never sets them.
    """

    def __init__(self, C: float = 4.0, cv: int = 5, random_state: int = 0):
        self.C = C
        self.cv = cv
        self.random_state = random_state

    def _base(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)

    def _fit_columns(self, X, Y: np.ndarray) -> list[LogisticRegression | None]:
        # A lever with fewer than two examples cannot be learnt; it scores 0.
        return [
            clone(self._base()).fit(X, Y[:, j]) if Y[:, j].sum() >= 2 else None
            for j in range(Y.shape[1])
        ]

    @staticmethod
    def _proba(estimators, X) -> np.ndarray:
        n = X.shape[0]
        return np.column_stack(
            [est.predict_proba(X)[:, 1] if est is not None else np.zeros(n) for est in estimators]
        )

    def fit(self, X, Y) -> LeverClassifier:
        Y = np.asarray(Y, dtype=int)
        out_of_fold = np.zeros(Y.shape)
        folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in folds.split(X):
            out_of_fold[test] = self._proba(self._fit_columns(X[train], Y[train]), X[test])
        self.thresholds_ = np.array(
            [best_threshold(Y[:, j], out_of_fold[:, j]) for j in range(Y.shape[1])]
        )
        self.estimators_ = self._fit_columns(X, Y)
        self.n_outputs_ = Y.shape[1]
        return self

    def predict_proba(self, X) -> np.ndarray:
        return self._proba(self.estimators_, X)

    def decision_scores(self, X) -> np.ndarray:
        return rescale(self.predict_proba(X), self.thresholds_)

    def predict(self, X) -> np.ndarray:
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
    """Map each lever's probabilities piecewise-linearly so its threshold lands on 0.5."""
    t = np.asarray(thresholds)
    below = proba / (2 * t)
    above = 0.5 + (proba - t) / (2 * (1 - t))
    return np.clip(np.where(proba < t, below, above), 0.0, 1.0)


def build_model(C: float = 4.0) -> Pipeline:
    """The default design: TF-IDF over lemma uni- and bigrams, one classifier per lever."""
    return Pipeline(
        [
            ("lemmas", SpacyLemmas()),
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            ("levers", LeverClassifier(C=C)),
        ]
    )


def classify(texts: Sequence[str], model: Pipeline) -> np.ndarray:
    """Scores (passages × levers) in [0, 1]; a lever is carried from 0.5 up."""
    if len(texts) == 0:
        return np.zeros((0, model[-1].n_outputs_))
    features = model[:-1].transform(list(texts))
    return model[-1].decision_scores(features)
