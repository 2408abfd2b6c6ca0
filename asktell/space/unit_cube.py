"""The unit cube ``[0, 1]^d`` that box optimizers (scipy, CMA-ES, QMC) work in.

A `UnitCube` maps points of the cube to points of a `Space` and back:

* `Real`: uniform priors linearly; log-uniform priors uniformly in
  ``log(x)``, or in ``x ** p`` when ``exponential_param_power=p`` is set;
* `Integer`: the cube is cut into ``high - low + 1`` equal bins (equal in
  log space under a log prior) and a coordinate takes its bin's integer;
* `Categorical`: one coordinate cut into equal bins (``categorical="bin"``),
  or one coordinate per category with the arg-max winning
  (``categorical="argmax"``), which some optimizers search better.

Every value of the space is reached by a bin of positive width, so a
sampler uniform in the cube draws each integer and category with its
prior probability (uniform, or log-uniform for integers).
"""

from __future__ import annotations

import numpy as np

from .space import Categorical, Integer, Real, Space

__all__ = ["UnitCube"]


class UnitCube:
    """Map between ``[0, 1]^n_dims`` and a `Space`.

    Parameters
    ----------
    space : Space or list or dict
        The space (anything `Space` accepts).
    exponential_param_power : float or None
        When set, log-uniform reals are uniform in ``x ** power`` instead
        of ``log(x)`` (cotengra's option for positive parameters).
    categorical : {"bin", "argmax"}
        How categories are coded (see the module docstring).
    """

    def __init__(self, space, exponential_param_power=None, categorical="bin"):
        self.space = space if isinstance(space, Space) else Space(space)
        if exponential_param_power is not None and not exponential_param_power > 0:
            raise ValueError(
                f"exponential_param_power must be a positive number or None, "
                f"got {exponential_param_power!r}"
            )
        if categorical not in ("bin", "argmax"):
            raise ValueError(f"categorical must be 'bin' or 'argmax', got {categorical!r}")
        self.exponential_param_power = exponential_param_power
        self.categorical = categorical
        self._sizes = [
            len(d.categories) if isinstance(d, Categorical) and categorical == "argmax" else 1
            for d in self.space.dimensions
        ]

    @property
    def n_dims(self):
        """Number of cube coordinates."""
        return sum(self._sizes)

    @property
    def bounds(self):
        """``[(0, 1)] * n_dims``, the box to hand an optimizer."""
        return [(0.0, 1.0)] * self.n_dims

    # ------------------------------------------------------------ per-dimension maps
    def _warp(self, dim):
        """Forward and inverse of the monotone map of a numeric dimension onto the cube."""
        if dim.prior == "log-uniform":
            power = self.exponential_param_power
            if power is not None:
                return (lambda x: np.power(x, power)), (lambda t: np.power(t, 1.0 / power))
            return np.log, np.exp
        return (lambda x: x), (lambda t: t)

    def _value(self, dim, u):
        if isinstance(dim, Categorical):
            n = len(dim.categories)
            if np.ndim(u):
                return dim.categories[int(np.argmax(u))]
            return dim.categories[min(int(u * n), n - 1)]
        fwd, inv = self._warp(dim)
        if isinstance(dim, Integer):
            lo, hi = fwd(float(dim.low)), fwd(float(dim.high) + 1.0)
            value = int(np.floor(inv(lo + u * (hi - lo)) + 1e-9))
            return min(max(value, dim.low), dim.high)
        lo, hi = fwd(dim.low), fwd(dim.high)
        return float(np.clip(inv(lo + u * (hi - lo)), dim.low, dim.high))

    def _coord(self, dim, value, size):
        if isinstance(dim, Categorical):
            i, n = dim.index(value), len(dim.categories)
            if size > 1:
                out = np.zeros(n)
                out[i] = 1.0
                return out
            return (i + 0.5) / n
        fwd, _ = self._warp(dim)
        if isinstance(dim, Integer):
            # centre of the value's bin
            lo, hi = fwd(float(dim.low)), fwd(float(dim.high) + 1.0)
            mid = 0.5 * (fwd(float(value)) + fwd(float(value) + 1.0))
            return float((mid - lo) / (hi - lo))
        lo, hi = fwd(dim.low), fwd(dim.high)
        return float(np.clip((fwd(float(value)) - lo) / (hi - lo), 0.0, 1.0))

    # ------------------------------------------------------------ public maps
    def to_point(self, u):
        """One cube point (length `n_dims`) to a point of the space."""
        u = np.clip(np.asarray(u, dtype=float).ravel(), 0.0, 1.0)
        if u.size != self.n_dims:
            raise ValueError(f"expected {self.n_dims} cube coordinates, got {u.size}")
        point, start = [], 0
        for dim, size in zip(self.space.dimensions, self._sizes):
            coord = u[start] if size == 1 else u[start : start + size]
            point.append(self._value(dim, coord))
            start += size
        return point

    def to_points(self, U):
        """Rows of cube points to a list of points."""
        return [self.to_point(u) for u in np.atleast_2d(np.asarray(U, dtype=float))]

    def to_params(self, u):
        """One cube point to a ``{name: value}`` dict."""
        return self.space.to_params(self.to_point(u))

    def from_point(self, point):
        """A point of the space to cube coordinates (bin centres for discrete values)."""
        self.space.check_point(point, param="point")
        parts = [
            np.atleast_1d(self._coord(dim, value, size))
            for dim, value, size in zip(self.space.dimensions, point, self._sizes)
        ]
        return np.concatenate(parts)

    def from_points(self, points):
        """Several points to a 2-D array of cube coordinates."""
        return np.array([self.from_point(p) for p in points]).reshape(-1, self.n_dims)
