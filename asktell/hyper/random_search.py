"""Random search per method: the baseline every other optlib must beat."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ..sampler import cook_initial_point_generator
from .optlib import CubeSampler, PerMethodOptLib, register_optlib

__all__ = ["RandomOptLib"]


class _DesignSampler(CubeSampler):
    """Hands out the points of space-filling designs of ``batch_size`` points, one design after another."""

    def __init__(self, space, random_state, generator, batch_size, exponential_param_power):
        super().__init__(space, exponential_param_power=exponential_param_power)
        self.generator = cook_initial_point_generator(generator)
        self.batch_size = batch_size
        self._rng = check_random_state(random_state)
        self._queue = []

    def _ask_unit(self):
        if not self._queue:
            design = self.generator._unit(self.batch_size, self.cube.n_dims, self._rng)
            self._queue = list(np.asarray(design, dtype=float).reshape(self.batch_size, -1))
        return self._queue.pop(0)

    def _tell_unit(self, u, score):
        pass


class RandomOptLib(PerMethodOptLib):
    """Parameters drawn at random (by default scrambled Sobol' designs), methods by LCB.

    Options
    -------
    generator : str or InitialPointGenerator
        ``"random"``, ``"sobol"``, ``"halton"``, ``"lhs"``, ... (see
        `asktell.sampler.cook_initial_point_generator`).
    batch_size : int
        Points per design, per method.
    exponential_param_power : float or None
        See `asktell.space.UnitCube`.
    """

    def _make_sampler(
        self, space, random_state, optimizer, *, generator="sobol", batch_size=32, exponential_param_power=None
    ):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        return _DesignSampler(space, random_state, generator, int(batch_size), exponential_param_power)


register_optlib("random", RandomOptLib)
