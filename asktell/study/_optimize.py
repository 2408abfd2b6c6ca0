"""`Study.optimize`: a study under the one run loop (`asktell._loop`).

Trials are stored RUNNING before they run and their results stored as
they come; a trial whose worker is lost, or that a stopped run leaves
unfinished, is queued to run again.
"""

from __future__ import annotations

from .._loop import Budget, Driver, ErrorPolicy, run_loop
from ..space import MethodSpace
from ..space.method_space import call_method
from ._ask_tell import ask_batch, finish
from ._recovery import beat, release_trial
from ._values import finite


def optimize(study, func, n_trials, timeout, n_jobs, executor, callbacks, progress, catch):
    """`Study.optimize`'s checks, then the loop; returns ``study``."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0):
        raise ValueError(f"n_trials must be a non-negative int or None, got {n_trials!r}")
    if timeout is not None and (not finite(timeout) or timeout <= 0):
        raise ValueError(f"timeout must be a positive number or None, got {timeout!r}")
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables, got {cb!r}")
    if isinstance(catch, type):
        catch = (catch,)
    catch = tuple(catch)
    if not all(isinstance(c, type) and issubclass(c, BaseException) for c in catch):
        raise TypeError(f"catch must be exception types, got {catch!r}")
    study._stop_requested = False
    study._optimizing = True  # one heartbeat thread for the whole run
    try:
        run_loop(
            _StudyDriver(study, func, callbacks), Budget(trials=n_trials, seconds=timeout),
            ErrorPolicy(catch=catch), n_jobs=n_jobs, executor=executor, progress=progress,
            desc=study.name, maximize=study.direction == "maximize", stop=lambda: study._stop_requested,
        )
    finally:
        study._optimizing = False
        beat(study)
    return study


class _StudyDriver(Driver):
    """A `Study` under `Study.optimize`: trials stored before they run, results stored as they come."""

    def __init__(self, study, func, callbacks):
        self.study = study
        self.func = func
        self.callbacks = callbacks

    def ask(self, n):
        return ask_batch(self.study, n) or None

    def call(self, trial):
        """``func(x)``, or ``func(method, **params)`` over a method space."""
        if isinstance(self.study.space, MethodSpace):
            return call_method, (self.func, dict(trial.params))
        return self.func, (trial.x,)

    def tell(self, trial, value, seconds):
        return finish(self.study, trial.number, value, None, late_ok=True, seconds=seconds)

    def fail(self, trial, error, seconds):
        return finish(self.study, trial.number, None, error, late_ok=True, seconds=seconds)

    def release(self, trial, reason, started):
        release_trial(self.study, trial.number, reason, started)

    def finished(self, trial):
        stop = False
        for cb in self.callbacks:
            stop = cb(self.study, trial) is True or stop
        return stop
