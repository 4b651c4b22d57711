"""Classify stage: passages → a score per lever, from a scikit-learn model and expert cues.

The model's probabilities are rescaled per lever so that 0.5 is the lever's
decision threshold (chosen by cross-validation on the training corpus); then
the cues of `cues.toml` move them by a fixed rule (CUE_RULE). A passage carries
a lever when its score is at least 0.5, and scores of different levers can be
compared. A lever no model was trained for is scored from its cues alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from joblib import Parallel, delayed
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.utils.extmath import safe_sparse_dot

from .cues import CUE_FLOOR, CUE_LIFT, CUE_ONLY, MAX_LEVERS, NO_CUE_PENALTY, CueEvidence, Cues, check_levers
from .model import LeverModel
from .nlp import DEFAULT_SPACY_MODEL, load_nlp
from .types import DECISION, Classified

if TYPE_CHECKING:
    from spacy.tokens import Doc


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
    estimator stays a light, serialisable object. It also takes passages that
    spaCy has analysed already, which `classify` shares with the cues.
    """

    def __init__(self, spacy_model: str = DEFAULT_SPACY_MODEL, batch_size: int = 64):
        self.spacy_model = spacy_model
        self.batch_size = batch_size

    def fit(self, X: Sequence[str], y=None) -> SpacyFeatures:
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True  # stateless: nothing to learn

    def transform(self, X: Sequence[str] | Sequence[Doc]) -> Analysed:
        nlp = load_nlp(self.spacy_model)
        lemmas, vectors = [], np.zeros((len(X), nlp.vocab.vectors_length), dtype=np.float32)
        docs: Iterable[Doc] = nlp.pipe(X, batch_size=self.batch_size) \
            if len(X) and isinstance(X[0], str) else X  # type: ignore[assignment]
        for i, doc in enumerate(docs):
            lemmas.append(" ".join(t.lemma_ for t in doc if t.is_alpha and len(t) > 1))
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

    def _vectorizer(self, view: str) -> TfidfVectorizer:
        if view == "words":
            return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                               max_features=self.max_char_features)

    def fit(self, X: Analysed, y=None) -> TextViews:
        unknown = set(self.views) - set(VIEWS)
        if unknown:
            raise ValueError(f"unknown views {sorted(unknown)}; choose among {VIEWS}")
        self.vectorizers_ = {view: self._vectorizer(view).fit(X.lemmas) for view in self.views if view != "vectors"}
        return self

    # A model file keeps each vocabulary as one string and its weights as one
    # array, not as the vectorizer's dictionary (and the n-grams it discarded),
    # which made the file's schema 40 MB long and its loading take seconds.
    def __getstate__(self) -> dict:
        state = {key: value for key, value in self.__dict__.items() if key != "vectorizers_"}
        if hasattr(self, "vectorizers_"):
            state["vocabularies_"] = {
                view: "\n".join(sorted(v.vocabulary_, key=v.vocabulary_.__getitem__))
                for view, v in self.vectorizers_.items()}
            state["idf_"] = {view: v.idf_ for view, v in self.vectorizers_.items()}
        return state

    def __setstate__(self, state: dict) -> None:
        vocabularies, idf = state.pop("vocabularies_", None), state.pop("idf_", None)
        self.__dict__.update(state)
        if vocabularies is not None and idf is not None:
            self.vectorizers_ = {}
            for view, terms in vocabularies.items():
                vectorizer = self._vectorizer(view)
                vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms.split("\n"))}
                vectorizer.idf_ = idf[view]
                self.vectorizers_[view] = vectorizer

    def transform(self, X: Analysed) -> list:
        return [
            X.vectors if view == "vectors" else self.vectorizers_[view].transform(X.lemmas)
            for view in self.views
        ]


@dataclass
class Regressions:
    """Per view, every lever's logistic regression: weights (levers × features) and intercepts."""

    coefs: list[np.ndarray]
    intercepts: np.ndarray  # (views, levers)
    learnt: np.ndarray  # (levers,) False for a lever with too few examples: it scores 0


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

    def _fit_views(self, views: list, Y: np.ndarray) -> Regressions:
        def fit_one(X, c: float, y: np.ndarray) -> LogisticRegression | None:
            # A lever with fewer than two examples cannot be learnt; it scores 0.
            if y.sum() < 2:
                return None
            return LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(X, y)

        levers = Y.shape[1]
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(fit_one)(X, c, Y[:, j]) for X, c in zip(views, self.C) for j in range(levers)
        )
        # Kept as one weight matrix per view: the same predictions as the
        # regressions, and a model file of a few arrays.
        coefs, intercepts = [], []
        for i, X in enumerate(views):
            row = fitted[i * levers:(i + 1) * levers]
            coefs.append(np.vstack([m.coef_[0] if m else np.zeros(X.shape[1]) for m in row]))
            intercepts.append(np.array([m.intercept_[0] if m else 0.0 for m in row]))
        learnt = np.array([m is not None for m in fitted[:levers]])
        return Regressions(coefs, np.array(intercepts), learnt)

    @staticmethod
    def _proba(regressions: Regressions, views: list) -> np.ndarray:
        per_view = [
            expit(safe_sparse_dot(X, coef.T, dense_output=True) + intercept)
            for X, coef, intercept in zip(views, regressions.coefs, regressions.intercepts)
        ]
        return np.where(regressions.learnt, np.mean(per_view, axis=0), 0.0)

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
        regressions = self._fit_views(X, Y)
        self.coefs_, self.intercepts_, self.learnt_ = regressions.coefs, regressions.intercepts, regressions.learnt
        self.n_outputs_ = Y.shape[1]
        return self

    def predict_proba(self, X: list) -> np.ndarray:
        return self._proba(Regressions(self.coefs_, self.intercepts_, self.learnt_), X)

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


def classify(texts: Sequence[str], model: LeverModel, cues: Cues, scoring: str = "hybrid") -> Classified:
    """Score passages for every lever of the cues' taxonomy (see CUE_RULE)."""
    check_scorable(model, cues)
    nlp = load_nlp()
    docs = list(nlp.pipe(texts, batch_size=64))
    evidence = cues.evidence(docs)
    learnt = model_scores(model.estimator, docs) if scoring != "cues" else None
    columns = [cues.lever_ids.index(lever) for lever in model.levers]
    return Classified(combine(learnt, columns, evidence, scoring), evidence.matches)


def combine(learnt: np.ndarray | None, columns: list[int], evidence: CueEvidence,
            scoring: str = "hybrid") -> np.ndarray:
    """Final scores (passages × the cues' levers) from the model's scores for the levers
    at `columns` and the cue evidence, by CUE_RULE."""
    strong, weak = evidence.strong > 0, evidence.weak > 0
    scores = _cue_only(strong, weak)
    if scoring == "cues" or learnt is None:
        return _capped(scores)
    if scoring == "model":
        scores[:, columns] = learnt
        return scores
    lifted = strong[:, columns] & (learnt >= CUE_FLOOR)
    silent = ~strong[:, columns] & ~weak[:, columns]
    scores[:, columns] = np.clip(learnt + CUE_LIFT * lifted - NO_CUE_PENALTY * silent, 0.0, 1.0)
    return _capped(scores)


def check_scorable(model: LeverModel, cues: Cues) -> None:
    """Refuse a taxonomy with a lever that neither the model nor any cue can score."""
    check_levers(model.levers, cues)


def model_scores(estimator: Pipeline, passages: Sequence[str] | Sequence[Doc]) -> np.ndarray:
    """The model's rescaled scores alone (passages × the levers it was trained for)."""
    if len(passages) == 0:
        return np.zeros((0, estimator[-1].n_outputs_))
    return estimator[-1].decision_scores(estimator[:-1].transform(passages))


def _cue_only(strong: np.ndarray, weak: np.ndarray) -> np.ndarray:
    return np.where(strong, CUE_ONLY["strong"], np.where(weak, CUE_ONLY["weak"], 0.0))


def _capped(scores: np.ndarray) -> np.ndarray:
    """At most MAX_LEVERS carried per passage: the others are brought under the threshold
    (by a thousandth, which the reports' four decimals keep)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    beyond = np.zeros_like(scores, dtype=bool)
    np.put_along_axis(beyond, order[:, MAX_LEVERS:], True, axis=1)
    return np.where(beyond & (scores >= DECISION), DECISION - 0.001, scores)
