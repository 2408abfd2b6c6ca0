"""Bring an optimizer up to date with a stored study.

A study's log is its trials' asks and tells in the order they were
committed (their sequence numbers). Replaying that log into a fresh
optimizer with the same seed rebuilds exactly the state the optimizer had
when it wrote the log, for any deterministic optimizer of the trial
protocol: Bayesian, scipy's (whose state lives in a thread) or a
hyper-optimizer. Every ask replayed is checked against the point stored,
so an optimizer that does not replay is caught, not silently trusted.

`sync` is how a `Study` catches up: it caches every trial changed since
it last looked and replays them into its optimizer (built on first use
from the stored settings, `new_optimizer`).
"""

from __future__ import annotations

import inspect
import math
import numbers

from ..storage import space_from_dict, space_to_dict
from ..trial import Trial, TrialState
from ._registry import factory_for

__all__ = ["LogReplay", "StateReplay", "ReplayError", "STATE_KEY", "replay_for", "same_point"]


class ReplayError(RuntimeError):
    """The optimizer proposed something other than what the study stored."""


def same_point(a, b, rtol=1e-9):
    """Equality of two points, numbers up to round-off."""
    if len(a) != len(b):
        return False
    for u, v in zip(a, b):
        if u == v and type(u) is type(v):  # most stored points are read back as they were asked
            continue
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
        for seq, kind, stored in self._events(trials):
            if kind == 0:
                self._replay_ask(stored)
            else:
                self._replay_tell(stored)
            self.seq = seq

    def _events(self, trials):
        """``(seq, kind, trial)`` of the asks (kind 0) and tells (1) after `seq`, in commit order."""
        events = []
        for t in trials:
            if t.ask_seq > self.seq:
                events.append((t.ask_seq, 0, t))
            if t.tell_seq is not None and t.tell_seq > self.seq:
                events.append((t.tell_seq, 1, t))
        events.sort(key=lambda e: (e[0], e[1]))
        return events

    def _replay_ask(self, stored):
        trial = self.optimizer.ask_trial()
        if trial.number != stored.number or not same_point(trial.x, stored.x):
            raise ReplayError(
                f"{type(self.optimizer).__name__} does not replay the study: it proposed "
                f"trial {trial.number} at {trial.x!r} where the study stored trial "
                f"{stored.number} at {stored.x!r}; give every process the same optimizer "
                "settings and random_state (an optimizer must be deterministic given its seed)"
            )

    def _replay_tell(self, stored):
        if stored.state == "COMPLETE":
            self.optimizer.tell_trial(stored.number, told_value(stored))
        else:
            self.optimizer.fail_trial(stored.number, stored.info.get("error"))

    def ask(self):
        """A live ask; the caller stores it and sets ``seq`` to its event's number."""
        return self.optimizer.ask_trial()


#: key of a told trial's info under which a study stores its optimizer's `state_dict`
STATE_KEY = "optimizer_state"


class StateReplay(LogReplay):
    """For optimizers whose proposal depends only on what they were told.

    Such an optimizer (``add_trial``, as `asktell.Optimizer` has) is given
    other workers' trials instead of re-proposing them: a pending trial is
    added, a told one told (one asked and told in the same batch is added
    once, told), all without fitting. Then one fit: the
    optimizer's state stored with the last trial told (`STATE_KEY`, what
    its ``state_dict`` gave after that tell) is restored with
    ``load_state``, so the model's warm start and the ``gp_hedge`` gains
    are what they were, not rebuilt by a fit per trial. Tells after the
    last one that carries a state (a worker still fitting, or a study
    written before states were stored) are fitted as they were when first
    told: at every tell where proposals depend on the sequence of fits
    (``gp_hedge``), else once at the end.
    """

    def __init__(self, optimizer):
        super().__init__(optimizer)
        try:
            params = inspect.signature(optimizer.tell_trial).parameters
        except (TypeError, ValueError):
            params = {}
        self._takes_fit = "fit" in params
        try:
            adds = inspect.signature(optimizer.add_trial).parameters
        except (TypeError, ValueError):
            adds = {}
        # a trial asked and told is added whole where add_trial can leave the fit out as tell_trial does
        self._adds_whole = self._takes_fit == ("fit" in adds)
        self._loads_state = callable(getattr(optimizer, "load_state", None))
        # proposals that depend on the sequence of fits (``gp_hedge``, also inside a hyper-optimizer's
        # methods): tells after the last stored state are fitted one by one
        self._fit_each = (getattr(optimizer, "acq_func", None) == "gp_hedge"
                          or bool(getattr(optimizer, "fits_each_tell", False)))
        self._keeps_info = bool(getattr(optimizer, "keeps_trial_info", False))
        self._ahead = set()  # trials told by `tell_ahead` whose tells are not yet stored

    def tell_ahead(self, number, value):
        """Tell the optimizer a value before it is stored, so that the fit runs before the lock is taken.

        The stored tell of ``number``, when `apply` meets it, is then skipped.
        """
        if self._takes_fit:
            self.optimizer.tell_trial(number, value, fit=True)
        else:
            self.optimizer.tell_trial(number, value)
        self._ahead.add(number)

    def apply(self, trials):
        events = self._events(trials)
        told = [i for i, (_, kind, stored) in enumerate(events)
                if kind == 1 and stored.state == "COMPLETE" and stored.number not in self._ahead]
        last = told[-1] if told else -1
        # the last tell that carries a state: everything up to it is restored by one fit
        restore = -1
        if self._loads_state:
            restore = next((i for i in reversed(told) if STATE_KEY in events[i][2].info), -1)
        # a trial asked and told in this batch, up to the restore point, is added once, told
        # (at its tell, so that the model's data keep the order of the tells)
        # (only where nothing happened between its ask and its tell, so that no event moves)
        whole = {events[i][2].number for i in told
                 if i > 0 and events[i - 1][1] == 0 and events[i - 1][2].number == events[i][2].number
                 and (i <= restore or not self._fit_each)} if self._adds_whole else set()
        bulk = []  # trials added whole, without a fit, waiting for one `add_trials`
        adds = callable(getattr(self.optimizer, "add_trials", None))
        for i, (seq, kind, stored) in enumerate(events):
            if stored.number in whole and (kind == 0 or adds and i != restore and not (
                    self._takes_fit and i > restore and (self._fit_each or i == last))):
                if kind == 1:  # (its ask adds nothing)
                    bulk.append(_told_trial(stored, self._info(stored)))
                self.seq = seq
                continue
            if bulk:
                self.optimizer.add_trials(bulk, **({"fit": False} if self._takes_fit else {}))
                bulk = []
            if kind == 1 and stored.number in self._ahead:
                self._ahead.discard(stored.number)  # told already
            elif kind == 0:
                self.optimizer.add_trial(
                    Trial(number=stored.number, x=list(stored.x), state=TrialState.RUNNING,
                          info=self._info(stored))
                )
            elif stored.number in whole:
                fit = {"fit": i > restore and (self._fit_each or i == last)} if self._takes_fit else {}
                self.optimizer.add_trial(_told_trial(stored, self._info(stored)), **fit)
                if i == restore:
                    self._load(stored.info[STATE_KEY])
            elif stored.state == "COMPLETE" and self._takes_fit:
                fit = i > restore and (self._fit_each or i == last)
                self.optimizer.tell_trial(stored.number, told_value(stored), fit=fit)
                if i == restore:
                    self._load(stored.info[STATE_KEY])
            else:
                LogReplay._replay_tell(self, stored)
            self.seq = seq
        if bulk:
            self.optimizer.add_trials(bulk, **({"fit": False} if self._takes_fit else {}))

    def _info(self, stored):
        """The stored trial's info where the optimizer keeps it (decoding it costs), else empty."""
        if not self._keeps_info:
            return {}
        return {k: v for k, v in stored.info.items() if k != STATE_KEY}

    def _load(self, state):
        try:
            self.optimizer.load_state(state)
        except ValueError:  # not this optimizer's state: the next ask fits on the data
            pass


def _told_trial(stored, info):
    """A stored COMPLETE trial as the optimizer's `add_trial` takes it (seconds told in its info)."""
    told = told_value(stored)
    value, info = told, dict(info)
    if isinstance(told, tuple):
        value, info["seconds"] = told
    return Trial(number=stored.number, x=list(stored.x), state=TrialState.COMPLETE, value=value, info=info)


def replay_for(optimizer):
    """`StateReplay` where the optimizer can adopt trials, `LogReplay` otherwise."""
    if callable(getattr(optimizer, "add_trial", None)) and getattr(optimizer, "adopts_trials", True):
        return StateReplay(optimizer)
    return LogReplay(optimizer)


# ------------------------------------------------------------------ a study catching up
def new_optimizer(study):
    """A fresh optimizer for ``study``: built from the stored settings, or the instance it was given."""
    settings = study.optimizer_settings
    if "name" in settings:
        factory = factory_for(settings["name"])
        space = space_from_dict(space_to_dict(study.space))  # a copy: optimizers may set transforms
        return factory(space, random_state=settings["random_state"], **settings["kwargs"])
    instance, study._instance = study._instance, None
    if instance is None:
        raise RuntimeError(
            f"study {study.name!r} needs a fresh optimizer to rebuild its state, and was given "
            "an instance that is already used; open the study again with a new instance"
        )
    if list(getattr(instance, "trials", []) or []):
        raise ValueError("optimizer must be a fresh instance (it has trials already); the study replays its own")
    return instance


def close_optimizer(optimizer):
    """Stop an optimizer's threads, where it has any."""
    for method in ("stop", "close", "cleanup"):
        fn = getattr(optimizer, method, None)
        if callable(fn):
            fn()
            return


def drop_replay(study):
    """Forget ``study``'s optimizer (stopping its threads); the next `sync` rebuilds it."""
    replay, study._replay = study._replay, None
    study._resources["optimizer"] = None
    if replay is not None:
        close_optimizer(replay.optimizer)


def absorb(study, stored):
    """Cache the stored trials ``stored`` in ``study``."""
    for t in stored:
        study._trials[t.number] = t
        study._seen = max(study._seen, t.seq)


def refresh(study):
    """Cache what changed in storage since ``study`` last looked (no replay)."""
    absorb(study, study.storage.trials(study.study_id, study._seen))


def sync(study, txn=None):
    """Catch up with storage: cache every changed trial, replay into the optimizer.

    Without ``txn`` it reads without taking the study's lock (what was
    committed), so that the model fits of catching up do not hold
    other workers up; the locked step after it then has little to do.
    """
    absorb(study, txn.trials(study._seen) if txn is not None else study.storage.trials(study.study_id, study._seen))
    try:
        if study._replay is None:
            study._replay = replay_for(new_optimizer(study))
            study._resources["optimizer"] = study._replay.optimizer
        seq = study._replay.seq
        study._replay.apply(
            [t for t in study._trials.values() if t.ask_seq > seq or (t.tell_seq or -1) > seq]
        )
    except BaseException:
        drop_replay(study)
        raise


def store_state(study, txn, number, info):
    """Store the optimizer's state after telling ``number``, for a resume in one fit."""
    state_dict = getattr(study._replay.optimizer, "state_dict", None)
    if callable(state_dict):
        txn.set_info(number, dict(info, **{STATE_KEY: state_dict()}))
