"""Output warping: objective values made closer to Gaussian before a GP sees them.

Benchmark and real objectives span orders of magnitude (Rosenbrock's
values run from 0 to 10^6); a few huge values then dominate a Gaussian
process's fit and flatten it where the small values are. A monotone
Yeo-Johnson transform of the standardized values, its power fitted by
maximum likelihood, keeps the order of the points (and so the incumbent)
while taming the tail. `TargetWarp.inverse_transform` maps a model's
predictions back to the objective's units.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TargetWarp"]

#: Yeo-Johnson powers tried (a grid that avoids the special cases 0 and 2)
_POWERS = np.linspace(-2.0, 3.0, 50)
#: fewer values than this are only standardized
_MIN_POINTS = 4


def _yeo_johnson(z, powers):
    """Yeo-Johnson transforms of ``z`` (n,) for each power: shape (len(powers), n)."""
    lam = np.asarray(powers, dtype=float)[:, None]
    pos = z >= 0
    up = np.expm1(lam * np.log1p(np.where(pos, z, 0.0))) / lam
    down = -np.expm1((2.0 - lam) * np.log1p(np.where(pos, 0.0, -z))) / (2.0 - lam)
    return np.where(pos, up, down)


class TargetWarp:
    """``w = YeoJohnson_power((y - centre) / scale)``; the identity when ``power`` is None and scale 1.

    Build it with `fit`. The power is the best of a grid (`_POWERS`), one
    vectorized pass instead of a scalar search.
    """

    def __init__(self, centre=0.0, scale=1.0, power=None):
        self.centre, self.scale, self.power = float(centre), float(scale), power

    @classmethod
    def fit(cls, y):
        """The warp that makes ``y`` most Gaussian; the identity for few or equal values."""
        y = np.asarray(y, dtype=float)
        std = float(np.std(y)) if len(y) else 0.0
        if len(y) < _MIN_POINTS or std <= 0 or not np.isfinite(std):
            return cls()
        centre = float(np.median(y))
        z = (y - centre) / std
        with np.errstate(all="ignore"):
            W = _yeo_johnson(z, _POWERS)
            # the Gaussian log likelihood of the transformed values plus the log Jacobian
            log_jacobian = np.sum(np.sign(z) * np.log1p(np.abs(z)))
            llf = -0.5 * len(z) * np.log(np.var(W, axis=1)) + (_POWERS - 1.0) * log_jacobian
        llf[~np.all(np.isfinite(W), axis=1) | ~np.isfinite(llf)] = -np.inf
        power = float(_POWERS[int(np.argmax(llf))]) if np.any(np.isfinite(llf)) else None
        return cls(centre, std, power)

    def transform(self, y):
        z = (np.asarray(y, dtype=float) - self.centre) / self.scale
        if self.power is None:
            return z
        with np.errstate(all="ignore"):
            return _yeo_johnson(z, [self.power])[0]

    def inverse_transform(self, w):
        """Values in the objective's units; predictions beyond the warp's range go to its edge."""
        w = np.asarray(w, dtype=float)
        lam = self.power
        if lam is None:
            z = w
        else:
            tiny = np.finfo(float).tiny
            with np.errstate(all="ignore"):
                up = np.exp(np.log(np.maximum(1.0 + lam * w, tiny)) / lam) - 1.0
                down = 1.0 - np.exp(np.log(np.maximum(1.0 - (2.0 - lam) * w, tiny)) / (2.0 - lam))
            z = np.where(w >= 0, up, down)
        return z * self.scale + self.centre

    def __repr__(self):
        return f"TargetWarp(centre={self.centre!r}, scale={self.scale!r}, power={self.power!r})"
