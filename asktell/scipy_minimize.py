"""`scipy_minimize`: scipy's global optimizers behind the ``gp_minimize`` interface.

The loop is the one every asktell driver runs: ask scipy (through
`ScipyAskTell`) for points of the unit cube of the space, evaluate
``func`` on the space's values, tell the value, call the callbacks with the
partial result. Switching between a Bayesian and a scipy optimizer is a
change of one call; the result has the same fields.
"""

from __future__ import annotations

import numbers
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.utils import check_random_state

from .callbacks import VerboseCallback, check_callback
from .scipy_asktell import SCIPY_METHODS, ScipyAskTell, default_handoff, seed_keyword
from .space import Space, UnitCube
from .utils import create_result, eval_callbacks

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
    n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)
    callbacks = check_callback(callback)
    if verbose:
        callbacks.append(VerboseCallback(n_total=n_calls))
    space = dimensions if isinstance(dimensions, Space) else Space(dimensions)
    cube = UnitCube(space, exponential_param_power=exponential_param_power)
    rng = check_random_state(random_state)
    kwargs = _scipy_kwargs(method, kwargs, random_state, rng, n_jobs)
    if x0 is not None:
        if method not in ("differential_evolution", "dual_annealing"):
            raise ValueError(f"x0: scipy's {method} takes no starting point, got x0={x0!r}")
        kwargs["x0"] = cube.from_point(_single_point(x0))

    x_iters, func_vals = [], []
    executor = ThreadPoolExecutor(n_jobs) if n_jobs > 1 else None
    opt = ScipyAskTell(method, cube.bounds, handoff=handoff or default_handoff(), **kwargs)
    try:
        with opt:
            stop = False
            while not stop and len(func_vals) < n_calls:
                trials = opt.ask_batch(n_calls - len(func_vals))
                if not trials:
                    break
                points = [cube.to_point(t.x) for t in trials]
                values = executor.map(func, points) if executor else map(func, points)
                for trial, point, value in zip(trials, points, values):
                    value = _check_value(value, point)
                    opt.tell_trial(trial, value)
                    x_iters.append(point)
                    func_vals.append(value)
                    if callbacks:
                        partial = _result(x_iters, func_vals, space, rng, specs)
                        if eval_callbacks(callbacks, partial):
                            stop = True
                            break
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    result = _result(x_iters, func_vals, space, rng, specs)
    result.scipy_result = opt.result
    return result


def _single_point(x0):
    if len(x0) and isinstance(x0[0], (list, tuple, np.ndarray)):
        if len(x0) != 1:
            raise ValueError(f"x0: scipy starts from one point, got {len(x0)}")
        return list(x0[0])
    return list(x0)


def _scipy_kwargs(method, kwargs, random_state, rng, n_jobs):
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
    if method == "differential_evolution" and n_jobs > 1:
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


def _result(x_iters, func_vals, space, rng, specs):
    """`create_result`, with the best *finite* value as ``x`` and ``fun``."""
    result = create_result(x_iters, func_vals, space=space, rng=rng, specs=specs)
    finite = np.flatnonzero(np.isfinite(result.func_vals))
    if finite.size < len(result.func_vals):
        if finite.size:
            best = int(finite[np.argmin(result.func_vals[finite])])
            result.x, result.fun = list(result.x_iters[best]), float(result.func_vals[best])
        else:
            result.fun = float("nan")
    return result
