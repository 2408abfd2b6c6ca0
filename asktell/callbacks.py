"""Callbacks of the minimize functions: ``callback(result)`` after every call.

A callback that returns True stops the run. `EarlyStopper` subclasses
implement ``_criterion(result)``, which returns True, False, or None when
it cannot decide yet.
"""

from __future__ import annotations

import os
from time import time

import numpy as np

from .utils import dump, load

__all__ = [
    "check_callback",
    "VerboseCallback",
    "TimerCallback",
    "EarlyStopper",
    "DeltaXStopper",
    "DeltaYStopper",
    "HollowIterationsStopper",
    "DeadlineStopper",
    "StdStopper",
    "ThresholdStopper",
    "CheckpointSaver",
]


def check_callback(callback):
    """A list of callables from None, one callable or a list of them."""
    if callback is None:
        return []
    if callable(callback):
        return [callback]
    if isinstance(callback, (list, tuple)) and all(callable(c) for c in callback):
        return list(callback)
    raise ValueError(f"callback must be a callable or a list of callables, got {callback!r}")


class VerboseCallback:
    """Print the progress of each call: where it evaluated, its value, the best so far.

    Parameters
    ----------
    n_total : int
        Calls planned.
    n_init : int
        Calls at points given by the user (``x0``).
    n_random : int
        Calls at initial (random or designed) points after those.
    """

    def __init__(self, n_total, n_init=0, n_random=0):
        self.n_total = n_total
        self.n_init = n_init
        self.n_random = n_random
        self.iter_no = 1
        self._start_time = time()
        self._print_info(start=True)

    def _print_info(self, start=True):
        status = "started" if start else "ended"
        if self.iter_no <= self.n_init:
            what = f"{'Evaluating function' if start else 'Evaluation done'} at provided point."
        elif self.iter_no <= self.n_init + self.n_random:
            what = f"{'Evaluating function' if start else 'Evaluation done'} at random point."
        else:
            what = "Searching for the next optimal point." if start else "Search finished for the next optimal point."
        print(f"Iteration No: {self.iter_no} {status}. {what}")

    def __call__(self, res):
        elapsed = time() - self._start_time
        self._print_info(start=False)
        print(f"Time taken: {elapsed:0.4f}")
        print(f"Function value obtained: {float(res.func_vals[-1]):0.4f}")
        print(f"Current minimum: {float(np.min(res.func_vals)):0.4f}")
        self.iter_no += 1
        if self.iter_no <= self.n_total:
            self._print_info(start=True)
            self._start_time = time()


class TimerCallback:
    """Record the seconds between successive calls in ``iter_time``."""

    def __init__(self):
        self._time = time()
        self.iter_time = []

    def __call__(self, res):
        now = time()
        self.iter_time.append(now - self._time)
        self._time = now


class EarlyStopper:
    """Base class of callbacks that stop the run when ``_criterion`` is True."""

    def __call__(self, result):
        return self._criterion(result)

    def _criterion(self, result):
        raise NotImplementedError("EarlyStopper subclasses implement _criterion(result)")


class DeltaXStopper(EarlyStopper):
    """Stop when the last two points evaluated are closer than ``delta`` (``space.distance``)."""

    def __init__(self, delta):
        super().__init__()
        self.delta = delta

    def _criterion(self, result):
        if len(result.x_iters) < 2:
            return None
        return result.space.distance(result.x_iters[-2], result.x_iters[-1]) < self.delta


class DeltaYStopper(EarlyStopper):
    """Stop when the ``n_best`` best values lie within ``delta`` of each other."""

    def __init__(self, delta, n_best=5):
        super().__init__()
        self.delta = delta
        self.n_best = n_best

    def _criterion(self, result):
        if len(result.func_vals) < self.n_best:
            return None
        vals = np.sort(result.func_vals)
        return vals[self.n_best - 1] - vals[0] < self.delta


class HollowIterationsStopper(EarlyStopper):
    """Stop when the best value improved by at most ``threshold`` over the last ``n_iterations`` calls."""

    def __init__(self, n_iterations, threshold=0):
        super().__init__()
        self.n_iterations = n_iterations
        self.threshold = abs(threshold)

    def _criterion(self, result):
        if len(result.func_vals) <= self.n_iterations:
            return False
        cummin = np.minimum.accumulate(result.func_vals)
        return cummin[-self.n_iterations - 1] - cummin[-1] <= self.threshold


class DeadlineStopper(EarlyStopper):
    """Stop before ``total_time`` seconds run out: when less than the longest call so far remains."""

    def __init__(self, total_time):
        super().__init__()
        self.total_time = total_time
        self._time = time()
        self.iter_time = []

    def _criterion(self, result):
        now = time()
        self.iter_time.append(now - self._time)
        self._time = now
        if not result.x_iters:
            return None
        return self.total_time - np.sum(self.iter_time) <= np.max(self.iter_time)


class StdStopper(EarlyStopper):
    """Stop when a model's training-target spread (``y_std_``) falls to ``threshold``."""

    def __init__(self, threshold, log_interval=10):
        super().__init__()
        self.threshold = threshold
        self.log_interval = log_interval

    def _criterion(self, result):
        stds = [m.y_std_ for m in result.models if hasattr(m, "y_std_")]
        if not stds:
            return False
        return min(stds) <= self.threshold


class ThresholdStopper(EarlyStopper):
    """Stop once a value at or below ``threshold`` was found."""

    def __init__(self, threshold):
        super().__init__()
        self.threshold = threshold

    def _criterion(self, result):
        return bool(np.any(np.asarray(result.func_vals) <= self.threshold))


class CheckpointSaver:
    """`dump` the result after every call, to resume later with `load`.

    ``CheckpointSaver(path).load()`` returns ``{"x0", "y0", "base_estimator"}``
    of a stored run (empty when none), to pass to a minimize function.
    """

    def __init__(self, checkpoint_path, **dump_options):
        self.checkpoint_path = checkpoint_path
        self.dump_options = dump_options

    def __call__(self, res):
        dump(res, self.checkpoint_path, **self.dump_options)

    def load(self):
        if not os.path.exists(self.checkpoint_path):
            return {}
        result = load(self.checkpoint_path)
        return {
            "x0": result.x_iters,
            "y0": [float(v) for v in result.func_vals],
            "base_estimator": result.models[-1] if result.models else None,
        }
