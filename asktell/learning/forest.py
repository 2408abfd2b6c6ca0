"""Tree ensembles whose ``predict`` also returns a standard deviation.

The spread combines, by the law of total variance, the disagreement
between trees and the variance of the training targets inside each
tree's leaf: ``Var = mean_t(leaf_var_t + mu_t**2) - mean**2``. A forest of
fully grown trees would otherwise claim certainty wherever its trees agree.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor as _SkExtraTrees
from sklearn.ensemble import RandomForestRegressor as _SkRandomForest

__all__ = ["RandomForestRegressor", "ExtraTreesRegressor"]


def _forest_mean_std(forest, X, min_variance):
    X = np.asarray(X, dtype=float)
    means = np.empty((len(forest.estimators_), len(X)))
    second = np.zeros(len(X))
    for t, tree in enumerate(forest.estimators_):
        leaves = tree.apply(X)
        mu = tree.tree_.value[leaves, 0, 0]
        var = np.maximum(tree.tree_.impurity[leaves], min_variance)
        means[t] = mu
        second += var + mu * mu
    mean = means.mean(0)
    var = second / len(forest.estimators_) - mean * mean
    return mean, np.sqrt(np.maximum(var, 0.0))


class _StdMixin:
    """``predict(X, return_std=False)`` for a fitted single-output forest."""

    def predict(self, X, return_std=False):
        """Mean prediction, and the standard deviation when ``return_std``."""
        mean = super().predict(X)
        if not return_std:
            return mean
        if getattr(self, "n_outputs_", 1) != 1:
            raise ValueError("return_std supports single-output forests only")
        if self.criterion != "squared_error":
            raise ValueError(f"return_std needs criterion='squared_error', got {self.criterion!r}")
        _, std = _forest_mean_std(self, X, self.min_variance)
        return mean, std


class RandomForestRegressor(_StdMixin, _SkRandomForest):
    """scikit-learn's random forest with ``predict(X, return_std=True)``.

    Parameters are scikit-learn's, plus ``min_variance``: a floor on each
    leaf's variance, so a leaf of identical targets still has some spread.
    """

    def __init__(
        self, n_estimators=100, *, criterion="squared_error", max_depth=None,
        min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
        max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
        bootstrap=True, oob_score=False, n_jobs=None, random_state=None, verbose=0,
        warm_start=False, ccp_alpha=0.0, max_samples=None, min_variance=0.0,
    ):
        super().__init__(
            n_estimators=n_estimators, criterion=criterion, max_depth=max_depth,
            min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
            max_leaf_nodes=max_leaf_nodes, min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap, oob_score=oob_score, n_jobs=n_jobs, random_state=random_state,
            verbose=verbose, warm_start=warm_start, ccp_alpha=ccp_alpha, max_samples=max_samples,
        )
        self.min_variance = min_variance


class ExtraTreesRegressor(_StdMixin, _SkExtraTrees):
    """scikit-learn's extremely randomized trees with ``predict(X, return_std=True)``.

    Parameters are scikit-learn's, plus ``min_variance`` (see
    `RandomForestRegressor`).
    """

    def __init__(
        self, n_estimators=100, *, criterion="squared_error", max_depth=None,
        min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
        max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
        bootstrap=False, oob_score=False, n_jobs=None, random_state=None, verbose=0,
        warm_start=False, ccp_alpha=0.0, max_samples=None, min_variance=0.0,
    ):
        super().__init__(
            n_estimators=n_estimators, criterion=criterion, max_depth=max_depth,
            min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
            max_leaf_nodes=max_leaf_nodes, min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap, oob_score=oob_score, n_jobs=n_jobs, random_state=random_state,
            verbose=verbose, warm_start=warm_start, ccp_alpha=ccp_alpha, max_samples=max_samples,
        )
        self.min_variance = min_variance
