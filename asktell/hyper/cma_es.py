"""CMA-ES per method, on the ``cmaes`` package (the ``cmaes`` extra).

Each method's unit cube is searched by one ``cmaes.CMA`` (or ``SepCMA``),
categories coded one coordinate per option (arg-max), which evolution
strategies search better than bins. The ES runs unbounded and its points
are mirrored into the cube (a triangle wave: ``x = 1.2`` is read as
``0.8``), so every sample is usable at once: bounded CMA-ES instead
resamples until a point falls inside, several draws per trial with
cotengra's step size, and squeezes its samples away from the faces where
contraction-path parameters often have their optimum. Results are buffered until a whole
population is told; trials asked beyond a population while results are
pending simply come from the current distribution. A converged CMA-ES is
restarted from the cube's centre with a fresh seed.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils import check_random_state

from ..utils import _check_number
from .optlib import CubeSampler, PerMethodOptLib, register_optlib

__all__ = ["CMAESOptLib"]


def _import_cmaes():
    try:
        import cmaes
    except ImportError as exc:
        raise ImportError(
            "the 'cmaes' optlib needs the 'cmaes' extra: pip install asktell[cmaes]"
        ) from exc
    return cmaes


class _CMASampler(CubeSampler):
    def __init__(self, space, random_state, sigma, population_size, lr_adapt, separable,
                 exponential_param_power):
        super().__init__(space, exponential_param_power=exponential_param_power, categorical="argmax")
        self._cmaes = _import_cmaes()
        self._rng = check_random_state(random_state)
        self.sigma = sigma
        self.population_size = population_size
        self.lr_adapt = lr_adapt
        self.separable = separable
        self._batch = []
        self.restarts = 0
        self._es = self._new_es()

    def _new_es(self):
        d = self.cube.n_dims
        kwargs = dict(
            mean=np.full(d, 0.5),
            sigma=self.sigma,
            seed=int(self._rng.randint(2**31 - 1)),
            population_size=self.population_size,
        )
        if self.separable:
            return self._cmaes.SepCMA(**kwargs)
        return self._cmaes.CMA(lr_adapt=self.lr_adapt, **kwargs)

    def _ask_unit(self):
        return np.asarray(self._es.ask(), dtype=float)

    def _unit(self, x):
        return 1.0 - np.abs(np.mod(x, 2.0) - 1.0)

    def _tell_unit(self, u, score):
        self._batch.append((u, score if not math.isnan(score) else math.inf))
        size = self._es.population_size
        if len(self._batch) >= size:
            generation, self._batch = self._batch[:size], self._batch[size:]
            self._es.tell(generation)
            if self._es.should_stop():
                self.restarts += 1
                self._es = self._new_es()


class CMAESOptLib(PerMethodOptLib):
    """CMA-ES for each method's parameters, methods by LCB.

    Options
    -------
    sigma : float
        Initial step size in the unit cube (0.5 equals cotengra's 1.0 on
        its ``[-1, 1]`` box).
    population_size : int or None
        CMA-ES population (None: ``4 + 3 ln d``).
    lr_adapt : bool
        Learning-rate adaptation (``CMA`` only).
    separable : bool
        Use the diagonal ``SepCMA``.
    exponential_param_power : float or None
        See `asktell.space.UnitCube`.
    """

    def _make_sampler(
        self,
        space,
        random_state,
        optimizer,
        *,
        sigma=0.5,
        population_size=None,
        lr_adapt=True,
        separable=False,
        exponential_param_power=None,
    ):
        _check_number("sigma", sigma, 0.0, above=True)
        if population_size is not None:
            _check_number("population_size", population_size, 2, integer=True)
        return _CMASampler(space, random_state, float(sigma), population_size, bool(lr_adapt),
                           bool(separable), exponential_param_power)


register_optlib("cmaes", CMAESOptLib)
