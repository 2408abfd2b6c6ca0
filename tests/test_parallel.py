"""The evaluation back-ends drivers share (asktell.parallel)."""

import concurrent.futures as cf
import os
import pickle

import pytest

from asktell.parallel import (
    FuturesEvaluator,
    InlineEvaluator,
    Outcome,
    WorkerLost,
    as_evaluator,
    capture,
    resolve_n_jobs,
)


def _square(x):
    return x * x


def _die(_):
    os._exit(3)


def test_capture_returns_values_and_errors_as_outcomes():
    ok = capture(_square, 3)
    assert ok.ok and ok.value == 9 and ok.seconds >= 0 and ok.error is None
    bad = capture(int, "x")
    assert not bad.ok and isinstance(bad.value, ValueError) and bad.error.startswith("ValueError: invalid literal")
    assert pickle.loads(pickle.dumps(bad)).error == bad.error
    assert isinstance(pickle.loads(pickle.dumps(ok)), Outcome)


def test_resolve_n_jobs():
    assert resolve_n_jobs(3) == 3
    assert resolve_n_jobs(-1) == (os.cpu_count() or 1)
    assert resolve_n_jobs(-1000) == 1
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs must be a non-zero int"):
            resolve_n_jobs(bad)


def test_as_evaluator_picks_the_back_end(no_thread_leak):
    assert isinstance(as_evaluator(None, 1), InlineEvaluator)
    with as_evaluator(None, 3) as owned:
        assert isinstance(owned, FuturesEvaluator) and owned.own and owned.n_workers == 3
        handles = [owned.submit(capture, _square, i) for i in range(6)]
        done = []
        while handles:
            for h in owned.wait(handles):
                handles.remove(h)
                done.append(owned.result(h).value)
        assert sorted(done) == [0, 1, 4, 9, 16, 25]
    with cf.ThreadPoolExecutor(2) as pool:
        users = as_evaluator(pool)
        assert not users.own and users.n_workers == 2
        users.close()  # a user's executor is left running
        assert pool.submit(_square, 4).result() == 16
    with pytest.raises(TypeError, match="executor must be"):
        as_evaluator(object())


def test_a_dead_process_is_a_lost_worker_and_an_owned_pool_is_replaced(no_thread_leak):
    with as_evaluator(None, 2, processes=True) as owned:
        handle = owned.submit(_die, 0)
        owned.wait([handle])
        with pytest.raises(WorkerLost, match="BrokenProcessPool"):
            owned.result(handle)
        again = owned.submit(capture, _square, 5)  # a fresh pool takes the work
        assert owned.result(again).value == 25
    with cf.ProcessPoolExecutor(1) as pool:
        users = as_evaluator(pool)
        handle = users.submit(_die, 0)
        users.wait([handle])
        with pytest.raises(WorkerLost):
            users.result(handle)
        with pytest.raises(WorkerLost, match="broken and cannot take work"):
            users.submit(_square, 2)
