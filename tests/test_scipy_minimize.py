"""scipy_minimize: gp_minimize's interface and result over scipy's optimizers."""

import itertools
import math
import threading

import numpy as np
import pytest
import scipy.optimize
from scipy.optimize import OptimizeResult

from asktell import Categorical, Integer, Real, Space, scipy_minimize
from asktell.scipy_bridge.ask_tell import SCIPY_METHODS

UNIT = [(0.0, 1.0), (0.0, 1.0)]


def objective(x):
    return float((x[0] - 0.3) ** 2 + (x[1] - 0.7) ** 2 + 0.2 * np.sin(7 * x[0]))


BUDGETS = {
    "differential_evolution": dict(maxiter=6, popsize=5),
    "dual_annealing": dict(maxfun=120),
    "direct": dict(maxfun=120),
    "shgo": dict(n=32, sampling_method="sobol"),
}


def scipy_run(method, seed):
    seen = []

    def f(x):
        seen.append([float(v) for v in x])
        return objective(x)

    seed_kw = {"rng": seed} if method in ("differential_evolution", "dual_annealing") else {}
    return seen, getattr(scipy.optimize, method)(f, UNIT, **BUDGETS[method], **seed_kw)


@pytest.mark.parametrize("handoff", ["thread", None])
@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_evaluates_what_scipy_evaluates_on_the_unit_cube(method, handoff, no_thread_leak):
    seen, expected = scipy_run(method, seed=4)
    res = scipy_minimize(
        objective, UNIT, method=method, n_calls=10_000, random_state=4, handoff=handoff, **BUDGETS[method]
    )
    assert res.x_iters == seen
    assert res.fun == min(objective(x) for x in seen) <= expected.fun
    assert res.scipy_result.fun == expected.fun
    np.testing.assert_array_equal(res.scipy_result.x, expected.x)


def test_result_has_gp_minimizes_fields(no_thread_leak):
    space = [Real(1e-4, 1.0, prior="log-uniform", name="lr"), Integer(1, 6, name="depth"),
             Categorical(["a", "b", "c"], name="kind")]

    def f(x):
        lr, depth, kind = x
        return (math.log10(lr) + 2) ** 2 + (depth - 4) ** 2 + {"a": 1.0, "b": 0.0, "c": 2.0}[kind]

    res = scipy_minimize(f, space, n_calls=60, random_state=0)
    assert isinstance(res, OptimizeResult)
    assert set(res) >= {"x", "fun", "func_vals", "x_iters", "models", "space", "specs", "random_state"}
    assert isinstance(res.func_vals, np.ndarray) and res.func_vals.shape == (60,)
    assert all(type(x) is list for x in res.x_iters) and len(res.x_iters) == 60
    for x in res.x_iters + [res.x]:
        assert [type(v) for v in x] == [float, int, str] and x in Space(space)
    assert res.fun == f(res.x) == res.func_vals.min()
    assert res.models == [] and isinstance(res.space, Space) and res.space == Space(space)
    assert res.specs["function"] == "scipy_minimize" and res.specs["args"]["n_calls"] == 60
    assert isinstance(res.random_state, np.random.RandomState)
    assert res.fun < 1.0


def test_same_random_state_same_run_and_n_calls_is_respected(no_thread_leak):
    runs = [scipy_minimize(objective, UNIT, "dual_annealing", n_calls=37, random_state=9) for _ in range(2)]
    assert runs[0].x_iters == runs[1].x_iters and len(runs[0].x_iters) == 37
    assert runs[0].scipy_result is None  # stopped before scipy finished
    other = scipy_minimize(objective, UNIT, "dual_annealing", n_calls=37, random_state=10)
    assert other.x_iters != runs[0].x_iters


def test_callbacks_get_the_partial_result_and_can_stop(no_thread_leak):
    seen = []

    def record(res):
        seen.append((len(res.x_iters), res.fun))

    def enough(res):
        return len(res.func_vals) >= 15

    res = scipy_minimize(objective, UNIT, "direct", n_calls=50, callback=[record, enough])
    assert len(res.x_iters) == 15 and [n for n, _ in seen] == list(range(1, 16))
    assert [f for _, f in seen] == list(np.minimum.accumulate(res.func_vals))


def test_parallel_evaluation_of_a_generation(no_thread_leak):
    threads = set()
    first_two = threading.Barrier(2, timeout=10)
    calls = itertools.count()

    def f(x):
        threads.add(threading.get_ident())
        if next(calls) < 2:
            first_two.wait()  # passes only when the first two points run at the same time
        return objective(x)

    kwargs = dict(method="differential_evolution", n_calls=80, random_state=1, popsize=10)
    parallel = scipy_minimize(f, UNIT, n_jobs=2, **kwargs)
    serial = scipy_minimize(objective, UNIT, updating="deferred", **kwargs)
    assert parallel.x_iters == serial.x_iters
    assert len(threads) == 2
    with pytest.raises(ValueError, match="updating"):
        scipy_minimize(objective, UNIT, n_jobs=2, updating="immediate", **kwargs)


@pytest.mark.parametrize("method", ["differential_evolution", "dual_annealing"])
def test_x0_is_scipys_starting_point(method, no_thread_leak):
    space = [Real(-5.0, 5.0), Integer(0, 10)]
    res = scipy_minimize(lambda x: x[0] ** 2 + x[1], space, method, n_calls=5, x0=[1.5, 7], random_state=0)
    assert res.x_iters[0] == [1.5, 7]


def test_x0_for_a_method_without_starting_point_is_refused():
    with pytest.raises(ValueError, match="x0"):
        scipy_minimize(objective, UNIT, "direct", x0=[0.5, 0.5])


def test_non_finite_values_are_kept_and_the_best_is_finite(no_thread_leak):
    def f(x):
        return math.nan if x[0] > 0.6 else (math.inf if x[1] > 0.8 else objective(x))

    res = scipy_minimize(f, UNIT, "differential_evolution", n_calls=60, random_state=0, popsize=5)
    assert np.isnan(res.func_vals).any() and np.isinf(res.func_vals).any()
    assert math.isfinite(res.fun) and res.fun == np.nanmin(res.func_vals[np.isfinite(res.func_vals)])
    assert res.x[0] <= 0.6


@pytest.mark.parametrize("error", [ZeroDivisionError, KeyboardInterrupt])
def test_an_error_in_func_propagates_and_leaves_no_thread(error, no_thread_leak):
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 7:
            raise error("objective broke")
        return objective(x)

    with pytest.raises(error):
        scipy_minimize(f, UNIT, "dual_annealing", n_calls=50, random_state=0)
    with pytest.raises(error):
        calls.clear()
        scipy_minimize(f, UNIT, "differential_evolution", n_calls=50, n_jobs=2, random_state=0)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(n_calls=0), ValueError, "n_calls"),
        (dict(method="bfgs"), ValueError, "method"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
        (dict(rng=3), ValueError, "random_state"),
        (dict(callback=3), ValueError, "callback"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        scipy_minimize(objective, UNIT, **kwargs)


@pytest.mark.parametrize("value", ["1.0", [1.0, 2.0], None])
def test_func_must_return_a_scalar(value, no_thread_leak):
    with pytest.raises((TypeError, ValueError), match="func must return"):
        scipy_minimize(lambda x: value, UNIT, "direct", n_calls=3)


def test_verbose_prints_each_call(capsys, no_thread_leak):
    scipy_minimize(objective, UNIT, "direct", n_calls=3, verbose=True)
    out = capsys.readouterr().out
    assert out.count("Function value obtained") == 3 and "Iteration No: 3 ended" in out
