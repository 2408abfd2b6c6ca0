"""Helpers of the scikit-optimize API: results, estimators, named arguments, dump/load."""

from __future__ import annotations

import copy
import math
import numbers
import pickle
import warnings
from functools import wraps

import numpy as np
from scipy.optimize import OptimizeResult, fmin_l_bfgs_b
from sklearn.base import is_regressor
from sklearn.utils import check_random_state

from .sampler import cook_initial_point_generator
from .space import Categorical, Dimension, Space

__all__ = [
    "create_result",
    "eval_callbacks",
    "dump",
    "load",
    "expected_minimum",
    "expected_minimum_random_sampling",
    "cook_estimator",
    "cook_initial_point_generator",
    "has_gradients",
    "normalize_dimensions",
    "use_named_args",
    "point_asdict",
    "point_aslist",
    "dimensions_aslist",
    "check_x_in_space",
    "check_dimension_names",
    "check_list_types",
    "is_listlike",
    "is_2Dlistlike",
    "plain",
    "show_versions",
]

#: distributions `show_versions` reports: the core dependencies, then the optional extras
_REPORTED_PACKAGES = (
    "numpy", "scipy", "scikit-learn", "joblib",
    "matplotlib", "sqlalchemy", "psycopg", "dask", "distributed", "tqdm", "cotengra",
    "cmaes", "greenlet", "torch",
)

ESTIMATORS = ("GP", "RF", "ET", "GBRT", "DUMMY")


def plain(value):
    """A numpy scalar (or array, list of them) as plain Python values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def create_result(Xi, yi, space=None, rng=None, specs=None, models=None):
    """An `OptimizeResult` of the evaluations ``(Xi, yi)``.

    ``x`` (best point, a list) and ``fun`` (a float) and ``x_iters`` hold
    plain Python values; ``func_vals`` is a float array. The best is the
    least *finite* value: a NaN or infinite value (a failed evaluation)
    is never chosen. When ``yi`` holds
    ``(value, log_time)`` pairs, ``log_time`` is set too.

    Parameters
    ----------
    Xi : list of points
    yi : list of float or of (value, log_time)
    space : Space, optional
    rng : RandomState, optional
    specs : dict, optional
        The call that produced the result.
    models : list, optional
        Fitted surrogate models.
    """
    res = OptimizeResult()
    yi = np.asarray(yi, dtype=float)
    if len(yi) == 0:
        raise ValueError("create_result needs at least one evaluation")
    if yi.ndim == 2:
        res.log_time = np.ravel(yi[:, 1])
        yi = np.ravel(yi[:, 0])
    x_iters = [plain(list(x)) for x in Xi]
    if len(x_iters) != len(yi):
        raise ValueError(f"Xi has {len(x_iters)} points but yi has {len(yi)} values")
    finite = np.isfinite(yi)
    if not finite.any():
        raise ValueError("create_result needs at least one finite value; every value in yi is NaN or infinite")
    # a failed (NaN or infinite) evaluation is never the best: np.argmin would pick a NaN
    best = int(np.argmin(np.where(finite, yi, np.inf)))
    res.x = list(x_iters[best])
    res.fun = float(yi[best])
    res.func_vals = yi
    res.x_iters = x_iters
    res.models = [] if models is None else list(models)
    res.space = space
    res.random_state = rng
    res.specs = specs
    return res


def eval_callbacks(callbacks, result):
    """Call each callback with ``result``; True when any asks to stop."""
    stop = False
    for callback in callbacks or ():
        decision = callback(result)
        stop = stop or bool(decision)
    return stop


# ---------------------------------------------------------------- dump / load
class _Unpicklable:
    """Stands in, in a dumped result, for an object that pickle cannot store."""

    def __init__(self, obj):
        self.repr = repr(obj)

    def __repr__(self):
        return f"<not stored: {self.repr}>"


def _picklable(obj):
    try:
        pickle.dumps(obj)
    except Exception:
        return False
    return True


def dump(res, filename, store_objective=True, **kwargs):
    """Store a result with joblib.

    Objects in ``res.specs["args"]`` that cannot be pickled (a lambda
    objective, a closure callback) are replaced by a placeholder holding
    their repr, with a warning, instead of failing the whole dump.

    Parameters
    ----------
    res : OptimizeResult
    filename : str or file
    store_objective : bool
        When False the objective is left out of ``specs``.
    **kwargs
        Passed to ``joblib.dump`` (``compress=...``).
    """
    import joblib

    res = copy.copy(res)
    specs = getattr(res, "specs", None)
    if isinstance(specs, dict) and isinstance(specs.get("args"), dict):
        args = dict(specs["args"])
        if not store_objective:
            args.pop("func", None)
        for key, value in list(args.items()):
            if not _picklable(value):
                warnings.warn(f"dump: specs['args'][{key!r}] cannot be pickled; storing its repr", stacklevel=2)
                args[key] = _Unpicklable(value)
        res.specs = dict(specs, args=args)
    joblib.dump(res, filename, **kwargs)


def load(filename, **kwargs):
    """Load a result stored by `dump` (``kwargs`` go to ``joblib.load``)."""
    import joblib

    return joblib.load(filename, **kwargs)


# ---------------------------------------------------------------- estimators
def _is_regressor(estimator):
    """sklearn's ``is_regressor``, False (not an error) for arbitrary objects."""
    try:
        return bool(is_regressor(estimator))
    except Exception:
        return False


def has_gradients(estimator):
    """True when ``estimator.predict`` can return mean and std gradients."""
    from sklearn.multioutput import MultiOutputRegressor

    if isinstance(estimator, MultiOutputRegressor):
        return has_gradients(estimator.estimator)
    return bool(getattr(estimator, "_supports_gradients", False))


def normalize_dimensions(dimensions):
    """A `Space` of copies of the dimensions, each mapping its values onto ``[0, 1]``.

    A Gaussian process wants inputs on a common scale; categories become
    normalized codes that its kernel compares for equality only (where
    scikit-optimize one-hot encodes them). The dimensions given are not
    changed (scikit-optimize changes their transform in place).
    """
    space = Space(copy.deepcopy(list(Space(dimensions).dimensions)))
    space.set_transformer("normalize")
    return space


def cook_estimator(base_estimator, space=None, **kwargs):
    """The default surrogate for ``"GP"``, ``"RF"``, ``"ET"``, ``"GBRT"`` (None for ``"DUMMY"``).

    A regressor instance passes through. ``space`` tells the GP which
    dimensions are categorical; ``kwargs`` are set on the estimator
    (``n_jobs`` only where it has one).
    """
    from .learning import (
        ExtraTreesRegressor,
        GaussianProcessRegressor,
        GradientBoostingQuantileRegressor,
        RandomForestRegressor,
    )

    if isinstance(base_estimator, str):
        name = base_estimator.upper()
        if name not in ESTIMATORS:
            raise ValueError(
                "Valid strings for the base_estimator parameter are: 'RF', 'ET', 'GP', 'GBRT' "
                f"or 'DUMMY' (any case), or a regressor; got {base_estimator!r}"
            )
        if name == "DUMMY":
            return None
        if name == "GP":
            if space is None:
                raise ValueError("cook_estimator('GP') needs the space")
            space = space if isinstance(space, Space) else Space(space)
            cat = [i for i, d in enumerate(space.dimensions) if isinstance(d, Categorical)]
            estimator = GaussianProcessRegressor(
                noise="gaussian", normalize_y=True, n_restarts_optimizer=2, categorical_dims=cat or None
            )
        elif name == "RF":
            estimator = RandomForestRegressor(n_estimators=100, min_samples_leaf=3)
        elif name == "ET":
            estimator = ExtraTreesRegressor(n_estimators=100, min_samples_leaf=3)
        else:
            estimator = GradientBoostingQuantileRegressor()
    elif _is_regressor(base_estimator):
        estimator = base_estimator
    else:
        raise ValueError(f"base_estimator must be one of {list(ESTIMATORS)} or a regressor, got {base_estimator!r}")
    params = estimator.get_params()
    kwargs = {k: v for k, v in kwargs.items() if k in params}
    return estimator.set_params(**kwargs) if kwargs else estimator


# ---------------------------------------------------------------- expected minimum
def predict_objective(model, X):
    """A fitted model's mean in the objective's units (undoing the optimizer's target warp)."""
    mu = model.predict(X)
    warp = getattr(model, "target_warp_", None)
    return mu if warp is None else warp.inverse_transform(mu)


def _model_space(res):
    if not res.models:
        raise ValueError("the result holds no fitted model (models is empty)")
    return res.models[-1], res.space


def expected_minimum(res, n_random_starts=20, random_state=None):
    """Minimum of the last model's mean: ``(x, fun)`` with plain values.

    L-BFGS-B runs from the best evaluated point and ``n_random_starts``
    random points over the continuous dimensions (categories stay as
    started); models without gradients get finite differences.
    """
    model, space = _model_space(res)
    rng = check_random_state(random_state)
    starts = [res.x] + space.rvs(n_samples=n_random_starts, random_state=rng)
    bounds = np.array(_transformed_box(space))
    cont = _continuous_columns(space)
    grad = has_gradients(model)
    best_x, best_f = None, np.inf
    for start in space.transform(starts):
        if len(cont):
            def f(z, start=start):
                p = start.copy()
                p[cont] = z
                if grad:
                    mu, g = model.predict(p.reshape(1, -1), return_mean_grad=True)
                    return float(mu[0]), np.asarray(g, float).ravel()[cont]
                return float(model.predict(p.reshape(1, -1))[0])
            z, _, _ = fmin_l_bfgs_b(f, start[cont], bounds=bounds[cont], approx_grad=not grad, maxiter=200)
            start = start.copy()
            start[cont] = z
        x = space.inverse_transform(start.reshape(1, -1))[0]
        value = float(predict_objective(model, space.transform([x]))[0])
        if value < best_f:
            best_x, best_f = x, value
    return plain(best_x), best_f


def expected_minimum_random_sampling(res, n_random_starts=100000, random_state=None):
    """Minimum of the last model's mean over ``n_random_starts`` random points."""
    model, space = _model_space(res)
    points = space.rvs(n_samples=n_random_starts, random_state=check_random_state(random_state))
    values = predict_objective(model, space.transform(points))
    best = int(np.argmin(values))
    return plain(points[best]), float(values[best])


def _transformed_box(space):
    """``(low, high)`` of every transformed column (one-hot columns: 0..1)."""
    box = []
    for dim in space.dimensions:
        b = dim.transformed_bounds
        if dim.transformed_size > 1:
            box.extend(b)
        elif isinstance(dim, Categorical) and dim.transform_ in ("identity", "string"):
            box.append((0.0, 0.0))
        else:
            box.append((float(b[0]), float(b[1])))
    return box


def _continuous_columns(space):
    """Transformed columns that vary continuously (not categories)."""
    cols, start = [], 0
    for dim in space.dimensions:
        if not isinstance(dim, Categorical):
            cols.append(start)
        start += dim.transformed_size
    return np.array(cols, dtype=int)


# ---------------------------------------------------------------- named args
def check_dimension_names(dimensions) -> None:
    """Raise ValueError unless every dimension has a name (skopt's ``check_dimension_names``)."""
    unnamed = [i for i, d in enumerate(dimensions) if getattr(d, "name", None) is None]
    if unnamed:
        raise ValueError(
            f"All dimensions must have names; dimensions {unnamed} have none: "
            f"{[dimensions[i] for i in unnamed]}"
        )


def check_list_types(x, types) -> None:
    """Raise ValueError unless every element of ``x`` is an instance of ``types``.

    Parameters
    ----------
    x : iterable
        The elements to check.
    types : type or tuple of types
        What each element must be (as for `isinstance`).
    """
    wrong = [(i, a) for i, a in enumerate(x) if not isinstance(a, types)]
    if wrong:
        raise ValueError(
            f"All elements in list must be instances of {types}, but found at "
            f"positions {[i for i, _ in wrong]}: {[a for _, a in wrong]}"
        )


def use_named_args(dimensions):
    """Decorator: call ``func(**{name: value})`` with the point ``x`` of the named ``dimensions``.

    The wrapped function takes one point (a list) as scikit-optimize's
    minimizers pass it; the original stays reachable as ``__wrapped__``.
    """
    dims = list(dimensions.dimensions if isinstance(dimensions, Space) else dimensions)
    if not all(isinstance(d, Dimension) for d in dims):
        raise TypeError("use_named_args needs a list of Dimension objects")
    check_dimension_names(dims)
    names = [d.name for d in dims]

    def decorator(func):
        @wraps(func)
        def wrapper(x):
            if len(x) != len(names):
                raise ValueError(f"expected a point with {len(names)} values ({names}), got {len(x)}")
            return func(**dict(zip(names, plain(list(x)))))

        return wrapper

    return decorator


def dimensions_aslist(search_space):
    """The dimensions of a ``{name: dimension}`` dict, in sorted-name order."""
    return [search_space[name] for name in sorted(search_space)]


def point_asdict(search_space, point_as_list):
    """A point (list, sorted-name order) as ``{name: value}`` for a dict search space."""
    names = sorted(search_space)
    if len(point_as_list) != len(names):
        raise ValueError(f"point has {len(point_as_list)} values for {len(names)} dimensions")
    return dict(zip(names, plain(list(point_as_list))))


def point_aslist(search_space, point_as_dict):
    """A ``{name: value}`` point as a list in sorted-name order."""
    missing = [n for n in sorted(search_space) if n not in point_as_dict]
    if missing:
        raise ValueError(f"point lacks the dimensions {missing}")
    return [point_as_dict[name] for name in sorted(search_space)]


# ---------------------------------------------------------------- checks
def is_listlike(x):
    return isinstance(x, (list, tuple, np.ndarray))


def is_2Dlistlike(x):
    return is_listlike(x) and len(x) > 0 and all(is_listlike(row) for row in x)


def check_x_in_space(x, space, param="x"):
    """Raise a ValueError naming ``param`` unless ``x`` (a point or list of points) is in ``space``."""
    if is_2Dlistlike(x):
        for i, point in enumerate(x):
            space.check_point(list(point), param=f"{param}[{i}]")
    elif is_listlike(x):
        space.check_point(list(x), param=param)
    else:
        raise ValueError(f"{param} must be a point (a list) or a list of points, got {x!r}")


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_number(name, value, low=-math.inf, high=math.inf, *, integer=False, above=False):
    """``value`` if it is a number (an integer with ``integer``) in ``[low, high]``.

    With ``above`` the lower bound is strict (``value > low``). Raises a
    `ValueError` naming ``name`` and ``value`` otherwise (bools are refused).
    """
    kind = numbers.Integral if integer else numbers.Real
    ok = not isinstance(value, bool) and isinstance(value, kind)
    if ok:
        ok = (value > low if above else value >= low) and value <= high
    if not ok:
        what = "an integer" if integer else "a number"
        bound = f"> {low}" if above else f">= {low}"
        if high < math.inf:
            bound += f" and <= {high}"
        raise ValueError(f"{name} must be {what} {bound}, got {value!r}")
    return value


def _check_random_state(random_state, name="random_state"):
    """A `numpy.random.RandomState` from a seed, as scikit-learn's ``check_random_state``.

    ``random_state`` is None, an int in ``[0, 2**32)`` or a RandomState;
    anything else is a `ValueError` naming ``name`` and the value (numpy's
    own message names neither).
    """
    if isinstance(random_state, bool) or not (
        random_state is None
        or isinstance(random_state, (numbers.Integral, np.random.RandomState))
    ):
        raise ValueError(f"{name} must be None, an int or a numpy RandomState, got {random_state!r}")
    if isinstance(random_state, numbers.Integral) and not 0 <= random_state < 2**32:
        raise ValueError(f"{name} must be an int in [0, 2**32), got {random_state!r}")
    return check_random_state(random_state)


# ---------------------------------------------------------------- bug reports
def show_versions() -> None:
    """Print the platform, Python, and the versions of asktell and its dependencies.

    As scikit-optimize's ``show_versions``, for bug reports; optional extras
    that are not installed are listed as such.
    """
    import os
    import platform
    import sys
    from importlib.metadata import PackageNotFoundError, version

    from ._version import __version__

    print(f"Platform: {platform.platform()}")
    print(f"Python: {platform.python_version()} ({sys.executable})")
    print(f"CPU count: {os.cpu_count()}")
    print(f"asktell: {__version__}")
    for name in _REPORTED_PACKAGES:
        try:
            found = version(name)  # read from the metadata: nothing is imported
        except PackageNotFoundError:
            found = "not installed"
        print(f"{name}: {found}")
