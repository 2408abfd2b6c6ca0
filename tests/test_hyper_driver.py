"""HyperOptimizer: the trial loop, executors, pre-dispatch, errors and results."""

import math
import multiprocessing
import os
import sys
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import pytest

from asktell import TrialState
from asktell.hyper import HyperBest, HyperOptimizer, RandomOptLib, register_optlib
from asktell.hyper.optlib import _OPTLIBS

SPACE = {
    "fast": {"x": (-2.0, 2.0)},
    "slow": {"x": (-2.0, 2.0), "n": (1, 3)},
    "none": {},
}


def quadratic(method, x=0.0, n=1):
    return {"fast": 0.0, "slow": 0.5, "none": 3.0}[method] + (x - 0.5) ** 2 + 0.1 * (n - 1)


def timed(method, x=0.0, n=1):
    """For process pools: a short sleep, with where and when it ran."""
    start = time.time()
    time.sleep(0.15)
    return {"score": quadratic(method, x, n), "pid": os.getpid(), "start": start, "end": time.time()}


def test_serial_run_records_every_trial():
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=25, random_state=0)
    best = opt.run(quadratic)
    assert isinstance(best, HyperBest) and best == opt.best
    assert [t.number for t in opt.trials] == list(range(25))
    assert all(t.state is TrialState.COMPLETE for t in opt.trials)
    assert {t.info["method"] for t in opt.trials} == set(SPACE)
    for t in opt.trials:
        assert t.value == quadratic(t.info["method"], **t.params)
        assert t.info["duration"] >= 0
        assert t.x == list(t.params.values())
    assert best.score == min(t.value for t in opt.trials)
    assert type(best.score) is float and best.method in SPACE
    assert opt.pre_dispatch == 1 and opt.n_workers == 1


def test_same_seed_same_trials():
    def trials(seed):
        opt = HyperOptimizer(SPACE, optlib="cmaes", max_trials=30, random_state=seed)
        opt.run(quadratic)
        return [(t.info["method"], t.params) for t in opt.trials]

    assert trials(3) == trials(3)
    assert trials(3) != trials(4)


def test_run_twice_continues_numbering_and_best():
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=5, random_state=0)
    first = opt.run(quadratic)
    second = opt.run(quadratic)
    assert [t.number for t in opt.trials] == list(range(10))
    assert second.score <= first.score


def test_dict_results_keep_their_fields():
    pd = pytest.importorskip("pandas")  # the dev extra installs it

    def objective(method, **p):
        return {"score": quadratic(method, **p), "flops": 10.0 ** len(p), "tag": method.upper()}

    opt = HyperOptimizer(SPACE, optlib="random", max_trials=9, random_state=1)
    opt.run(objective)
    assert all(t.info["tag"] == t.info["method"].upper() for t in opt.trials)
    df = opt.trials_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == 9
    assert {"number", "method", "state", "score", "duration", "params_x", "params_n", "flops", "tag"} <= set(df.columns)
    row = df[df.method == "none"].iloc[0]
    assert math.isnan(row.params_x) and row.flops == 1.0 and row.state == "COMPLETE"


def test_trials_dataframe_without_pandas(monkeypatch):
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=2)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        opt.trials_dataframe()


def _failing_on(numbers, exc=RuntimeError):
    calls = []

    def objective(method, **p):
        calls.append(method)
        if len(calls) - 1 in numbers:
            raise exc(f"boom {len(calls) - 1}")
        return quadratic(method, **p)

    return objective


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_on_trial_error_raise_stops_and_cleans_up(n_jobs, no_thread_leak):
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=20, n_jobs=n_jobs, pre_dispatch=1, random_state=0)
    with pytest.raises(RuntimeError, match="boom 3"):
        opt.run(_failing_on({3}))
    assert len(opt.trials) == 4
    assert [t.state for t in opt.trials] == [TrialState.COMPLETE] * 3 + [TrialState.FAIL]
    assert "RuntimeError: boom 3" in opt.trials[3].info["error"]
    assert opt.optlib_.selector.in_flight == [0, 0, 0]


def test_raise_waits_for_running_trials(no_thread_leak):
    def objective(method, **p):
        if threading.current_thread().name.endswith("_0") and not getattr(objective, "failed", False):
            objective.failed = True
            time.sleep(0.05)
            raise ValueError("first worker fails")
        time.sleep(0.2)
        return quadratic(method, **p)

    opt = HyperOptimizer(SPACE, optlib="random", max_trials=10, n_jobs=2, random_state=0)
    with pytest.raises(ValueError, match="first worker fails"):
        opt.run(objective)
    states = [t.state for t in opt.trials]
    assert TrialState.RUNNING not in states
    assert states.count(TrialState.FAIL) >= 1 and states.count(TrialState.COMPLETE) >= 1
    done = [t for t in opt.trials if t.state is TrialState.COMPLETE]
    assert all(t.value == quadratic(t.info["method"], **t.params) for t in done)


def test_on_trial_error_warn_and_ignore_go_on(no_thread_leak):
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=12, on_trial_error="warn", random_state=0)
    with pytest.warns(RuntimeWarning) as record:
        opt.run(_failing_on({2, 5}))
    messages = [str(w.message) for w in record]
    assert len(messages) == 2 and "trial 2 (" in messages[0] and "failed: RuntimeError('boom 5')" in messages[1]
    assert [t.number for t in opt.trials if t.state is TrialState.FAIL] == [2, 5]
    assert len(opt.trials) == 12 and opt.best is not None

    opt = HyperOptimizer(SPACE, optlib="random", max_trials=12, on_trial_error="ignore", random_state=0, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.run(_failing_on({0, 1, 2}))
    assert sum(t.state is TrialState.FAIL for t in opt.trials) == 3


def test_every_trial_failing_leaves_no_best():
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=5, on_trial_error="ignore")
    assert opt.run(_failing_on(set(range(5)))) is None
    assert opt.best is None


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_scores_fail_the_trial_without_stopping(bad):
    def objective(method, **p):
        return bad if method == "fast" else quadratic(method, **p)

    opt = HyperOptimizer(SPACE, optlib="random", max_trials=10, random_state=0)
    with pytest.warns(RuntimeWarning, match="recorded as failed"):
        best = opt.run(objective)
    fails = [t for t in opt.trials if t.state is TrialState.FAIL]
    assert fails and all(t.info["method"] == "fast" for t in fails)
    assert best.method != "fast" and math.isfinite(best.score)


def test_a_bad_return_type_is_a_trial_error():
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=3)
    with pytest.raises(TypeError, match="must return a number"):
        opt.run(lambda method, **p: "zero")
    with pytest.raises(TypeError, match="must include 'score'"):
        HyperOptimizer(SPACE, optlib="random", max_trials=3).run(lambda method, **p: {"loss": 1.0})


def test_keyboard_interrupt_in_an_inline_trial(no_thread_leak):
    opt = HyperOptimizer(SPACE, optlib="random", max_trials=10)
    with pytest.raises(KeyboardInterrupt):
        opt.run(_failing_on({2}, exc=KeyboardInterrupt))
    assert [t.state for t in opt.trials] == [TrialState.COMPLETE] * 2 + [TrialState.FAIL]


def test_thread_pool_runs_trials_concurrently(no_thread_leak):
    active, peak, lock = [0], [0], threading.Lock()

    def objective(method, **p):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return quadratic(method, **p)

    opt = HyperOptimizer(SPACE, optlib="cmaes", max_trials=16, n_jobs=3, random_state=0)
    assert opt.pre_dispatch == 4
    opt.run(objective)
    assert peak[0] == 3 and len(opt.trials) == 16
    assert all(t.state is TrialState.COMPLETE for t in opt.trials)


class _CountingOptLib(RandomOptLib):
    """Random search that records how many settings are out at once."""

    def setup(self, *args, **kwargs):
        super().setup(*args, **kwargs)
        self.out = self.peak = 0

    def get_setting(self):
        self.out += 1
        self.peak = max(self.peak, self.out)
        return super().get_setting()

    def report_result(self, setting, trial, score):
        self.out -= 1
        super().report_result(setting, trial, score)


def test_process_pool_pre_dispatch():
    register_optlib("counting", _CountingOptLib)
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            pool.submit(time.sleep, 0).result()  # workers up before timing
            opt = HyperOptimizer(SPACE, optlib="counting", max_trials=10, executor=pool, pre_dispatch=4, random_state=0)
            assert opt.n_workers == 2
            opt.run(timed)
            # the driver never shuts down an executor it was given
            assert pool.submit(abs, -3).result() == 3
    finally:
        del _OPTLIBS["counting"]
    assert opt.optlib_.peak == 4 and opt.optlib_.out == 0
    assert all(t.state is TrialState.COMPLETE for t in opt.trials)
    assert len({t.info["pid"] for t in opt.trials}) == 2
    spans = sorted((t.info["start"], t.info["end"]) for t in opt.trials)
    overlaps = sum(a_end > b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert overlaps >= 3
    assert all(t.value == quadratic(t.info["method"], **t.params) for t in opt.trials)


def test_max_time_stops_asking():
    def objective(method, **p):
        time.sleep(0.03)
        return quadratic(method, **p)

    opt = HyperOptimizer(SPACE, optlib="random", max_trials=None, max_time=0.3, random_state=0)
    start = time.monotonic()
    opt.run(objective)
    assert time.monotonic() - start < 0.6
    assert 4 <= len(opt.trials) <= 11


def test_durations_reach_the_selector():
    def objective(method, **p):
        time.sleep(0.03 if method == "slow" else 0.0)
        return quadratic(method, **p)

    opt = HyperOptimizer(SPACE, optlib="random", max_trials=6, random_state=0, cost_aware=True)
    opt.run(objective)
    fast, slow, _ = opt.optlib_.selector.mean_durations
    assert slow >= 0.03 and fast < 0.03
    assert opt.optlib_.selector.cost_aware


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(max_trials=0), ValueError, "max_trials"),
        (dict(max_trials=2.5), ValueError, "max_trials"),
        (dict(max_time=-1), ValueError, "max_time"),
        (dict(max_trials=None), ValueError, "max_trials or max_time"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
        (dict(executor=object()), TypeError, "executor"),
        (dict(pre_dispatch=0), ValueError, "pre_dispatch"),
        (dict(on_trial_error="explode"), ValueError, "on_trial_error"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        HyperOptimizer(SPACE, optlib="random", **kwargs)


def test_bad_objective_and_options():
    with pytest.raises(TypeError, match="objective must be callable"):
        HyperOptimizer(SPACE, optlib="random").run(42)
    with pytest.raises(TypeError, match="unknown options \\['depth'\\]"):
        HyperOptimizer(SPACE, optlib="random", depth=3).run(quadratic)


def test_scipy_threads_stop_after_an_objective_error(no_thread_leak):
    opt = HyperOptimizer(SPACE, optlib="scipy", max_trials=20, random_state=0)
    with pytest.raises(RuntimeError, match="boom 6"):
        opt.run(_failing_on({6}))
    assert opt.trials[6].state is TrialState.FAIL
    # and a full run leaves nothing behind either
    best = HyperOptimizer(SPACE, optlib="scipy", max_trials=30, random_state=0).run(quadratic)
    assert best.score < 1.0
