"""The Halton sequence (scikit-optimize's ``skopt.sampler.halton``), on `scipy.stats.qmc`."""

from __future__ import annotations

from scipy.stats import qmc

from .base import _seed, _Sequence

__all__ = ["Halton"]


class Halton(_Sequence):
    """Halton sequence (scrambled when ``randomize``).

    Parameters
    ----------
    skip : int
        Points of the sequence to skip first.
    randomize : bool
        Scramble the digits (a different design per ``random_state``).
    """

    def _unit(self, n_samples, n_dims, rng):
        engine = qmc.Halton(n_dims, scramble=self.randomize, seed=_seed(rng))
        if self.skip:
            engine.fast_forward(self.skip)
        return engine.random(n_samples)
