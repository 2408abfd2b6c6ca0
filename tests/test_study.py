"""Study: ask/tell bookkeeping, optimize, results, errors (in memory and SQLite)."""

import concurrent.futures as cf
import math
import os
import warnings

import numpy as np
import pytest

from asktell import Study, create_study, load_study
from asktell.storage import DuplicatedStudyError, StudyNotFoundError
from test_study_support import MIXED, SPACE, TinyOptimizer, TinyStateOptimizer, sphere

TINY = "test_study_support:tiny"


def make(storage=None, name="s", space=SPACE, seed=0, **kwargs):
    return create_study(name, storage, space, optimizer=TINY, random_state=seed, **kwargs)


def test_optimize_records_every_trial_with_its_value(no_thread_leak):
    study = make()
    study.optimize(sphere, n_trials=12)
    trials = study.trials
    assert [t.number for t in trials] == list(range(12))
    assert all(t.state == "COMPLETE" and t.value == sphere(t.x) for t in trials)
    assert all(t.params == dict(zip("abc", t.x)) for t in trials)
    best = study.best_trial
    assert best.value == min(t.value for t in trials)
    assert study.best_params == best.params and study.best_value == best.value
    # n_trials counts this call's own trials
    study.optimize(sphere, n_trials=3)
    assert len(study.trials) == 15
    study.close()


def test_result_is_an_optimize_result_like_gp_minimize():
    study = make(space=MIXED)
    study.optimize(lambda x: x[0] ** 2 + x[1] + (x[2] == "x"), n_trials=9)
    res = study.result()
    assert res.fun == study.best_value and res.x == study.best_trial.x
    assert res.func_vals.shape == (9,) and len(res.x_iters) == 9
    assert res.space == study.space and res.random_state == 0
    assert isinstance(res.x[1], int) and not isinstance(res.x[1], np.integer)
    assert res.specs["function"] == "Study.optimize"
    study.close()


def test_manual_ask_and_tell():
    study = make()
    a, b = study.ask(), study.ask()
    assert (a.number, b.number) == (0, 1) and a.x != b.x
    assert [t.state for t in study.trials] == ["RUNNING", "RUNNING"]
    assert study.tell(b, 2.5).state == "COMPLETE"
    assert study.tell(a.number, (1.5, 0.2)).value == 1.5  # (value, seconds) of cost-aware acquisitions
    with pytest.raises(ValueError, match="already finished"):
        study.tell(a, 3.0)
    with pytest.raises(ValueError, match="trial 7 does not exist"):
        study.tell(7, 1.0)
    c = study.ask()
    failed = study.fail(c, RuntimeError("simulator crashed"))
    assert failed.state == "FAIL" and failed.info["error"] == "RuntimeError: simulator crashed"
    with pytest.raises(TypeError, match="must return a float"):
        study.tell(study.ask(), "high")
    with pytest.raises(ValueError, match=r"needs value= \(a float\) or error="):
        study.tell(study.trials[-1], None)
    study.close()


def test_nan_and_inf_fail_the_trial_without_reaching_the_optimizer():
    values = iter([1.0, float("nan"), float("inf"), 2.0])
    study = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study.optimize(lambda x: next(values), n_trials=4)
    assert [t.state for t in study.trials] == ["COMPLETE", "FAIL", "FAIL", "COMPLETE"]
    assert "not finite" in study.trials[1].info["error"]
    assert sum("not finite" in str(w.message) for w in caught) == 2
    told = study.optimizer.trials
    assert [t.state for t in told] == ["COMPLETE", "FAIL", "FAIL", "COMPLETE"]
    study.close()


def test_objective_error_is_stored_then_raised_unless_caught(no_thread_leak):
    def flaky(x):
        if x[0] > 0:
            raise ArithmeticError("bad region")
        return sphere(x)

    study = make()
    with pytest.raises(ArithmeticError, match="bad region"):
        study.optimize(flaky, n_trials=20)
    assert study.trials[-1].state == "FAIL" and "ArithmeticError: bad region" in study.trials[-1].info["error"]
    study2 = make(name="caught")
    study2.optimize(flaky, n_trials=20, catch=(ArithmeticError,))
    states = [t.state for t in study2.trials]
    assert len(states) == 20 and "FAIL" in states and "COMPLETE" in states
    study.close()
    study2.close()


def test_callbacks_and_stop():
    seen = []
    study = make()
    study.optimize(sphere, n_trials=50, callbacks=[lambda s, t: seen.append(t.number) or t.number == 4])
    assert seen == [0, 1, 2, 3, 4] and len(study.trials) == 5
    study.optimize(sphere, callbacks=[lambda s, t: s.stop() if len(s.trials) >= 8 else None])
    assert len(study.trials) == 8
    study.close()


def test_timeout_starts_no_trial_after_it():
    import time

    study = make()
    study.optimize(lambda x: time.sleep(0.05) or sphere(x), timeout=0.3)
    assert 3 <= len(study.trials) <= 8
    study.close()


@pytest.mark.parametrize("how", ["n_jobs", "thread_pool"])
def test_threads_evaluate_in_parallel(no_thread_leak, how):
    import threading
    import time

    running, peak = [0], [0]
    lock = threading.Lock()

    def slow(x):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return sphere(x)

    study = make()
    if how == "n_jobs":
        study.optimize(slow, n_trials=16, n_jobs=4)
    else:
        with cf.ThreadPoolExecutor(4) as pool:
            study.optimize(slow, n_trials=16, executor=pool)
    assert peak[0] == 4
    assert len(study.trials) == 16 and all(t.state == "COMPLETE" for t in study.trials)
    assert len({tuple(t.x) for t in study.trials}) == 16
    study.close()


def _suicidal(x, marker):
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)  # the worker process dies mid-trial
    return sphere(x)


def test_process_pool_worker_death_reruns_the_trial(tmp_path, no_thread_leak):
    from functools import partial

    from asktell.parallel import as_evaluator

    study = make(f"sqlite:///{tmp_path / 's.db'}")
    pool = as_evaluator(None, n_jobs=2, processes=True)  # owned: replaced when it breaks
    study.optimize(partial(_suicidal, marker=str(tmp_path / "m")), n_trials=6, executor=pool)
    trials = study.trials
    assert len(trials) == 6 and all(t.state == "COMPLETE" for t in trials)
    rerun = [t for t in trials if t.info["attempts"] > 1]
    assert rerun and all("worker lost" in t.info["lost"][0]["reason"] for t in rerun)
    study.close()


def test_users_broken_pool_stops_the_run_and_loses_nothing(tmp_path, no_thread_leak):
    from functools import partial

    from asktell.parallel import WorkerLost

    study = make(f"sqlite:///{tmp_path / 's.db'}")
    with cf.ProcessPoolExecutor(2) as pool:
        with pytest.raises(WorkerLost, match="broken"):
            study.optimize(partial(_suicidal, marker=str(tmp_path / "m")), n_trials=6, executor=pool)
    requeued = [t for t in study.trials if t.info.get("requeued")]
    assert requeued and all(t.state == "FAIL" for t in requeued)
    assert all(t.state == "COMPLETE" for t in study.trials if not t.info.get("requeued"))
    n_first = len(study.trials)
    study.optimize(sphere, n_trials=6)  # the queued trials run first, counted among the 6
    trials = study.trials
    assert all(t.state == "COMPLETE" for t in trials)
    assert len(trials) == n_first + 6 - len(requeued)
    # attempts count evaluations started: one per loss, plus the run that finished
    assert all(trials[t.number].info["attempts"] == len(t.info.get("lost", [])) + 1 for t in requeued)
    study.close()


def test_state_replay_matches_log_replay(tmp_path):
    """Two workers interleaved on one file: an optimizer that adopts trials and
    one that re-proposes them end with the same trials."""
    runs = {}
    for kind, cls in (("log", TinyOptimizer), ("state", TinyStateOptimizer)):
        url = f"sqlite:///{tmp_path / kind}.db"
        w1 = create_study("s", url, SPACE, optimizer=cls(SPACE, 5))
        w2 = create_study("s", url, SPACE, optimizer=cls(SPACE, 5), load_if_exists=True)
        for _ in range(6):
            t1, t2 = w1.ask(), w2.ask()
            w2.tell(t2, sphere(t2.x))
            w1.tell(t1, sphere(t1.x))
        runs[kind] = [(t.number, t.x, t.value) for t in w1.trials]
        if kind == "state":
            opt = w1.optimizer
            assert opt.adopted == 6  # w2's asks were adopted, not re-proposed
        w1.close()
        w2.close()
    assert runs["log"] == runs["state"]


def test_progress_bar(capsys):
    pytest.importorskip("tqdm", reason="progress bars need the 'progress' extra")
    study = make()
    study.optimize(sphere, n_trials=7, progress=True)
    err = capsys.readouterr().err
    assert "7/7" in err and "best=" in err
    study.close()


# ------------------------------------------------------------------ bad input
def test_bad_input_gives_clear_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with pytest.raises(ValueError, match="unknown optimizer 'bogus'.*choose one of"):
        create_study("a", url, SPACE, optimizer="bogus")
    with pytest.raises(ValueError, match="cannot import 'nomodule'"):
        create_study("a", url, SPACE, optimizer="nomodule:f")
    make(url, name="a")
    with pytest.raises(DuplicatedStudyError, match="exists already"):
        make(url, name="a")
    with pytest.raises(ValueError, match="created with another space"):
        make(url, name="a", space=SPACE[:2], load_if_exists=True)
    with pytest.raises(ValueError, match="created with random_state=0, not 3"):
        make(url, name="a", seed=3, load_if_exists=True)
    with pytest.raises(ValueError, match="created with optimizer 'test_study_support:tiny', not 'gp'"):
        create_study("a", url, SPACE, optimizer="gp", load_if_exists=True)
    with pytest.raises(StudyNotFoundError, match="no study named 'zzz'"):
        load_study("zzz", url)
    with pytest.raises(ValueError, match="a space is needed"):
        create_study("new", url)
    with pytest.raises(ImportError, match="pg8000"):
        create_study("a", "postgresql+pg8000://u@127.0.0.1:1/db", SPACE)
    with pytest.raises(ValueError, match="not supported"):
        create_study("a", "mongodb://h/db", SPACE)
    with pytest.raises(ValueError, match="grace_period"):
        make(name="b", heartbeat_interval=5, grace_period=1)
    with pytest.raises(TypeError, match="ask_trial"):
        create_study("c", None, SPACE, optimizer=object())
    with pytest.raises(ValueError, match="the optimizer searches"):
        create_study("c", None, SPACE, optimizer=TinyOptimizer(MIXED, 0))
    study = make(name="d")
    with pytest.raises(ValueError, match="n_trials must be"):
        study.optimize(sphere, n_trials=-1)
    with pytest.raises(TypeError, match="func must be callable"):
        study.optimize(None, n_trials=1)
    with pytest.raises(ValueError, match="n_jobs must be a non-zero int"):
        study.optimize(sphere, n_trials=1, n_jobs=0)
    with pytest.raises(TypeError, match="executor must be"):
        study.optimize(sphere, n_trials=1, executor="dask")
    study.close()


def test_unreplayable_optimizer_is_caught(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = create_study("r", url, SPACE, optimizer=TinyOptimizer(SPACE, 1))
    first.optimize(sphere, n_trials=3)
    first.close()
    from asktell.study._sync import ReplayError

    other = Study("r", url, optimizer=TinyOptimizer(SPACE, 2))  # another seed: other points
    with pytest.raises(ReplayError, match="does not replay the study"):
        other.ask()
    other.close()


def test_in_memory_storage_stays_in_its_process():
    import pickle

    study = make()
    with pytest.raises(TypeError, match="cannot leave its process"):
        pickle.dumps(study.storage)


def test_trials_dataframe():
    pd = pytest.importorskip("pandas")
    study = make(space=MIXED)
    study.optimize(lambda x: float(x[1]), n_trials=5)
    frame = study.trials_dataframe()
    assert list(frame["number"]) == list(range(5))
    assert {"params_a", "params_k", "params_c", "value", "state", "duration"} <= set(frame.columns)
    assert pd.api.types.is_datetime64_any_dtype(frame["datetime_start"])
    assert math.isclose(frame["value"].min(), study.best_value)
    study.close()


def test_ctrl_c_in_an_inline_objective_stores_the_trial_as_interrupted():
    study = make()
    calls = []

    def objective(x):
        calls.append(x)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return sphere(x)

    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=5)
    interrupted = study.trials[2]
    assert interrupted.info["error"] == "interrupted before its result came"
    assert interrupted.info["requeued"] and interrupted.info["attempts"] == 1
    study.optimize(sphere, n_trials=1)  # the next run evaluates it again first
    assert study.trials[2].state == "COMPLETE" and study.trials[2].x == calls[2]
    study.close()


def test_result_space_reads_points_as_the_models_do():
    """plot_objective and expected_minimum transform points with ``result.space``: it must carry
    the optimizer's transforms, or the models see other inputs than they were fitted on."""
    from asktell.utils import predict_objective

    study = create_study("m", None, SPACE[:2], optimizer="gp", random_state=0,
                         optimizer_kwargs={"n_initial_points": 3})
    study.optimize(lambda x: (x[0] - 0.5) ** 2 + x[1] ** 2, n_trials=6)
    res = study.result()
    fitted = predict_objective(res.models[-1], res.space.transform(res.x_iters))
    np.testing.assert_allclose(fitted, res.func_vals, atol=0.05)
    study.close()
