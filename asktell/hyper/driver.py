"""`HyperOptimizer`: `HyperAskTell` under the one run loop (`asktell._loop`).

Each `HyperOptimizer.run` sets up a fresh `HyperAskTell` (the optlib and
its seed) and drives it with `asktell._loop.run_loop`: the driver knows
nothing of how the optlib decides and the optlib nothing of how evaluation
is done: trials go to any `concurrent.futures.Executor` (or run inline),
up to ``pre_dispatch`` of them in flight.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state

from .._loop import Budget, Driver, ErrorPolicy, run_loop
from ..parallel import InlineEvaluator, as_evaluator
from ..protocol import split_score
from ..trial import Trial, TrialState
from ..utils import _check_number
from ..space.method_space import METHOD_KEY, MethodSpace, call_method, method_spaces
from .ask_tell import HyperAskTell

__all__ = ["HyperOptimizer", "HyperBest"]

_ON_TRIAL_ERROR = ("raise", "warn", "ignore")


class HyperBest(NamedTuple):
    """The best trial so far: its method, parameters and score."""

    method: str
    params: dict
    score: float


class HyperOptimizer:
    """Search over methods and their parameters at once.

    Parameters
    ----------
    methods : sequence of str or dict
        The method names, or the method space ``{method: space}`` itself.
    space : dict or None
        ``{method: space}``: each a `Space`, a dict of dimension-likes
        (cotengra spec dicts included) or a list; ``{}`` for a method
        without parameters.
    optlib : str, HyperOptLib class or instance
        The strategy (``"auto"``, the default: an `asktell.AutoOptimizer` per
        method; ``"bayes"``, ``"tpe"``, ``"scipy"``, ``"cmaes"``, ``"random"``,
        or any name given to `register_optlib`).
    max_trials : int or None
        Trials per `run` (None: until ``max_time``).
    max_time : float or None
        Seconds per `run`: no trial is started after it; trials already
        running are waited for.
    n_jobs : int
        Threads evaluating trials (-1: one per CPU); 1 evaluates inline.
        For objectives that hold the GIL pass a process pool as ``executor``.
    executor : concurrent.futures.Executor, dask.distributed.Client or None
        Evaluate trials there instead (it is not shut down).
    pre_dispatch : int or None
        Trials kept in flight (None: workers + 1, or 1 inline).
    on_trial_error : {"raise", "warn", "ignore"}
        What an exception in the objective does: stop the run and re-raise
        it (the trial is recorded as failed first), or record the failed
        trial, warn or not, and go on. A NaN or infinite score always
        fails the trial without stopping the run.
    random_state : int, RandomState or None
        Seeds the optlib: a serial run with the same seed makes the same trials.
    progress : bool
        Show a progress bar during `run` (extra ``progress``).
    **optlib_opts
        Options of the optlib's ``setup``.

    Attributes
    ----------
    trials : list of Trial
        Every trial, in number order: ``info`` holds ``method``,
        ``duration`` (seconds), ``error`` for a failed trial, and the extra
        fields of a dict result.
    optlib_ : HyperOptLib
        The optlib of the last `run` (cleaned up).
    """

    def __init__(
        self,
        methods,
        space=None,
        optlib="auto",
        max_trials=100,
        max_time=None,
        n_jobs=1,
        executor=None,
        pre_dispatch=None,
        on_trial_error="raise",
        random_state=None,
        progress=False,
        **optlib_opts,
    ):
        self.method_spaces = method_spaces(methods, space)
        self.methods = list(self.method_spaces)
        self.optlib = optlib
        if max_trials is not None:
            _check_number("max_trials", max_trials, 1, integer=True)
        if max_time is not None:
            _check_number("max_time", max_time, 0.0, above=True)
        if max_trials is None and max_time is None:
            raise ValueError("set max_trials or max_time (or both); both are None")
        self.max_trials = max_trials
        self.max_time = max_time
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or not (
            n_jobs >= 1 or n_jobs == -1
        ):
            raise ValueError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}")
        if executor is not None and not callable(getattr(executor, "submit", None)):
            raise TypeError(
                f"executor must be a concurrent.futures.Executor or a dask.distributed.Client, got {executor!r}"
            )
        if executor is not None and n_jobs != 1:
            raise ValueError("give either n_jobs or executor, not both")
        self.n_jobs = int(n_jobs)
        self.executor = executor
        if pre_dispatch is not None:
            _check_number("pre_dispatch", pre_dispatch, 1, integer=True)
        self._pre_dispatch = pre_dispatch
        if on_trial_error not in _ON_TRIAL_ERROR:
            raise ValueError(f"on_trial_error must be one of {_ON_TRIAL_ERROR}, got {on_trial_error!r}")
        self.on_trial_error = on_trial_error
        self.random_state = random_state
        self.progress = progress
        self.optlib_opts = optlib_opts
        self._rng = check_random_state(random_state)
        self.trials = []
        self.optlib_ = None

    # ------------------------------------------------------------ sizes
    @property
    def n_workers(self):
        """How many trials can be evaluated at once."""
        if self.executor is not None:
            return int(getattr(self.executor, "_max_workers", None) or os.cpu_count() or 1)
        return (os.cpu_count() or 1) if self.n_jobs == -1 else self.n_jobs

    @property
    def pre_dispatch(self):
        """How many trials are kept in flight."""
        if self._pre_dispatch is not None:
            return int(self._pre_dispatch)
        if self.executor is None and self.n_jobs == 1:
            return 1
        return self.n_workers + 1

    # ------------------------------------------------------------ results
    @property
    def best(self):
        """`HyperBest` of the lowest-scoring complete trial (None before any)."""
        done = [t for t in self.trials if t.state is TrialState.COMPLETE]
        if not done:
            return None
        trial = min(done, key=lambda t: t.value)
        return HyperBest(trial.info["method"], dict(trial.params), trial.value)

    def trials_dataframe(self):
        """The trials as a ``pandas.DataFrame`` (needs pandas), one row each.

        Columns: ``number``, ``method``, ``state``, ``score``, ``duration``,
        ``error``, ``params_<name>`` for every parameter of any method
        (missing where the trial's method lacks it), then extra fields.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("trials_dataframe needs pandas: pip install pandas") from exc
        rows = []
        for t in self.trials:
            row = {
                "number": t.number,
                "method": t.info.get("method"),
                "state": str(t.state),
                "score": t.value,
                "duration": t.info.get("duration"),
                "error": t.info.get("error"),
            }
            row.update({f"params_{k}": v for k, v in t.params.items()})
            row.update({k: v for k, v in t.info.items() if k not in ("method", "duration", "error")})
            rows.append(row)
        return pd.DataFrame(rows)

    # ------------------------------------------------------------ the loop
    def run(self, objective):
        """Run up to ``max_trials`` trials (or ``max_time`` seconds) of ``objective``.

        ``objective(method, **params)`` returns the score (lower is
        better), or a dict with a ``"score"`` key whose other fields are
        kept in the trial's ``info``. Each call of `run` starts a fresh
        optlib and adds its trials to `trials`.

        Returns
        -------
        HyperBest
            The best trial over all runs so far (None if every trial failed).
        """
        if not callable(objective):
            raise TypeError(f"objective must be callable, got {objective!r}")
        # seeded by the next draw of this object's generator, as every run is
        ask_tell = HyperAskTell(MethodSpace(self.method_spaces), optlib=self.optlib, random_state=self._rng,
                                driver=self, **self.optlib_opts)
        self.optlib_ = ask_tell.optlib_
        driver = _HyperDriver(self, ask_tell, objective)
        policy = ErrorPolicy(
            catch=() if self.on_trial_error == "raise" else (Exception,),
            non_finite="record" if self.on_trial_error == "ignore" else "warn",
            warn=self.on_trial_error == "warn",
            advice="on_trial_error='raise' stops the run, 'ignore' silences this",
            drain=True,
        )
        executor = self.executor
        if executor is None:
            executor = InlineEvaluator() if self.n_workers == 1 else as_evaluator(None, self.n_workers)
        try:  # the loop closes the evaluator it is given (never a user's executor)
            run_loop(driver, Budget(trials=self.max_trials, seconds=self.max_time), policy,
                     n_jobs=self.pre_dispatch, executor=executor, progress=self.progress,
                     desc="HyperOptimizer")
        finally:
            ask_tell.close()
        return self.best

    def __repr__(self):
        return (
            f"HyperOptimizer(methods={self.methods!r}, optlib={self.optlib!r}, "
            f"max_trials={self.max_trials!r}, max_time={self.max_time!r}, "
            f"n_jobs={self.n_jobs!r}, trials={len(self.trials)})"
        )


class _HyperDriver(Driver):
    """A run of `HyperOptimizer`: each trial one of its `HyperAskTell`'s, kept in `HyperOptimizer.trials`.

    `HyperOptimizer`'s trials number on over its runs and hold the method
    in ``info``; the ask/tell's trial (``{"method": ..., **params}``) is the
    one reported to the optlib, with the same ``info``.
    """

    def __init__(self, hyper, ask_tell, objective):
        self.hyper = hyper
        self.ask_tell = ask_tell
        self.objective = objective
        self.asked = {}  # HyperOptimizer's trial number -> the ask/tell's trial, until told

    def ask(self, n):
        trials = []
        for asked in self.ask_tell.ask_trials(n):
            params = {k: v for k, v in asked.params.items() if k != METHOD_KEY}
            trial = Trial(number=len(self.hyper.trials), x=list(params.values()), params=params,
                          info={"method": asked.params[METHOD_KEY]})
            self.hyper.trials.append(trial)
            self.asked[trial.number] = asked
            trials.append(trial)
        return trials

    def call(self, trial):
        return call_method, (self.objective, {METHOD_KEY: trial.info["method"], **trial.params})

    def tell(self, trial, value, seconds):
        score, extras = _parse_result(value)
        trial.info["duration"] = seconds
        trial.info.update(extras)
        if not math.isfinite(score):
            return self.fail(trial, f"the objective returned a non-finite score {score!r}", seconds)
        trial.value = score
        trial.state = TrialState.COMPLETE
        self.ask_tell.tell_trial(self._asked(trial), score)
        return trial

    def fail(self, trial, error, seconds):
        trial.state = TrialState.FAIL
        trial.info["error"] = error
        if seconds is not None and math.isfinite(seconds):
            trial.info.setdefault("duration", seconds)
        self.ask_tell.fail_trial(self._asked(trial), error)
        return trial

    def _asked(self, trial):
        """The ask/tell's trial for ``trial``, given its ``info`` (the duration the selector reads)."""
        asked = self.asked.pop(trial.number)
        asked.info.update(trial.info)
        return asked

    def label(self, trial):
        return f"trial {trial.number} ({trial.info['method']})"


def _parse_result(value):
    """``(score, extras)`` from a float or a dict with a ``"score"`` key."""
    value, extras = split_score(value) if isinstance(value, dict) else (value, {})
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.generic)):
        raise TypeError(f"the objective must return a number or a dict with 'score', got {value!r}")
    return float(value), extras
