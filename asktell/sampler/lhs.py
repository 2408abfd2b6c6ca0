"""Latin hypercube designs, optionally optimised for a space-filling criterion."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist

from .base import InitialPointGenerator

__all__ = ["Lhs"]

_CRITERIA = ("maximin", "correlation", "ratio", None)


class Lhs(InitialPointGenerator):
    """Latin hypercube sampling: one point in each of ``n`` slices of every axis.

    Parameters
    ----------
    lhs_type : {"classic", "centered"}
        ``"classic"`` places each point uniformly within its cell,
        ``"centered"`` at the cell's centre.
    criterion : {"maximin", "correlation", "ratio"} or None
        Keep the best of ``iterations`` random designs: the largest minimum
        distance between points (``maximin``), the smallest largest
        correlation between columns (``correlation``), or the smallest ratio
        of largest to smallest distance (``ratio``). None keeps the first.
    iterations : int
        Number of candidate designs when a criterion is set.
    """

    def __init__(self, lhs_type="classic", criterion="maximin", iterations=1000):
        if lhs_type not in ("classic", "centered"):
            raise ValueError(f"lhs_type must be 'classic' or 'centered', got {lhs_type!r}")
        if criterion not in _CRITERIA:
            raise ValueError(f"criterion must be one of {_CRITERIA}, got {criterion!r}")
        if int(iterations) < 1:
            raise ValueError(f"iterations must be >= 1, got {iterations!r}")
        self.lhs_type = lhs_type
        self.criterion = criterion
        self.iterations = int(iterations)

    def _design(self, n, d, rng):
        offsets = 0.5 if self.lhs_type == "centered" else rng.uniform(size=(n, d))
        strata = np.argsort(rng.uniform(size=(n, d)), axis=0)
        return (strata + offsets) / n

    def _badness(self, design):
        """Lower is better for every criterion."""
        if self.criterion == "correlation":
            if design.shape[1] < 2:
                return 0.0
            corr = np.corrcoef(design, rowvar=False)
            return float(np.max(np.abs(corr[np.triu_indices_from(corr, k=1)])))
        dist = pdist(design)
        if self.criterion == "maximin":
            return -float(dist.min())
        return float(dist.max() / max(dist.min(), 1e-300))

    def _unit(self, n_samples, n_dims, rng):
        if self.criterion is None or n_samples < 2:
            return self._design(n_samples, n_dims, rng)
        best, best_bad = None, np.inf
        for _ in range(self.iterations):
            design = self._design(n_samples, n_dims, rng)
            bad = self._badness(design)
            if bad < best_bad:
                best, best_bad = design, bad
        return best
