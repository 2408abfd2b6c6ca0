"""Full-factorial grids over the unit cube."""

from __future__ import annotations

import itertools

import numpy as np

from .base import InitialPointGenerator

__all__ = ["Grid"]


class Grid(InitialPointGenerator):
    """A regular grid with ``k = ceil(n ** (1/d))`` levels per axis.

    Parameters
    ----------
    border : {"exclude", "include", "only"}
        ``"exclude"``: levels at cell centres ``(i + 0.5) / k``;
        ``"include"``: ``i / (k - 1)``, the faces of the cube included;
        ``"only"``: just the two faces ``0`` and ``1`` on every axis.
    use_full_layout : bool
        When the full grid has more than ``n_samples`` points, keep a
        random subset of it (True) or the first ``n_samples`` in order
        (False).
    """

    def __init__(self, border="exclude", use_full_layout=True):
        if border not in ("exclude", "include", "only"):
            raise ValueError(f"border must be 'exclude', 'include' or 'only', got {border!r}")
        self.border = border
        self.use_full_layout = use_full_layout

    def _levels(self, k):
        if self.border == "only":
            return np.array([0.0, 1.0])
        if self.border == "include":
            return np.linspace(0.0, 1.0, k) if k > 1 else np.array([0.5])
        return (np.arange(k) + 0.5) / k

    def _unit(self, n_samples, n_dims, rng):
        k = int(np.ceil(n_samples ** (1.0 / n_dims) - 1e-9))
        levels = self._levels(max(k, 1))
        grid = np.array(list(itertools.product(levels, repeat=n_dims)))
        if len(grid) >= n_samples:
            if self.use_full_layout:
                keep = np.sort(rng.choice(len(grid), size=n_samples, replace=False))
                return grid[keep]
            return grid[:n_samples]
        # "only" has 2**d points; repeat the layout when more are asked for
        reps = int(np.ceil(n_samples / len(grid)))
        return np.tile(grid, (reps, 1))[:n_samples]
