"""The one run loop (asktell._loop) under every front-end: parallel evaluation, batches, policies."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import asktell
from asktell import AutoOptimizer, Real
from asktell._loop import Budget, Driver, ErrorPolicy, run_loop
from asktell.hyper import HyperOptimizer
from asktell.optimizer.smbo import _run
from asktell.trial import Trial, TrialState

SPACE = [Real(-2.0, 2.0), Real(-2.0, 2.0)]


def sphere(x):
    return float(x[0] ** 2 + x[1] ** 2)


class _Overlap:
    """An objective that records how many of its calls ran at once."""

    def __init__(self, delay=0.05):
        self.delay = delay
        self.lock = threading.Lock()
        self.running = self.most = 0

    def __call__(self, x):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.delay)
        with self.lock:
            self.running -= 1
        return sphere(x)


@pytest.mark.parametrize("front_end", ["minimize", "gp_minimize", "scipy_minimize"])
def test_every_minimize_front_end_evaluates_in_parallel(front_end, no_thread_leak):
    f = _Overlap()
    if front_end == "minimize":
        res = asktell.minimize(f, SPACE, n_calls=10, n_jobs=3, random_state=0)
    elif front_end == "gp_minimize":
        with ThreadPoolExecutor(3) as pool:
            res = asktell.gp_minimize(f, SPACE, n_calls=10, n_initial_points=4, random_state=0, executor=pool,
                                      acq_optimizer="sampling", n_points=200)
    else:
        res = asktell.scipy_minimize(f, SPACE, "differential_evolution", n_calls=10, n_jobs=3, random_state=0,
                                     popsize=3)
    assert f.most >= 2
    assert len(res.x_iters) == 10 and len({tuple(x) for x in res.x_iters}) == 10
    assert res.fun == min(res.func_vals) == sphere(res.x)


def test_parallel_minimize_asks_whole_batches_of_distinct_points(no_thread_leak):
    batches = []

    class Spy(AutoOptimizer):
        def ask_trials(self, n, strategy="cl_min", repeat=False):
            batches.append(n)
            return super().ask_trials(n, strategy, repeat)

    opt = Spy(SPACE, n_initial_points=4, random_state=1)
    driver_result = _run(opt, _Overlap(0.01), 9, [], None, [], "raise", {"function": "t", "args": {}},
                                      n_jobs=3)
    assert batches[0] == 3 and sum(batches) == 9
    assert len(driver_result.x_iters) == 9


def test_a_study_with_several_jobs_asks_its_optimizer_in_batches(no_thread_leak):
    batches = []

    class Spy(AutoOptimizer):
        def ask_trials(self, n, strategy="cl_min", repeat=False):
            batches.append(n)
            return super().ask_trials(n, strategy, repeat)

    with asktell.create_study(space=SPACE, optimizer=Spy(SPACE, n_initial_points=4, random_state=0)) as study:
        study.optimize(_Overlap(0.02), n_trials=8, n_jobs=4)
        assert batches[0] == 4 and len(study.trials) == 8
        assert all(t.state is TrialState.COMPLETE for t in study.trials)
        assert len({tuple(t.x) for t in study.trials}) == 8


def test_hyper_optimizer_runs_on_an_executor_through_the_loop(no_thread_leak):
    f = _Overlap(0.02)
    space = {"a": {"x": Real(-1.0, 1.0)}, "b": {"x": Real(-1.0, 1.0)}}
    with ThreadPoolExecutor(3) as pool:
        opt = HyperOptimizer(space, optlib="random", max_trials=9, executor=pool, random_state=0)
        best = opt.run(lambda method, x: f([x, 0.0]))
    assert f.most >= 2 and len(opt.trials) == 9 and best.score == min(t.value for t in opt.trials)


# ---------------------------------------------------------------- the loop itself
class _Listed(Driver):
    """Trials of a list of points; records what the loop tells it."""

    def __init__(self, points, func):
        self.points = list(points)
        self.func = func
        self.trials = []
        self.released = []

    def ask(self, n):
        if not self.points:
            return None
        batch, self.points = self.points[:n], self.points[n:]
        trials = [Trial(len(self.trials) + i, p) for i, p in enumerate(batch)]
        self.trials += trials
        return trials

    def call(self, trial):
        return self.func, (trial.x,)

    def tell(self, trial, value, seconds):
        if not isinstance(value, float):
            raise TypeError(f"not a number: {value!r}")
        trial.value, trial.state = value, TrialState.COMPLETE if value == value else TrialState.FAIL
        if value != value:
            trial.info["error"] = "the objective returned nan"
        return trial

    def fail(self, trial, error, seconds):
        trial.state, trial.info["error"] = TrialState.FAIL, error
        return trial

    def release(self, trial, reason, started):
        self.released.append((trial.number, reason))


def _values(x):
    if x == 2:
        raise KeyError("two")
    return {3: float("nan"), 4: "four"}.get(x, float(x))


def test_error_policy_records_raises_or_warns_as_told():
    driver = _Listed(range(6), _values)
    assert run_loop(driver, Budget(), ErrorPolicy(catch=(Exception,))) == 6
    assert [t.state for t in driver.trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL] * 3 + [
        TrialState.COMPLETE]
    assert driver.trials[2].info["error"] == "KeyError: 'two'" and "not a number" in driver.trials[4].info["error"]

    driver = _Listed(range(6), _values)
    with pytest.raises(KeyError):
        run_loop(driver, Budget(), ErrorPolicy())
    assert len(driver.trials) == 3 and driver.trials[2].state is TrialState.FAIL

    driver = _Listed(range(6), _values)
    with pytest.raises(ValueError, match=r"trial 3 at x=3: the objective returned nan\. do this"):
        run_loop(driver, Budget(), ErrorPolicy(catch=(KeyError, TypeError), non_finite="raise", advice="do this"))

    driver = _Listed(range(6), _values)
    with pytest.warns(RuntimeWarning, match="trial 3: the objective returned nan; recorded as failed"):
        run_loop(driver, Budget(), ErrorPolicy(catch=(Exception,), non_finite="warn"))


def test_budget_stop_and_exhaustion():
    driver = _Listed(range(10), float)
    assert run_loop(driver, Budget(trials=4), ErrorPolicy()) == 4 and len(driver.trials) == 4
    driver = _Listed(range(3), float)
    assert run_loop(driver, Budget(trials=10), ErrorPolicy()) == 3  # exhausted: stops cleanly
    driver = _Listed(range(10), float)
    driver.finished = lambda trial: trial.number == 5
    assert run_loop(driver, Budget(), ErrorPolicy()) == 6
    driver = _Listed(range(10), lambda x: time.sleep(0.05) or float(x))
    assert run_loop(driver, Budget(seconds=0.12), ErrorPolicy()) < 10


def test_trials_in_flight_are_released_or_drained_when_the_run_stops(no_thread_leak):
    def slow_or_broken(x):
        if x == 0:
            time.sleep(0.05)  # the other trial has started by then
            raise RuntimeError("first fails")
        time.sleep(0.3)
        return float(x)

    for drain in (False, True):
        driver = _Listed(range(4), slow_or_broken)
        with pytest.raises(RuntimeError, match="first fails"):
            run_loop(driver, Budget(), ErrorPolicy(drain=drain), n_jobs=2)
        if drain:  # the trial running beside the failed one is waited for and recorded
            assert driver.trials[1].state is TrialState.COMPLETE and not driver.released
        else:
            assert driver.released == [(1, "interrupted before its result came")]
