"""`Study`, a thin facade: each concern lives in its own module of `asktell.study`.

Opening (`._settings`), catching up (`._sync`), lost workers (`._recovery`),
asks and tells (`._ask_tell`), the run loop (`._optimize`), adopted trials
(`._adopt`) and the views (`._views`) are functions over a study's state,
which this class holds and documents.
"""

from __future__ import annotations

import threading
import weakref

from ..storage import BaseStorage, get_storage, space_from_dict
from ..trial import TrialState
from . import _adopt, _ask_tell, _settings, _views
from ._optimize import optimize
from ._recovery import release, release_trial, worker_id
from ._sync import drop_replay, sync

__all__ = ["Study", "create_study", "load_study", "delete_study", "get_all_study_summaries"]


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
        name = _settings.check_options(name, direction, heartbeat_interval, grace_period, max_retries,
                                       optimizer_kwargs)
        self.storage = get_storage(storage)
        # a storage made here from a URL is closed with the study; a given one is the caller's
        owned = None if isinstance(storage, BaseStorage) else self.storage
        self.heartbeat_interval = float(heartbeat_interval)
        self.grace_period = float(grace_period)
        self.max_retries = max_retries
        record = _settings.open_record(self.storage, name, space, optimizer, random_state, optimizer_kwargs,
                                       load_if_exists, direction)
        self.direction = record.info.get("direction", "minimize")
        self.name = record.name
        self.study_id = record.study_id
        self.space = space_from_dict(record.space)
        self.optimizer_settings = record.optimizer
        self.random_state = record.optimizer.get("random_state")
        # the state the modules of asktell.study work on
        self._instance = optimizer if not isinstance(optimizer, (str, type(None))) else None
        self._worker = worker_id()
        self._mutex = threading.RLock()
        self._trials = {}  # number -> StoredTrial, as last read (`._sync`)
        self._seen = -1  # the last sequence number read
        self._replay = None  # the optimizer and how it catches up (`._sync`)
        self._own = set()  # numbers of this object's running trials
        self._stop_requested = False
        self._optimizing = False
        # the heartbeat and the optimizer's threads stop when the study is dropped
        self._resources = {
            "heartbeat": None,
            "optimizer": None,
            "storage": owned,
        }
        self._finalizer = weakref.finalize(self, release, self._resources)

    @property
    def optimizer(self):
        """The optimizer, brought up to date with every trial stored."""
        with self._mutex, self.storage.transaction(self.study_id) as txn:
            sync(self, txn)
            return self._replay.optimizer

    # -------------------------------------------------------------- ask / tell
    def ask(self):
        """The next trial to evaluate, recorded RUNNING before it is returned.

        A trial queued for another run (its worker was lost) is handed out
        before the optimizer is asked for a new point. None when the
        optimizer is exhausted (a finite space spent; nothing is stored).
        """
        trials = _ask_tell.ask_batch(self, 1)
        return trials[0] if trials else None

    def tell(self, trial, value=None, *, error=None):
        """Record the result of ``trial`` (a `Trial` or its number).

        ``value``: a float, or ``(value, seconds)`` (in a study over a
        method space also a dict with ``"score"``, as a `HyperOptimizer`
        objective returns: its other fields go to the trial's ``info``); the trial becomes
        COMPLETE (FAIL when the value is NaN or infinite). ``error``: text or
        an exception; the trial becomes FAIL with that text. Returns the
        finished `Trial`.
        """
        number = _ask_tell.trial_number(trial)
        if value is None and error is None:
            raise ValueError(f"tell(trial {number}) needs value= (a float) or error= (why it failed)")
        return _ask_tell.finish(self, number, value, error)

    def fail(self, trial, error=None):
        """Record that evaluating ``trial`` failed (shorthand for ``tell(trial, error=...)``)."""
        return self.tell(trial, error=error if error is not None else "failed")

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
        return optimize(self, func, n_trials, timeout, n_jobs, executor, callbacks, progress, catch)

    # -------------------------------------------------------------- results
    @property
    def trials(self):
        """Every trial of the study (all workers'), in number order."""
        return _views.trials(self)

    @property
    def best_trial(self):
        """The COMPLETE trial with the lowest value (the largest when the study
        maximizes; the first one among ties)."""
        return _views.best_complete(self)[0]

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
        return _views.records(self.trials)

    def trials_dataframe(self):
        """The trials as a pandas DataFrame, one row per trial (extra ``pandas``).

        Its columns are those of `trials_records`; the two datetime columns
        are pandas timestamps.
        """
        return _views.trials_dataframe(self)

    def result(self):
        """The study as the `OptimizeResult` `gp_minimize` returns (complete trials).

        Values are the objective's own, also in a maximizing study (whose
        ``fun`` is then the largest value).
        """
        return _views.result(self)

    # -------------------------------------------------------------- Optuna habits
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
        return _adopt.enqueue_trial(self, params)

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
        _ask_tell.set_user_attr(self, _ask_tell.trial_number(trial), key, value)

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
        _views.export_trials(self, path, format)

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
        return _adopt.import_trials(self, source, format)

    # -------------------------------------------------------------- lifetime
    def close(self):
        """Stop this object's heartbeat and optimizer threads and close the storage
        it opened from a URL (the stored study stays)."""
        for number in sorted(self._own):
            release_trial(self, number, "its study was closed before the result came")
        drop_replay(self)
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Study(name={self.name!r}, storage={self.storage.url!r})"


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
