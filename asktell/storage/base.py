"""What a study storage keeps, and the operations a `Study` needs from it.

A storage holds studies (name, space, optimizer settings) and their trials
(number, state, point, value, worker, heartbeat). Every change to a trial
takes the next *sequence number* of its study, so a process can catch up
on what others did by reading the changes after the last one it saw, and
asks and tells replay in the order they were committed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from ..trial import Trial, TrialState

__all__ = [
    "BaseStorage",
    "StudyRecord",
    "StoredTrial",
    "DuplicatedStudyError",
    "StudyNotFoundError",
    "StorageLockedError",
    "StorageCorruptedError",
    "SchemaVersionError",
    "SCHEMA_VERSION",
]

#: version of the tables' layout; a database written by another layout is refused
SCHEMA_VERSION = 1


class DuplicatedStudyError(ValueError):
    """A study of that name exists already."""


class StudyNotFoundError(LookupError):
    """No study of that name is stored."""

    def __str__(self):
        return str(self.args[0]) if self.args else "study not found"


class StorageLockedError(TimeoutError):
    """Another process held the storage's lock for longer than the storage's ``timeout``."""


class StorageCorruptedError(RuntimeError):
    """The database cannot be read (a truncated or corrupted file, or not a database); it is left as it is."""


class SchemaVersionError(RuntimeError):
    """The database was written with another layout of asktell's tables (a newer asktell, say); it is left as it is."""


@dataclass
class StudyRecord:
    """A stored study: its identity and what is needed to rebuild its optimizer."""

    study_id: int
    name: str
    space: dict
    optimizer: dict
    info: dict
    created: float


class StoredTrial:
    """One row of the trials table.

    ``ask_seq`` and ``tell_seq`` order the trial's ask and its final tell
    among all changes of the study (``tell_seq`` is None while the
    optimizer still waits for it); ``seq`` is the trial's latest change.
    ``requeued`` marks a trial whose worker was lost and that waits for
    another worker to run it again.

    ``params`` and ``info`` may be given as their JSON text: they are then
    decoded when first read, so that bringing a study of many trials up to
    date decodes only the few it looks into (a resume reads the stored
    optimizer state of the last trial told, not of every trial).
    """

    __slots__ = ("number", "state", "x", "_params", "value", "told", "_info", "worker", "heartbeat",
                 "started", "completed", "attempts", "requeued", "seq", "ask_seq", "tell_seq")

    def __init__(self, number, state, x, params, value=None, told=None, info=None, worker=None,
                 heartbeat=None, started=None, completed=None, attempts=1, requeued=False, seq=0,
                 ask_seq=0, tell_seq=None):
        self.number = number
        self.state = state
        self.x = x
        self._params = params
        self.value = value
        self.told = told
        self._info = {} if info is None else info
        self.worker = worker
        self.heartbeat = heartbeat
        self.started = started
        self.completed = completed
        self.attempts = attempts
        self.requeued = requeued
        self.seq = seq
        self.ask_seq = ask_seq
        self.tell_seq = tell_seq

    @property
    def params(self):
        """The point by dimension name."""
        if isinstance(self._params, str):
            self._params = json.loads(self._params)
        return self._params

    @params.setter
    def params(self, value):
        self._params = value

    @property
    def info(self):
        """Free-form extras (error text, user attributes, the optimizer's state)."""
        if isinstance(self._info, str):
            self._info = json.loads(self._info)
        return self._info

    @info.setter
    def info(self, value):
        self._info = value

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in _FIELDS)

    def __repr__(self):
        return f"StoredTrial({', '.join(f'{k}={getattr(self, k)!r}' for k in _FIELDS)})"

    def to_trial(self):
        """The protocol's `Trial`, with timings and worker in ``info``."""
        info = dict(self.info)
        info.pop("optimizer_state", None)  # the optimizer's own, for resuming (asktell.study._sync)
        info.update(
            worker=self.worker,
            attempts=self.attempts,
            datetime_start=_when(self.started),
            datetime_complete=_when(self.completed),
        )
        if self.started is not None and self.completed is not None:
            info["duration"] = self.completed - self.started
        if self.requeued:
            info["requeued"] = True
        return Trial(
            number=self.number,
            x=list(self.x),
            params=dict(self.params),
            state=self.state,
            value=self.value,
            info=info,
        )


_FIELDS = tuple(name.lstrip("_") for name in StoredTrial.__slots__)


def _when(stamp):
    if stamp is None:
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def finite_or_none(value):
    """Floats that a database column can hold: NaN and infinities become None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


class BaseStorage:
    """Interface of study storages; see `asktell.storage.SQLStorage` for the SQL one.

    All trial-changing operations happen inside ``transaction(study_id)``,
    which holds the study's write lock: what a process reads there and what
    it writes form one atomic step, so two processes never take the same
    trial number or claim the same requeued trial.
    """

    url = None

    def create_study(self, name, space, optimizer, info=None):
        """Store a new study; raise `DuplicatedStudyError` when ``name`` is taken."""
        raise NotImplementedError

    def get_study(self, name):
        """The `StudyRecord` of ``name``; raise `StudyNotFoundError` when absent."""
        raise NotImplementedError

    def study_summaries(self):
        """One dict per study: name, created, counts per state, best value."""
        raise NotImplementedError

    def delete_study(self, name):
        """Remove a study and all its trials; raise `StudyNotFoundError` when absent."""
        raise NotImplementedError

    def trials(self, study_id, since_seq=-1):
        """Trials changed after ``since_seq``, in number order."""
        raise NotImplementedError

    def heartbeat(self, study_id, worker, now):
        """Mark the running trials of ``worker`` as alive at ``now``."""
        raise NotImplementedError

    def transaction(self, study_id):
        """A context manager holding the study's lock, yielding a `_Transaction`."""
        raise NotImplementedError

    def release_thread(self):
        """Close the calling thread's connection, where the storage keeps one per thread."""

    def close(self):
        """Release connections (the storage may be reopened by using it again)."""

    def __repr__(self):
        return f"{type(self).__name__}({self.url!r})"
