"""The Hammersley set (scikit-optimize's ``skopt.sampler.hammersly``)."""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc

from .base import _seed, _Sequence

__all__ = ["Hammersly"]


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
