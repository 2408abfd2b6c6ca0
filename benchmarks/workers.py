"""K worker processes on one SQLite study: a BBOB run as `benchmarks.run --workers K` does it.

A contender ``asktell-default@wK`` runs each problem and seed as a study
of the default optimizer (``random_state=seed``) in a fresh SQLite file,
with K worker processes (``python -m benchmarks.workers URL NAME ...``)
each looping ``study.optimize(objective, n_trials=1)`` until the study
holds ``budget`` complete trials. The objective sleeps a uniform 0 to
`SLEEP` seconds before the BBOB value, so that the workers interleave;
each worker's ask sees the others' running trials as pending (the
study's batch strategy). The run's values are the first ``budget``
complete trials in trial-number (ask) order: up to K - 1 trials asked
after the budget was reached are dropped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

SLEEP = 0.05  # the objective's longest sleep, seconds


def workers_name(name):
    """``(base, K)`` of a worker contender's name ``base@wK``, else None."""
    base, sep, k = name.partition("@w")
    if not sep or base != "asktell-default" or not k.isdigit() or int(k) < 1:
        return None
    return base, int(k)


def run_workers(problem, budget, seed, k):
    """One run of ``problem`` by ``k`` worker processes sharing a SQLite study; a record's fields."""
    import asktell
    from asktell import create_study, load_study

    from .contenders import _skopt_dims

    spec = problem.spec
    with tempfile.TemporaryDirectory(prefix="asktell-workers-") as tmp:
        url = f"sqlite:///{os.path.join(tmp, 'study.db')}"
        create_study("bench", url, _skopt_dims(problem.dims, asktell.space), random_state=seed).close()
        args = [json.dumps([spec.suite, spec.function, spec.dim, spec.instance]), str(budget)]
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-m", "benchmarks.workers", url, *args, str(seed * 100 + i)],
                                  cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
                 for i in range(k)]
        codes = [p.wait() for p in procs]
        wall = time.perf_counter() - start
        if any(codes):
            raise RuntimeError(f"a worker failed: exit codes {codes}")
        study = load_study("bench", url)
        values = [t.value for t in study.trials if t.state == "COMPLETE"][:budget]
        study.close()
    # the optimizer time is not separable from the workers' waits: the wall time is recorded instead
    return {"values": values, "opt_seconds_per_trial": float("nan"), "wall_seconds": wall, "workers": k}


def _worker(url, spec_json, budget, seed):
    import random

    from asktell import load_study

    from .problems import ProblemSpec, make_problem

    problem = make_problem(ProblemSpec(*json.loads(spec_json)))
    rng = random.Random(seed)

    def objective(x):
        time.sleep(rng.uniform(0.0, SLEEP))
        return problem(x)

    study = load_study("bench", url)
    while sum(t.state == "COMPLETE" for t in study.trials) < budget:
        study.optimize(objective, n_trials=1)
    study.close()


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
