"""The minimize functions of scikit-optimize: front-ends of the one run loop (`asktell._loop`).

Call accounting follows scikit-optimize: ``x0`` without ``y0`` is
evaluated first and those calls count against ``n_calls``; with ``y0``
they are free. ``n_initial_points`` initial (random or designed) points
follow, then points chosen by the surrogate. Callbacks run after every
call (and once after ``x0`` is told); one returning True stops the run.

An objective that raises or returns NaN/inf stops the run with a clear
error by default (``on_error="raise"``); ``on_error="record"`` records
such a call as a failed trial (listed in ``result.failed``, never
proposed again) and goes on.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterable


from ..callbacks import VerboseCallback, check_callback
from .._loop import Budget, Driver, ErrorPolicy, run_loop
from .optimizer import Optimizer
from ..parallel import capture
from ..protocol import error_text
from ..space import Space
from ..trial import Trial, TrialState
from ..utils import cook_estimator, eval_callbacks, is_listlike

__all__ = ["base_minimize", "gp_minimize", "forest_minimize", "gbrt_minimize", "dummy_minimize"]

_ON_ERROR = ("raise", "record")


def _check_func(func, on_error):
    """The objective and the policy for its failures, checked before anything runs."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    if on_error not in _ON_ERROR:
        raise ValueError(f"on_error must be one of {list(_ON_ERROR)}, got {on_error!r}")


def _check_x0_y0(x0, y0, space):
    if x0 is None:
        x0 = []
    elif is_listlike(x0) and len(x0) and not is_listlike(x0[0]):
        x0 = [x0]
    if not isinstance(x0, (list, tuple)) or not all(is_listlike(p) for p in x0):
        raise ValueError(f"x0 must be a point (a list) or a list of points, got {x0!r}")
    x0 = [list(p) for p in x0]
    for i, p in enumerate(x0):
        space.check_point(p, param="x0" if len(x0) == 1 else f"x0[{i}]")
    if y0 is not None:
        if isinstance(y0, numbers.Number):
            y0 = [y0]
        elif isinstance(y0, Iterable) and not isinstance(y0, (str, bytes)):
            y0 = list(y0)
        else:
            raise ValueError(f"y0 must be a number, a list of numbers or None, got {y0!r}")
        if len(x0) != len(y0):
            raise ValueError(f"x0 and y0 must have the same length, got {len(x0)} points and {len(y0)} values")
        if not x0:
            y0 = None
    return x0, y0


def base_minimize(
    func,
    dimensions,
    base_estimator,
    n_calls=100,
    n_random_starts=None,
    n_initial_points=10,
    initial_point_generator="random",
    acq_func="EI",
    acq_optimizer="lbfgs",
    x0=None,
    y0=None,
    random_state=None,
    verbose=False,
    callback=None,
    n_points=10000,
    n_restarts_optimizer=5,
    xi=0.01,
    kappa=1.96,
    n_jobs=1,
    model_queue_size=None,
    space_constraint=None,
    *,
    on_error="raise",
    executor=None,
    progress=False,
):
    """Minimize ``func`` over ``dimensions`` with a surrogate ``base_estimator``.

    Parameters
    ----------
    func : callable
        ``func(x) -> float`` for a point ``x`` (a list); ``(value, seconds)``
        with ``acq_func="EIps"``/``"PIps"``.
    dimensions : list, dict or Space
        The search space.
    base_estimator : str or regressor
        ``"GP"``, ``"RF"``, ``"ET"``, ``"GBRT"``, ``"DUMMY"`` or a regressor
        whose ``predict`` accepts ``return_std``.
    n_calls : int
        Calls to ``func`` in all, including ``x0`` when ``y0`` is not given.
    n_random_starts : int or None
        Deprecated alias of ``n_initial_points`` (warns).
    n_initial_points : int
        Initial points after ``x0``, before the model is used.
    initial_point_generator : str or InitialPointGenerator
    acq_func, acq_optimizer : str
        See `asktell.Optimizer`.
    x0 : list, list of lists or None
        Points to evaluate (or, with ``y0``, already evaluated) first.
    y0 : float, list or None
        Values at ``x0``.
    random_state : int, RandomState or None
    verbose : bool
        Print each call (`VerboseCallback`).
    callback : callable or list of callables
        ``callback(result)`` after each call; True stops the run.
    n_points : int
        Points sampled to optimize the acquisition.
    n_restarts_optimizer : int
        L-BFGS starts with ``acq_optimizer="lbfgs"``.
    xi, kappa : float
        Exploration of EI/PI and of LCB.
    n_jobs : int
        Parallel jobs of the model and of the L-BFGS starts.
    model_queue_size : int or None
        Models kept in ``result.models`` (None: the last 20).
    space_constraint : callable or None
        ``space_constraint(x) -> bool`` restricts the points proposed.
    on_error : {"raise", "record"}
        What an objective that raises or returns NaN/inf does: stop the
        run (default) or count as a failed call and go on.
    executor : concurrent.futures.Executor, dask.distributed.Client or None
        Evaluate ``func`` there, as many points at once as it has workers
        (pending points get the constant liar's lie); None evaluates one
        point at a time in this thread. (``n_jobs`` is scikit-optimize's:
        jobs of the model, not of the objective.)
    progress : bool
        Show a progress bar (extra ``progress``).

    Returns
    -------
    OptimizeResult
        ``x``, ``fun``, ``func_vals``, ``x_iters``, ``models``, ``space``,
        ``specs``, ``random_state``, ``failed`` (points whose call failed).
    """
    specs = {"args": dict(locals()), "function": "base_minimize"}
    _check_func(func, on_error)
    if n_random_starts is not None:
        warnings.warn(
            "n_random_starts is deprecated and overrides n_initial_points; use n_initial_points",
            DeprecationWarning, stacklevel=2,
        )
        n_initial_points = n_random_starts
    for name, value in (("n_calls", n_calls), ("n_initial_points", n_initial_points)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    space = Space(dimensions)
    x0, y0 = _check_x0_y0(x0, y0, space)
    if n_initial_points == 0 and not x0:
        raise ValueError("n_initial_points must be > 0 when no x0 is given")
    required = n_initial_points + (len(x0) if y0 is None else 0)
    if n_calls < required:
        raise ValueError(
            f"n_calls={n_calls} is smaller than the {required} calls the initial points need "
            f"(n_initial_points={n_initial_points}" + (f" + {len(x0)} points of x0)" if y0 is None else ")")
        )
    callbacks = check_callback(callback)
    optimizer = Optimizer(
        dimensions, base_estimator, n_initial_points=n_initial_points + len(x0),
        initial_point_generator=initial_point_generator, n_jobs=n_jobs, acq_func=acq_func,
        acq_optimizer=acq_optimizer, random_state=random_state, model_queue_size=model_queue_size,
        space_constraint=space_constraint, acq_func_kwargs={"xi": xi, "kappa": kappa},
        acq_optimizer_kwargs={"n_points": n_points, "n_restarts_optimizer": n_restarts_optimizer, "n_jobs": n_jobs},
    )
    if verbose:
        callbacks.append(VerboseCallback(n_total=n_calls, n_init=len(x0) if y0 is None else 0,
                                         n_random=n_initial_points))
    return _run(optimizer, func, n_calls, x0, y0, callbacks, on_error, specs,
                n_jobs=None if executor is not None else 1, executor=executor, progress=progress)


_ADVICE = "Pass on_error='record' to record such calls as failed and go on"


class _MinimizeDriver(Driver):
    """An `Optimizer` under a minimize function: ``func(x)``, skopt's callbacks on each result."""

    def __init__(self, optimizer, func, callbacks, specs, repeat=True):
        self.optimizer = optimizer
        self.func = func
        self.callbacks = callbacks
        self.specs = specs
        self.repeat = repeat
        self.result = None

    def ask(self, n):
        # skopt's functions repeat a point of an exhausted finite space (with the optimizer's
        # warning) to run n_calls, as skopt did; asktell.minimize stops there, saying so once
        trials = self.optimizer.ask_trials(n, repeat=self.repeat)
        if not trials and not self.repeat:
            told = sum(t.finished for t in self.optimizer.trials)
            warnings.warn(f"every point of the space was evaluated or is pending: stopping after {told} "
                          "calls", UserWarning, stacklevel=2)
        return trials or None

    def call(self, trial):
        return self.func, (list(trial.x),)

    def tell(self, trial, value, seconds):
        try:
            return self.optimizer.tell_trial(trial, value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the objective returned {value!r} at x={trial.x}: {exc}. {_ADVICE}") from None

    def fail(self, trial, error, seconds):
        return self.optimizer.fail_trial(trial, error)

    def finished(self, trial):
        if not self.optimizer.yi:  # no result before a value is told
            return False
        return self.report(self.optimizer.get_result())

    def report(self, result):
        result.specs = self.specs
        self.result = result
        return eval_callbacks(self.callbacks, result)


def _policy(on_error):
    """The run loop's `ErrorPolicy` for ``on_error``."""
    if on_error == "raise":
        return ErrorPolicy(non_finite="raise", advice=_ADVICE)
    return ErrorPolicy(catch=(Exception,), non_finite="record")


def _run(optimizer, func, n_calls, x0, y0, callbacks, on_error, specs, n_jobs=1, executor=None, progress=False,
         repeat=True):
    """Every minimize function's run: ``x0`` told in one batch, then `asktell._loop.run_loop`.

    ``x0``/``y0`` are checked (`_check_x0_y0`); ``n_calls`` counts the
    calls of ``x0`` when ``y0`` is None. ``n_jobs`` points are evaluated at
    once (on ``executor`` when given). ``repeat``: an exhausted finite
    space repeats points to spend ``n_calls`` (skopt's behaviour), else
    the run stops there with one warning.
    """
    if y0 is not None:
        bad = [i for i, v in enumerate(y0) if not _valid(optimizer, v)]
        if bad:
            raise ValueError(f"y0[{bad[0]}] must be a finite number, got {y0[bad[0]]!r}")

    driver = _MinimizeDriver(optimizer, func, callbacks, specs, repeat=repeat)
    if x0:
        values = list(y0) if y0 is not None else [_evaluate_x0(func, x, optimizer, on_error) for x in x0]
        if y0 is None:
            n_calls -= len(x0)
        good = [(x, v) for x, v in zip(x0, values) if not isinstance(v, _Failed)]
        for x, v in zip(x0, values):
            if isinstance(v, _Failed):
                optimizer.add_trial(Trial(optimizer.next_trial_number, x, state=TrialState.FAIL,
                                          info={"error": error_text(v.error)}))
        if good and driver.report(optimizer.tell([x for x, _ in good], [v for _, v in good])):
            return driver.result
    run_loop(driver, Budget(trials=n_calls), _policy(on_error), n_jobs=n_jobs, executor=executor,
             progress=progress, desc=specs["function"])
    if driver.result is None:
        raise RuntimeError("every call of the objective failed; see the trials' errors")
    return driver.result


class _Failed:
    """A call of ``x0`` that raised or returned a non-finite value."""

    def __init__(self, error):
        self.error = error


def _evaluate_x0(func, x, optimizer, on_error):
    """``func(x)`` for a point of ``x0`` (told in one batch), or `_Failed` under ``on_error="record"``."""
    outcome = capture(func, x)
    if not outcome.ok:
        if on_error == "raise":
            raise outcome.value
        return _Failed(outcome.value)
    try:
        optimizer.check_value(outcome.value, "func(x)")
    except ValueError as exc:
        message = f"the objective returned {outcome.value!r} at x={x}: {exc}. {_ADVICE}"
        if on_error == "raise":
            raise ValueError(message) from None
        return _Failed(message)
    return outcome.value


def _valid(optimizer, value):
    try:
        optimizer.check_value(value)
    except ValueError:
        return False
    return True


def gp_minimize(
    func,
    dimensions,
    base_estimator=None,
    n_calls=100,
    n_random_starts=None,
    n_initial_points=10,
    initial_point_generator="random",
    acq_func="gp_hedge",
    acq_optimizer="auto",
    x0=None,
    y0=None,
    random_state=None,
    verbose=False,
    callback=None,
    n_points=10000,
    n_restarts_optimizer=5,
    xi=0.01,
    kappa=1.96,
    noise="gaussian",
    n_jobs=1,
    model_queue_size=None,
    space_constraint=None,
    *,
    on_error="raise",
    executor=None,
    progress=False,
):
    """Bayesian optimization with a Gaussian process (Matern-5/2 ARD, learned noise).

    ``noise``: ``"gaussian"`` learns the noise level; a float fixes its
    variance (in units of the standardized values). Other parameters are
    those of `base_minimize`; ``base_estimator`` None uses asktell's GP.
    """
    if base_estimator is None:
        base_estimator = cook_estimator("GP", space=Space(dimensions), noise=noise)
    return base_minimize(
        func, dimensions, base_estimator, n_calls=n_calls, n_random_starts=n_random_starts,
        n_initial_points=n_initial_points, initial_point_generator=initial_point_generator,
        acq_func=acq_func, acq_optimizer=acq_optimizer, x0=x0, y0=y0, random_state=random_state,
        verbose=verbose, callback=callback, n_points=n_points, n_restarts_optimizer=n_restarts_optimizer,
        xi=xi, kappa=kappa, n_jobs=n_jobs, model_queue_size=model_queue_size,
        space_constraint=space_constraint, on_error=on_error,
        executor=executor, progress=progress,
    )


def forest_minimize(
    func,
    dimensions,
    base_estimator="ET",
    n_calls=100,
    n_random_starts=None,
    n_initial_points=10,
    acq_func="EI",
    initial_point_generator="random",
    x0=None,
    y0=None,
    random_state=None,
    verbose=False,
    callback=None,
    n_points=10000,
    xi=0.01,
    kappa=1.96,
    n_jobs=1,
    model_queue_size=None,
    space_constraint=None,
    *,
    on_error="raise",
    executor=None,
    progress=False,
):
    """Sequential optimization with a random forest (``"RF"``) or extra trees (``"ET"``).

    The acquisition is optimized by sampling ``n_points`` points. Other
    parameters are those of `base_minimize`.
    """
    return base_minimize(
        func, dimensions, base_estimator, n_calls=n_calls, n_random_starts=n_random_starts,
        n_initial_points=n_initial_points, initial_point_generator=initial_point_generator,
        acq_func=acq_func, acq_optimizer="sampling", x0=x0, y0=y0, random_state=random_state,
        verbose=verbose, callback=callback, n_points=n_points, xi=xi, kappa=kappa, n_jobs=n_jobs,
        model_queue_size=model_queue_size, space_constraint=space_constraint, on_error=on_error,
        executor=executor, progress=progress,
    )


def gbrt_minimize(
    func,
    dimensions,
    base_estimator=None,
    n_calls=100,
    n_random_starts=None,
    n_initial_points=10,
    initial_point_generator="random",
    acq_func="LCB",
    acq_optimizer="auto",
    x0=None,
    y0=None,
    random_state=None,
    verbose=False,
    callback=None,
    n_points=10000,
    xi=0.01,
    kappa=1.96,
    n_jobs=1,
    model_queue_size=None,
    space_constraint=None,
    *,
    on_error="raise",
    executor=None,
    progress=False,
):
    """Sequential optimization with gradient-boosted quantile trees.

    ``base_estimator`` None uses `GradientBoostingQuantileRegressor`; the
    acquisition is optimized by sampling. Other parameters are those of
    `base_minimize`.
    """
    if base_estimator is None:
        base_estimator = cook_estimator("GBRT", n_jobs=n_jobs)
    return base_minimize(
        func, dimensions, base_estimator, n_calls=n_calls, n_random_starts=n_random_starts,
        n_initial_points=n_initial_points, initial_point_generator=initial_point_generator,
        acq_func=acq_func, acq_optimizer="sampling", x0=x0, y0=y0, random_state=random_state,
        verbose=verbose, callback=callback, n_points=n_points, xi=xi, kappa=kappa, n_jobs=n_jobs,
        model_queue_size=model_queue_size, space_constraint=space_constraint, on_error=on_error,
        executor=executor, progress=progress,
    )


def dummy_minimize(
    func,
    dimensions,
    n_calls=100,
    initial_point_generator="random",
    x0=None,
    y0=None,
    random_state=None,
    verbose=False,
    callback=None,
    model_queue_size=None,
    init_point_gen_kwargs=None,
    space_constraint=None,
    *,
    on_error="raise",
    executor=None,
    progress=False,
):
    """Random search (or the ``initial_point_generator``'s design) for ``n_calls`` calls.

    ``init_point_gen_kwargs`` go to the generator named by
    ``initial_point_generator``. Other parameters are those of `base_minimize`.
    """
    from ..sampler import cook_initial_point_generator

    if init_point_gen_kwargs:
        initial_point_generator = cook_initial_point_generator(initial_point_generator, **init_point_gen_kwargs)
    n_x0 = 0
    if x0 is not None and y0 is None:
        n_x0 = 1 if is_listlike(x0) and len(x0) and not is_listlike(x0[0]) else len(x0)
    return base_minimize(
        func, dimensions, base_estimator="dummy", acq_optimizer="sampling", n_calls=n_calls,
        n_initial_points=max(n_calls - n_x0, 0), initial_point_generator=initial_point_generator,
        x0=x0, y0=y0, random_state=random_state, verbose=verbose, callback=callback,
        model_queue_size=model_queue_size, space_constraint=space_constraint, on_error=on_error,
        executor=executor, progress=progress,
    )
