"""Durable studies: a named optimization whose every trial is stored.

A `Study` couples a storage (memory, an SQLite file, PostgreSQL) with an
optimizer of the trial protocol. Every change goes to storage first; the
study's optimizer is then brought up to date by replaying the stored asks
and tells in commit order (`asktell.storage.replay`). So any number of
processes, on one machine or many, can work on one study: each one, holding
the study's lock, catches up with what the others asked and told, then
asks; no two are handed the same trial, and a study reopened after a crash
continues exactly where it stopped. A trial whose worker died is failed
and queued for the next worker to run again; a value that arrives late is
kept.

A study over the multi-method hyper-optimizer (``optimizer="hyper"``,
``"hyper-random"``, ...; `asktell.hyper.HyperAskTell`) searches a
`asktell.hyper.MethodSpace`: its trials' params are
``{"method": method, **params}`` and `Study.optimize` calls
``func(method, **params)``, as `HyperOptimizer.run` does.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import math
import numbers
import os
import threading
import time
import warnings
import weakref
from functools import partial

import numpy as np
from scipy.optimize import OptimizeResult

from .auto import AutoOptimizer
from .hyper import HyperAskTell, SpaceAskTell
from .space import MethodSpace
from .optimizer import Optimizer
from ._loop import Budget, Driver, ErrorPolicy, run_loop
from .storage import (
    DuplicatedStudyError,
    get_storage,
    is_method_space_dict,
    same_space,
    space_from_dict,
    space_to_dict,
)
from .storage.replay import STATE_KEY, StateReplay, replay_for
from .storage.workers import Heartbeat, worker_id, worker_lost
from .protocol import parse_value
from .scipy_bridge import HyperScipySampler
from .space import Space
from .trial import Trial, TrialState
from .utils import _check_random_state

__all__ = [
    "Study",
    "create_study",
    "load_study",
    "delete_study",
    "get_all_study_summaries",
    "register_optimizer",
    "optimizer_names",
]

# ------------------------------------------------------------------ optimizers
_OPTIMIZERS = {}


def register_optimizer(name, factory, replace=False):
    """Make ``factory(space, random_state=seed, **kwargs)`` available by ``name``.

    Names are case-insensitive (``"GP"`` is ``"gp"``). Studies store the
    name, the keyword arguments and the seed, so that every process (and
    every resume) builds the same optimizer. A factory whose
    ``method_space`` attribute is true is given a
    `asktell.hyper.MethodSpace` instead of a `Space` (as ``"hyper"`` is).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"optimizer name must be a non-empty str, got {name!r}")
    if not callable(factory):
        raise TypeError(f"factory must be callable, got {factory!r}")
    if name.lower() in _OPTIMIZERS and not replace:
        raise ValueError(f"an optimizer named {name!r} is registered already (pass replace=True)")
    _OPTIMIZERS[name.lower()] = factory


def optimizer_names():
    """Names accepted by ``optimizer=`` (and ``asktell run --optimizer``)."""
    return sorted(_OPTIMIZERS)


def _bayesian(base_estimator):
    def make(space, random_state=None, **kwargs):
        return Optimizer(space, base_estimator=base_estimator, random_state=random_state, **kwargs)

    make.__doc__ = f"asktell.Optimizer with base_estimator={base_estimator!r}"
    return make


for _name, _estimator in (
    ("gp", "GP"),
    ("forest", "RF"),
    ("rf", "RF"),
    ("et", "ET"),
    ("gbrt", "GBRT"),
    ("random", "dummy"),
    ("dummy", "dummy"),
):
    register_optimizer(_name, _bayesian(_estimator))


def _auto(space, random_state=None, **kwargs):
    return AutoOptimizer(space, random_state=random_state, **kwargs)


_auto.__doc__ = "asktell.AutoOptimizer, the default strategy of asktell.minimize"
register_optimizer("auto", _auto)


def _plain(optlib):
    def make(space, random_state=None, **kwargs):
        return SpaceAskTell(space, optlib, random_state=random_state, **kwargs)

    make.__doc__ = f"asktell.hyper.SpaceAskTell with optlib={optlib!r}: its strategy on a plain space"
    return make


for _optlib in ("tpe", "cmaes"):
    register_optimizer(_optlib, _plain(_optlib))


def _scipy(method):
    def make(space, random_state=None, **kwargs):
        return HyperScipySampler(space, method=method, random_state=random_state, **kwargs)

    make.__doc__ = f"asktell.HyperScipySampler with method={method!r}"
    return make


for _name, _method in (
    ("scipy-de", "differential_evolution"),
    ("scipy-da", "dual_annealing"),
    ("scipy-direct", "direct"),
    ("scipy-shgo", "shgo"),
):
    register_optimizer(_name, _scipy(_method))


def _hyper(optlib):
    def make(space, random_state=None, **kwargs):
        if optlib is not None:
            kwargs["optlib"] = optlib
        return HyperAskTell(space, random_state=random_state, **kwargs)

    make.method_space = True  # the study's space is a MethodSpace
    make.__doc__ = (
        f"asktell.hyper.HyperAskTell with optlib={optlib!r}"
        if optlib is not None
        else "asktell.hyper.HyperAskTell (optlib 'auto' unless optimizer_kwargs give 'optlib')"
    )
    return make


register_optimizer("hyper", _hyper(None))
for _optlib in ("auto", "bayes", "tpe", "random", "scipy", "cmaes"):
    register_optimizer(f"hyper-{_optlib}", _hyper(_optlib))

_DEFAULT_OPTIMIZER = "auto"
_DEFAULT_HYPER_OPTIMIZER = "hyper"


def _load_object(path, what):
    """``"package.module:attribute"`` to the object it names."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"{what} {path!r} must be written module:name")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{what} {path!r}: cannot import {module_name!r} ({exc})") from None
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what} {path!r}: {module_name!r} has no attribute {attr!r}") from None
    return obj


def _factory_for(name):
    if name.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[name.lower()]
    if ":" in name:
        factory = _load_object(name, "optimizer")
        if not callable(factory):
            raise TypeError(f"optimizer {name!r} is not callable")
        return factory
    raise ValueError(
        f"unknown optimizer {name!r}: choose one of {optimizer_names()} "
        "or give module:factory, or an optimizer instance"
    )


def _canonical(name):
    """A registered name as stored (lower case); a ``module:factory`` path as given."""
    return name.lower() if name.lower() in _OPTIMIZERS else name


def _searches_method_space(optimizer):
    """Whether ``optimizer`` (a name or an instance) searches a `MethodSpace`."""
    if isinstance(optimizer, str):
        return bool(getattr(_factory_for(optimizer), "method_space", False))
    return isinstance(getattr(optimizer, "space", None), MethodSpace)


def _is_method_space(space):
    return isinstance(space, MethodSpace) or is_method_space_dict(space)


def _searched_space(space, method_space):
    """``space`` as the study searches it: a `MethodSpace` for a hyper optimizer, else as given."""
    if not method_space:
        if _is_method_space(space):
            raise ValueError(
                "space is a method space, which only a hyper optimizer searches: "
                f"pass one of {[n for n in optimizer_names() if _searches_method_space(n)]}"
            )
        return space
    if isinstance(space, MethodSpace):
        return space
    if is_method_space_dict(space):
        return space_from_dict(space)
    if isinstance(space, dict):
        return MethodSpace(space)
    raise TypeError(
        "space: a hyper optimizer searches a method space {method: space} (or a MethodSpace), "
        f"got {space!r}; on a plain space use 'auto', 'tpe', 'cmaes', 'random' or 'gp'"
    )


def _call_method(func, params):
    """``func(method, **params)`` for the params of a method-space trial."""
    params = dict(params)
    return func(params.pop("method"), **params)


def _seed(random_state):
    """An int seed that can be stored (a RandomState gives one of its draws)."""
    if random_state is None:
        return int.from_bytes(os.urandom(4), "little") >> 1
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(_check_random_state(random_state).randint(2**31 - 1))


def _ask_trials(optimizer, n):
    """A batch of ``n`` trials (`asktell.protocol.AskTellOptimizer.ask_trials`; asked one by one
    from an optimizer that only has ``ask_trial``)."""
    if callable(getattr(optimizer, "ask_trials", None)):
        return optimizer.ask_trials(n)
    return [optimizer.ask_trial() for _ in range(n)]


def _close_optimizer(optimizer):
    """Stop an optimizer's threads, where it has any."""
    for method in ("stop", "close", "cleanup"):
        fn = getattr(optimizer, method, None)
        if callable(fn):
            fn()
            return


# ------------------------------------------------------------------ values
def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _jsonable(obj):
    """``obj`` made of JSON values (numpy scalars unwrapped, other objects as repr)."""
    try:
        return json.loads(json.dumps(obj, default=_plain, allow_nan=False))
    except (TypeError, ValueError):
        if isinstance(obj, dict):
            return {str(k): _jsonable(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [_jsonable(v) for v in obj]
        return repr(obj)


def _finite(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


#: fields of a trial's info that the study writes (a dict result may not set them)
_STUDY_INFO = frozenset(
    {"worker", "attempts", "datetime_start", "datetime_complete", "duration", "requeued",
     "error", "eval_seconds", "late_results", "user_attrs", "enqueued", "imported", "lost", STATE_KEY}
)

_DIRECTIONS = ("minimize", "maximize")


def _split_score(value, number):
    """``(score, extras)`` of a dict result (what a `HyperOptimizer` objective may return)."""
    if "score" not in value:
        raise TypeError(
            f"trial {number}: an objective returning a dict must include 'score', got keys {sorted(map(str, value))}"
        )
    extras = _jsonable({str(k): v for k, v in value.items() if k != "score"})
    clash = sorted(_STUDY_INFO & set(extras))
    if clash:
        raise TypeError(f"trial {number}: the objective's result fields {clash} are the study's own; rename them")
    return value["score"], extras


def _check_value(value, number):
    """``(state, value, told, error)`` for what an objective returned (`asktell.protocol.parse_value`).

    A float, or ``(value, seconds)`` for cost-aware acquisitions. NaN and
    infinities fail the trial (the optimizer is told it failed, never a
    number that would wreck its model).
    """
    try:
        told = parse_value(value)
    except (TypeError, ValueError):
        hint = " (did it forget to return its value?)" if value is None else ""
        raise TypeError(
            f"trial {number}: the objective returned {value!r}{hint}; it must return a float, "
            "or (value, seconds) for cost-aware optimizers"
        ) from None
    if not told.finite:
        return TrialState.FAIL, None, None, told.error
    if told.seconds is None:
        return TrialState.COMPLETE, told.value, told.value, None
    return TrialState.COMPLETE, told.value, [told.value, told.seconds], None


# ------------------------------------------------------------------ study
class Study:
    """A named, stored optimization run.

    Parameters
    ----------
    name : str or None
        The study's name in its storage (a fresh one is made when None).
    storage : str, `asktell.storage.BaseStorage` or None
        ``None`` keeps the study in memory; ``"sqlite:///study.db"`` in a
        file several processes on one machine can share;
        ``"postgresql://user@host/db"`` for many machines (extra ``storage``).
    space : Space, list of dimensions, MethodSpace, dict or None
        Needed to create a study; when loading one it must match the stored
        space. A hyper optimizer searches a method space: a `MethodSpace`,
        or ``{method: space}`` as `HyperOptimizer` takes it.
    optimizer : str, optimizer instance or None
        A registered name, case-insensitive (``"auto"``, the default
        strategy of `asktell.minimize`; skopt's ``"gp"``, ``"rf"``,
        ``"et"``, ``"gbrt"``; ``"tpe"``, ``"cmaes"``, ``"random"``;
        ``"scipy-de"``, ...; ``"hyper"``, ``"hyper-tpe"``, ... over a method
        space; see `optimizer_names`), ``"module:factory"``, or an instance
        of an `asktell.protocol.AskTellOptimizer` that has not been used
        yet. None: ``"auto"`` for a new study (``"hyper"`` when ``space`` is
        a `MethodSpace`), the stored choice for an existing one.
    random_state : int, RandomState or None
        Seed of the optimizer. Stored with the study: every process and
        every resume uses it (a random one is drawn and stored when None).
    optimizer_kwargs : dict or None
        Keyword arguments of a named optimizer (stored; JSON values).
    load_if_exists : bool
        Open the study when ``name`` exists (else raise `DuplicatedStudyError`).
    heartbeat_interval : float
        Seconds between heartbeats of this process's running trials.
    grace_period : float
        A running trial whose heartbeat is older than this is considered
        lost (on this machine a dead process is noticed at once).
    max_retries : int
        How many times a trial whose worker was lost is run again before
        it fails for good.
    direction : {"minimize", "maximize"} or None
        Whether the study looks for the smallest or the largest value.
        Stored with the study (None: ``"minimize"`` for a new study, the
        stored direction for an existing one). Values told and shown are
        always the objective's own; a maximizing study hands its optimizer
        their negation, and `best_trial` is the largest.

    Attributes
    ----------
    direction : str
        ``"minimize"`` or ``"maximize"``, as stored.
    """

    def __init__(
        self,
        name=None,
        storage=None,
        space=None,
        optimizer=None,
        random_state=None,
        *,
        optimizer_kwargs=None,
        load_if_exists=True,
        heartbeat_interval=10.0,
        grace_period=60.0,
        max_retries=3,
        direction=None,
    ):
        if direction is not None and direction not in _DIRECTIONS:
            raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
        for param, value in (("heartbeat_interval", heartbeat_interval), ("grace_period", grace_period)):
            if not _finite(value) or value <= 0:
                raise ValueError(f"{param} must be a positive number, got {value!r}")
        if grace_period <= heartbeat_interval:
            raise ValueError(
                f"grace_period ({grace_period!r}) must exceed heartbeat_interval ({heartbeat_interval!r}), "
                "or live workers would be taken for lost"
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative int, got {max_retries!r}")
        if optimizer_kwargs is not None and not isinstance(optimizer_kwargs, dict):
            raise TypeError(f"optimizer_kwargs must be a dict or None, got {optimizer_kwargs!r}")
        if name is None:
            name = f"study-{os.urandom(4).hex()}"
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty str, got {name!r}")
        from .storage import BaseStorage

        self.storage = get_storage(storage)
        # a storage made here from a URL is closed with the study; a given one is the caller's
        owned = None if isinstance(storage, BaseStorage) else self.storage
        self.heartbeat_interval = float(heartbeat_interval)
        self.grace_period = float(grace_period)
        self.max_retries = max_retries
        record = self._open(name, space, optimizer, random_state, optimizer_kwargs, load_if_exists, direction)
        self.direction = record.info.get("direction", "minimize")
        self.name = record.name
        self.study_id = record.study_id
        self.space = space_from_dict(record.space)
        self.optimizer_settings = record.optimizer
        self.random_state = record.optimizer.get("random_state")
        self._instance = optimizer if not isinstance(optimizer, (str, type(None))) else None
        self._worker = worker_id()
        self._mutex = threading.RLock()
        self._trials = {}
        self._seen = -1
        self._replay = None
        self._own = set()
        self._stop_requested = False
        self._optimizing = False
        # the heartbeat and the optimizer's threads stop when the study is dropped
        self._resources = {
            "heartbeat": None,
            "optimizer": None,
            "storage": owned,
        }
        self._finalizer = weakref.finalize(self, _release, self._resources)

    # -------------------------------------------------------------- opening
    def _open(self, name, space, optimizer, random_state, optimizer_kwargs, load_if_exists, direction):
        from .storage import StudyNotFoundError

        try:
            record = self.storage.get_study(name)
        except StudyNotFoundError:
            record = None
        if record is not None:
            if not load_if_exists:
                raise DuplicatedStudyError(
                    f"a study named {name!r} exists already in {self.storage.url!r} "
                    "(pass load_if_exists=True to continue it)"
                )
            self._check_matches(record, space, optimizer, random_state, optimizer_kwargs, direction)
            return record
        if space is None:
            raise ValueError(
                f"a space is needed to create study {name!r} (it is not in {self.storage.url!r} yet): "
                "pass space= (a list of dimensions, a Space, or {method: space} for a hyper optimizer)"
            )
        if optimizer is None:
            optimizer = _DEFAULT_HYPER_OPTIMIZER if _is_method_space(space) else _DEFAULT_OPTIMIZER
        space = _searched_space(space, _searches_method_space(optimizer))
        space_dict = space_to_dict(space)
        settings = self._optimizer_settings(space_dict, optimizer, random_state, optimizer_kwargs)
        try:
            return self.storage.create_study(name, space_dict, settings, {"direction": direction or "minimize"})
        except DuplicatedStudyError:
            if not load_if_exists:
                raise
            record = self.storage.get_study(name)  # another process created it meanwhile
            self._check_matches(record, space, optimizer, random_state, optimizer_kwargs, direction)
            return record

    @staticmethod
    def _optimizer_settings(space_dict, optimizer, random_state, optimizer_kwargs):
        seed = _seed(random_state)
        if isinstance(optimizer, str):
            _factory_for(optimizer)  # unknown names fail before anything is stored
            kwargs = _jsonable(optimizer_kwargs or {})
            if kwargs != (optimizer_kwargs or {}):
                raise TypeError(f"optimizer_kwargs must hold JSON values to be stored, got {optimizer_kwargs!r}")
            return {"name": _canonical(optimizer), "kwargs": kwargs, "random_state": seed}
        if optimizer_kwargs:
            raise ValueError("optimizer_kwargs applies to a named optimizer, not to an instance")
        if not all(callable(getattr(optimizer, m, None)) for m in ("ask_trial", "tell_trial", "fail_trial")):
            raise TypeError(
                "optimizer must be a name or an object with ask_trial/tell_trial/fail_trial "
                f"(asktell.protocol.AskTellOptimizer), got {optimizer!r}"
            )
        searched = getattr(optimizer, "space", None)
        if isinstance(searched, MethodSpace) and not same_space(space_to_dict(searched), space_dict):
            raise ValueError(
                f"the optimizer searches {searched!r}, not the study's space {space_from_dict(space_dict)!r}"
            )
        if isinstance(searched, Space) and searched.bounds != space_from_dict(space_dict).bounds:
            raise ValueError(
                f"the optimizer searches {searched!r}, not the study's space {space_from_dict(space_dict)!r}"
            )
        cls = type(optimizer)
        return {
            "class": f"{cls.__module__}:{cls.__qualname__}",
            "random_state": getattr(optimizer, "random_state", None)
            if isinstance(getattr(optimizer, "random_state", None), int)
            else None,
        }

    def _check_matches(self, record, space, optimizer, random_state, optimizer_kwargs, direction=None):
        where = f"study {record.name!r} in {self.storage.url!r}"
        stored_direction = record.info.get("direction", "minimize")
        if direction is not None and direction != stored_direction:
            raise ValueError(f"{where} was created with direction={stored_direction!r}, not {direction!r}")
        if space is not None:
            try:
                given = space_to_dict(_searched_space(space, is_method_space_dict(record.space)))
            except (TypeError, ValueError):
                given = None  # the other kind of space (a method space or not)
            if given is None or not same_space(given, record.space):
                stored = space_from_dict(record.space)
                raise ValueError(f"{where} was created with another space: stored {stored!r}, given {space!r}")
        stored = record.optimizer
        if isinstance(optimizer, str) and stored.get("name") != _canonical(optimizer):
            was = stored.get("name") or stored.get("class")
            raise ValueError(f"{where} was created with optimizer {was!r}, not {optimizer!r}")
        if optimizer is None and "name" not in stored:
            raise ValueError(
                f"{where} was created with an optimizer instance of {stored.get('class')}; "
                "pass a fresh one as optimizer= to open it"
            )
        if optimizer is not None and not isinstance(optimizer, str):
            cls = type(optimizer)
            if stored.get("class") != f"{cls.__module__}:{cls.__qualname__}":
                was = stored.get("name") or stored.get("class")
                raise ValueError(f"{where} was created with optimizer {was!r}, not a {cls.__qualname__}")
        if optimizer_kwargs is not None and "name" in stored and _jsonable(optimizer_kwargs) != stored["kwargs"]:
            raise ValueError(f"{where} was created with optimizer_kwargs {stored['kwargs']!r}, not {optimizer_kwargs!r}")
        if random_state is not None and stored.get("random_state") is not None:
            if isinstance(random_state, numbers.Integral) and int(random_state) != stored["random_state"]:
                raise ValueError(
                    f"{where} was created with random_state={stored['random_state']}, not {random_state}"
                )

    # -------------------------------------------------------------- optimizer
    def _new_optimizer(self):
        settings = self.optimizer_settings
        if "name" in settings:
            factory = _factory_for(settings["name"])
            space = space_from_dict(space_to_dict(self.space))  # a copy: optimizers may set transforms
            return factory(space, random_state=settings["random_state"], **settings["kwargs"])
        instance, self._instance = self._instance, None
        if instance is None:
            raise RuntimeError(
                f"study {self.name!r} needs a fresh optimizer to rebuild its state, and was given "
                "an instance that is already used; open the study again with a new instance"
            )
        if list(getattr(instance, "trials", []) or []):
            raise ValueError("optimizer must be a fresh instance (it has trials already); the study replays its own")
        return instance

    def _drop_replay(self):
        replay, self._replay = self._replay, None
        self._resources["optimizer"] = None
        if replay is not None:
            _close_optimizer(replay.optimizer)

    @property
    def optimizer(self):
        """The optimizer, brought up to date with every trial stored."""
        with self._mutex, self.storage.transaction(self.study_id) as txn:
            self._sync(txn)
            return self._replay.optimizer

    # -------------------------------------------------------------- syncing
    def _absorb(self, stored):
        for t in stored:
            self._trials[t.number] = t
            self._seen = max(self._seen, t.seq)

    def _sync(self, txn=None):
        """Catch up with storage: cache every changed trial, replay into the optimizer.

        Without ``txn`` it reads without taking the study's lock (what was
        committed), so that the model fits of catching up do not hold
        other workers up; the locked step after it then has little to do.
        """
        self._absorb(txn.trials(self._seen) if txn is not None else self.storage.trials(self.study_id, self._seen))
        try:
            if self._replay is None:
                self._replay = replay_for(self._new_optimizer())
                self._resources["optimizer"] = self._replay.optimizer
            seq = self._replay.seq
            self._replay.apply(
                [t for t in self._trials.values() if t.ask_seq > seq or (t.tell_seq or -1) > seq]
            )
        except BaseException:
            self._drop_replay()
            raise

    def _store_state(self, txn, number, info):
        """Store the optimizer's state after telling ``number``, for a resume in one fit."""
        state_dict = getattr(self._replay.optimizer, "state_dict", None)
        if callable(state_dict):
            txn.set_info(number, dict(info, **{STATE_KEY: state_dict()}))

    def _refresh(self):
        self._absorb(self.storage.trials(self.study_id, self._seen))

    def _recover(self, txn, now):
        """Fail and requeue the running trials whose worker is lost; return how many."""
        lost = 0
        for number, worker, heartbeat in txn.running():
            if worker == self._worker and number in self._own:
                continue
            reason = worker_lost(worker, heartbeat, now, self.grace_period)
            if reason is not None:
                self._lose(txn, number, reason, now)
                lost += 1
        return lost

    def _lose(self, txn, number, reason, now, started=True):
        stored = txn.get(number)
        if not started:
            txn.requeue(number, reason, now, started=False)
        elif stored.attempts > self.max_retries:
            info = dict(stored.info, error=f"{reason}; given up after {stored.attempts} attempts")
            txn.finish(number, TrialState.FAIL, None, None, info, now)
        else:
            txn.requeue(number, reason, now)

    # -------------------------------------------------------------- heartbeat
    def _beat(self):
        """Run the heartbeat while this object has trials running (or `optimize` runs)."""
        if (self._own or self._optimizing) and self._resources["heartbeat"] is None:
            beat = partial(_beat, self.storage, self.study_id, self._worker)
            self._resources["heartbeat"] = Heartbeat(
                beat, self.heartbeat_interval, on_exit=self.storage.release_thread
            )
        elif not (self._own or self._optimizing) and self._resources["heartbeat"] is not None:
            heartbeat, self._resources["heartbeat"] = self._resources["heartbeat"], None
            heartbeat.stop()

    # -------------------------------------------------------------- ask / tell
    def ask(self):
        """The next trial to evaluate, recorded RUNNING before it is returned.

        A trial queued for another run (its worker was lost) is handed out
        before the optimizer is asked for a new point. None when the
        optimizer is exhausted (a finite space spent; nothing is stored).
        """
        trials = self._ask_batch(1)
        return trials[0] if trials else None

    def _ask_batch(self, n):
        """Up to ``n`` trials recorded RUNNING in one transaction: queued ones first, then
        one batch of the optimizer (``ask_trials``, its batch strategy); fewer once exhausted."""
        with self._mutex:
            self._sync()  # the model fits, before the lock
            now = time.time()
            asked = False
            try:
                with self.storage.transaction(self.study_id) as txn:
                    before = self._seen
                    self._sync(txn)
                    if self._recover(txn, now):
                        self._sync(txn)  # a trial given up is told failed before anything is asked
                    batch = [txn.claim(number, self._worker, now) for number in txn.requeued()[:n]]
                    if len(batch) < n:
                        asked = True
                        k = n - len(batch)
                        trials = [self._replay.ask()] if k == 1 else _ask_trials(self._replay.optimizer, k)
                        for trial in trials:
                            if trial is None:
                                break
                            x = [_plain(v) for v in trial.x]
                            stored = txn.add(
                                trial.number, x, self.space.to_params(x), self._worker, now, _jsonable(trial.info)
                            )
                            self._replay.seq = stored.ask_seq
                            batch.append(stored)
                    self._absorb(txn.trials(before))
            except BaseException:
                if asked:  # the optimizer is ahead of what was stored: rebuild it
                    self._drop_replay()
                raise
            self._own.update(stored.number for stored in batch)
            self._beat()
            return [stored.to_trial() for stored in batch]

    def tell(self, trial, value=None, *, error=None):
        """Record the result of ``trial`` (a `Trial` or its number).

        ``value``: a float, or ``(value, seconds)`` (in a study over a
        method space also a dict with ``"score"``, as a `HyperOptimizer`
        objective returns: its other fields go to the trial's ``info``); the trial becomes
        COMPLETE (FAIL when the value is NaN or infinite). ``error``: text or
        an exception; the trial becomes FAIL with that text. Returns the
        finished `Trial`.
        """
        number = trial.number if isinstance(trial, Trial) else trial
        if isinstance(number, bool) or not isinstance(number, numbers.Integral):
            raise TypeError(f"trial must be a Trial or a trial number, got {trial!r}")
        if value is None and error is None:
            raise ValueError(f"tell(trial {number}) needs value= (a float) or error= (why it failed)")
        return self._finish(int(number), value, error)

    def fail(self, trial, error=None):
        """Record that evaluating ``trial`` failed (shorthand for ``tell(trial, error=...)``)."""
        return self.tell(trial, error=error if error is not None else "failed")

    def _finish(self, number, value, error, late_ok=False, seconds=None):
        extras = {}
        if error is None and isinstance(value, dict) and isinstance(self.space, MethodSpace):
            value, extras = _split_score(value, number)
        if error is not None:
            if isinstance(error, BaseException):
                error = f"{type(error).__name__}: {error}"
            state, fvalue, told, error = TrialState.FAIL, None, None, str(error)
        else:
            state, fvalue, told, error = _check_value(value, number)
            told = self._to_optimizer(told)
        with self._mutex:
            ahead = self._tell_ahead(number, state, told)
            now = time.time()
            try:
                stored = self._store_tell(number, state, fvalue, told, error, extras, seconds, late_ok, now)
            except BaseException:
                if ahead:  # the optimizer was told what storage was not: rebuild it
                    self._drop_replay()
                raise
            if ahead and stored.tell_seq is not None:
                self._drop_replay()  # a late value, told to the optimizer but kept aside in storage
            self._own.discard(number)
            self._beat()
            if error is not None and state is TrialState.FAIL and value is not None:
                warnings.warn(f"trial {number} failed: {error}", RuntimeWarning, stacklevel=3)
            return self._trials[number].to_trial()

    def _tell_ahead(self, number, state, told):
        """Tell the optimizer ``number``'s value before the study's lock is taken; whether it did.

        An optimizer replayed from its told trials (`StateReplay`) fits its
        model here, outside the lock, so that other workers can ask and
        tell meanwhile (the model fit is most of a tell's cost).
        """
        if state is not TrialState.COMPLETE:
            return False
        self._sync()
        cached = self._trials.get(number)
        if not isinstance(self._replay, StateReplay) or cached is None or cached.tell_seq is not None:
            return False
        try:
            self._replay.tell_ahead(number, tuple(told) if isinstance(told, list) else told)
        except BaseException:
            self._drop_replay()
            raise
        return True

    def _store_tell(self, number, state, fvalue, told, error, extras, seconds, late_ok, now):
        """Store the result of ``number`` under the study's lock; returns the trial as it was before."""
        with self.storage.transaction(self.study_id) as txn:
            before = self._seen
            stored = txn.get(number)
            info = dict(stored.info)
            if seconds is not None:
                info["eval_seconds"] = seconds
            if stored.tell_seq is not None:
                if not late_ok:
                    raise ValueError(
                        f"trial {number} of study {self.name!r} is already finished ({stored.state})"
                    )
                # a lost worker's value arriving after a rerun: kept beside the first one
                info.setdefault("late_results", []).append(
                    {"value": fvalue, "error": error, "worker": self._worker, "at": now}
                )
                txn.set_info(number, info)
            else:
                info.update(extras)
                if error is not None:
                    info["error"] = error
                else:
                    info.pop("error", None)
                txn.finish(number, state, fvalue, told, info, now)
            self._sync(txn)
            if stored.tell_seq is None and state is TrialState.COMPLETE:
                self._store_state(txn, number, info)
            self._absorb(txn.trials(before))
        return stored

    def _release_trial(self, number, reason, started=True):
        """Our evaluation of ``number`` was lost or interrupted: queue it to run again."""
        with self._mutex:
            now = time.time()
            with self.storage.transaction(self.study_id) as txn:
                before = self._seen
                stored = txn.get(number)
                if stored.state is TrialState.RUNNING and stored.worker == self._worker:
                    self._lose(txn, number, reason, now, started)
                self._absorb(txn.trials(before))
            self._own.discard(number)
            self._beat()

    # -------------------------------------------------------------- optimize
    def stop(self):
        """Ask a running `optimize` to start no new trial (call it from a callback)."""
        self._stop_requested = True

    def optimize(
        self,
        func,
        n_trials=None,
        timeout=None,
        n_jobs=None,
        executor=None,
        callbacks=None,
        progress=False,
        catch=(),
    ):
        """Evaluate ``func`` on trials asked from the study, until a budget is spent.

        Parameters
        ----------
        func : callable
            ``func(x)`` with ``x`` the point as a list (as in `gp_minimize`;
            see `use_named_args` for keyword arguments), returning a float
            or ``(value, seconds)``. In a study over a method space (a hyper
            optimizer) ``func(method, **params)``, returning a float or a
            dict with ``"score"`` (its other fields go to the trial's
            ``info``), as in `HyperOptimizer.run`, or ``(value, seconds)``,
            which gives the method selector the trial's duration
            (``cost_aware=True``).
        n_trials : int or None
            Trials this call finishes (others' trials do not count).
        timeout : float or None
            Seconds after which no new trial starts; running ones finish.
        n_jobs : int or None
            Trials in flight at once. Default: 1 without an executor, the
            executor's worker count with one. Without an executor and
            ``n_jobs > 1``, a thread pool is started (and stopped).
        executor : concurrent.futures.Executor, dask.distributed.Client or None
            Where evaluations run. A worker lost mid-trial (a killed process,
            a Dask worker gone) queues that trial to run again.
        callbacks : list of callables or None
            ``callback(study, trial)`` after each finished trial; returning
            True stops the run (as does `Study.stop`).
        progress : bool
            Show a tqdm bar (extra ``progress``).
        catch : tuple of exception types
            Objective errors of these types fail the trial and the run goes
            on; other errors fail the trial and are raised.

        Returns
        -------
        Study
            ``self``.
        """
        if not callable(func):
            raise TypeError(f"func must be callable, got {func!r}")
        if n_trials is not None and (isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 0):
            raise ValueError(f"n_trials must be a non-negative int or None, got {n_trials!r}")
        if timeout is not None and (not _finite(timeout) or timeout <= 0):
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
        self._stop_requested = False
        self._optimizing = True  # one heartbeat thread for the whole run
        try:
            run_loop(
                _StudyDriver(self, func, callbacks), Budget(trials=n_trials, seconds=timeout),
                ErrorPolicy(catch=catch), n_jobs=n_jobs, executor=executor, progress=progress,
                desc=self.name, maximize=self.direction == "maximize", stop=lambda: self._stop_requested,
            )
        finally:
            self._optimizing = False
            self._beat()
        return self

    def _call(self, func, trial):
        """What evaluates ``trial``: ``func(x)``, or ``func(method, **params)`` over a method space."""
        if isinstance(self.space, MethodSpace):
            return _call_method, func, dict(trial.params)
        return func, trial.x

    # -------------------------------------------------------------- results
    @property
    def trials(self):
        """Every trial of the study (all workers'), in number order."""
        with self._mutex:
            self._refresh()
            return [self._trials[n].to_trial() for n in sorted(self._trials)]

    def _complete(self):
        return [t for t in self.trials if t.state is TrialState.COMPLETE]

    @property
    def best_trial(self):
        """The COMPLETE trial with the lowest value (the largest when the study
        maximizes; the first one among ties)."""
        complete = self._complete()
        if not complete:
            raise ValueError(f"study {self.name!r} has no complete trial yet")
        return _best(complete, self.direction)

    @property
    def best_value(self):
        return self.best_trial.value

    @property
    def best_params(self):
        return dict(self.best_trial.params)

    def trials_records(self):
        """One flat dict per trial: every stored field of every trial.

        Columns: ``number``, ``state``, ``value``, ``params_<name>`` per
        parameter, ``datetime_start``, ``datetime_complete`` (ISO 8601
        text), ``duration``, ``worker``, ``attempts``, ``error``, then
        ``user_attrs_<key>`` per user attribute (`set_trial_user_attr`) and
        the trial's other info fields by name (``eval_seconds``,
        ``requeued``, ``enqueued``, ``imported``, ``lost``, a
        hyper-optimizer's fields, ...). Every row has the same keys: a
        field a trial lacks is None (over a method space, so is a
        parameter its method lacks).
        """
        trials = self.trials
        names = list(dict.fromkeys(k for t in trials for k in t.params))
        attrs = list(dict.fromkeys(k for t in trials for k in t.info.get("user_attrs", {})))
        fixed = ("datetime_start", "datetime_complete", "duration", "worker", "attempts", "error")
        extras = sorted({k for t in trials for k in t.info} - set(fixed) - {"user_attrs"})
        rows = []
        for t in trials:
            row = {"number": t.number, "state": str(t.state), "value": t.value}
            row.update({f"params_{k}": t.params.get(k) for k in names})
            for key in fixed:
                field = t.info.get(key)
                row[key] = field.isoformat() if hasattr(field, "isoformat") else field
            user_attrs = t.info.get("user_attrs", {})
            row.update({f"user_attrs_{k}": user_attrs.get(k) for k in attrs})
            row.update({k if k not in row else f"info_{k}": t.info.get(k) for k in extras})
            rows.append(row)
        return rows

    def trials_dataframe(self):
        """The trials as a pandas DataFrame, one row per trial (extra ``pandas``).

        Its columns are those of `trials_records`; the two datetime columns
        are pandas timestamps.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "trials_dataframe needs pandas: pip install 'asktell[pandas]' "
                "(trials_records gives the same rows without it)"
            ) from None
        frame = pd.DataFrame(self.trials_records())
        for key in ("datetime_start", "datetime_complete"):
            if key in frame:
                frame[key] = pd.to_datetime(frame[key])
        return frame

    def result(self):
        """The study as the `OptimizeResult` `gp_minimize` returns (complete trials).

        Values are the objective's own, also in a maximizing study (whose
        ``fun`` is then the largest value).
        """
        complete = self._complete()
        if not complete:
            raise ValueError(f"study {self.name!r} has no complete trial yet")
        best = _best(complete, self.direction)
        models = list(getattr(self._replay.optimizer, "models", []) or []) if self._replay else []
        # the models read points through the optimizer's transforms (normalize, onehot...)
        searched = getattr(self._replay.optimizer, "space", None) if models else None
        searched = searched if isinstance(searched, Space) else self.space
        return OptimizeResult(
            x=list(best.x),
            fun=best.value,
            func_vals=np.array([t.value for t in complete]),
            x_iters=[list(t.x) for t in complete],
            models=models,
            space=space_from_dict(space_to_dict(searched)),
            random_state=self.random_state,
            specs={
                "args": {"study": self.name, "storage": self.storage.url, "optimizer": self.optimizer_settings},
                "function": "Study.optimize",
            },
            trials=self.trials,
        )

    # -------------------------------------------------------------- Optuna habits
    def _to_optimizer(self, told):
        """What the optimizer is told for the objective's ``told``: negated when maximizing."""
        if told is None or self.direction == "minimize":
            return told
        if isinstance(told, list):
            return [-told[0], told[1]]
        return -told

    def _adopting(self, txn, what):
        """Sync, and check that the optimizer adopts trials it did not propose."""
        self._sync(txn)
        if not isinstance(self._replay, StateReplay):
            raise ValueError(
                f"{what} adds trials the optimizer did not propose, which "
                f"{type(self._replay.optimizer).__name__} (optimizer "
                f"{self.optimizer_settings.get('name') or self.optimizer_settings.get('class')!r}) cannot "
                "take; use an optimizer that adopts trials (add_trial), such as 'gp', 'forest' or 'random'"
            )
        next_number = getattr(self._replay.optimizer, "next_trial_number", 0)
        return max(max(self._trials, default=-1) + 1, next_number)

    def _point(self, params, what):
        """``params`` (a dict by dimension name) as a point of the study's space."""
        if not isinstance(params, dict):
            raise TypeError(f"{what}: params must be a dict {{name: value}}, got {params!r}")
        unknown = sorted(set(params) - set(self.space.dimension_names))
        if unknown:
            raise ValueError(
                f"{what}: params {params!r} name {unknown}, which are not dimensions of the space "
                f"{self.space.dimension_names}"
            )
        try:
            x = [_plain(v) for v in self.space.from_params(params)]
        except ValueError as exc:
            raise ValueError(f"{what}: params {params!r}: {exc}") from None
        self.space.check_point(x, param=f"{what}: params")
        return x

    def enqueue_trial(self, params):
        """Have the next `ask` (of any process) return a trial at ``params``.

        The trial is stored at once, waiting (shown ``FAIL`` with
        ``requeued``, as a trial whose worker was lost), so it survives
        reopening the study; the optimizer counts it as pending until its
        value comes. Several enqueued trials are handed out in order.

        Parameters
        ----------
        params : dict
            A value for every dimension, by name (``{"x": 0.5, "k": 3}``).

        Returns
        -------
        int
            The trial's number.

        Raises
        ------
        ValueError
            For a value outside its dimension or a missing one, and for an
            optimizer that only follows its own proposals (a scipy pool without
            its cache, an optimizer without add_trial); a study over a method
            space takes none.
        """
        if isinstance(self.space, MethodSpace):
            raise ValueError("enqueue_trial: a study over a method space takes no enqueued trials")
        x = self._point(params, "enqueue_trial")
        with self._mutex:
            now = time.time()
            with self.storage.transaction(self.study_id) as txn:
                before = self._seen
                number = self._adopting(txn, "enqueue_trial")
                txn.add(number, x, self.space.to_params(x), self._worker, now, {"enqueued": True})
                txn.requeue(number, "enqueued: waits for the next ask", now, started=False)
                self._absorb(txn.trials(before))
        return number

    def set_trial_user_attr(self, trial, key, value):
        """Store ``value`` under ``key`` in the trial's ``info["user_attrs"]``.

        Works on running and finished trials alike (a note, a metric, the
        path of a checkpoint); `trials_records` shows it as the column
        ``user_attrs_<key>``.

        Parameters
        ----------
        trial : Trial or int
            The trial, or its number.
        key : str
            The attribute's name.
        value : JSON value
            Stored as JSON (numbers, text, booleans, None, lists, dicts).
        """
        number = trial.number if isinstance(trial, Trial) else trial
        if isinstance(number, bool) or not isinstance(number, numbers.Integral):
            raise TypeError(f"trial must be a Trial or a trial number, got {trial!r}")
        if not isinstance(key, str) or not key:
            raise ValueError(f"key must be a non-empty str, got {key!r}")
        try:
            value = json.loads(json.dumps(value, default=_plain, allow_nan=False))
        except (TypeError, ValueError):
            raise TypeError(f"user attribute {key!r} must be a JSON value, got {value!r}") from None
        with self._mutex, self.storage.transaction(self.study_id) as txn:
            before = self._seen
            info = dict(txn.get(int(number)).info)
            info["user_attrs"] = dict(info.get("user_attrs", {}), **{key: value})
            txn.set_info(int(number), info)
            self._absorb(txn.trials(before))

    def export_trials(self, path, format=None):
        """Write the trials (`trials_records`) to a CSV or JSON file.

        Parameters
        ----------
        path : str or os.PathLike
            The file written.
        format : {"csv", "json"} or None
            None: from the file's suffix. In CSV, lists and dicts are JSON
            text and a missing field is an empty cell; JSON holds a list of
            records.
        """
        format = _file_format(path, format, "export_trials")
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(_records_text(self.trials_records(), format))

    def import_trials(self, source, format=None):
        """Add finished trials from a CSV or JSON file (a warm start).

        Each row with a value (and, when it has a ``state``, ``COMPLETE``)
        becomes a COMPLETE trial of this study, its value the optimizer's
        knowledge from then on; other rows are skipped. The file is what
        `export_trials` (or ``asktell export``) writes, or any table with
        a ``value`` column and a ``params_<name>`` column per dimension;
        values are read as the study's direction reads them.

        Parameters
        ----------
        source : str, os.PathLike or list of dict
            The file, or the records themselves.
        format : {"csv", "json"} or None
            None: from the file's suffix.

        Returns
        -------
        list of int
            The numbers of the trials added.
        """
        if isinstance(self.space, MethodSpace):
            raise ValueError("import_trials: a study over a method space takes no imported trials")
        if isinstance(source, (str, os.PathLike)):
            rows = _read_records(source, _file_format(source, format, "import_trials"))
            origin = os.fspath(source)
        else:
            rows, origin = list(source), "records"
        points = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise TypeError(f"import_trials: row {i} must be a dict, got {row!r}")
            state = row.get("state") or "COMPLETE"
            value = row.get("value")
            if state != "COMPLETE" or value in (None, ""):
                continue
            what = f"import_trials: row {i} of {origin}"
            params = {n: _param_value(dim, row.get(f"params_{n}"), f"{what}, params_{n}")
                      for n, dim in zip(self.space.dimension_names, self.space.dimensions)}
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{what}: value must be a number, got {value!r}") from None
            if not math.isfinite(value):
                continue
            points.append((self._point(params, what), value))
        numbers_added = []
        with self._mutex:
            now = time.time()
            with self.storage.transaction(self.study_id) as txn:
                before = self._seen
                number = self._adopting(txn, "import_trials")
                for x, value in points:
                    stored = txn.add(number, x, self.space.to_params(x), self._worker, now, {"imported": origin})
                    txn.finish(number, TrialState.COMPLETE, value, self._to_optimizer(value),
                               dict(stored.info), now)
                    numbers_added.append(number)
                    number += 1
                self._absorb(txn.trials(before))
        return numbers_added

    # -------------------------------------------------------------- lifetime
    def close(self):
        """Stop this object's heartbeat and optimizer threads and close the storage
        it opened from a URL (the stored study stays)."""
        for number in sorted(self._own):
            self._release_trial(number, "its study was closed before the result came")
        self._drop_replay()
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Study(name={self.name!r}, storage={self.storage.url!r})"


class _StudyDriver(Driver):
    """A `Study` under `Study.optimize`: trials stored before they run, results stored as they come."""

    def __init__(self, study, func, callbacks):
        self.study = study
        self.func = func
        self.callbacks = callbacks

    def ask(self, n):
        return self.study._ask_batch(n) or None

    def call(self, trial):
        fn, *args = self.study._call(self.func, trial)
        return fn, tuple(args)

    def tell(self, trial, value, seconds):
        return self.study._finish(trial.number, value, None, late_ok=True, seconds=seconds)

    def fail(self, trial, error, seconds):
        return self.study._finish(trial.number, None, error, late_ok=True, seconds=seconds)

    def release(self, trial, reason, started):
        self.study._release_trial(trial.number, reason, started)

    def finished(self, trial):
        stop = False
        for cb in self.callbacks:
            stop = cb(self.study, trial) is True or stop
        return stop


def _best(trials, direction):
    """The best of COMPLETE ``trials`` for ``direction`` (the first one among ties)."""
    sign = -1.0 if direction == "maximize" else 1.0
    return min(trials, key=lambda t: (sign * t.value, t.number))


def _file_format(path, format, what):
    if format is None:
        format = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
    if format not in ("csv", "json"):
        raise ValueError(f"{what}: format must be 'csv' or 'json' (or a .csv/.json file), got {format!r} for {path!r}")
    return format


def _records_text(records, format):
    """Trial records (`Study.trials_records`) as CSV or JSON text."""
    if format == "json":
        return json.dumps(records, indent=2, default=str) + "\n"
    buf = io.StringIO()
    fields = list(records[0]) if records else ["number", "state", "value"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in records:
        writer.writerow({k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in row.items()})
    return buf.getvalue()


def _read_records(path, format):
    with open(path, encoding="utf-8", newline="") as fh:
        if format == "csv":
            return list(csv.DictReader(fh))
        try:
            rows = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"import_trials: {os.fspath(path)!r} is not valid JSON ({exc})") from None
    if not isinstance(rows, list):
        raise ValueError(f"import_trials: {os.fspath(path)!r} must hold a list of records, got {type(rows).__name__}")
    return rows


def _param_value(dim, value, what):
    """A parameter read from a file (CSV gives text) as ``dim``'s own type."""
    from .space import Categorical, Integer, Real

    if value is None or value == "":
        raise ValueError(f"{what} is missing")
    if not isinstance(value, str):
        return value
    try:
        if isinstance(dim, Integer):
            return int(float(value)) if float(value).is_integer() else float(value)
        if isinstance(dim, Real):
            return float(value)
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if isinstance(dim, Categorical):
        for category in dim.categories:
            if str(category) == value:
                return category
    return value


def _beat(storage, study_id, worker):
    storage.heartbeat(study_id, worker, time.time())


def _release(resources):
    heartbeat = resources.get("heartbeat")
    if heartbeat is not None:
        heartbeat.stop()
    optimizer = resources.get("optimizer")
    if optimizer is not None:
        _close_optimizer(optimizer)
    storage = resources.get("storage")
    if storage is not None:
        storage.close()


# ------------------------------------------------------------------ functions
def create_study(
    name=None,
    storage=None,
    space=None,
    optimizer=None,
    random_state=None,
    *,
    load_if_exists=False,
    **kwargs,
):
    """Create a study: a named optimization whose every trial is stored.

    Parameters
    ----------
    name : str or None
        The study's name in its storage (a fresh one is made when None).
    storage : str, `asktell.storage.BaseStorage` or None
        Where the study lives. None keeps it in memory, for this process
        only (as Optuna does); ``"sqlite:///study.db"`` keeps it in a
        file that several processes on one machine can share and that
        the ``asktell`` command reads; ``"postgresql://user@host/db"``
        serves many machines (extra ``storage``).
    space : Space, list of dimensions, dict or MethodSpace
        What is searched: anything `asktell.space.Space` takes, or a
        method space ``{method: space}`` for a hyper optimizer.
    optimizer : str, optimizer instance or None
        A registered name (see `optimizer_names`), ``"module:factory"``,
        or a fresh `asktell.protocol.AskTellOptimizer`; None for the default.
    random_state : int, RandomState or None
        The optimizer's seed, stored with the study.
    load_if_exists : bool
        Open the study when ``name`` exists already, after checking that
        ``space``, ``optimizer`` and ``direction`` match what is stored.
    **kwargs
        The other keyword arguments of `Study`: ``direction``,
        ``optimizer_kwargs``, ``heartbeat_interval``, ``grace_period``,
        ``max_retries``.

    Returns
    -------
    Study

    Raises
    ------
    DuplicatedStudyError
        When ``name`` exists and ``load_if_exists`` is false.
    ValueError
        When ``space`` is missing, or does not match the stored study.

    Examples
    --------
    >>> from asktell import create_study
    >>> study = create_study("demo", space=[(-2.0, 2.0)], optimizer="random", random_state=0)
    >>> _ = study.optimize(lambda x: (x[0] - 0.5) ** 2, n_trials=5)
    >>> len(study.trials)
    5
    >>> study.close()
    """
    return Study(name, storage, space, optimizer, random_state, load_if_exists=load_if_exists, **kwargs)


def load_study(name, storage, optimizer=None, **kwargs):
    """Open an existing study; its optimizer is rebuilt from the stored settings."""
    from .storage import BaseStorage

    given = storage
    storage = get_storage(storage)
    try:
        storage.get_study(name)  # StudyNotFoundError naming the study and the URL
    except BaseException:
        if storage is not given:
            storage.close()
        raise
    study = Study(name, storage, None, optimizer, **kwargs)
    if not isinstance(given, BaseStorage):  # the study owns what was made from a URL
        study._resources["storage"] = storage
    return study


def delete_study(name, storage):
    """Remove a study and its trials from ``storage``."""
    get_storage(storage).delete_study(name)


def get_all_study_summaries(storage):
    """One dict per stored study: name, created, direction, counts per state, best value.

    The best value is the largest for a study that maximizes.
    """
    from .storage import BaseStorage

    store = get_storage(storage)
    try:
        summaries = store.study_summaries()
        for row in summaries:
            record = store.get_study(row["name"])
            row["direction"] = record.info.get("direction", "minimize")
            if row["direction"] == "maximize" and row["best_value"] is not None:
                values = [t.value for t in store.trials(record.study_id) if t.state is TrialState.COMPLETE]
                row["best_value"] = max(values)
    finally:
        if not isinstance(storage, BaseStorage):  # made here from a URL
            store.close()
    return summaries
