"""The ask/tell contract every asktell optimizer speaks, written once.

Drivers (the minimize functions, ``HyperOptimizer.run``, ``Study.optimize``)
are loops over ``ask_trial`` / evaluate / ``tell_trial``; they never look
at how an optimizer decides, and optimizers never see how evaluation is
done. `AskTellOptimizer` states the contract; `TrialBook` keeps the
trials' numbers and finds the pending ones; `parse_value` reads what an
objective returned. Every optimizer of the package is built on these three,
and ``tests/test_conformance.py`` holds each of them to the contract.

The contract
------------
* ``ask_trial()`` returns a new RUNNING `Trial` numbered ``0, 1, 2, ...``
  (a number names a trial for its whole life), or None once the optimizer
  is exhausted (a scipy run ended, a finite space spent); a driver then
  stops. It may be called several times before any tell (parallel
  pre-dispatch): the trials asked and not yet told are *pending*, and
  each ask returns a point distinct from the pending ones where the
  optimizer can.
* ``tell_trial(trial, value)`` ends a pending trial (the `Trial` or its
  number), in any order. ``value`` is a finite float, or ``(value,
  seconds)``: the evaluation's duration, which cost-aware acquisitions
  model and everyone else keeps in ``trial.info["seconds"]``.
* **One rule for NaN and infinities**: a non-finite value told is a
  *failed* trial, stored with its reason in ``trial.info["error"]``, never
  a number fed to a model, and a point the optimizer does not propose
  again. An optimizer that needs a value for every point it asked (the
  scipy optimizers) is given a finite penalty instead, which it documents;
  the trial still reads FAIL.
* ``fail_trial(trial, error=None)`` ends a pending trial whose evaluation
  failed (an exception, a lost result), by the same rule.
* Telling or failing a trial that was never asked, or one already
  finished, raises ``ValueError`` naming its number; a value that is not a
  number raises ``TypeError`` naming it. Neither changes the optimizer.
* ``trials`` lists every trial asked, in number order.
* ``ask_trials(n)`` asks a batch of up to ``n`` trials (fewer once
  exhausted): `ask_trial` ``n`` times unless the optimizer has a batch
  strategy of its own.
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Union

import numpy as np

from .trial import Trial, TrialState

__all__ = ["AskTellOptimizer", "TrialBook", "Told", "parse_value", "error_text", "plain", "split_score"]

#: what ``tell_trial`` accepts: a float, or ``(value, seconds)``
Value = Union[float, "tuple[float, float]"]


class AskTellOptimizer(abc.ABC):
    """Abstract base of every optimizer that speaks the trial protocol.

    Subclasses implement `ask_trial`, `tell_trial`, `fail_trial` and
    `trials` as the module's contract states; most keep their trials in a
    `TrialBook` and read told values with `parse_value`.
    """

    #: the search space (`asktell.space.Space`, or a `MethodSpace`)
    space: Any = None

    @abc.abstractmethod
    def ask_trial(self) -> Trial | None:
        """Propose the next point as a new RUNNING `Trial`; None once exhausted."""

    @abc.abstractmethod
    def tell_trial(self, trial: Trial | int, value: Value) -> Trial:
        """End the pending ``trial`` with ``value`` (a float or ``(value, seconds)``)."""

    @abc.abstractmethod
    def fail_trial(self, trial: Trial | int, error: str | BaseException | None = None) -> Trial:
        """End the pending ``trial`` as failed, ``error`` saying why."""

    @property
    @abc.abstractmethod
    def trials(self) -> list[Trial]:
        """Every trial asked so far, in number order."""

    def ask_trials(self, n: int, **ask_options: Any) -> list[Trial]:
        """Up to ``n`` new trials at once, a batch to evaluate in parallel (fewer once exhausted).

        By default ``n`` calls of ``ask_trial(**ask_options)``; an optimizer
        with a batch strategy proposes the batch as a whole.
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        trials = []
        for _ in range(n):
            trial = self.ask_trial(**ask_options)
            if trial is None:
                break
            trials.append(trial)
        return trials


# ---------------------------------------------------------------- values
class Told(NamedTuple):
    """A value told, read by `parse_value`.

    Attributes
    ----------
    value : float
        The objective's value (NaN or infinite for a failed evaluation).
    seconds : float or None
        The evaluation's duration, when told as ``(value, seconds)``.
    """

    value: float
    seconds: float | None = None

    @property
    def finite(self) -> bool:
        """Whether the value (and duration) are finite: else the trial fails."""
        return math.isfinite(self.value) and (self.seconds is None or math.isfinite(self.seconds))

    @property
    def error(self) -> str | None:
        """Why a non-finite value fails its trial (None for a finite one)."""
        if self.finite:
            return None
        told = self.value if self.seconds is None else (self.value, self.seconds)
        return f"the objective returned {told!r}, which is not finite"


def _real(value: Any, param: str, told: Any) -> float:
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)):
            raise ValueError(f"{param} must be a scalar (the objective returns one number), got {told!r}")
        raise TypeError(f"{param} must be a number or (value, seconds), got {told!r}")
    return float(value)


def parse_value(value: Any, param: str = "value") -> Told:
    """Read what an objective returned: a number, or ``(value, seconds)``.

    Parameters
    ----------
    value : float or (float, float)
        A real number (numpy scalars and 0-d arrays included), or a pair
        ``(value, seconds)``.
    param : str
        The name errors give the value.

    Returns
    -------
    Told
        The value and duration as floats; check `Told.finite` (a NaN or
        infinite value fails its trial, see the module's contract).

    Raises
    ------
    TypeError
        ``value`` is not a number (a str, None, a bool, ...).
    ValueError
        ``value`` is a sequence other than a pair, or ``seconds`` is negative.
    """
    if isinstance(value, (tuple, list)) and len(value) == 2:
        val = _real(value[0], param, value)
        seconds = _real(value[1], f"{param}: seconds of (value, seconds)", value)
        if seconds < 0:
            raise ValueError(f"{param}: seconds of (value, seconds) must be >= 0, got {value!r}")
        return Told(val, seconds)
    return Told(_real(value, param, value))


def plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (what trials store); anything else as is."""
    return value.item() if isinstance(value, np.generic) else value


def split_score(value: Mapping) -> tuple[Any, dict]:
    """``(score, extras)`` of a dict result ``{"score": score, **extras}``, as a hyper-optimizer objective returns.

    The score is then read as any value (`parse_value`); numpy scalars among
    the extras become Python numbers. Raises ``TypeError`` when there is no
    ``"score"``.
    """
    if "score" not in value:
        raise TypeError(f"an objective returning a dict must include 'score', got keys {sorted(map(str, value))}")
    return value["score"], {k: plain(v) for k, v in value.items() if k != "score"}


def error_text(error: str | BaseException | None) -> str | None:
    """An error as stored in ``trial.info["error"]``: its text, with the type of an exception."""
    if error is None or isinstance(error, str):
        return error
    return f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------- the trial book
def _number(trial: Trial | int) -> int:
    number = trial.number if isinstance(trial, Trial) else trial
    if isinstance(number, np.integer):
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, numbers.Integral):
        raise TypeError(f"trial must be a Trial or its number, got {trial!r}")
    return int(number)


class TrialBook:
    """The trials of one optimizer: their numbers and which are pending.

    Numbers run ``0, 1, 2, ...`` in the order trials are opened; a trial
    made elsewhere (a stored study replayed) keeps its own number (`add`).
    `pending_trial` is the one check every tell goes through.

    Examples
    --------
    >>> book = TrialBook()
    >>> t = book.open([0.5], {"x": 0.5})
    >>> book.pending_numbers
    [0]
    >>> book.complete(t, Told(1.0)).state
    <TrialState.COMPLETE: 'COMPLETE'>
    """

    def __init__(self) -> None:
        self._trials: dict[int, Trial] = {}
        self._pending: dict[int, Trial] = {}
        self._next = 0

    # ------------------------------------------------------------ numbering
    @property
    def next_number(self) -> int:
        """The number the next opened trial gets; settable past every number used."""
        return self._next

    @next_number.setter
    def next_number(self, number: int) -> None:
        if isinstance(number, bool) or not isinstance(number, numbers.Integral) or number < 0:
            raise ValueError(f"next_trial_number must be a non-negative integer, got {number!r}")
        if self._trials and number <= max(self._trials):
            raise ValueError(
                f"next_trial_number must exceed the largest trial number {max(self._trials)}, got {number}"
            )
        self._next = int(number)

    def open(self, x: list, params: Mapping | None = None, info: Mapping | None = None) -> Trial:
        """A new RUNNING trial at ``x`` under the next number, pending until ended."""
        trial = Trial(self._next, list(x), params=dict(params or {}), info=dict(info or {}))
        self._next += 1
        self._trials[trial.number] = trial
        self._pending[trial.number] = trial
        return trial

    def add(self, trial: Trial) -> Trial:
        """Register ``trial`` under its own number (pending when RUNNING); the numbering moves past it."""
        number = _number(trial)
        if number < 0 or number in self._trials:
            raise ValueError(f"trial number {number} is invalid or already used")
        self._trials[number] = trial
        if trial.state is TrialState.RUNNING:
            self._pending[number] = trial
        self._next = max(self._next, number + 1)
        return trial

    # ------------------------------------------------------------ lookup
    def pending_trial(self, trial: Trial | int) -> Trial:
        """The pending trial ``trial`` names (a `Trial` or its number).

        Raises ``ValueError`` naming the number when it was never asked or
        is already finished, ``TypeError`` when it is not a number.
        """
        number = _number(trial)
        found = self._pending.get(number)
        if found is not None:
            return found
        if number in self._trials:
            state = self._trials[number].state
            raise ValueError(f"trial {number} is already finished ({state}): it was already told or failed")
        raise ValueError(f"trial {number} is unknown: it was never asked; pending trials: {self.pending_numbers}")

    def __contains__(self, number: object) -> bool:
        return number in self._trials

    def __getitem__(self, number: int) -> Trial:
        return self._trials[number]

    def __len__(self) -> int:
        return len(self._trials)

    @property
    def trials(self) -> list[Trial]:
        """Every trial, in number order."""
        return [self._trials[n] for n in sorted(self._trials)]

    @property
    def pending(self) -> list[Trial]:
        """The RUNNING trials, in number order."""
        return [self._pending[n] for n in sorted(self._pending)]

    @property
    def pending_numbers(self) -> list[int]:
        return sorted(self._pending)

    @property
    def n_failed(self) -> int:
        return sum(t.state is TrialState.FAIL for t in self._trials.values())

    # ------------------------------------------------------------ ending
    def complete(self, trial: Trial, told: Told) -> Trial:
        """End pending ``trial`` as COMPLETE with the finite value ``told``."""
        self._pending.pop(trial.number)
        trial.state = TrialState.COMPLETE
        trial.value = told.value
        if told.seconds is not None:
            trial.info["seconds"] = told.seconds
        return trial

    def fail(self, trial: Trial, error: str | BaseException | None = None) -> Trial:
        """End pending ``trial`` as FAIL, its reason in ``info["error"]``."""
        self._pending.pop(trial.number)
        trial.state = TrialState.FAIL
        trial.value = None
        text = error_text(error)
        if text is not None:
            trial.info["error"] = text
        return trial

    def end(self, trial: Trial | int, value: Any, param: str = "value") -> tuple[Trial, Told]:
        """End pending ``trial`` by the contract's rule: COMPLETE when ``value`` is finite, else FAIL.

        The value is read (and may raise) before anything changes.
        """
        found = self.pending_trial(trial)
        told = parse_value(value, param)
        if told.finite:
            self.complete(found, told)
        else:
            self.fail(found, told.error)
            if told.seconds is not None:
                found.info["seconds"] = told.seconds
        return found, told

    def copy(self) -> TrialBook:
        """An independent copy (trials copied)."""
        import copy

        other = TrialBook()
        other._trials = {n: copy.deepcopy(t) for n, t in self._trials.items()}
        other._pending = {n: other._trials[n] for n in self._pending}
        other._next = self._next
        return other
