"""Parzen estimators per method: a model-based optlib that costs almost nothing.

Each method's unit cube is searched like Optuna's TPE, but with one
multivariate kernel density per set instead of one per coordinate (the
good parameters of a contraction-path finder come in combinations):
after a scrambled Sobol' start, the told points are split into the best
``gamma`` fraction and the rest; candidates are drawn around the good
points (Gaussian kernels of Scott's bandwidth, reflected into the cube,
plus a uniform prior component) and the one maximising
``l(x) / g(x)``, the good density over the bad, is asked. Settings still
pending count as bad points, so pre-dispatched settings of one method
spread out. A proposal is a few small array operations (about a tenth
of a millisecond with a hundred points told, where a Gaussian process
refit costs tens of milliseconds), so the optlib suits cheap trials too.
Registered as ``"tpe"``. On cotengra's contraction paths it did best
with the scale-free selector (``method_standardize=True``, see
benchmarks/RESULTS.md), which never locked into the worse method after
an unlucky first trial; with several methods far apart the DESIGN
formula (the default) concentrates more.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils import check_random_state

from ..sampler import Sobol
from ..utils import _check_number
from .optlib import CubeSampler, PerMethodOptLib, register_optlib

__all__ = ["TPEOptLib"]


class _ParzenSampler(CubeSampler):
    def __init__(self, space, random_state, n_startup, gamma, n_candidates, bandwidth, prior_weight,
                 exponential_param_power):
        super().__init__(space, exponential_param_power=exponential_param_power)
        self._rng = check_random_state(random_state)
        self.gamma = gamma
        self.n_candidates = n_candidates
        self.bandwidth = bandwidth
        self.prior_weight = prior_weight
        d = self.cube.n_dims
        n_startup = 4 + d if n_startup is None else n_startup
        self._startup = list(Sobol()._unit(n_startup, d, self._rng)) if n_startup else []
        self._X = np.empty((0, d))
        self._y = np.empty(0)

    def _ask_unit(self):
        if self._startup:
            return np.asarray(self._startup.pop(0), dtype=float)
        if len(self._y) < 2:
            return self._rng.uniform(size=self.cube.n_dims)
        order = np.argsort(self._y, kind="stable")
        n_good = max(1, min(len(order) - 1, math.ceil(self.gamma * len(order))))
        good = self._X[order[:n_good]]
        bad = self._X[order[n_good:]]
        if self._pending:
            bad = np.vstack([bad, np.array(list(self._pending.values()))])
        candidates = self._draw(good, self.n_candidates)
        score = self._log_density(candidates, good) - self._log_density(candidates, bad)
        return candidates[int(np.argmax(score))]

    def _sigma(self, n):
        # Scott's rule on the unit cube: narrower as the set grows
        return self.bandwidth * n ** (-1.0 / (self.cube.n_dims + 4))

    def _draw(self, centres, n):
        """Candidates: around a good point each, or uniform (the prior, one more component)."""
        d = centres.shape[1]
        k = self._rng.randint(-1 if self.prior_weight > 0 else 0, len(centres), size=n)
        x = self._rng.uniform(size=(n, d))
        around = k >= 0
        x[around] = centres[k[around]] + self._sigma(len(centres)) * self._rng.standard_normal((around.sum(), d))
        return 1.0 - np.abs(np.mod(x, 2.0) - 1.0)  # reflect into the cube

    def _log_density(self, x, centres):
        """Log of the mixture: the uniform prior (weight ``prior_weight``) and a kernel per centre."""
        sigma = self._sigma(len(centres))
        d = x.shape[1]
        sq = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        log_kernel = -0.5 * sq / sigma**2 - d * math.log(sigma * math.sqrt(2 * math.pi))
        top = np.maximum(log_kernel.max(axis=1), 0.0)  # the prior's density is 1
        total = np.exp(log_kernel - top[:, None]).sum(axis=1) + self.prior_weight * np.exp(-top)
        return top + np.log(total) - math.log(len(centres) + self.prior_weight)

    def _tell_unit(self, u, score):
        self._X = np.vstack([self._X, u])
        self._y = np.append(self._y, score)


class TPEOptLib(PerMethodOptLib):
    """Multivariate Parzen estimators for each method's parameters, methods by LCB.

    Options
    -------
    n_startup : int
        Sobol' points per method before the model (None: ``4 + d``).
    gamma : float
        Fraction of the told points that form the good set.
    n_candidates : int
        Candidates drawn from the good density per proposal.
    bandwidth : float
        Kernel width on the unit cube for one point (shrinks as
        ``n ** (-1 / (d + 4))`` with the set's size ``n``).
    prior_weight : float
        Weight of the uniform component in both densities (0: none).
    exponential_param_power : float or None
        See `asktell.space.UnitCube`.
    """

    def _make_sampler(
        self,
        space,
        random_state,
        optimizer,
        *,
        n_startup=None,
        gamma=0.15,
        n_candidates=24,
        bandwidth=0.2,
        prior_weight=1.0,
        exponential_param_power=None,
    ):
        if n_startup is not None:
            _check_number("n_startup", n_startup, 0, integer=True)
        _check_number("gamma", gamma, 0.0, 1.0)
        _check_number("n_candidates", n_candidates, 1, integer=True)
        _check_number("bandwidth", bandwidth, 0.0, above=True)
        _check_number("prior_weight", prior_weight, 0.0)
        return _ParzenSampler(space, random_state, n_startup, float(gamma), int(n_candidates), float(bandwidth),
                              float(prior_weight), exponential_param_power)


register_optlib("tpe", TPEOptLib)
