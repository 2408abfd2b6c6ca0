"""Several processes on one study, on a real SQLite file and a real PostgreSQL server."""

import os
import subprocess
import sys

import pytest

from asktell import load_study

HERE = os.path.dirname(os.path.abspath(__file__))


def _run_workers(url, name, n_workers, n_trials, optimizer):
    procs = [
        subprocess.Popen(
            [sys.executable, os.path.join(HERE, "test_study_support.py"), url, name, str(n_trials), optimizer],
            cwd=HERE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n_workers)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * n_workers, errors


def _check_study(url, name, n_workers, n_trials):
    study = load_study(name, url)
    trials = study.trials
    total = n_workers * n_trials
    assert len(trials) == total
    assert all(t.state == "COMPLETE" for t in trials)
    assert sorted(t.number for t in trials) == list(range(total))
    assert len({tuple(t.x) for t in trials}) == total, "a point was handed out twice"
    workers = {t.info["worker"] for t in trials}
    assert len(workers) == n_workers
    # each process finished exactly its own n_trials
    for w in workers:
        assert sum(t.info["worker"] == w for t in trials) == n_trials
    # every value stored is the objective at the stored point
    from test_study_support import sphere

    assert all(t.value == pytest.approx(sphere(t.x)) for t in trials)
    study.close()


def test_four_processes_on_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    _run_workers(url, "shared", 4, 50, "random")  # asktell.Optimizer, adopting others' trials
    _check_study(url, "shared", 4, 50)


def test_four_processes_on_one_postgresql_database(postgresql_url):
    name = f"shared-{os.getpid()}"
    _run_workers(postgresql_url, name, 4, 50, "test_study_support:tiny")  # replaying others' asks
    _check_study(postgresql_url, name, 4, 50)
