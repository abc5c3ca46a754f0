"""Whether a question is about the speech at all: declining is a decision of its own, kept apart from ranking.

A linear model over the question's character n-grams (TF-IDF) and the speech's support for it (how many of the
question's character pairs the speech writes), fitted on the pack's own example questions (in scope) and the
genre's off-topic examples (chit-chat, tasks, general knowledge, party topics this speech never names). Its
threshold is chosen by cross-validation over those examples, not on an evaluation set: the lowest probability
that declines at most IN_SCOPE_LOSS of the in-scope examples held out. The fitted model is plain arrays, read
with numpy alone; scikit-learn is imported only to fit it (the cache keeps it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

GRAM_LENGTHS = (1, 2, 3)
# Chosen so that cross-validation declines at most this share of the pack's in-scope examples …
IN_SCOPE_LOSS = 0.01
# … and never below this probability: a question is declined only when out of scope is the likelier reading.
MIN_THRESHOLD = 0.5
FOLDS = 5
REGULARISATION = 4.0  # LogisticRegression's C: the n-grams are many and the examples few


def char_grams(text: str) -> Counter[str]:
    """The text's character n-grams of GRAM_LENGTHS, counted."""
    found: Counter[str] = Counter()
    for n in GRAM_LENGTHS:
        found.update(text[i : i + n] for i in range(len(text) - n + 1))
    return found


def pairs(text: str) -> set[str]:
    """The text's two-character runs of letters or digits (punctuation breaks a run)."""
    return {text[i : i + 2] for i in range(len(text) - 1) if text[i].isalnum() and text[i + 1].isalnum()}


def support(text: str, speech_pairs: frozenset[str]) -> np.ndarray:
    """Dense features: the share of the question's pairs that the speech writes, and (log) how many it writes,
    how many the question has, how many the speech does not write."""
    own = pairs(text)
    held = len(own & speech_pairs)
    share = held / len(own) if own else 0.0
    return np.array([share, math.log1p(held), math.log1p(len(own)), math.log1p(len(own) - held)])


@dataclass(frozen=True, eq=False)
class ScopeModel:
    """The fitted model as arrays; `out_of_scope` is the probability that a question is not about the speech."""

    columns: dict[str, int]  # n-gram → column (plain dicts: the cache pickles the model)
    idf: np.ndarray  # per column
    gram_weights: np.ndarray  # per column: the model's coefficient
    support_weights: np.ndarray  # per dense feature (support())
    bias: float
    speech_pairs: frozenset[str]
    threshold: float
    # What cross-validation measured when the threshold was chosen (kb check prints it).
    report: dict[str, float] = field(default_factory=dict)

    def out_of_scope(self, normalized: str) -> float:
        grams = char_grams(normalized)
        values = {}
        for gram, count in grams.items():
            column = self.columns.get(gram)
            if column is not None:
                values[column] = (1.0 + math.log(count)) * self.idf[column]
        z = self.bias + float(support(normalized, self.speech_pairs) @ self.support_weights)
        if values:
            columns = np.fromiter(values, dtype=np.intp)
            weights = np.fromiter(values.values(), dtype=float)
            z += float(weights @ self.gram_weights[columns]) / float(np.linalg.norm(weights))
        return 1.0 / (1.0 + math.exp(-z))

    def declines(self, normalized: str) -> bool:
        return self.out_of_scope(normalized) >= self.threshold


def fit_scope(in_scope: Sequence[str], out_of_scope: Sequence[str], speech: str) -> ScopeModel:
    """Fit the model on normalised questions and choose its threshold by cross-validation (see module)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    texts = list(in_scope) + list(out_of_scope)
    labels = np.array([0] * len(in_scope) + [1] * len(out_of_scope))
    speech_pairs = frozenset(pairs(speech))

    def features(batch: Sequence[str], vectorizer: TfidfVectorizer, fit: bool = False):
        grams = vectorizer.fit_transform(batch) if fit else vectorizer.transform(batch)
        dense = np.vstack([support(t, speech_pairs) for t in batch])
        return hstack([grams, csr_matrix(dense)]).tocsr()

    def vectorizer() -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char",
            ngram_range=(GRAM_LENGTHS[0], GRAM_LENGTHS[-1]),
            sublinear_tf=True,
            lowercase=False,
        )

    def fitted(batch: Sequence[str], y: np.ndarray) -> tuple[TfidfVectorizer, LogisticRegression]:
        grams = vectorizer()
        model = LogisticRegression(C=REGULARISATION, max_iter=3000).fit(features(batch, grams, fit=True), y)
        return grams, model

    # Cross-validated probabilities: each example scored by a model that never saw it (vectorizer included).
    held_out = np.zeros(len(texts))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(texts, labels):
        grams, model = fitted([texts[i] for i in train], labels[train])
        held_out[test] = model.predict_proba(features([texts[i] for i in test], grams))[:, 1]
    inside = np.sort(held_out[labels == 0])
    allowed = math.floor(IN_SCOPE_LOSS * len(inside))
    # The threshold sits just above the in-scope examples that may be lost: at most `allowed` score above it.
    highest_kept = inside[len(inside) - allowed - 1] if len(inside) > allowed else 0.0
    threshold = max(MIN_THRESHOLD, float(np.nextafter(highest_kept, 1.0)))
    caught = float(np.mean(held_out[labels == 1] >= threshold)) if len(out_of_scope) else 0.0
    lost = float(np.mean(inside >= threshold)) if len(inside) else 0.0

    grams, model = fitted(texts, labels)
    coefficients = model.coef_[0]
    size = len(grams.vocabulary_)
    return ScopeModel(
        columns=dict(grams.vocabulary_),
        idf=grams.idf_.copy(),
        gram_weights=coefficients[:size].copy(),
        support_weights=coefficients[size:].copy(),
        bias=float(model.intercept_[0]),
        speech_pairs=speech_pairs,
        threshold=threshold,
        report={
            "in_scope": len(in_scope),
            "out_of_scope": len(out_of_scope),
            "threshold": threshold,
            "in_scope_declined": lost,
            "out_of_scope_declined": caught,
        },
    )
