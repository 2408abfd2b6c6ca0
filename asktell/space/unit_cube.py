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

import math

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

        self._plan = [_compile(d, k, exponential_param_power) for d, k in zip(self.space.dimensions, self._sizes)]

    @property
    def n_dims(self):
        """Number of cube coordinates."""
        return sum(self._sizes)

    @property
    def bounds(self):
        """``[(0, 1)] * n_dims``, the box to hand an optimizer."""
        return [(0.0, 1.0)] * self.n_dims

    # ------------------------------------------------------------ public maps
    def to_point(self, u):
        """One cube point (length `n_dims`) to a point of the space."""
        u = np.asarray(u, dtype=float).ravel()
        if u.size != self.n_dims:
            raise ValueError(f"expected {self.n_dims} cube coordinates, got {u.size}")
        u = u.tolist()
        point, start = [], 0
        for kind, dim, size, lo, hi, _, inv in self._plan:
            if kind == "argmax":
                block = u[start : start + size]
                point.append(dim.categories[block.index(max(block))])
            else:
                c = min(max(u[start], 0.0), 1.0)
                if kind == "cat":
                    point.append(dim.categories[min(int(c * size), size - 1)])
                elif kind == "int":
                    value = int(math.floor(inv(lo + c * (hi - lo)) + 1e-9))
                    point.append(min(max(value, dim.low), dim.high))
                else:
                    point.append(min(max(float(inv(lo + c * (hi - lo))), dim.low), dim.high))
            start += 1 if kind != "argmax" else size
        return point

    def to_points(self, U):
        """Rows of cube points to a list of points."""
        return [self.to_point(u) for u in np.atleast_2d(np.asarray(U, dtype=float))]

    def to_columns(self, U):
        """Rows of cube points to one array per dimension, the vectorized `to_points`.

        Reals give their values, integers their values (int64) and
        categoricals the index of their category, as `to_point` would
        choose them. A model that needs thousands of candidates a proposal
        encodes these arrays directly instead of building point lists.
        """
        U = np.atleast_2d(np.asarray(U, dtype=float))
        if U.shape[1] != self.n_dims:
            raise ValueError(f"expected {self.n_dims} cube coordinates, got {U.shape[1]}")
        out, start = [], 0
        for kind, dim, size, lo, hi, _, inv in self._plan:
            if kind == "argmax":
                out.append(np.argmax(U[:, start : start + size], axis=1))
                start += size
                continue
            c = np.clip(U[:, start], 0.0, 1.0)
            start += 1
            if kind == "cat":
                out.append(np.minimum((c * size).astype(np.int64), size - 1))
                continue
            warped = lo + c * (hi - lo)
            values = np.array([inv(t) for t in warped]) if inv not in (math.exp, float) else (
                np.exp(warped) if inv is math.exp else warped
            )
            if kind == "int":
                out.append(np.clip(np.floor(values + 1e-9), dim.low, dim.high).astype(np.int64))
            else:
                out.append(np.clip(values, dim.low, dim.high))
        return out

    def to_params(self, u):
        """One cube point to a ``{name: value}`` dict."""
        return self.space.to_params(self.to_point(u))

    def from_point(self, point):
        """A point of the space to cube coordinates (bin centres for discrete values)."""
        self.space.check_point(point, param="point")
        coords = []
        for (kind, dim, size, lo, hi, fwd, _), value in zip(self._plan, point):
            if kind == "argmax":
                coords.extend(float(i == dim.index(value)) for i in range(size))
            elif kind == "cat":
                coords.append((dim.index(value) + 0.5) / size)
            elif kind == "int":
                # centre of the value's bin
                coords.append((0.5 * (fwd(float(value)) + fwd(float(value) + 1.0)) - lo) / (hi - lo))
            else:
                coords.append(min(max((fwd(float(value)) - lo) / (hi - lo), 0.0), 1.0))
        return np.array(coords)

    def from_points(self, points):
        """Several points to a 2-D array of cube coordinates."""
        return np.array([self.from_point(p) for p in points]).reshape(-1, self.n_dims)


def _compile(dim, size, power):
    """One dimension's map as ``(kind, dim, size, low, high, forward, inverse)``.

    ``low``/``high`` are the bounds in the warped scale (log, ``x ** power``
    or linear) where the cube coordinate is uniform; an integer's top bin
    ends at ``high + 1``.
    """
    if isinstance(dim, Categorical):
        return ("argmax" if size > 1 else "cat", dim, len(dim.categories), 0.0, 1.0, None, None)
    if dim.prior == "log-uniform":
        if power is not None:
            fwd, inv = (lambda x: x**power), (lambda t: t ** (1.0 / power))
        else:
            fwd, inv = math.log, math.exp
    else:
        fwd = inv = float
    top = float(dim.high) + (1.0 if isinstance(dim, Integer) else 0.0)
    kind = "int" if isinstance(dim, Integer) else "real"
    return (kind, dim, size, fwd(float(dim.low)), fwd(top), fwd, inv)
