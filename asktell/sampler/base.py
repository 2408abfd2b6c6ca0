"""Initial-point generators: designs in the unit cube, mapped onto a space.

Every generator builds ``n_samples`` points of ``[0, 1]^d`` and maps them
through `asktell.space.UnitCube`, so integer and categorical dimensions get
equal-width bins and log priors are honoured.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from ..space import Space, UnitCube

__all__ = ["InitialPointGenerator", "Random"]


class InitialPointGenerator:
    """Base class: subclasses implement ``_unit(n_samples, n_dims, rng)``."""

    def generate(self, dimensions, n_samples, random_state=None):
        """``n_samples`` points of ``dimensions`` (a list of lists).

        Parameters
        ----------
        dimensions : Space or list
            The space (anything `Space` accepts).
        n_samples : int
            How many points.
        random_state : int, RandomState or None
            Seed of the design's randomisation.
        """
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}")
        cube = UnitCube(dimensions if isinstance(dimensions, Space) else Space(dimensions))
        if n_samples == 0:
            return []
        rng = check_random_state(random_state)
        unit = np.asarray(self._unit(int(n_samples), cube.n_dims, rng), dtype=float)
        return cube.to_points(unit)

    def _unit(self, n_samples, n_dims, rng):
        raise NotImplementedError

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


class Random(InitialPointGenerator):
    """Independent uniform draws (each dimension from its prior)."""

    def _unit(self, n_samples, n_dims, rng):
        return rng.uniform(size=(n_samples, n_dims))


class _Sequence(InitialPointGenerator):
    """A low-discrepancy sequence that can skip points and be scrambled."""

    def __init__(self, skip=0, randomize=True):
        if skip < 0:
            raise ValueError(f"skip must be >= 0, got {skip!r}")
        self.skip = skip
        self.randomize = randomize


def _seed(rng):
    """A seed for numpy Generators, drawn from a RandomState."""
    return int(rng.randint(0, 2**31 - 1))
