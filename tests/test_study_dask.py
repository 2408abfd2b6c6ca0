"""Distributed evaluation on a real Dask LocalCluster (loopback), a worker killed mid-trial."""

import os
import threading
from functools import partial

import pytest

from asktell import create_study
from test_study_support import SPACE, dies_once, sphere

distributed = pytest.importorskip("distributed", reason="Dask evaluation needs the 'dask' extra")


@pytest.fixture(scope="module")
def cluster():
    import dask

    # a task whose worker dies is not retried by Dask itself: the study's own
    # recovery (requeue and rerun) is what is tested
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=50,
        ) as lc, distributed.Client(lc) as client:
            yield client


def test_dask_run_survives_a_worker_killed_mid_trial(tmp_path, cluster):
    marker = str(tmp_path / "killed")
    study = create_study("d", f"sqlite:///{tmp_path / 's.db'}", SPACE, optimizer="random", random_state=2)
    study.optimize(partial(dies_once, marker=marker), n_trials=12, executor=cluster)
    trials = study.trials
    assert os.path.exists(marker), "no worker was killed"
    assert len(trials) == 12
    assert all(t.state == "COMPLETE" for t in trials)
    assert all(t.value == pytest.approx(sphere(t.x)) for t in trials)
    rerun = [t for t in trials if t.info["attempts"] > 1]
    assert len(rerun) == 1 and "worker lost" in rerun[0].info["lost"][0]["reason"]
    assert len({tuple(t.x) for t in trials}) == 12
    study.close()
    # the cluster restarts its worker with threads of its own; none of the study's remain
    assert not [t.name for t in threading.enumerate() if t.name.startswith("asktell")]


def test_dask_keeps_n_jobs_trials_in_flight(tmp_path, cluster, no_thread_leak):
    from asktell.parallel import DaskEvaluator

    cluster.wait_for_workers(2, timeout=60)  # the worker killed above comes back
    assert DaskEvaluator(cluster).n_workers == 2
    study = create_study("n", None, SPACE, optimizer="random", random_state=0)
    study.optimize(sphere, n_trials=6, executor=cluster, n_jobs=3)
    assert len(study.trials) == 6 and all(t.state == "COMPLETE" for t in study.trials)
    study.close()


def test_every_front_end_evaluates_on_dask(cluster):
    # the one run loop gives gp_minimize & co., minimize, scipy_minimize and HyperOptimizer Dask too
    import asktell
    from asktell.hyper import HyperOptimizer

    res = asktell.minimize(sphere, SPACE, n_calls=8, executor=cluster, random_state=0)
    assert len(res.x_iters) == 8 and len({tuple(x) for x in res.x_iters}) == 8
    assert res.fun == min(res.func_vals) == pytest.approx(sphere(res.x))
    res = asktell.scipy_minimize(sphere, SPACE, "differential_evolution", n_calls=8, executor=cluster,
                                 random_state=0, popsize=2)
    assert len(res.x_iters) == 8
    opt = HyperOptimizer({"a": {"x": (-1.0, 1.0)}}, optlib="random", max_trials=6, executor=cluster, random_state=0)
    assert opt.run(partial(_by_method, sphere)).score == min(t.value for t in opt.trials)


def _by_method(f, method, x):
    return f([x, x, 0.5])
