"""A study's asks and tells: recorded in storage first, then told to its optimizer.

An ask catches up with storage outside the lock (the model fits), then,
holding the lock, requeues lost workers' trials, hands out queued trials
first and asks the optimizer for the rest. A tell fits the optimizer
outside the lock where it can (`StateReplay.tell_ahead`), then stores the
result and the optimizer's state under it.
"""

from __future__ import annotations

import json
import numbers
import time
import warnings

from ..space import MethodSpace
from ..trial import Trial, TrialState
from ._recovery import beat, recover
from ._sync import StateReplay, absorb, drop_replay, store_state, sync
from ._values import check_value, for_optimizer, jsonable, plain, split_result


def trial_number(trial):
    """The number of ``trial`` (a `Trial` or its number); TypeError for anything else."""
    number = trial.number if isinstance(trial, Trial) else trial
    if isinstance(number, bool) or not isinstance(number, numbers.Integral):
        raise TypeError(f"trial must be a Trial or a trial number, got {trial!r}")
    return int(number)


def _ask_trials(optimizer, n):
    """A batch of ``n`` trials (`asktell.protocol.AskTellOptimizer.ask_trials`; asked one by one
    from an optimizer that only has ``ask_trial``)."""
    if callable(getattr(optimizer, "ask_trials", None)):
        return optimizer.ask_trials(n)
    return [optimizer.ask_trial() for _ in range(n)]


def ask_batch(study, n):
    """Up to ``n`` trials recorded RUNNING in one transaction: queued ones first, then
    one batch of the optimizer (``ask_trials``, its batch strategy); fewer once exhausted."""
    with study._mutex:
        sync(study)  # the model fits, before the lock
        now = time.time()
        asked = False
        try:
            with study.storage.transaction(study.study_id) as txn:
                before = study._seen
                sync(study, txn)
                if recover(study, txn, now):
                    sync(study, txn)  # a trial given up is told failed before anything is asked
                batch = [txn.claim(number, study._worker, now) for number in txn.requeued()[:n]]
                if len(batch) < n:
                    asked = True
                    k = n - len(batch)
                    trials = [study._replay.ask()] if k == 1 else _ask_trials(study._replay.optimizer, k)
                    for trial in trials:
                        if trial is None:
                            break
                        x = [plain(v) for v in trial.x]
                        stored = txn.add(
                            trial.number, x, study.space.to_params(x), study._worker, now, jsonable(trial.info)
                        )
                        study._replay.seq = stored.ask_seq
                        batch.append(stored)
                absorb(study, txn.trials(before))
        except BaseException:
            if asked:  # the optimizer is ahead of what was stored: rebuild it
                drop_replay(study)
            raise
        study._own.update(stored.number for stored in batch)
        beat(study)
        return [stored.to_trial() for stored in batch]


def finish(study, number, value, error, late_ok=False, seconds=None):
    """End trial ``number`` with ``value`` or ``error``; returns the finished `Trial`."""
    extras = {}
    if error is None and isinstance(value, dict) and isinstance(study.space, MethodSpace):
        value, extras = split_result(value, number)
    if error is not None:
        if isinstance(error, BaseException):
            error = f"{type(error).__name__}: {error}"
        state, fvalue, told, error = TrialState.FAIL, None, None, str(error)
    else:
        state, fvalue, told, error = check_value(value, number)
        told = for_optimizer(told, study.direction)
    with study._mutex:
        ahead = _tell_ahead(study, number, state, told)
        now = time.time()
        try:
            stored = _store_tell(study, number, state, fvalue, told, error, extras, seconds, late_ok, now)
        except BaseException:
            if ahead:  # the optimizer was told what storage was not: rebuild it
                drop_replay(study)
            raise
        if ahead and stored.tell_seq is not None:
            drop_replay(study)  # a late value, told to the optimizer but kept aside in storage
        study._own.discard(number)
        beat(study)
        if error is not None and state is TrialState.FAIL and value is not None:
            warnings.warn(f"trial {number} failed: {error}", RuntimeWarning, stacklevel=3)
        return study._trials[number].to_trial()


def _tell_ahead(study, number, state, told):
    """Tell the optimizer ``number``'s value before the study's lock is taken; whether it did.

    An optimizer replayed from its told trials (`StateReplay`) fits its
    model here, outside the lock, so that other workers can ask and
    tell meanwhile (the model fit is most of a tell's cost).
    """
    if state is not TrialState.COMPLETE:
        return False
    sync(study)
    cached = study._trials.get(number)
    if not isinstance(study._replay, StateReplay) or cached is None or cached.tell_seq is not None:
        return False
    try:
        study._replay.tell_ahead(number, tuple(told) if isinstance(told, list) else told)
    except BaseException:
        drop_replay(study)
        raise
    return True


def _store_tell(study, number, state, fvalue, told, error, extras, seconds, late_ok, now):
    """Store the result of ``number`` under the study's lock; returns the trial as it was before."""
    with study.storage.transaction(study.study_id) as txn:
        before = study._seen
        stored = txn.get(number)
        info = dict(stored.info)
        if seconds is not None:
            info["eval_seconds"] = seconds
        if stored.tell_seq is not None:
            if not late_ok:
                raise ValueError(
                    f"trial {number} of study {study.name!r} is already finished ({stored.state})"
                )
            # a lost worker's value arriving after a rerun: kept beside the first one
            info.setdefault("late_results", []).append(
                {"value": fvalue, "error": error, "worker": study._worker, "at": now}
            )
            txn.set_info(number, info)
        else:
            info.update(extras)
            if error is not None:
                info["error"] = error
            else:
                info.pop("error", None)
            txn.finish(number, state, fvalue, told, info, now)
        sync(study, txn)
        if stored.tell_seq is None and state is TrialState.COMPLETE:
            store_state(study, txn, number, info)
        absorb(study, txn.trials(before))
    return stored


def set_user_attr(study, number, key, value):
    """Store ``value`` under ``key`` in trial ``number``'s ``info["user_attrs"]``."""
    if not isinstance(key, str) or not key:
        raise ValueError(f"key must be a non-empty str, got {key!r}")
    try:
        value = json.loads(json.dumps(value, default=plain, allow_nan=False))
    except (TypeError, ValueError):
        raise TypeError(f"user attribute {key!r} must be a JSON value, got {value!r}") from None
    with study._mutex, study.storage.transaction(study.study_id) as txn:
        before = study._seen
        info = dict(txn.get(number).info)
        info["user_attrs"] = dict(info.get("user_attrs", {}), **{key: value})
        txn.set_info(number, info)
        absorb(study, txn.trials(before))
