"""A pool of scipy optimizers over a search space: `HyperScipySampler`.

Each worker is a `ScipyAskTell` searching the unit cube of the space
(`asktell.space.UnitCube`: integers, log priors, categoricals and booleans
map through it). The pool hands out one trial per ``ask`` and routes each
told value back to the worker, or workers, waiting for it.

Rules that keep it usable with many trials in flight:

* ``ask`` goes round the workers and skips those that wait for tells; it
  waits only on a worker that is computing its next point (a bound wait,
  and one that keeps the sequence reproducible), and adds a worker when
  every one waits for tells, so it never deadlocks.
* Every worker and every restart gets its own seed, derived from the
  sampler's seed, worker index and restart count.
* A point of the space already evaluated (or in flight) is answered from
  the cache instead of being asked again; the objective is taken to be
  deterministic. Deterministic methods are diversified: ``direct`` (and
  ``shgo`` with simplicial sampling) restart in a random sub-box, around
  the previous run's best point on restarts; ``shgo`` with QMC sampling
  gets a freshly scrambled sequence per worker and restart.
* ``shgo`` gets a first point at once: it defaults to
  ``sampling_method="sobol"`` (simplicial sampling triangulates the whole
  cube before its first point: seconds at 8 dimensions, minutes at 12),
  its sampled points are asked before it triangulates them
  (``early_sampling`` of `ScipyAskTell`), and ``n`` defaults to 128
  points per iteration up to 6 dimensions, 64 at 7 and 32 beyond, which
  keeps each triangulation short (shgo suits low dimensions).
* Resuming: a worker's trajectory depends only on its seed and the values
  told for its points. A fresh sampler with the same ``random_state``,
  given the finished trials (`resume`), replays every worker from the
  cache and continues where the old one stopped; after `stop` the same
  sampler does so by itself.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from ..protocol import AskTellOptimizer, TrialBook
from ..utils import _check_random_state
from .ask_tell import HANDOFFS, SCIPY_METHODS, ScipyAskTell, StoredScores, seed_keyword
from ..space import Space, UnitCube
from ..trial import Trial, TrialState

__all__ = ["HyperScipySampler"]

#: Runs in a row in which a worker found nothing new before it re-asks known points.
_MAX_EMPTY_RUNS = 3
#: Half-widths of the sub-boxes that diversify deterministic methods.
_BOX_HALF_WIDTH = (0.05, 0.35)


@dataclass
class _Known:
    """What the cache knows of one point of the space."""

    number: int  # the first trial that evaluated it
    failed: bool
    value: float | None
    tags: set = field(default_factory=set)  # (worker, restart) that issued trials at it


class _Worker:
    """One slot of the pool: a scipy run and where it stands."""

    __slots__ = ("index", "restart", "opt", "issued", "empty_runs", "exhausted", "stored")

    def __init__(self, index):
        self.index = index
        self.restart = 0
        self.opt = None
        self.issued = False  # this run issued (or replayed) a point of its own
        self.empty_runs = 0
        self.exhausted = False
        self.stored = None  # the `StoredScores` replaying this run's known points

    @property
    def tag(self):
        return (self.index, self.restart)


def _key(point):
    return tuple(point)


class HyperScipySampler(AskTellOptimizer):
    """A pool of scipy global optimizers proposing points of a space.

    Parameters
    ----------
    space : Space, list or dict
        The search space; a dict may hold cotengra-style spec dicts
        (``{"type": "FLOAT"|"FLOAT_EXP"|"INT"|"STRING"|"BOOL", ...}``).
    method : {"differential_evolution", "dual_annealing", "direct", "shgo"}
    n_workers : int
        Workers started at first; the pool grows when every worker waits
        for tells of trials in flight.
    exponential_param_power : float or None
        See `UnitCube`.
    random_state : int, RandomState or None
        Seeds every worker and restart. With None a seed is drawn and
        recorded in each trial's ``info["sampler_seed"]``, so `resume` can
        reuse it. scipy's own seed keyword (``seed=``, or ``rng=``) is
        accepted in its place and plays the same role: the base seed the
        workers' seeds derive from.
    cache : bool
        Answer points already evaluated from the cache (default True).
    handoff : {"thread", "greenlet"}
        How each worker takes turns with the caller (see `ScipyAskTell`);
        with ``"greenlet"`` drive the sampler from one thread.
    **kwargs
        Forwarded to scipy (see `ScipyAskTell`); ``shgo`` gets
        ``sampling_method="sobol"`` and a small ``n`` unless given (see the
        module notes).

    Notes
    -----
    Drive a sampler from one thread at a time (evaluate anywhere). With
    serial methods every trial in flight holds a worker, so the pool grows
    to the number of trials in flight; ``differential_evolution`` with
    ``updating="deferred"`` serves a whole generation from one worker.

    Examples
    --------
    >>> space = {"x": {"type": "FLOAT", "min": -2, "max": 2},
    ...          "act": {"type": "STRING", "options": ["relu", "tanh"]}}
    >>> with HyperScipySampler(space, "dual_annealing", random_state=0) as sampler:
    ...     for _ in range(20):
    ...         number, params = sampler.ask()
    ...         sampler.tell(number, params["x"] ** 2 + (params["act"] == "tanh"))
    """

    def __init__(
        self,
        space,
        method="differential_evolution",
        n_workers=1,
        exponential_param_power=None,
        random_state=None,
        cache=True,
        handoff="thread",
        **kwargs,
    ):
        if method not in SCIPY_METHODS:
            raise ValueError(f"method must be one of {SCIPY_METHODS}, got {method!r}")
        if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
            raise ValueError(f"n_workers must be a positive integer, got {n_workers!r}")
        for name in ("bounds", "x0"):
            if name in kwargs:
                raise ValueError(f"{name}={kwargs[name]!r}: HyperScipySampler sets it from the space")
        for name in ("seed", "rng"):
            if name in kwargs:
                if random_state is not None:
                    raise ValueError(
                        f"{name}={kwargs[name]!r} and random_state={random_state!r}: give one "
                        "seed (the workers' seeds derive from it)"
                    )
                random_state = kwargs.pop(name)
        self.space = space if isinstance(space, Space) else Space(space)
        self.method = method
        self.n_workers = n_workers
        self.exponential_param_power = exponential_param_power
        self.random_state = random_state
        self.cache = cache
        if handoff not in HANDOFFS:
            raise ValueError(f"handoff must be one of {HANDOFFS}, got {handoff!r}")
        self.handoff = handoff
        self.kwargs = dict(kwargs)
        self._cube = UnitCube(self.space, exponential_param_power=exponential_param_power)
        if method == "shgo":
            self.kwargs.setdefault("sampling_method", "sobol")
            if self.kwargs["sampling_method"] != "simplicial":
                self.kwargs.setdefault("n", _shgo_points(self._cube.n_dims))
        self._seed_keyword = seed_keyword(method)
        self._seed = None
        self._workers = []
        self._cursor = 0
        self._book = TrialBook()
        self._known = {}  # point key -> _Known (finished trials)
        self._in_flight = {}  # point key -> number of the RUNNING trial at it
        self._listeners = {}  # number -> [(ScipyAskTell, inner trial number)]
        self._warned_exhausted = False
        self._table = None  # the cache as the workers started: what they replay without hand-offs

    # ---------------------------------------------------------------- seeds and workers
    @property
    def seed(self):
        """The base seed every worker's seed derives from."""
        if self._seed is None:
            self._seed = int(_check_random_state(self.random_state).randint(2**31 - 1))
        return self._seed

    def _worker_seed(self, worker):
        sequence = np.random.SeedSequence([self.seed, worker.index, worker.restart])
        return int(sequence.generate_state(1)[0])

    def _run_kwargs(self, worker, previous):
        """scipy's keywords and box for ``worker``'s current run."""
        kwargs = dict(self.kwargs)
        seed = self._worker_seed(worker)
        bounds = self._cube.bounds
        if self._seed_keyword is not None:
            kwargs[self._seed_keyword] = seed
        elif worker.tag != (0, 0):
            # deterministic methods replay the same points: diversify the run
            sampling = kwargs.get("sampling_method")
            if self.method == "shgo" and sampling in ("sobol", "halton"):
                kwargs["sampling_method"] = _scrambled(sampling, seed)
                if sampling == "sobol":
                    kwargs["n"] = 2 ** math.ceil(math.log2(kwargs.get("n") or 128))
            else:
                bounds = _sub_box(self._cube.n_dims, seed, previous)
        return kwargs, bounds

    def _start(self, worker, previous=None):
        kwargs, bounds = self._run_kwargs(worker, previous)
        worker.opt = ScipyAskTell(
            self.method, bounds, early_sampling=self.method == "shgo", handoff=self.handoff, **kwargs
        )
        worker.stored = None
        if self._table is not None and any(w.stored is not None and w.stored.missed for w in self._workers):
            self._table = None  # a run met a point not in the cache: the replay is over
        if self._table is not None:
            table, to_point = self._table, self._cube.to_point
            worker.stored = StoredScores(lambda x: table.get(_key(to_point(x))), None, worker.tag)
            worker.opt.replay(worker.stored)
        worker.opt.start()
        worker.issued = False

    def _new_worker(self):
        worker = _Worker(len(self._workers))
        self._workers.append(worker)
        self._start(worker)
        return worker

    def _restart(self, worker):
        """Start the next run of a worker whose scipy run ended."""
        previous = worker.opt.result
        worker.opt.stop()
        worker.empty_runs = 0 if worker.issued else worker.empty_runs + 1
        if worker.empty_runs >= _MAX_EMPTY_RUNS and not worker.exhausted:
            worker.exhausted = True
            if not self._warned_exhausted:
                self._warned_exhausted = True
                warnings.warn(
                    f"HyperScipySampler: worker {worker.index} found no new point in "
                    f"{_MAX_EMPTY_RUNS} runs; the space seems exhausted and points "
                    "already evaluated are asked again",
                    UserWarning,
                    stacklevel=4,
                )
        worker.restart += 1
        self._start(worker, previous.x if previous is not None else None)

    # ---------------------------------------------------------------- asking
    def _next_candidate(self):
        """(worker, inner trial) of the next worker able to propose a point."""
        while True:
            n = len(self._workers)
            order = [self._workers[(self._cursor + i) % n] for i in range(n)]
            worker = next((w for w in order if not w.opt.waiting), None)
            if worker is None:  # every worker waits for tells: add one
                worker = self._new_worker()
            try:
                inner = worker.opt.ask_trial()
            except BaseException:
                self.stop()
                raise
            if worker.stored is not None and worker.stored.own:  # it replayed a point of its own
                worker.issued = True
            if inner is None:
                self._restart(worker)
                continue
            self._cursor = worker.index + 1
            return worker, inner

    def _answer(self, opt, inner, known):
        if known.failed:
            opt.fail_trial(inner)
        else:
            opt.tell_trial(inner, known.value)

    def ask_trial(self):
        """The next point as a RUNNING `Trial` (``x``, ``params``, ``info`` of its worker)."""
        if not self._workers:
            # new runs retrace what the cache holds in their own thread, without a hand-off per point
            # (with one worker: several take turns by a cursor that cache hits move, which only the
            # hand-offs retrace)
            one = all(tag[0] in (0, None) for known in self._known.values() for tag in known.tags)
            self._table = dict(self._known) if self.cache and self._known and self.n_workers == 1 and one else None
            for _ in range(self.n_workers):
                self._new_worker()
        while True:
            worker, inner = self._next_candidate()
            point = self._cube.to_point(inner.x)
            key = _key(point)
            if self.cache and not worker.exhausted:
                known = self._known.get(key)
                if known is not None:
                    if worker.tag in known.tags:  # replaying its own history
                        worker.issued = True
                    self._answer(worker.opt, inner, known)
                    continue
                number = self._in_flight.get(key)
                if number is not None:
                    if self._book[number].info.get("worker") == worker.index and (
                        self._book[number].info.get("restart") == worker.restart
                    ):
                        worker.issued = True
                    self._listeners[number].append((worker.opt, inner.number))
                    continue
            return self._issue(worker, inner, point, key)

    def _issue(self, worker, inner, point, key):
        trial = self._book.open(
            point,
            self.space.to_params(point),
            info={"worker": worker.index, "restart": worker.restart, "sampler_seed": self.seed},
        )
        self._listeners[trial.number] = [(worker.opt, inner.number)]
        self._in_flight.setdefault(key, trial.number)
        worker.issued = True
        return trial

    def ask(self):
        """The next point: ``(trial_number, params_dict)``."""
        trial = self.ask_trial()
        return trial.number, dict(trial.params)

    # ---------------------------------------------------------------- telling
    def _finish(self, record, failed, value):
        key = _key(record.x)
        if self._in_flight.get(key) == record.number:
            del self._in_flight[key]
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = _Known(record.number, failed, value)
        tag = (record.info.get("worker"), record.info.get("restart"))
        known.tags.add(tag)
        for opt, inner in self._listeners.pop(record.number, ()):
            if not opt.done:
                if failed:
                    opt.fail_trial(inner)
                else:
                    opt.tell_trial(inner, value)

    def tell_trial(self, trial, value):
        """Record the value of ``trial`` (a `Trial` or its number) and pass it to scipy.

        A NaN or infinite value fails the trial (`asktell.protocol`); scipy
        sees a penalty (see `ScipyAskTell`) and the cache remembers the
        point as failed.
        """
        record, told = self._book.end(trial, value)
        self._finish(record, not told.finite, told.value if told.finite else None)
        return record

    @property
    def adopts_trials(self):
        """Whether `add_trial` may replace replaying asks: only with the cache, which the runs replay from."""
        return bool(self.cache)

    #: `add_trial` keeps a trial's ``info`` (its worker and restart tag the cache entry)
    keeps_trial_info = True

    def add_trial(self, trial):
        """Register a trial asked elsewhere (a stored study being brought up to date) under its number.

        A finished trial fills the cache, a RUNNING one is in flight (tell
        it later), as in `resume`; runs started afterwards retrace the
        cache. Running workers are not told: a study adopts trials before
        its first ask, or another process's trials, which the cache keeps
        from being asked twice.
        """
        if not isinstance(trial, Trial):
            raise TypeError(f"trial must be a Trial, got {trial!r}")
        self.space.check_point(trial.x, param=f"trial {trial.number} x")
        record = Trial(number=trial.number, x=list(trial.x), params=self.space.to_params(list(trial.x)),
                       state=TrialState(trial.state), value=trial.value, info=dict(trial.info))
        self._take(record)
        return record

    def _take(self, record):
        """Book ``record``: a finished one fills the cache, a running one stays in flight."""
        self._book.add(record)
        if record.finished:
            self._finish(record, record.state is TrialState.FAIL, record.value)
        else:
            self._in_flight.setdefault(_key(record.x), record.number)
            self._listeners[record.number] = []

    def fail_trial(self, trial, error=None):
        """End ``trial`` as failed; scipy sees the penalty, the cache remembers it."""
        record = self._book.fail(self._book.pending_trial(trial), error)
        self._finish(record, True, None)
        return record

    def tell(self, trial_number, score):
        """Tell the score of the trial numbered ``trial_number``."""
        self.tell_trial(trial_number, score)

    @property
    def trials(self):
        """Every trial asked, in number order."""
        return self._book.trials

    # ---------------------------------------------------------------- life cycle
    def resume(self, trials):
        """Continue from ``trials`` told to an earlier sampler with the same settings.

        Finished trials fill the cache, so the workers replay their runs
        from it without asking anything and continue where they stopped;
        RUNNING trials stay in flight (tell them later, or fail them). The
        sampler must have no trials of its own. With ``random_state=None``
        the seed recorded in the trials is reused. Returns ``self``.
        """
        if len(self._book):
            raise ValueError(
                f"resume() needs a sampler without trials, this one has {len(self._book)}"
            )
        trials = list(trials)
        for trial in trials:
            if not isinstance(trial, Trial):
                raise TypeError(f"trials must hold Trial objects, got {trial!r}")
            self.space.check_point(trial.x, param=f"trials[{trial.number}].x")
        numbers = [t.number for t in trials]
        if len(set(numbers)) != len(numbers):
            raise ValueError("trials holds the same trial number more than once")
        if self.random_state is None and self._seed is None:
            seeds = {t.info.get("sampler_seed") for t in trials} - {None}
            if len(seeds) > 1:
                raise ValueError(f"trials come from samplers with different seeds: {sorted(seeds)}")
            if seeds:
                self._seed = int(seeds.pop())
        self.stop()
        for trial in sorted(trials, key=lambda t: t.number):
            self._take(replace(trial, x=list(trial.x), params=dict(trial.params), info=dict(trial.info)))
        return self

    def stop(self):
        """Stop every worker's thread. Trials are kept; a later ``ask`` resumes."""
        for worker in self._workers:
            worker.opt.stop()
        self._workers = []
        self._cursor = 0
        for listeners in self._listeners.values():
            listeners.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def __repr__(self):
        return (
            f"HyperScipySampler({self.method!r}, {self.space.n_dims} dims, "
            f"{len(self._workers)} workers, {len(self._book)} trials)"
        )


def _shgo_points(n_dims):
    """shgo's sampling points per iteration: its Delaunay triangulation of
    them takes well under a second (128 points in 8 dimensions take 16 s)."""
    if n_dims <= 6:
        return 128
    return 64 if n_dims == 7 else 32


def _scrambled(kind, seed):
    """A ``sampling_method`` callable for shgo: a QMC sequence scrambled by ``seed``."""
    from scipy.stats import qmc

    engine = None

    def sample(n, d):
        nonlocal engine
        if engine is None:
            engine = (qmc.Sobol if kind == "sobol" else qmc.Halton)(d, scramble=True, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # Sobol' balance needs powers of two
            return engine.random(n)

    return sample


def _sub_box(n_dims, seed, center=None):
    """A random box inside the unit cube, around ``center`` (random when None)."""
    rng = np.random.default_rng(seed)
    if center is None:
        center = rng.uniform(0.0, 1.0, n_dims)
    half = rng.uniform(*_BOX_HALF_WIDTH)
    low = np.clip(np.asarray(center, dtype=float) - half, 0.0, 1.0 - 2 * half)
    return [(float(lo), float(lo + 2 * half)) for lo in low]
