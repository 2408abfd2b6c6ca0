"""Search-space dimensions: `Real`, `Integer` and `Categorical`.

Semantics and signatures follow scikit-optimize's ``skopt.space`` so code
written for it runs unchanged; values returned are plain Python objects
(``float``, ``int``, the category itself), never numpy scalars. `Space`
(module ``space``) holds them; spec dicts (module ``spec``) build them.
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
    RankEncoder,
    StringEncoder,
    _CategoryIndex,
)

__all__ = ["Dimension", "Real", "Integer", "Categorical"]

_PRIORS = ("uniform", "log-uniform")
_NUMERIC_TRANSFORMS = ("normalize", "identity")
_CATEGORICAL_TRANSFORMS = ("onehot", "label", "string", "identity", "normalize", "rank")


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
            log_b = np.log(self.base)
            return np.log(self.low) / log_b, np.log(self.high) / log_b
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

    def _check_values(self, X):
        """`Dimension._check_values`, vectorized for a list of floats or a numeric array.

        A model's candidates are thousands of values per proposal; checking
        them one by one was a third of the time of a proposal on a mixed space.
        Anything else (ints, bools, strings, mixed lists) takes the checks
        value by value, so the accepted values and the errors are the same.
        """
        if isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.kind in "fiu":
            values = X
        elif type(X) is list and all(type(x) is float for x in X):
            values = np.array(X, dtype=float)
        else:
            return super()._check_values(X)
        ok = (values >= self.low) & (values <= self.high)
        if self._kind == "Integer":
            ok &= values == np.floor(values)
        if not ok.all():
            super()._check_values([X[np.flatnonzero(~ok)[0]]])

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
    transform : {"onehot", "label", "string", "identity", "normalize", "rank"} or None
        Representation for models: ``"onehot"`` (default; one 0/1 column
        when there are two categories), ``"label"`` (the index),
        ``"normalize"`` (the index scaled to ``[0, 1]``), ``"rank"``
        (numeric categories only: their rank in increasing order, scaled
        to ``[0, 1]``, so that a model sees which choices are
        neighbours), ``"string"``, ``"identity"``.
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
        if transform == "rank" and not all(_is_number(c) for c in self.categories):
            raise ValueError(
                f"{_label(self.name)}: transform='rank' needs numeric categories, got {self.categories!r}"
            )
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
        elif transform == "rank":
            self._transformer = RankEncoder(self.categories)
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
        if self.transform_ in ("normalize", "rank"):
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
