"""Low-discrepancy sequences: Sobol, Halton and Hammersley, on `scipy.stats.qmc`."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc

from .base import InitialPointGenerator, _seed

__all__ = ["Sobol", "Halton", "Hammersly"]


class _Sequence(InitialPointGenerator):
    """A low-discrepancy sequence that can skip points and be scrambled."""

    def __init__(self, skip=0, randomize=True):
        if skip < 0:
            raise ValueError(f"skip must be >= 0, got {skip!r}")
        self.skip = skip
        self.randomize = randomize


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


class Hammersly(_Sequence):
    """Hammersley set: ``(i + 0.5) / n`` in the first coordinate, Halton in the rest.

    Needs ``n_samples`` known in advance (it is a set, not a sequence); its
    discrepancy is lower than Halton's for that ``n``. With ``randomize``
    the rows are shuffled and the Halton part scrambled.
    """

    def _unit(self, n_samples, n_dims, rng):
        first = (np.arange(n_samples) + 0.5) / n_samples
        if n_dims == 1:
            out = first[:, None]
        else:
            engine = qmc.Halton(n_dims - 1, scramble=self.randomize, seed=_seed(rng))
            if self.skip:
                engine.fast_forward(self.skip)
            out = np.column_stack([first, engine.random(n_samples)])
        if self.randomize:
            out = out[rng.permutation(n_samples)]
        return out
