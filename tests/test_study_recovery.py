"""Crashes, resumes and lost workers, with real processes and a real SQLite file."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from asktell import create_study, load_study
from test_study_support import SPACE, TinyOptimizer, sphere

HERE = os.path.dirname(os.path.abspath(__file__))

WORKER = textwrap.dedent(
    """
    import sys, time, json, os
    from asktell import create_study
    from test_study_support import SPACE, sphere

    url, name, marker, slow_at, sleep = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    calls = []

    def objective(x):
        calls.append(x)
        if len(calls) == slow_at:
            with open(marker, "w") as fh:
                json.dump({"pid": os.getpid(), "x": x}, fh)
            time.sleep(sleep)
        return sphere(x)

    study = create_study(name, url, SPACE, optimizer="test_study_support:tiny", random_state=7,
                         load_if_exists=True, heartbeat_interval=0.2, grace_period=1.0)
    study.optimize(objective, n_trials=int(sys.argv[6]))
    study.close()
    """
)


def _start_worker(url, name, marker, slow_at, sleep, n_trials):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url, name, str(marker), str(slow_at), str(sleep), str(n_trials)],
        cwd=HERE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path) or os.path.getsize(path) == 0:
        if proc.poll() is not None:
            pytest.fail(f"worker exited early: {proc.stderr.read()}")
        assert time.monotonic() < deadline, "the worker never reached the slow trial"
        time.sleep(0.05)
    time.sleep(0.05)
    with open(path) as fh:
        return json.load(fh)


def _uninterrupted(n_trials):
    study = create_study("ref", None, SPACE, optimizer=TinyOptimizer(SPACE, 7), random_state=7)
    study.optimize(sphere, n_trials=n_trials)
    trials = study.trials
    study.close()
    return trials


def test_resume_proposes_the_point_the_uninterrupted_study_would(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = create_study("r", url, SPACE, optimizer="test_study_support:tiny", random_state=7)
    first.optimize(sphere, n_trials=8)
    first.close()
    resumed = load_study("r", url)
    nxt = resumed.ask()
    reference = _uninterrupted(9)
    assert nxt.number == 8
    assert nxt.x == reference[8].x
    resumed.tell(nxt, sphere(nxt.x))
    resumed.optimize(sphere, n_trials=4)
    assert [t.x for t in resumed.trials] == [t.x for t in _uninterrupted(13)]
    resumed.close()


def test_worker_killed_mid_trial_is_rerun_and_nothing_else_is_lost(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 's.db'}"
    marker = tmp_path / "marker.json"
    proc = _start_worker(url, "k", marker, slow_at=6, sleep=60, n_trials=10)
    info = _wait_for(marker, proc)
    os.kill(info["pid"], signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    before = {t.number: t for t in load_study("k", url).trials}
    assert sorted(before) == list(range(6))
    assert [before[n].state for n in range(5)] == ["COMPLETE"] * 5
    assert before[5].state == "RUNNING" and before[5].x == info["x"]

    study = load_study("k", url, grace_period=3600)  # a dead local process is noticed at once
    study.optimize(sphere, n_trials=5)
    after = {t.number: t for t in study.trials}
    study.close()

    # the killed trial ran again, in this process, at the same point
    rerun = after[5]
    assert rerun.state == "COMPLETE" and rerun.x == info["x"]
    assert rerun.info["attempts"] == 2
    assert rerun.info["lost"][0]["worker"] == before[5].info["worker"]
    assert "no longer runs" in rerun.info["lost"][0]["reason"]
    # every earlier result kept as it was
    for n in range(5):
        assert after[n].value == before[n].value
        assert after[n].info["datetime_complete"] == before[n].info["datetime_complete"]
    # and the study went on exactly as an uninterrupted one
    assert sorted(after) == list(range(10))
    assert [after[n].x for n in range(10)] == [t.x for t in _uninterrupted(10)]


def test_silent_worker_is_taken_over_after_the_grace_period_and_its_late_value_kept(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 's.db'}"
    marker = tmp_path / "marker.json"
    proc = _start_worker(url, "h", marker, slow_at=1, sleep=2.0, n_trials=1)
    info = _wait_for(marker, proc)
    os.kill(info["pid"], signal.SIGSTOP)  # alive, but its heartbeat stops
    try:
        study = load_study("h", url, grace_period=1.0, heartbeat_interval=0.2)
        assert study.trials[0].state == "RUNNING"
        time.sleep(1.5)
        study.optimize(sphere, n_trials=1)
        taken = study.trials[0]
        assert taken.state == "COMPLETE" and taken.x == info["x"]
        assert taken.info["attempts"] == 2
        assert "heartbeat" in taken.info["lost"][0]["reason"]
        assert len(study.trials) == 1
    finally:
        os.kill(info["pid"], signal.SIGCONT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    late = study.trials[0]
    assert late.value == taken.value
    assert [r["value"] for r in late.info["late_results"]] == [pytest.approx(sphere(info["x"]))]
    study.close()


def test_heartbeat_keeps_a_long_trial_of_a_live_worker(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 's.db'}"
    owner = create_study("b", url, SPACE, optimizer="test_study_support:tiny", random_state=1,
                         heartbeat_interval=0.1, grace_period=0.5)
    trial = owner.ask()
    time.sleep(1.0)  # longer than the grace period: only the heartbeat keeps it
    other = load_study("b", url, grace_period=0.5, heartbeat_interval=0.1)
    second = other.ask()
    assert second.number == 1
    assert owner.tell(trial, 1.0).state == "COMPLETE"
    other.tell(second, 2.0)
    assert [t.info["attempts"] for t in other.trials] == [1, 1]
    owner.close()
    other.close()


def test_bayesian_study_resumes_exactly(tmp_path, no_thread_leak):
    """asktell.Optimizer (a forest here, for speed) continues a reopened study
    with exactly the points of an uninterrupted run."""
    kwargs = dict(optimizer="forest", random_state=11, optimizer_kwargs={"n_initial_points": 3})
    reference = create_study("ref", None, SPACE, **kwargs)
    reference.optimize(sphere, n_trials=7)
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = create_study("f", url, SPACE, **kwargs)
    first.optimize(sphere, n_trials=4)
    first.close()
    resumed = load_study("f", url)
    resumed.optimize(sphere, n_trials=3)
    assert [t.x for t in resumed.trials] == [t.x for t in reference.trials]
    assert resumed.result().fun == reference.result().fun
    assert resumed.optimizer_settings == {"name": "forest", "kwargs": {"n_initial_points": 3}, "random_state": 11}
    resumed.close()
    reference.close()


def test_default_optimizer_is_the_default_strategy():
    study = create_study("d", None, SPACE, random_state=0)
    assert study.optimizer_settings["name"] == "auto"
    from asktell import AutoOptimizer

    assert isinstance(study.optimizer, AutoOptimizer)
    study.close()


def test_a_trial_lost_more_than_max_retries_fails_for_good(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 's.db'}"
    marker = tmp_path / "marker.json"
    proc = _start_worker(url, "g", marker, slow_at=3, sleep=60, n_trials=5)
    info = _wait_for(marker, proc)
    os.kill(info["pid"], signal.SIGKILL)
    proc.wait(timeout=30)
    study = load_study("g", url, max_retries=0)
    study.optimize(sphere, n_trials=3)
    trials = study.trials
    assert [str(t.state) for t in trials] == ["COMPLETE", "COMPLETE", "FAIL", "COMPLETE", "COMPLETE", "COMPLETE"]
    assert "given up after 1 attempts" in trials[2].info["error"]
    assert trials[2].info["attempts"] == 1
    # the optimizer was told the failure before it proposed the next point
    assert [str(t.state) for t in study.optimizer.trials] == [str(t.state) for t in trials]
    study.close()
