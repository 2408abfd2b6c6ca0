"""The one run loop under every driver: ask, evaluate, tell, until the budget is spent.

``gp_minimize`` & co., ``asktell.minimize``, ``scipy_minimize``,
``HyperOptimizer.run`` and ``Study.optimize`` are front-ends: each maps its
own vocabulary (``n_calls`` / ``max_trials`` / ``n_trials``; ``on_error`` /
``on_trial_error`` / ``catch``) onto a `Budget` and an `ErrorPolicy`, wraps
its optimizer in a `Driver`, and calls `run_loop`. The loop keeps up to
``n_jobs`` trials in flight on an `asktell.parallel.Evaluator` (inline,
``concurrent.futures``, Dask), tells results as they come, applies the
error policy, runs the callbacks and the progress bar, stops on the budget,
on a callback, or when the optimizer is exhausted, and hands back the
trials whose worker was lost or that were still running when it stopped
on an error or an interrupt.
"""

from __future__ import annotations

import abc
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Literal

from .parallel import Outcome, WorkerLost, as_evaluator, capture, resolve_n_jobs
from .trial import Trial, TrialState

__all__ = ["Budget", "ErrorPolicy", "Driver", "run_loop"]


@dataclass(frozen=True)
class Budget:
    """When the loop stops asking.

    Attributes
    ----------
    trials : int or None
        Trials to start (a trial whose worker was lost and that runs again
        counts once); None: no limit.
    seconds : float or None
        No trial starts after this many seconds; running ones finish.
    """

    trials: int | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class ErrorPolicy:
    """What an objective that raises, or returns a value that is not a finite number, does.

    The trial is always recorded as failed first. Then:

    Attributes
    ----------
    catch : tuple of exception types
        Exceptions of these types (raised by the objective, or raised by
        the driver for a value that is not a number) let the run go on;
        any other is raised.
    non_finite : {"record", "warn", "raise"}
        A NaN or infinite value: go on, go on with a warning, or stop the
        run with a `ValueError` saying what came back and ``advice``.
    warn : bool
        Warn for each caught exception.
    advice : str
        What the user can do about it (the front-end's own words), said
        after the error.
    drain : bool
        When the run stops on an error: wait for the trials in flight and
        record their results (True), or hand them back at once
        (`Driver.release`, False).
    """

    catch: tuple = ()
    non_finite: Literal["record", "warn", "raise"] = "record"
    warn: bool = False
    advice: str = ""
    drain: bool = False


class Driver(abc.ABC):
    """What the loop drives: an optimizer (or a study) seen through a front-end."""

    @abc.abstractmethod
    def ask(self, n: int) -> list[Trial] | None:
        """Up to ``n`` new trials to evaluate; ``[]`` when none can be asked before a tell, None once exhausted."""

    @abc.abstractmethod
    def call(self, trial: Trial) -> tuple[Callable, tuple]:
        """``(fn, args)``: what evaluates ``trial``."""

    @abc.abstractmethod
    def tell(self, trial: Trial, value: Any, seconds: float) -> Trial:
        """End ``trial`` with what the objective returned (FAIL for NaN/inf).

        Raises (TypeError, ValueError) *before* changing anything when
        ``value`` is not a number; the loop then fails the trial.
        """

    @abc.abstractmethod
    def fail(self, trial: Trial, error: str, seconds: float | None) -> Trial:
        """End ``trial`` as failed with ``error``."""

    def release(self, trial: Trial, reason: str, started: bool) -> None:
        """``trial`` will get no result here (worker lost, run stopped): by default it fails."""
        self.fail(trial, reason, None)

    def finished(self, trial: Trial) -> bool:
        """Called after each finished trial (callbacks); True stops the run."""
        return False

    def label(self, trial: Trial) -> str:
        """How messages name ``trial``."""
        return f"trial {trial.number}"


def _non_finite(driver: Driver, trial: Trial, policy: ErrorPolicy) -> None:
    error = trial.info.get("error", "the objective returned a value that is not finite")
    if policy.non_finite == "raise":
        raise ValueError(f"{driver.label(trial)} at x={trial.x}: {error}. {policy.advice}".rstrip())
    if policy.non_finite == "warn":
        warnings.warn(f"{driver.label(trial)}: {error}; recorded as failed. {policy.advice}".rstrip(),
                      RuntimeWarning, stacklevel=5)


def _settle(driver: Driver, trial: Trial, outcome: Outcome, policy: ErrorPolicy) -> Trial:
    """Tell ``outcome`` to ``driver`` by ``policy``; raise what the policy does not catch."""
    if outcome.ok:
        try:
            finished = driver.tell(trial, outcome.value, outcome.seconds)
        except (TypeError, ValueError) as exc:  # not a number: the driver changed nothing
            finished = driver.fail(trial, str(exc), outcome.seconds)
            error = exc
        else:
            if finished.state is TrialState.FAIL:
                _non_finite(driver, finished, policy)
            return finished
    else:
        error = outcome.value
        finished = driver.fail(trial, outcome.error, outcome.seconds)
    if not isinstance(error, policy.catch):
        raise error
    if policy.warn:
        warnings.warn(f"{driver.label(trial)} failed: {error!r}; recorded as failed. {policy.advice}".rstrip(),
                      RuntimeWarning, stacklevel=5)
    return finished


def _drain(driver: Driver, evaluator, in_flight: dict) -> None:
    """Wait for the trials in flight and record what they return (nothing raised)."""
    record = ErrorPolicy(catch=(BaseException,))
    while in_flight:
        for handle in sorted(evaluator.wait(list(in_flight)), key=lambda h: in_flight[h].number):
            trial = in_flight.pop(handle)
            try:
                outcome = evaluator.result(handle)
            except WorkerLost as exc:  # cancelled before it started, or its worker gone
                driver.release(trial, f"cancelled before it started: {exc}", started=False)
                continue
            _settle(driver, trial, outcome, record)


def run_loop(
    driver: Driver,
    budget: Budget,
    policy: ErrorPolicy,
    *,
    n_jobs: int | None = None,
    executor=None,
    progress: bool = False,
    desc: str = "trials",
    maximize: bool = False,
    stop: Callable[[], bool] = lambda: False,
) -> int:
    """Run trials of ``driver`` until ``budget`` is spent, ``stop()`` is true or it is exhausted.

    Parameters
    ----------
    driver : Driver
    budget : Budget
    policy : ErrorPolicy
    n_jobs : int or None
        Trials in flight at once. None: 1 without an executor, the
        executor's worker count with one. Without an executor and
        ``n_jobs > 1`` a thread pool is started (and stopped).
    executor : concurrent.futures.Executor, dask.distributed.Client, Evaluator or None
        Where evaluations run (in this thread when None and one job).
    progress : bool
        Show a tqdm bar (extra ``progress``).
    desc : str
        The bar's label.
    maximize : bool
        The bar shows the best value as the largest (values are told as is).
    stop : callable
        Checked before each ask: True starts no new trial.

    Returns
    -------
    int
        Trials finished.
    """
    if n_jobs is not None:
        n_jobs = resolve_n_jobs(n_jobs)
    evaluator = as_evaluator(executor, n_jobs if executor is None and n_jobs else 1)
    width = n_jobs or (evaluator.n_workers if executor is not None else 1)
    bar = None
    if progress:
        from .progress import ProgressBar

        bar = ProgressBar(total=budget.trials, timeout=budget.seconds, desc=desc, maximize=maximize)
    deadline = None if budget.seconds is None else time.monotonic() + budget.seconds
    in_flight: dict[Any, Trial] = {}
    started = done = 0
    exhausted = stopped = False
    try:
        while True:
            while (
                len(in_flight) < width
                and not (exhausted or stopped or stop())
                and (budget.trials is None or started < budget.trials)
                and (deadline is None or time.monotonic() < deadline)
            ):
                room = width - len(in_flight)
                if budget.trials is not None:
                    room = min(room, budget.trials - started)
                trials = driver.ask(room)
                if trials is None:
                    exhausted = True
                if not trials:
                    break
                for i, trial in enumerate(trials):
                    started += 1
                    try:
                        fn, args = driver.call(trial)
                        in_flight[evaluator.submit(capture, fn, *args)] = trial
                    except BaseException as exc:
                        # an inline evaluator runs the objective in submit: Ctrl-C lands here
                        interrupted = isinstance(exc, KeyboardInterrupt)
                        reason = "interrupted before its result came" if interrupted else (
                            "could not be handed to the executor")
                        driver.release(trials[i], reason, started=interrupted)
                        for unsent in trials[i + 1:]:
                            driver.release(unsent, "not started: the run stopped", started=False)
                        raise
            if not in_flight:
                break
            for handle in sorted(evaluator.wait(list(in_flight)), key=lambda h: in_flight[h].number):
                trial = in_flight.pop(handle)
                try:
                    outcome = evaluator.result(handle)
                except WorkerLost as exc:
                    driver.release(trial, f"worker lost during evaluation: {exc}", started=True)
                    started -= 1  # its rerun counts instead
                    continue
                finished = _settle(driver, trial, outcome, policy)
                done += 1
                if bar is not None:
                    bar.update(finished.value)
                if driver.finished(finished):
                    stopped = True
    except BaseException as exc:
        evaluator.cancel(list(in_flight))
        if policy.drain and isinstance(exc, Exception):
            _drain(driver, evaluator, in_flight)
        for trial in sorted(in_flight.values(), key=lambda t: t.number):
            driver.release(trial, "interrupted before its result came", started=True)
        raise
    finally:
        evaluator.close()
        if bar is not None:
            bar.close()
    return done

