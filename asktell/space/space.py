"""The `Space` that holds search-space dimensions, and `check_dimension`.

Semantics and signatures follow scikit-optimize's ``skopt.space`` so code
written for it runs unchanged; values returned are plain Python objects
(``float``, ``int``, the category itself), never numpy scalars.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from .dimensions import (
    _PRIORS,
    Categorical,
    Dimension,
    Integer,
    Real,
    _DimensionError,
    _is_integral,
    _is_number,
    _MismatchError,
)

from .spec import dimension_from_spec

_MAX_CONSTRAINED_BATCHES = 10000

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
        raise _DimensionError(
            f"Invalid dimension {dimension!r}: a dimension must be a Dimension, a spec dict, "
            "a (low, high[, prior[, base]]) tuple or a list of categories.", dimension
        )
    is_tuple = isinstance(dimension, tuple)
    values = list(dimension)
    if not values:
        raise ValueError("a dimension given as a sequence must not be empty")
    if is_tuple and 2 <= len(values) <= 4 and any(
        isinstance(v, numbers.Number) and not _is_number(v) and not isinstance(v, (bool, np.bool_))
        for v in values[:2]
    ):
        raise ValueError(f"Invalid dimension {dimension!r}: bounds must be real numbers")
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
    constraint : callable or None
        ``constraint(point) -> bool``: `rvs` only returns points where it
        is True (as scikit-optimize's ``Space(..., constraint=...)``); the
        optimizers then propose only such points. None (default) keeps the
        constraint of a `Space` given as ``dimensions``, if any.
    """

    constraint = None  # spaces pickled before the parameter existed have none

    def __init__(self, dimensions, constraint=None):
        if constraint is not None and not callable(constraint):
            raise TypeError(f"constraint must be callable or None, got {constraint!r}")
        if isinstance(dimensions, Space):
            if constraint is None:
                constraint = dimensions.constraint
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
        self.constraint = constraint

    @classmethod
    def from_spec(cls, spec):
        """A space from a cotengra-style dict ``{name: {"type": ..., ...}}``."""
        return cls(dict(spec))

    @classmethod
    def from_yaml(cls, yml_path, namespace=None):
        """A space from a YAML file, as scikit-optimize's ``Space.from_yaml``.

        The file holds a list of one-key mappings, ``- Real: {low: 0.0,
        high: 1.0}``, ``- Integer: ...``, ``- Categorical: {categories:
        [...]}`` (keys in any case), either at the top level or under a
        namespace key (the first one unless ``namespace`` names another).
        Needs PyYAML (the ``yaml`` extra).
        """
        try:
            import yaml
        except ImportError as err:
            raise ImportError(
                "Space.from_yaml needs PyYAML: pip install 'asktell[yaml]'"
            ) from err
        with open(yml_path, "rb") as fh:
            config = yaml.safe_load(fh)
        if isinstance(config, dict):
            if namespace is None:
                options = next(iter(config.values()))
            elif namespace in config:
                options = config[namespace]
            else:
                raise ValueError(f"namespace {namespace!r} is not in {yml_path!r}: {list(config)}")
        elif isinstance(config, list):
            options = config
        else:
            raise TypeError(f"{yml_path!r} does not hold a list or a mapping of dimensions")
        kinds = {"real": Real, "integer": Integer, "categorical": Categorical}
        dims = []
        for option in options:
            (kind, params), = option.items()
            if str(kind).lower() not in kinds:
                raise ValueError(f"unknown dimension type {kind!r} in {yml_path!r}; use one of Real, Integer, Categorical")
            dims.append(kinds[str(kind).lower()](**{str(k).lower(): v for k, v in params.items()}))
        return cls(dims)

    @classmethod
    def from_df(cls, df, priors=None, bases=None, transforms=None):
        """A space spanning the columns of a pandas DataFrame (scikit-optimize's ``from_df``).

        Float columns become `Real` and integer columns `Integer` over their
        minimum and maximum; any other column a `Categorical` of its
        distinct values. ``priors``, ``bases`` and ``transforms`` map column
        names to those arguments; the dimensions are named ``str(column)``.
        """
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError("Space.from_df requires pandas: pip install pandas") from err
        priors, bases, transforms = priors or {}, bases or {}, transforms or {}
        dims = []
        for column in df.columns:
            series = df[column]
            kwargs = {"name": str(column)}
            for key, given in (("prior", priors), ("base", bases), ("transform", transforms)):
                if column in given:
                    kwargs[key] = given[column]
            if pd.api.types.is_float_dtype(series.dtype):
                dims.append(Real(float(series.min()), float(series.max()), **kwargs))
            elif pd.api.types.is_integer_dtype(series.dtype):
                dims.append(Integer(int(series.min()), int(series.max()), **kwargs))
            else:
                kwargs.pop("prior", None)
                kwargs.pop("base", None)
                dims.append(Categorical(list(series.unique()), **kwargs))
        return cls(dims)

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
        """Each dimension's name (``"X_i"`` for an unnamed one); settable, as in scikit-optimize."""
        return [d.name if d.name is not None else f"X_{i}" for i, d in enumerate(self.dimensions)]

    @dimension_names.setter
    def dimension_names(self, names):
        names = list(names)
        if len(names) != self.n_dims:
            raise ValueError(
                f"`names` must be the same length as `self.dimensions`: {self.n_dims} "
                f"names are needed, got {len(names)}: {names!r}"
            )
        if len(set(names)) != len(names):
            raise ValueError(f"dimension names must be unique, got {names!r}")
        for dim, name in zip(self.dimensions, names):
            dim.name = name

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
        """Draw ``n_samples`` points from the priors, as a list of lists.

        Under a `constraint`, batches of ``n_samples`` are drawn and filtered
        until enough points satisfy it (a RuntimeError after 10000 batches).
        """
        rng = check_random_state(random_state)
        points = []
        for _ in range(_MAX_CONSTRAINED_BATCHES):
            columns = [d.rvs(n_samples, random_state=rng) for d in self.dimensions]
            rows = [list(row) for row in zip(*columns)]
            if self.constraint is None:
                return rows
            points.extend(row for row in rows if self.constraint(row))
            if len(points) >= n_samples:
                return points[:n_samples]
        raise RuntimeError(
            f"Could not find enough valid samples in constrained space: {len(points)} of "
            f"{n_samples} points satisfied the constraint in {_MAX_CONSTRAINED_BATCHES} "
            "batches. Please check that the constraint allows for valid samples to be drawn."
        )

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
            what = (
                "Not all points have the same dimensions as the space"
                if param.endswith("]") else "Dimensions of point and space do not match"
            )
            raise _MismatchError(
                f"{what}: {param} must have {self.n_dims} values (one per dimension), "
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
