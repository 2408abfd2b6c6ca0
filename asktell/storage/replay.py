"""Bring an optimizer up to date with a stored study.

A study's log is its trials' asks and tells in the order they were
committed (their sequence numbers). Replaying that log into a fresh
optimizer with the same seed rebuilds exactly the state the optimizer had
when it wrote the log, for any deterministic optimizer of the trial
protocol: Bayesian, scipy's (whose state lives in a thread) or a
hyper-optimizer. Every ask replayed is checked against the point stored,
so an optimizer that does not replay is caught, not silently trusted.
"""

from __future__ import annotations

import inspect
import math
import numbers

from ..trial import Trial, TrialState

__all__ = ["LogReplay", "StateReplay", "ReplayError", "replay_for", "same_point"]


class ReplayError(RuntimeError):
    """The optimizer proposed something other than what the study stored."""


def same_point(a, b, rtol=1e-9):
    """Equality of two points, numbers up to round-off."""
    if len(a) != len(b):
        return False
    for u, v in zip(a, b):
        if _is_number(u) and _is_number(v):
            if not math.isclose(u, v, rel_tol=rtol, abs_tol=1e-12):
                return False
        elif type(u) is not type(v) or u != v:
            return False
    return True


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def told_value(stored):
    """What was told, in the protocol's form: a float or ``(value, seconds)``."""
    told = stored.told
    if isinstance(told, list):
        return tuple(told)
    return stored.value if told is None else told


class LogReplay:
    """Applies a study's asks and tells, in commit order, to one optimizer."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        #: sequence number of the last event applied
        self.seq = -1

    def apply(self, trials):
        """Apply the events of ``trials`` (changed stored trials) not yet applied."""
        events = []
        for t in trials:
            if t.ask_seq > self.seq:
                events.append((t.ask_seq, 0, t))
            if t.tell_seq is not None and t.tell_seq > self.seq:
                events.append((t.tell_seq, 1, t))
        events.sort(key=lambda e: (e[0], e[1]))
        last_tell = max((i for i, e in enumerate(events) if e[1] == 1), default=-1)
        for i, (seq, kind, stored) in enumerate(events):
            if kind == 0:
                self._replay_ask(stored)
            else:
                self._replay_tell(stored, last=i == last_tell)
            self.seq = seq

    def _replay_ask(self, stored):
        trial = self.optimizer.ask_trial()
        if trial.number != stored.number or not same_point(trial.x, stored.x):
            raise ReplayError(
                f"{type(self.optimizer).__name__} does not replay the study: it proposed "
                f"trial {trial.number} at {trial.x!r} where the study stored trial "
                f"{stored.number} at {stored.x!r}; give every process the same optimizer "
                "settings and random_state (an optimizer must be deterministic given its seed)"
            )

    def _replay_tell(self, stored, last=True):
        if stored.state == "COMPLETE":
            self.optimizer.tell_trial(stored.number, told_value(stored))
        else:
            self.optimizer.fail_trial(stored.number, stored.info.get("error"))

    def ask(self):
        """A live ask; the caller stores it and sets ``seq`` to its event's number."""
        return self.optimizer.ask_trial()


class StateReplay(LogReplay):
    """For optimizers whose proposal depends only on what they were told.

    Such an optimizer (``add_trial``, as `asktell.Optimizer` has) is given
    other workers' trials instead of re-proposing them: a pending trial is
    added, a told one told. Its model is refitted once per batch of tells
    unless its proposals depend on the sequence of fits (``gp_hedge``),
    where every tell fits, as it did when first told.
    """

    def __init__(self, optimizer):
        super().__init__(optimizer)
        try:
            params = inspect.signature(optimizer.tell_trial).parameters
        except (TypeError, ValueError):
            params = {}
        self._takes_fit = "fit" in params
        self._fit_each = getattr(optimizer, "acq_func", None) == "gp_hedge"

    def _replay_ask(self, stored):
        self.optimizer.add_trial(
            Trial(number=stored.number, x=list(stored.x), params=dict(stored.params), state=TrialState.RUNNING)
        )

    def _replay_tell(self, stored, last=True):
        if stored.state == "COMPLETE" and self._takes_fit:
            fit = last or self._fit_each
            self.optimizer.tell_trial(stored.number, told_value(stored), fit=fit)
        else:
            super()._replay_tell(stored, last)


def replay_for(optimizer):
    """`StateReplay` where the optimizer can adopt trials, `LogReplay` otherwise."""
    if callable(getattr(optimizer, "add_trial", None)):
        return StateReplay(optimizer)
    return LogReplay(optimizer)
