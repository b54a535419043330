"""The lead scoring model: a logistic regression over the lead's features
(``features.features``), its probabilities calibrated, trained on past leads
(converted = 1, disqualified = 0). No database here: the worker gives it facts and
labels (``analytics.lead_scores``).

``rules.choose_method`` says whether there is enough to learn from (at least 50
labelled leads, 10 of each outcome); otherwise the transparent rules of ``rules.py``
score the leads. Importing this module loads scikit-learn (two seconds): only the
worker's training and the first rescoring in a process do. ``train`` measures the model on a
held-out quarter of the leads (stratified, fixed ``RANDOM_STATE``: ROC AUC, the chance
that a converted lead scores above a disqualified one; 0.5 is a coin), then fits it
again on every labelled lead for scoring.

The pipeline: ``DictVectorizer`` (strings one-hot, numbers as they are), then
``CalibratedClassifierCV`` around ``LogisticRegression`` (sigmoid calibration, 3
stratified folds): a score of 70 means that about 70 % of such leads converted. A
lead's reasons are its features' contributions to the log-odds, the coefficient (the
mean over the calibration folds' regressions) times the feature's value minus its mean
over the training leads, the strongest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from clientela.analytics.leadscore.features import LeadFacts, Scored, describe, features

TEST_SIZE = 0.25
RANDOM_STATE = 0
FOLDS = 3
#: Reasons given per lead.
REASONS = 3
#: Features that are reasons even at zero ("No interactions logged", "No company").
COUNTS = frozenset({"interactions", "has_company", "form_submissions"})
#: A contribution to the log-odds smaller than this is no reason.
NEGLIGIBLE = 0.01
#: A coefficient smaller than this is left out of the top factors (noise).
MINOR_FACTOR = 0.05
#: The features never shown as "top factors" to every reader: a company's name is
#: about some team's leads (a lead's own company shows in its own reasons).
PRIVATE_PREFIXES = ("company=",)


def _pipeline() -> Pipeline:
    regression = LogisticRegression(C=1.0, max_iter=2000)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    return Pipeline(
        [
            ("features", DictVectorizer(sparse=True)),
            ("model", CalibratedClassifierCV(regression, method="sigmoid", cv=folds)),
        ]
    )


@dataclass
class ModelScorer:
    """A fitted pipeline with what explaining its scores needs (pickled by the worker
    into ``analytics.LeadModel``; only ever unpickled from there)."""

    pipeline: Pipeline
    names: list[str]
    coef: np.ndarray[Any, Any]
    means: np.ndarray[Any, Any]

    @classmethod
    def fit(cls, rows: Sequence[dict[str, Any]], labels: Sequence[int]) -> ModelScorer:
        pipeline = _pipeline().fit(list(rows), list(labels))
        vectorizer: DictVectorizer = pipeline.named_steps["features"]
        calibrated: CalibratedClassifierCV = pipeline.named_steps["model"]
        coef = np.mean([c.estimator.coef_[0] for c in calibrated.calibrated_classifiers_], axis=0)
        matrix = vectorizer.transform(list(rows))
        means = np.asarray(matrix.mean(axis=0)).ravel()
        return cls(pipeline, list(vectorizer.get_feature_names_out()), coef, means)

    def probabilities(self, rows: Sequence[dict[str, Any]]) -> np.ndarray[Any, Any]:
        return np.asarray(self.pipeline.predict_proba(list(rows))[:, 1])

    def score(self, facts: LeadFacts) -> Scored:
        return self.score_many([facts])[0]

    def score_many(self, many: Sequence[LeadFacts]) -> list[Scored]:
        if not many:
            return []
        rows = [features(f) for f in many]
        chances = self.probabilities(rows)
        matrix = self.pipeline.named_steps["features"].transform(rows).toarray()
        return [
            Scored(round(100 * float(p)), self._reasons(facts, row))
            for facts, p, row in zip(many, chances, matrix, strict=True)
        ]

    def _reasons(self, facts: LeadFacts, row: np.ndarray[Any, Any]) -> list[str]:
        """The features the lead has (and its counts, even when zero) with the largest
        contributions, in plain words, + raising and − lowering the score."""
        contributions = self.coef * (row - self.means)
        wanted = [
            i
            for i, name in enumerate(self.names)
            if (row[i] != 0 or name in COUNTS) and abs(contributions[i]) >= NEGLIGIBLE
        ]
        wanted.sort(key=lambda i: -abs(contributions[i]))
        return [
            f"{'+' if contributions[i] > 0 else '−'} {describe(self.names[i], facts)}"
            for i in wanted[:REASONS]
        ]

    def top_factors(self, count: int = 8) -> list[tuple[str, float]]:
        """The features that move scores most (name, coefficient), strongest first,
        without ``PRIVATE_PREFIXES`` nor those below ``MINOR_FACTOR``."""
        shown = [
            (name, float(weight))
            for name, weight in zip(self.names, self.coef, strict=True)
            if not name.startswith(PRIVATE_PREFIXES) and abs(weight) >= MINOR_FACTOR
        ]
        shown.sort(key=lambda f: -abs(f[1]))
        return shown[:count]


@dataclass(frozen=True)
class Trained:
    scorer: ModelScorer
    #: ROC AUC on the held-out leads, and how many there were.
    auc: float
    tested: int


def train(facts: Sequence[LeadFacts], converted: Sequence[bool]) -> Trained:
    """Measure the model on a held-out stratified quarter, then fit it on every lead.
    The caller checked ``choose_method`` first (both outcomes are there)."""
    rows = [features(f) for f in facts]
    labels = [1 if c else 0 for c in converted]
    train_rows, test_rows, train_labels, test_labels = train_test_split(
        rows, labels, test_size=TEST_SIZE, stratify=labels, random_state=RANDOM_STATE
    )
    measured = ModelScorer.fit(train_rows, train_labels)
    auc = float(roc_auc_score(test_labels, measured.probabilities(test_rows)))
    scorer = ModelScorer.fit(rows, labels)
    return Trained(scorer=scorer, auc=auc, tested=len(test_rows))
