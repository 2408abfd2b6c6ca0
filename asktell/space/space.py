"""The `Space` that holds search-space dimensions, and `check_dimension`.

Semantics and signatures follow scikit-optimize's ``skopt.space`` so code
written for it runs unchanged; values returned are plain Python objects
(``float``, ``int``, the category itself), never numpy scalars.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from .dimensions import _PRIORS, Categorical, Dimension, Integer, Real, _is_integral, _is_number
from .spec import dimension_from_spec

__all__ = ["Dimension", "Real", "Integer", "Categorical", "Space", "check_dimension"]


def check_dimension(dimension, transform=None):
    """Turn a dimension-like into a `Dimension`, following scikit-optimize's rules.

    * a `Dimension` passes through (``transform`` resets its transformer);
    * a cotengra spec dict ``{"type": "FLOAT"|"FLOAT_EXP"|"INT"|"STRING"|"BOOL", ...}``;
    * two numbers ``(low, high)``: `Integer` when both are integers, else `Real`;
    * ``(low, high, prior)`` or ``(low, high, prior, base)``: `Integer` or
      `Real` likewise; as a *tuple* with a string that is not a known prior
      it is an error (bounds and a misspelt prior), as a list it is categories;
    * any other sequence (one value, more than four, strings, bools): `Categorical`.
    """
    if isinstance(dimension, Dimension):
        if transform is not None:
            dimension.set_transformer(transform)
        return dimension
    if isinstance(dimension, dict):
        return dimension_from_spec(dimension, transform=transform)
    if isinstance(dimension, (str, bytes)) or not hasattr(dimension, "__len__"):
        raise TypeError(
            "a dimension must be a Dimension, a spec dict, a (low, high[, prior[, base]]) "
            f"tuple or a list of categories, got {dimension!r}"
        )
    is_tuple = isinstance(dimension, tuple)
    values = list(dimension)
    if not values:
        raise ValueError("a dimension given as a sequence must not be empty")
    numeric_bounds = len(values) >= 2 and all(_is_number(v) for v in values[:2])
    if len(values) == 2 and numeric_bounds:
        if all(_is_integral(v) for v in values):
            return Integer(*values, transform=transform)
        return Real(*values, transform=transform)
    if len(values) in (3, 4) and numeric_bounds:
        prior, base = values[2], (values[3] if len(values) == 4 else 10)
        if prior in _PRIORS and _is_number(base):
            cls = Integer if all(_is_integral(v) for v in values[:2]) else Real
            return cls(values[0], values[1], prior, base, transform=transform)
        if is_tuple:
            # a tuple of two numbers and a string was meant as bounds and a prior
            raise ValueError(
                f"prior must be one of {_PRIORS}, got {prior!r} in the dimension {dimension!r}"
            )
    return Categorical(values, transform=transform)


class Space:
    """A search space: a list of dimensions.

    Parameters
    ----------
    dimensions : list or dict
        Dimension-likes (see `check_dimension`), or a dict mapping names
        to dimension-likes (the names are set on the dimensions).
    """

    def __init__(self, dimensions):
        if isinstance(dimensions, Space):
            dimensions = dimensions.dimensions
        if isinstance(dimensions, dict):
            dims = []
            for name, dim in dimensions.items():
                dim = check_dimension(dim)
                if dim.name is None:
                    dim.name = name
                elif dim.name != name:
                    raise ValueError(f"dimension named {dim.name!r} is given under the key {name!r}")
                dims.append(dim)
        else:
            if isinstance(dimensions, (str, bytes)) or not hasattr(dimensions, "__iter__"):
                raise TypeError(f"dimensions must be a list of dimensions, got {dimensions!r}")
            dims = [check_dimension(d) for d in dimensions]
        if not dims:
            raise ValueError("dimensions must not be empty")
        names = [d.name for d in dims if d.name is not None]
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"dimension names must be unique, repeated: {dupes}")
        self.dimensions = dims

    @classmethod
    def from_spec(cls, spec):
        """A space from a cotengra-style dict ``{name: {"type": ..., ...}}``."""
        return cls(dict(spec))

    # ------------------------------------------------------------ properties
    @property
    def n_dims(self):
        return len(self.dimensions)

    @property
    def transformed_n_dims(self):
        return sum(d.transformed_size for d in self.dimensions)

    @property
    def bounds(self):
        return [d.bounds for d in self.dimensions]

    @property
    def transformed_bounds(self):
        out = []
        for d in self.dimensions:
            b = d.transformed_bounds
            out.extend(b if d.transformed_size > 1 else [b])
        return out

    @property
    def dimension_names(self):
        return [d.name if d.name is not None else f"X_{i}" for i, d in enumerate(self.dimensions)]

    @property
    def is_real(self):
        return all(isinstance(d, Real) for d in self.dimensions)

    @property
    def is_categorical(self):
        return all(isinstance(d, Categorical) for d in self.dimensions)

    @property
    def is_partly_categorical(self):
        return any(isinstance(d, Categorical) for d in self.dimensions)

    @property
    def n_constant_dimensions(self):
        return sum(d.is_constant for d in self.dimensions)

    # ------------------------------------------------------------ sampling
    def rvs(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` points from the priors, as a list of lists."""
        rng = check_random_state(random_state)
        columns = [d.rvs(n_samples, random_state=rng) for d in self.dimensions]
        return [list(row) for row in zip(*columns)]

    # ------------------------------------------------------------ transforms
    def transform(self, X):
        """Points (list of lists) to the model's 2-D float array."""
        X = self._as_rows(X)
        cols = []
        for j, dim in enumerate(self.dimensions):
            col = dim.transform([row[j] for row in X])
            cols.append(np.asarray(col).reshape(len(X), -1))
        return np.hstack(cols)

    def inverse_transform(self, Xt):
        """Model array back to points (a list of lists of plain values)."""
        Xt = np.asarray(Xt)
        if Xt.ndim == 1:
            Xt = Xt.reshape(1, -1)
        if Xt.shape[1] != self.transformed_n_dims:
            raise ValueError(
                f"expected {self.transformed_n_dims} transformed columns, got {Xt.shape[1]}"
            )
        columns, start = [], 0
        for dim in self.dimensions:
            size = dim.transformed_size
            block = Xt[:, start : start + size]
            columns.append(dim.inverse_transform(block if size > 1 else block[:, 0]))
            start += size
        return [list(row) for row in zip(*columns)]

    def set_transformer(self, transform):
        """Set one transform (a string) or a list of them, one per dimension."""
        if isinstance(transform, str):
            transform = [transform] * self.n_dims
        if len(transform) != self.n_dims:
            raise ValueError(f"expected {self.n_dims} transforms, got {len(transform)}")
        for dim, t in zip(self.dimensions, transform):
            dim.set_transformer(t)

    def set_transformer_by_type(self, transform, dim_type):
        """Set ``transform`` on every dimension of class ``dim_type``."""
        for dim in self.dimensions:
            if isinstance(dim, dim_type):
                dim.set_transformer(transform)

    def get_transformer(self):
        """The transform name of each dimension."""
        return [d.transform_ for d in self.dimensions]

    # ------------------------------------------------------------ points
    def check_point(self, point, param="x"):
        """Raise a `ValueError` naming ``param`` when ``point`` is not in the space."""
        if isinstance(point, (str, bytes)) or not hasattr(point, "__len__"):
            raise TypeError(f"{param} must be a list of {self.n_dims} values, got {point!r}")
        if len(point) != self.n_dims:
            raise ValueError(
                f"{param} must have {self.n_dims} values (one per dimension), "
                f"got {len(point)}: {point!r}"
            )
        for name, dim, value in zip(self.dimension_names, self.dimensions, point):
            if value not in dim:
                raise ValueError(f"{param}: {value!r} for {name!r} is not within {dim!r}")

    def __contains__(self, point):
        try:
            self.check_point(point)
        except (TypeError, ValueError):
            return False
        return True

    def distance(self, point_a, point_b):
        """Sum of the per-dimension distances between two points."""
        return sum(d.distance(a, b) for d, a, b in zip(self.dimensions, point_a, point_b))

    def to_params(self, point):
        """A point as a ``{name: value}`` dict."""
        return dict(zip(self.dimension_names, point))

    def from_params(self, params):
        """A ``{name: value}`` dict as a point (a list in dimension order)."""
        missing = [n for n in self.dimension_names if n not in params]
        if missing:
            raise ValueError(f"params lack the dimensions {missing}")
        return [params[n] for n in self.dimension_names]

    def _as_rows(self, X):
        rows = [list(x) for x in X]
        for row in rows:
            if len(row) != self.n_dims:
                raise ValueError(f"each point must have {self.n_dims} values, got {row!r}")
        return rows

    # ------------------------------------------------------------ dunder
    def __iter__(self):
        return iter(self.dimensions)

    def __len__(self):
        return self.n_dims

    def __getitem__(self, index):
        if isinstance(index, str):
            try:
                return self.dimensions[self.dimension_names.index(index)]
            except ValueError:
                raise KeyError(f"no dimension named {index!r}") from None
        return self.dimensions[index]

    def __eq__(self, other):
        return isinstance(other, Space) and self.dimensions == other.dimensions

    __hash__ = None

    def __repr__(self):
        dims = ",\n       ".join(repr(d) for d in self.dimensions[:31])
        if self.n_dims > 31:
            dims += ",\n       ..."
        return f"Space([{dims}])"
