"""`scipy_minimize`: scipy's global optimizers behind the ``gp_minimize`` interface.

The loop is the one every asktell driver runs: ask scipy (through
`ScipyAskTell`) for points of the unit cube of the space, evaluate
``func`` on the space's values, tell the value, call the callbacks with the
partial result. Switching between a Bayesian and a scipy optimizer is a
change of one call; the result has the same fields.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils import check_random_state

from .._loop import Budget, Driver, ErrorPolicy, run_loop
from ..callbacks import VerboseCallback, check_callback
from ..parallel import resolve_n_jobs
from .ask_tell import SCIPY_METHODS, ScipyAskTell, default_handoff, seed_keyword
from ..space import Space, UnitCube
from ..utils import create_result, eval_callbacks

__all__ = ["scipy_minimize"]


def scipy_minimize(
    func,
    dimensions,
    method="differential_evolution",
    n_calls=100,
    x0=None,
    random_state=None,
    callback=None,
    n_jobs=1,
    verbose=False,
    exponential_param_power=None,
    handoff=None,
    executor=None,
    progress=False,
    **kwargs,
):
    """Minimize ``func`` over ``dimensions`` with one of scipy's global optimizers.

    Parameters
    ----------
    func : callable
        ``func(x) -> float``, ``x`` a list of values, one per dimension.
    dimensions : Space or list or dict
        The search space (anything `Space` accepts, cotengra spec dicts too).
        scipy searches its unit cube (see `UnitCube`).
    method : {"differential_evolution", "dual_annealing", "direct", "shgo"}
    n_calls : int
        Most evaluations of ``func``. The run ends earlier when scipy
        finishes (its own ``maxiter``/``maxfun``/convergence test).
    x0 : list or None
        A starting point in the space's values, for ``differential_evolution``
        and ``dual_annealing`` (scipy's ``x0``).
    random_state : int, RandomState or None
        Seeds scipy: an int or None is passed as scipy's ``rng`` (``seed``
        before scipy 1.15) unchanged, so the run is the one scipy makes when
        called directly on the unit cube; a RandomState draws an int.
    callback : callable or list of callables
        Called with the partial result after each evaluation; a callback
        returning True stops the run.
    n_jobs : int
        Threads evaluating the points of a batch in parallel (-1: one per
        CPU). Batches come from ``differential_evolution``, which then uses
        ``updating="deferred"``, and from ``shgo``; the other methods
        evaluate one point at a time.
    verbose : bool
        Print one line per evaluation.
    exponential_param_power : float or None
        See `UnitCube`.
    handoff : {"thread", "greenlet"} or None
        How scipy and this loop take turns (see `ScipyAskTell`); None:
        ``"greenlet"`` when the 'fast' extra is installed, else ``"thread"``.
        The points evaluated are the same either way.
    executor : concurrent.futures.Executor, dask.distributed.Client or None
        Evaluate ``func`` there instead of in ``n_jobs`` threads (a batch
        at a time, as with ``n_jobs``).
    progress : bool
        Show a progress bar (extra ``progress``).
    **kwargs
        Forwarded to the scipy function (``popsize``, ``maxiter``, ...).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` and ``fun`` (the best finite value evaluated), ``func_vals``,
        ``x_iters``, ``models`` (empty), ``space``, ``specs``,
        ``random_state``, and ``scipy_result``: scipy's own result when it
        finished within ``n_calls`` (else None). Non-finite values are
        kept in ``func_vals``; scipy saw a penalty for them (see
        `ScipyAskTell`).
    """
    specs = {
        "args": {
            "func": func,
            "dimensions": dimensions,
            "method": method,
            "n_calls": n_calls,
            "x0": x0,
            "random_state": random_state,
            "callback": callback,
            "n_jobs": n_jobs,
            "verbose": verbose,
            "exponential_param_power": exponential_param_power,
            "handoff": handoff,
            "executor": executor,
            "progress": progress,
            **kwargs,
        },
        "function": "scipy_minimize",
    }
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    if method not in SCIPY_METHODS:
        raise ValueError(f"method must be one of {SCIPY_METHODS}, got {method!r}")
    if not isinstance(n_calls, numbers.Integral) or isinstance(n_calls, bool) or n_calls < 1:
        raise ValueError(f"n_calls must be a positive integer, got {n_calls!r}")
    if not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}")
    n_jobs = resolve_n_jobs(int(n_jobs))
    callbacks = check_callback(callback)
    if verbose:
        callbacks.append(VerboseCallback(n_total=n_calls))
    space = dimensions if isinstance(dimensions, Space) else Space(dimensions)
    cube = UnitCube(space, exponential_param_power=exponential_param_power)
    rng = check_random_state(random_state)
    kwargs = _scipy_kwargs(method, kwargs, random_state, rng, n_jobs, executor is not None)
    if executor is not None and n_jobs == 1:
        n_jobs = None  # as many points at once as the executor has workers
    if x0 is not None:
        if method not in ("differential_evolution", "dual_annealing"):
            raise ValueError(f"x0: scipy's {method} takes no starting point, got x0={x0!r}")
        kwargs["x0"] = cube.from_point(_single_point(x0))

    opt = ScipyAskTell(method, cube.bounds, handoff=handoff or default_handoff(), **kwargs)
    driver = _ScipyDriver(
        opt, func, cube, callbacks,
        lambda points, values: create_result(points, values, space=space, rng=rng, specs=specs),
    )
    with opt:
        run_loop(driver, Budget(trials=n_calls), ErrorPolicy(non_finite="record"), n_jobs=n_jobs,
                 executor=executor, progress=progress, desc="scipy_minimize")
    result = driver.result()
    result.scipy_result = opt.result
    return result


class _ScipyDriver(Driver):
    """A `ScipyAskTell` under `scipy_minimize`: ``func`` of the space's values, every value kept."""

    def __init__(self, opt, func, cube, callbacks, make_result):
        self.opt = opt
        self.func = func
        self.cube = cube
        self.callbacks = callbacks
        self.make_result = make_result
        self.points = {}  # trial number -> the point of the space
        self.values = {}  # trial number -> what func returned (NaN and inf kept)

    def ask(self, n):
        if self.opt.waiting:  # a serial method waits for the point in flight
            return []
        return self.opt.ask_batch(n) or None

    def call(self, trial):
        self.points[trial.number] = point = self.cube.to_point(trial.x)
        return self.func, (point,)

    def tell(self, trial, value, seconds):
        value = _check_value(value, self.points[trial.number])
        self.values[trial.number] = value
        return self.opt.tell_trial(trial, value)

    def fail(self, trial, error, seconds):
        return self.opt.fail_trial(trial, error)

    def finished(self, trial):
        return bool(self.callbacks) and eval_callbacks(self.callbacks, self.result())

    def result(self):
        numbers = sorted(self.values)
        return self.make_result([self.points[n] for n in numbers], [self.values[n] for n in numbers])


def _single_point(x0):
    if len(x0) and isinstance(x0[0], (list, tuple, np.ndarray)):
        if len(x0) != 1:
            raise ValueError(f"x0: scipy starts from one point, got {len(x0)}")
        return list(x0[0])
    return list(x0)


def _scipy_kwargs(method, kwargs, random_state, rng, n_jobs, executor=False):
    kwargs = dict(kwargs)
    keyword = seed_keyword(method)
    for name in ("rng", "seed", "bounds", "workers"):
        if name in kwargs:
            owner = {"bounds": "dimensions", "workers": "n_jobs"}.get(name, "random_state")
            raise ValueError(f"{name}={kwargs[name]!r}: scipy_minimize sets it from {owner}")
    if keyword is not None:
        if random_state is None or isinstance(random_state, numbers.Integral):
            kwargs[keyword] = random_state
        else:
            kwargs[keyword] = int(rng.randint(2**31 - 1))
    if method == "differential_evolution" and (n_jobs > 1 or executor):
        if kwargs.get("updating", "deferred") != "deferred":
            raise ValueError(
                f"updating={kwargs['updating']!r}: n_jobs={n_jobs} evaluates whole generations, "
                "which needs updating='deferred'"
            )
        kwargs["updating"] = "deferred"
    return kwargs


def _check_value(value, point):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"func must return a number, got {value!r} at {point!r}")
    if np.ndim(value) != 0:
        raise ValueError(f"func must return a scalar, got an array of shape {np.shape(value)} at {point!r}")
    return float(value)
