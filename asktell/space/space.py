"""Search-space dimensions and the `Space` that holds them.

Semantics and signatures follow scikit-optimize's ``skopt.space`` so code
written for it runs unchanged; values returned are plain Python objects
(``float``, ``int``, the category itself), never numpy scalars.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from .transformers import (
    CategoricalEncoder,
    Identity,
    LabelEncoder,
    LogN,
    Normalize,
    Pipeline,
    StringEncoder,
    _CategoryIndex,
)

__all__ = ["Dimension", "Real", "Integer", "Categorical", "Space", "check_dimension"]

_PRIORS = ("uniform", "log-uniform")
_MAX_CONSTRAINED_BATCHES = 10000
_NUMERIC_TRANSFORMS = ("normalize", "identity")
_CATEGORICAL_TRANSFORMS = ("onehot", "label", "string", "identity", "normalize")


class _DimensionError(TypeError, ValueError):
    """A dimension given wrongly: a TypeError, and the ValueError scikit-optimize raised.

    ``args[0]`` is scikit-optimize's message; the text shown also names the value.
    """

    def __init__(self, message, value):
        super().__init__(message)
        self.value = value

    def __str__(self):
        return f"{self.args[0]} Got {self.value!r}."


class _MismatchError(ValueError, RuntimeError):
    """A value or point that does not fit: a ValueError, and the RuntimeError scikit-optimize raised."""


def _label(name):
    return f"dimension {name!r}" if name is not None else "dimension"


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integral(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


class Dimension:
    """Base class of one axis of a search space."""

    size = 1

    def __init__(self, name=None):
        self.name = name

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        if value is not None and not isinstance(value, str):
            raise _DimensionError("Dimension's name must be either string or None.", value)
        self._name = value

    @property
    def transformed_size(self):
        return self._transformer.size

    @property
    def is_constant(self):
        return False

    def rvs(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` values from the prior, as a list."""
        rng = check_random_state(random_state)
        return self._sample(int(n_samples), rng)

    def transform(self, X):
        """Values to the model's representation (float array)."""
        self._check_values(X)
        return self._transformer.transform(list(X))

    def inverse_transform(self, Xt):
        """Model representation back to values (a list of plain values)."""
        return self._to_values(self._transformer.inverse_transform(Xt))

    def set_transformer(self, transform="identity"):
        """Choose the representation that `transform` produces."""
        raise NotImplementedError

    def _choose_transform(self, transform, default, allowed):
        """Validate ``transform`` (None meaning ``default``) and record it as ``transform_``."""
        transform = default if transform is None else transform
        if transform not in allowed:
            choices = " or ".join(f"'{t}'" for t in allowed)
            raise ValueError(
                f"{_label(self.name)}: transform should be {choices}, got {transform!r}"
            )
        self.transform_ = transform
        return transform

    def _check_values(self, X):
        for x in X:
            if x not in self:
                raise ValueError(f"{x!r} is not within {self!r}")

    def __setstate__(self, state):
        # a dimension pickled by scikit-optimize (read through asktell.skopt_alias)
        # keeps its transformer under another name: rebuild it from the parameters
        if "transformer" in state and "_transformer" not in state:
            state = _state_from_skopt(type(self), state)
        self.__dict__.update(state)


class _Numeric(Dimension):
    """Shared validation and transforms of `Real` and `Integer`."""

    _kind = "numeric"

    def __init__(self, low, high, prior, base, transform, name):
        super().__init__(name)
        label = _label(name)
        check = _is_integral if self._kind == "Integer" else _is_number
        for bound, value in (("low", low), ("high", high)):
            if not _is_number(value):
                raise TypeError(f"{label}: {bound} must be a number, got {value!r}")
            if not np.isfinite(value):
                raise ValueError(f"{label}: {bound} must be finite, got {value!r}")
            if not check(value) and float(value) != int(value):
                raise ValueError(f"{label}: {bound} must be an integer, got {value!r}")
        if not low < high:
            raise ValueError(
                f"{label}: the lower bound {low!r} has to be less than the upper bound {high!r}"
            )
        if prior not in _PRIORS:
            raise ValueError(f"{label}: prior must be one of {_PRIORS}, got {prior!r}")
        if prior == "log-uniform" and low <= 0:
            raise ValueError(
                f"{label}: a log-uniform prior needs low > 0, got low={low!r} (the search "
                "space should not contain 0 when using log-uniform prior)"
            )
        if not _is_number(base) or base <= 0 or base == 1:
            raise ValueError(f"{label}: base must be a positive number other than 1, got {base!r}")
        self.prior = prior
        self.base = base
        self.set_transformer(transform)

    def set_transformer(self, transform="identity"):
        transform = self._choose_transform(transform, "identity", _NUMERIC_TRANSFORMS)
        steps = []
        if self.prior == "log-uniform" and (transform == "normalize" or self._kind == "Real"):
            steps.append(LogN(self.base))
        if transform == "normalize":
            low, high = self._prior_bounds()
            steps.append(Normalize(low, high, clip=True))
        self._transformer = Pipeline(steps or [Identity()])

    def _prior_bounds(self):
        """Bounds in the space where the prior is uniform."""
        if self.prior == "log-uniform":
            log_b = np.log10(self.base)
            return np.log10(self.low) / log_b, np.log10(self.high) / log_b
        return float(self.low), float(self.high)

    @property
    def bounds(self):
        return (self.low, self.high)

    @property
    def transformed_bounds(self):
        if self.transform_ == "normalize":
            return (0.0, 1.0)
        if self._kind == "Real":
            return self._prior_bounds()
        return (float(self.low), float(self.high))

    def transform(self, X):
        self._check_values(X)
        return self._transformer.transform(np.asarray(list(X), dtype=float))

    def __contains__(self, value):
        return _is_number(value) and self.low <= value <= self.high

    def distance(self, a, b):
        """Absolute difference of two values of this dimension."""
        if a not in self or b not in self:
            raise _MismatchError(
                f"can only compute distance for values within {self!r}, got {a!r} and {b!r}"
            )
        return abs(a - b)

    def __eq__(self, other):
        return (
            type(self) is type(other)
            and np.allclose([self.low, self.high], [other.low, other.high])
            and self.prior == other.prior
            and self.base == other.base
            and self.transform_ == other.transform_
        )

    def __hash__(self):
        return hash((type(self).__name__, self.low, self.high, self.prior, self.transform_))

    def __repr__(self):
        return (
            f"{type(self).__name__}(low={self.low!r}, high={self.high!r}, "
            f"prior={self.prior!r}, transform={self.transform_!r})"
        )


class Real(_Numeric):
    """A continuous dimension, ``low <= x <= high``.

    Parameters
    ----------
    low, high : float
        Bounds (inclusive).
    prior : {"uniform", "log-uniform"}
        Distribution to sample from; ``"log-uniform"`` is uniform in
        ``log_base(x)`` and needs ``low > 0``.
    base : float
        Logarithm base of the log-uniform prior.
    transform : {"identity", "normalize"} or None
        ``"identity"`` keeps values (log-values under a log prior);
        ``"normalize"`` maps them to ``[0, 1]``.
    name : str or None
    dtype : type
        Type of the returned values (``float`` by default).
    """

    _kind = "Real"

    def __init__(self, low, high, prior="uniform", base=10, transform=None, name=None, dtype=float):
        self.low = float(low) if _is_number(low) else low
        self.high = float(high) if _is_number(high) else high
        self.dtype = dtype
        super().__init__(low, high, prior, base, transform, name)

    def _sample(self, n, rng):
        low, high = self._prior_bounds()
        u = rng.uniform(low, high, size=n)
        if self.prior == "log-uniform":
            u = np.power(float(self.base), u)
        return self._to_values(u)

    def _to_values(self, values):
        values = np.clip(np.asarray(values, dtype=float), self.low, self.high)
        cast = float if self.dtype in (float, "float", "float64", np.float64) else self.dtype
        return [cast(v) for v in values.ravel()]


class Integer(_Numeric):
    """An integer dimension, ``low <= x <= high`` (both inclusive).

    Under ``prior="log-uniform"`` each integer ``k`` has probability
    proportional to ``log((k + 1) / k)``: the log of a continuous value is
    uniform on ``[log(low), log(high + 1))`` and the value is floored.
    Parameters are those of `Real`.
    """

    _kind = "Integer"

    def __init__(self, low, high, prior="uniform", base=10, transform=None, name=None, dtype=np.int64):
        self.low = int(low) if _is_number(low) and float(low) == int(low) else low
        self.high = int(high) if _is_number(high) and float(high) == int(high) else high
        self.dtype = dtype
        super().__init__(low, high, prior, base, transform, name)

    def _sample(self, n, rng):
        if self.prior == "uniform":
            values = rng.randint(self.low, self.high + 1, size=n)
        else:
            log_b = np.log(self.base)
            u = rng.uniform(np.log(self.low) / log_b, np.log(self.high + 1) / log_b, size=n)
            values = np.floor(np.power(float(self.base), u))
        return self._to_values(values)

    def _to_values(self, values):
        values = np.clip(np.round(np.asarray(values, dtype=float)), self.low, self.high)
        return [int(v) for v in values.ravel()]

    def __contains__(self, value):
        return super().__contains__(value) and float(value) == int(value)


class Categorical(Dimension):
    """A dimension whose values are a finite set of categories.

    Parameters
    ----------
    categories : sequence
        The values (any objects; distinct).
    prior : sequence of float or None
        Probability of each category; uniform when None.
    transform : {"onehot", "label", "string", "identity", "normalize"} or None
        Representation for models: ``"onehot"`` (default; one 0/1 column
        when there are two categories), ``"label"`` (the index),
        ``"normalize"`` (the index scaled to ``[0, 1]``), ``"string"``,
        ``"identity"``.
    name : str or None
    """

    def __init__(self, categories, prior=None, transform=None, name=None):
        super().__init__(name)
        label = _label(name)
        if isinstance(categories, (str, bytes)) or not hasattr(categories, "__iter__"):
            raise TypeError(f"{label}: categories must be a sequence, got {categories!r}")
        categories = tuple(c.item() if isinstance(c, np.generic) else c for c in categories)
        if not categories:
            raise ValueError(f"{label}: categories must not be empty")
        index = _CategoryIndex(categories)
        for i, c in enumerate(categories):
            if index[c] != i:
                raise ValueError(f"{label}: category {c!r} appears more than once")
        self.categories = categories
        self._index = index
        if prior is not None:
            p = np.asarray(prior, dtype=float)
            if p.shape != (len(categories),) or np.any(p < 0) or not np.isclose(p.sum(), 1):
                raise ValueError(
                    f"{label}: prior must be {len(categories)} non-negative "
                    f"probabilities summing to 1, got {prior!r}"
                )
            prior = p / p.sum()
        self.prior = prior
        self.set_transformer(transform)

    def set_transformer(self, transform="onehot"):
        transform = self._choose_transform(transform, "onehot", _CATEGORICAL_TRANSFORMS)
        n = len(self.categories)
        if transform == "onehot":
            self._transformer = CategoricalEncoder(self.categories)
        elif transform == "label":
            self._transformer = LabelEncoder(self.categories)
        elif transform == "normalize":
            self._transformer = Pipeline(
                [LabelEncoder(self.categories), Normalize(0, max(n - 1, 0), is_int=True, clip=True)]
            )
        elif transform == "string":
            self._transformer = StringEncoder(self.categories)
        else:
            self._transformer = _CategoricalIdentity(self.categories)

    @property
    def bounds(self):
        return self.categories

    @property
    def transformed_bounds(self):
        if self.transform_ == "onehot":
            # two categories (or one) take a single 0/1 column: one pair, as for any one-column dimension
            return (0.0, 1.0) if self.transformed_size == 1 else [(0.0, 1.0)] * self.transformed_size
        if self.transform_ == "label":
            return (0.0, float(len(self.categories) - 1))
        if self.transform_ == "normalize":
            return (0.0, 1.0)
        return self.categories

    @property
    def is_constant(self):
        return len(self.categories) == 1

    def rvs(self, n_samples=None, random_state=None):
        """Draw categories from the prior: a list of ``n_samples``, or one category when None.

        (scikit-optimize's convention: the other dimensions default to a list of one.)
        """
        if n_samples is None:
            return super().rvs(1, random_state=random_state)[0]
        return super().rvs(n_samples, random_state=random_state)

    def _sample(self, n, rng):
        idx = rng.choice(len(self.categories), size=n, p=self.prior)
        return [self.categories[i] for i in idx]

    def _to_values(self, values):
        return list(np.asarray(values, dtype=object).ravel())

    def __contains__(self, value):
        return value in self._index

    def index(self, value):
        """Position of ``value`` among the categories."""
        return self._index[value]

    def distance(self, a, b):
        """0 if the two categories are the same, 1 otherwise."""
        if a not in self or b not in self:
            raise ValueError(f"distance needs categories of {self!r}, got {a!r} and {b!r}")
        return 0 if self._index[a] == self._index[b] else 1

    def __eq__(self, other):
        return (
            type(self) is type(other)
            and self.categories == other.categories
            and np.array_equal(
                self.prior if self.prior is not None else [],
                other.prior if other.prior is not None else [],
            )
            and self.transform_ == other.transform_
        )

    def __hash__(self):
        return hash(("Categorical", tuple(map(repr, self.categories)), self.transform_))

    def __repr__(self):
        cats = self.categories
        shown = repr(cats) if len(cats) <= 7 else (
            "(" + ", ".join([*map(repr, cats[:3]), "...", *map(repr, cats[-3:])]) + ")"
        )
        prior = None if self.prior is None else tuple(float(p) for p in self.prior)
        return f"Categorical(categories={shown}, prior={prior!r})"


class _CategoricalIdentity(Identity):
    """Categories unchanged; checked on the way back."""

    def __init__(self, categories):
        self._index = _CategoryIndex(tuple(categories))

    def transform(self, values):
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out

    def inverse_transform(self, values):
        values = list(np.asarray(values, dtype=object).ravel())
        for v in values:
            self._index[v]
        return np.asarray(values, dtype=object)


def _state_from_skopt(cls, state):
    """asktell's state of the dimension ``cls`` that scikit-optimize pickled as ``state``."""
    name, transform = state.get("_name"), state.get("transform_")
    if issubclass(cls, Categorical):
        fresh = cls(state["categories"], prior=state.get("prior"), transform=transform, name=name)
    else:
        fresh = cls(
            state["low"], state["high"], prior=state.get("prior", "uniform"),
            base=state.get("base", 10), transform=transform, name=name,
            **({"dtype": state["dtype"]} if "dtype" in state else {}),
        )
    return fresh.__dict__


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
        from .spec import dimension_from_spec

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
