"""Invertible column transforms between a dimension's values and a model's inputs.

Each transformer maps a 1-D sequence of values to a 2-D float array
``(n, size)`` (``size`` > 1 only for one-hot encodings) and back. They are
composed by `Pipeline`; a dimension owns one pipeline for its ``transform``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Transformer",
    "Identity",
    "LogN",
    "Normalize",
    "CategoricalEncoder",
    "LabelEncoder",
    "StringEncoder",
    "RankEncoder",
    "Pipeline",
]


_EDGE_TOL = 1e-8  # round-off tolerated past the edges of [0, 1] (scikit-optimize's)


class Transformer:
    """Base class: ``transform`` to model space, ``inverse_transform`` back."""

    size = 1

    def fit(self, values):
        return self

    def transform(self, values):
        raise NotImplementedError

    def inverse_transform(self, values):
        raise NotImplementedError


class Identity(Transformer):
    """Values pass unchanged (numbers become a float column)."""

    def transform(self, values):
        return np.asarray(values)

    def inverse_transform(self, values):
        return np.asarray(values)


class LogN(Transformer):
    """Logarithm in ``base``: log-uniform priors become uniform."""

    def __init__(self, base=10):
        self.base = base
        self._log_base = np.log(base)

    def transform(self, values):
        return np.log(np.asarray(values, dtype=float)) / self._log_base

    def inverse_transform(self, values):
        return np.power(float(self.base), np.asarray(values, dtype=float))


class Normalize(Transformer):
    """Affine map of ``[low, high]`` onto ``[0, 1]``; integers round on the way back.

    Parameters
    ----------
    low, high : float
        The bounds mapped to 0 and 1.
    is_int : bool
        Round values before the transform and after the inverse.
    clip : bool
        On the way back, put values outside ``[0, 1]`` on the nearest edge
        instead of raising a ValueError (beyond round-off). The dimensions
        use ``clip=True`` so that any model-space vector decodes to a value.
    """

    def __init__(self, low, high, is_int=False, clip=False):
        self.low = float(low)
        self.high = float(high)
        self.is_int = is_int
        self.clip = clip

    def transform(self, values):
        values = np.asarray(values, dtype=float)
        if self.is_int:
            values = np.round(values)
        span = self.high - self.low
        if span == 0:
            return np.zeros_like(values)
        # tolerate round-off at the edges, reject real excursions
        if np.any(values < self.low - 1e-8 * abs(span)) or np.any(
            values > self.high + 1e-8 * abs(span)
        ):
            bad = np.atleast_1d(values)[np.atleast_1d((values < self.low) | (values > self.high))][0]
            raise ValueError(
                f"value {bad!r} lies outside the bounds [{self.low}, {self.high}]: "
                f"All values should be within [{self.low}, {self.high}]"
            )
        return np.clip((values - self.low) / span, 0.0, 1.0)

    def inverse_transform(self, values):
        values = np.asarray(values, dtype=float)
        # round-off past the edges is clipped, a real excursion an error (unless clip)
        outside = (values < -_EDGE_TOL) | (values > 1.0 + _EDGE_TOL)
        if not self.clip and np.any(outside):
            bad = np.atleast_1d(values)[np.atleast_1d(outside)][0]
            raise ValueError(
                f"normalized value {bad!r} lies outside [0, 1]: All values should be "
                "greater than 0.0 and less than 1.0"
            )
        out = np.clip(values, 0.0, 1.0) * (self.high - self.low) + self.low
        if self.is_int:
            return np.round(out).astype(np.int64)
        return out


class _CategoryTransformer(Transformer):
    """A transformer fitted on a tuple of categories (at construction, or by `fit`)."""

    def __init__(self, categories=None):
        self.categories = None
        if categories is not None:
            self.fit(categories)

    def fit(self, categories):
        self.categories = tuple(categories)
        self._index = _CategoryIndex(self.categories)
        return self


class LabelEncoder(_CategoryTransformer):
    """Categories to their index ``0 .. n-1``; the way back rounds and clips."""

    def transform(self, values):
        return np.array([self._index[v] for v in values], dtype=float)

    def inverse_transform(self, values):
        idx = np.clip(np.round(np.asarray(values, dtype=float)), 0, len(self.categories) - 1)
        return _object_array([self.categories[int(i)] for i in idx])


class StringEncoder(_CategoryTransformer):
    """Categories to their ``str``; useful for models that take labels."""

    def fit(self, categories):
        super().fit(categories)
        self._by_string = {str(c): c for c in self.categories}
        return self

    def transform(self, values):
        return _object_array([str(v) for v in values])

    def inverse_transform(self, values):
        return _object_array([self._by_string[str(v)] for v in values])


class CategoricalEncoder(_CategoryTransformer):
    """One-hot encoding; two categories need a single 0/1 column.

    The way back takes the arg-max, so any real vector decodes to a category.
    """

    def fit(self, categories):
        super().fit(categories)
        self.size = 1 if len(self.categories) == 2 else len(self.categories)
        return self

    def transform(self, values):
        idx = np.array([self._index[v] for v in values], dtype=int)
        if self.size == 1 and len(self.categories) == 2:
            return idx.astype(float).reshape(-1, 1)
        out = np.zeros((len(idx), self.size))
        out[np.arange(len(idx)), idx] = 1.0
        return out

    def inverse_transform(self, values):
        values = np.asarray(values, dtype=float)
        if values.ndim == 1:
            values = values.reshape(-1, self.size)
        if len(self.categories) == 2:
            idx = (values[:, 0] >= 0.5).astype(int)
        else:
            idx = np.argmax(values, axis=1)
        return _object_array([self.categories[i] for i in idx])


class RankEncoder(_CategoryTransformer):
    """Numeric categories to their rank in increasing order, scaled to ``[0, 1]``.

    For a categorical of ordered numbers (batch sizes, learning rates
    written as a list of choices) the rank tells a model which choices
    are neighbours, where a label code compares them for equality only.
    Ranks, not values, so that geometric choices (1e-5, 1e-4, ...) are
    evenly spaced. The way back takes the category of the nearest rank.
    """

    def fit(self, categories):
        super().fit(categories)
        n = len(self.categories)
        order = np.argsort([float(c) for c in self.categories], kind="stable")
        self.codes = np.empty(n)
        self.codes[order] = np.arange(n) / max(n - 1, 1)
        return self

    def transform(self, values):
        return self.codes[[self._index[v] for v in values]]

    def inverse_transform(self, values):
        values = np.asarray(values, dtype=float).ravel()
        idx = np.argmin(np.abs(values[:, None] - self.codes[None, :]), axis=1)
        return _object_array([self.categories[int(i)] for i in idx])


class Pipeline(Transformer):
    """Transformers applied in order (and undone in reverse).

    Parameters
    ----------
    transformers : list of Transformer
        The steps; `fit` fits each on the same values.
    """

    def __init__(self, transformers):
        self.transformers = list(transformers)
        for step in self.transformers:
            if not isinstance(step, Transformer):
                raise ValueError(
                    f"Provided transformers should be a Transformer instance, got {step!r}"
                )
        self.size = self.transformers[-1].size if self.transformers else 1

    def fit(self, values):
        for step in self.transformers:
            step.fit(values)
        return self

    def transform(self, values):
        for step in self.transformers:
            values = step.transform(values)
        return values

    def inverse_transform(self, values):
        for step in reversed(self.transformers):
            values = step.inverse_transform(values)
        return values


class _CategoryIndex:
    """Position of each category; ``1`` and ``True`` stay distinct, unhashables work."""

    def __init__(self, categories):
        self._categories = categories
        self._lookup = {}
        for i, c in enumerate(categories):
            try:
                self._lookup.setdefault(_key(c), i)
            except TypeError:
                pass

    def __getitem__(self, value):
        try:
            return self._lookup[_key(value)]
        except (KeyError, TypeError):
            for i, c in enumerate(self._categories):
                if _same(c, value):
                    return i
        raise ValueError(f"{value!r} is not one of the categories {self._categories}")

    def __contains__(self, value):
        try:
            self[value]
        except ValueError:
            return False
        return True


def _key(value):
    """Hash key that keeps ``True``/``1``/``1.0`` apart and unwraps numpy scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    return (type(value) is bool, value)


def _same(a, b):
    try:
        return bool(a == b) and (type(a) is bool) == (type(b) is bool)
    except (TypeError, ValueError):
        return False


def _object_array(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
