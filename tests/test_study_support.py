"""Helpers for the study tests (no tests here): a small replayable optimizer,
objectives that subprocesses can import, and a worker script's entry point.

`TinyOptimizer` is cheap on purpose: the study tests are about bookkeeping,
concurrency and recovery, not modelling. Its proposals depend on its seed,
the trial number and the best value told so far, so a replay that tells the
wrong things or in the wrong order proposes other points and is caught.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

from asktell.base import AskTellOptimizer
from asktell.space import Categorical, Integer, Real, Space
from asktell.trial import Trial, TrialState


class TinyOptimizer(AskTellOptimizer):
    """Random points first, then perturbations of the best one told."""

    def __init__(self, space, random_state=0, n_initial_points=3):
        self.space = Space(space)
        self.random_state = random_state
        self.n_initial_points = n_initial_points
        self._trials = {}
        self._next = 0
        self.stopped = False

    def ask_trial(self):
        number = self._next
        self._next += 1
        rng = np.random.RandomState([int(self.random_state), number])
        told = [t for t in self._trials.values() if t.state is TrialState.COMPLETE]
        x = self.space.rvs(random_state=rng)[0]
        if len(told) >= self.n_initial_points:
            best = min(told, key=lambda t: (t.value, t.number)).x
            for i, dim in enumerate(self.space.dimensions):
                if isinstance(dim, Real) and rng.rand() < 0.8:
                    step = rng.normal(scale=0.1 * (dim.high - dim.low))
                    x[i] = float(np.clip(best[i] + step, dim.low, dim.high))
        trial = Trial(number, x, self.space.to_params(x))
        self._trials[number] = trial
        return trial

    def _get(self, trial):
        number = trial.number if isinstance(trial, Trial) else trial
        t = self._trials.get(number)
        if t is None or t.finished:
            raise ValueError(f"trial {number!r} is unknown or finished")
        return t

    def tell_trial(self, trial, value):
        t = self._get(trial)
        t.value = float(value[0] if isinstance(value, tuple) else value)
        t.state = TrialState.COMPLETE

    def fail_trial(self, trial, error=None):
        t = self._get(trial)
        t.state = TrialState.FAIL
        t.info["error"] = error

    @property
    def trials(self):
        return [self._trials[n] for n in sorted(self._trials)]

    def stop(self):
        self.stopped = True


class TinyStateOptimizer(TinyOptimizer):
    """The same proposals, but adopts trials asked elsewhere (like asktell.Optimizer)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.adopted = 0
        self.fits = []

    def add_trial(self, trial):
        assert trial.number not in self._trials and trial.state is TrialState.RUNNING
        self._trials[trial.number] = Trial(trial.number, list(trial.x), dict(trial.params))
        self._next = max(self._next, trial.number + 1)
        self.adopted += 1

    def tell_trial(self, trial, value, fit=True):
        super().tell_trial(trial, value)
        self.fits.append(fit)


def tiny(space, random_state=None, **kwargs):
    """Factory of `TinyOptimizer` for ``optimizer="test_study_support:tiny"``."""
    return TinyOptimizer(space, random_state=random_state, **kwargs)


SPACE = [Real(-2.0, 2.0, name="a"), Real(-2.0, 2.0, name="b"), Real(1e-3, 1.0, prior="log-uniform", name="c")]
MIXED = [Real(-2.0, 2.0, name="a"), Integer(0, 9, name="k"), Categorical(["x", "y", True], name="c")]


#: the method space of the hyper-study tests: two methods with parameters, one without
METHOD_SPACE = {
    "quad": {"x": Real(-2.0, 2.0), "k": Integer(0, 4)},
    "shift": [Real(1e-3, 1.0, prior="log-uniform", name="s")],
    "const": {},
}


def by_method(method, **params):
    """The hyper studies' objective; NaN (a failed trial) for quad at k == 4."""
    if method == "quad":
        return float("nan") if params["k"] == 4 else params["x"] ** 2 + 0.5 * params["k"]
    if method == "shift":
        return float(np.log10(params["s"]) + 2.0) ** 2 + 0.1
    if method == "const":
        return 1.5
    raise ValueError(f"unknown method {method!r}")


def sphere(x):
    return float(x[0] ** 2 + x[1] ** 2 + np.log10(x[2]) ** 2)


def slow_sphere(x):
    """Sleeps when a marker file says so, so that the test can kill it mid-trial."""
    marker = os.environ.get("ASKTELL_TEST_MARKER")
    if marker and not os.path.exists(marker + ".done"):
        with open(marker, "w") as fh:
            json.dump({"pid": os.getpid(), "x": x}, fh)
        time.sleep(60)
    return sphere(x)


def run_worker(url, name, n_trials, optimizer, seed=0):
    """What each worker process of the concurrency tests runs."""
    from asktell import create_study

    study = create_study(name, url, SPACE, optimizer=optimizer, random_state=seed, load_if_exists=True)
    study.optimize(sphere, n_trials=n_trials)
    study.close()


if __name__ == "__main__":
    run_worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])


def dies_once(x, marker):
    """Kills its own process (a Dask worker) the first time it runs."""
    if not os.path.exists(marker):
        with open(marker, "w") as fh:
            fh.write(str(os.getpid()))
        os.kill(os.getpid(), 9)
    time.sleep(0.05)
    return sphere(x)
