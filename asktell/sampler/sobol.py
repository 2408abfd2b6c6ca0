"""The Sobol' sequence (scikit-optimize's ``skopt.sampler.sobol``), on `scipy.stats.qmc`."""

from __future__ import annotations

import warnings

from scipy.stats import qmc

from .base import _seed, _Sequence

__all__ = ["Sobol"]


class Sobol(_Sequence):
    """Sobol' sequence (Owen-scrambled when ``randomize``).

    Parameters
    ----------
    skip : int
        Points of the sequence to skip first.
    randomize : bool
        Scramble the sequence (a different design per ``random_state``).
    """

    def _unit(self, n_samples, n_dims, rng):
        engine = qmc.Sobol(n_dims, scramble=self.randomize, seed=_seed(rng))
        with warnings.catch_warnings():
            # balance is only exact for powers of two; any prefix is still low-discrepancy
            warnings.simplefilter("ignore", UserWarning)
            if self.skip:
                engine.fast_forward(self.skip)
            return engine.random(n_samples)
