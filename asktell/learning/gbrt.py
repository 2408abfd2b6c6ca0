"""Gradient-boosted trees that predict quantiles, hence a spread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.utils import check_random_state

__all__ = ["GradientBoostingQuantileRegressor"]


class GradientBoostingQuantileRegressor(RegressorMixin, BaseEstimator):
    """One quantile-loss gradient-boosting model per quantile.

    ``predict(X, return_std=True)`` returns the middle quantile and half the
    distance between the outer two: with the default 16/50/84 % quantiles
    that is one standard deviation of a normal distribution.

    Parameters
    ----------
    quantiles : sequence of float or None
        Quantiles to fit (default ``(0.16, 0.5, 0.84)``, scikit-optimize's;
        None means the same).
    base_estimator : GradientBoostingRegressor or None
        Template, with ``loss="quantile"`` (each model gets its own
        ``alpha``); None: 30 trees.
    n_jobs : int
        Models fitted at once (threads).
    random_state : int, RandomState or None
    """

    def __init__(self, quantiles=(0.16, 0.5, 0.84), base_estimator=None, n_jobs=1, random_state=None):
        self.quantiles = quantiles
        self.base_estimator = base_estimator
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y):
        """Fit one model per quantile."""
        quantiles = [0.16, 0.5, 0.84] if self.quantiles is None else list(self.quantiles)
        if not quantiles or any(not 0 < q < 1 for q in quantiles):
            raise ValueError(f"quantiles must lie strictly between 0 and 1, got {self.quantiles!r}")
        base = self.base_estimator
        if base is None:
            base = GradientBoostingRegressor(n_estimators=30, loss="quantile")
        elif not isinstance(base, GradientBoostingRegressor):
            raise ValueError(
                f"base_estimator must be of type GradientBoostingRegressor, got {base!r}"
            )
        elif base.loss != "quantile":
            raise ValueError(
                f"base_estimator must use the quantile loss (loss='quantile'), got loss={base.loss!r}"
            )
        rng = check_random_state(self.random_state)
        models = []
        for q in quantiles:
            model = clone(base).set_params(loss="quantile", alpha=q)
            if self.random_state is not None:
                model.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
            models.append(model)
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        n_jobs = len(models) if self.n_jobs in (-1, None) else max(1, int(self.n_jobs))
        if n_jobs == 1:
            self.regressors_ = [m.fit(X, y) for m in models]
        else:
            with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                self.regressors_ = list(pool.map(lambda m: m.fit(X, y), models))
        self.quantiles_ = np.array(quantiles)
        return self

    def predict(self, X, return_std=False, return_quantiles=False):
        """The median (middle quantile); with ``return_std`` also the spread.

        ``return_quantiles=True`` returns every quantile, shape ``(n, q)``.
        """
        preds = np.column_stack([m.predict(X) for m in self.regressors_])
        if return_quantiles:
            return preds
        mid = preds[:, len(self.regressors_) // 2]
        if not return_std:
            return mid
        return mid, np.abs(preds[:, -1] - preds[:, 0]) / 2.0
