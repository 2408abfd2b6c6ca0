"""Study storage in an SQL database: the tables and the statements, once.

The SQLite and PostgreSQL backends differ only in how they connect, how
they take a study's write lock and in one column type; both speak the
statements below with ``:name`` parameters. Points, params, told values
and info are JSON text, never pickles, so any process, version or tool
can read them.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

from ..trial import TrialState
from .base import (
    SCHEMA_VERSION,
    BaseStorage,
    DuplicatedStudyError,
    SchemaVersionError,
    StorageLockedError,
    StoredTrial,
    StudyNotFoundError,
    StudyRecord,
    finite_or_none,
)

__all__ = ["SQLStorage"]

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS asktell_version (
        schema_version INTEGER NOT NULL,
        library_version TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS asktell_studies (
        study_id {id_type},
        name TEXT NOT NULL UNIQUE,
        space TEXT NOT NULL,
        optimizer TEXT NOT NULL,
        info TEXT NOT NULL,
        next_seq BIGINT NOT NULL,
        created DOUBLE PRECISION NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS asktell_trials (
        study_id INTEGER NOT NULL REFERENCES asktell_studies (study_id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        state TEXT NOT NULL,
        x TEXT NOT NULL,
        params TEXT NOT NULL,
        value DOUBLE PRECISION,
        told TEXT,
        info TEXT NOT NULL,
        worker TEXT,
        heartbeat DOUBLE PRECISION,
        started DOUBLE PRECISION NOT NULL,
        completed DOUBLE PRECISION,
        attempts INTEGER NOT NULL,
        requeued INTEGER NOT NULL,
        seq BIGINT NOT NULL,
        ask_seq BIGINT NOT NULL,
        tell_seq BIGINT,
        PRIMARY KEY (study_id, number)
    )""",
    "CREATE INDEX IF NOT EXISTS asktell_trials_seq ON asktell_trials (study_id, seq)",
    "CREATE INDEX IF NOT EXISTS asktell_trials_state ON asktell_trials (study_id, state)",
]

_TRIAL_COLUMNS = (
    "number, state, x, params, value, told, info, worker, heartbeat, started, "
    "completed, attempts, requeued, seq, ask_seq, tell_seq"
)


def _dumps(value):
    return json.dumps(value, allow_nan=False, separators=(",", ":"))


_STATES = {str(state): state for state in TrialState}


def _trials_from_rows(rows):
    """`StoredTrial` of each row, the rows' points and told values decoded by one JSON parse.

    ``params`` and ``info`` stay JSON text until read (`StoredTrial`).
    """
    if not rows:
        return []
    decoded = json.loads("[" + ",".join(f"{r[2]},{'null' if r[5] is None else r[5]}" for r in rows) + "]")
    return [
        StoredTrial(
            int(number),
            _STATES[state],
            decoded[2 * i],
            params,
            None if value is None else float(value),
            decoded[2 * i + 1],
            info,
            worker,
            heartbeat,
            started,
            completed,
            int(attempts),
            bool(requeued),
            int(seq),
            int(ask_seq),
            None if tell_seq is None else int(tell_seq),
        )
        for i, (number, state, _, params, value, _, info, worker, heartbeat, started,
                completed, attempts, requeued, seq, ask_seq, tell_seq) in enumerate(rows)
    ]


class _Transaction:
    """The operations a `Study` performs while holding its study's lock."""

    def __init__(self, storage, conn, study_id, next_seq):
        self._storage = storage
        self._conn = conn
        self.study_id = study_id
        self._next_seq = next_seq

    def _q(self, sql, **params):
        return self._storage._execute(self._conn, sql, dict(params, study_id=self.study_id))

    def _take_seq(self):
        seq = self._next_seq
        self._next_seq += 1
        self._q("UPDATE asktell_studies SET next_seq = :n WHERE study_id = :study_id", n=self._next_seq)
        return seq

    def trials(self, since_seq=-1):
        """Trials changed after ``since_seq``."""
        rows = self._q(
            f"SELECT {_TRIAL_COLUMNS} FROM asktell_trials "
            "WHERE study_id = :study_id AND seq > :since ORDER BY number",
            since=since_seq,
        )
        return _trials_from_rows(rows)

    def get(self, number):
        rows = self._q(
            f"SELECT {_TRIAL_COLUMNS} FROM asktell_trials WHERE study_id = :study_id AND number = :n",
            n=number,
        )
        if not rows:
            raise ValueError(f"trial {number!r} does not exist in this study")
        return _trials_from_rows(rows)[0]

    def running(self):
        """``(number, worker, heartbeat)`` of every RUNNING trial."""
        return [
            (int(n), w, hb)
            for n, w, hb in self._q(
                "SELECT number, worker, heartbeat FROM asktell_trials "
                "WHERE study_id = :study_id AND state = 'RUNNING' ORDER BY number"
            )
        ]

    def requeued(self):
        """Numbers of the trials waiting to be run again, oldest first."""
        return [
            int(r[0])
            for r in self._q(
                "SELECT number FROM asktell_trials "
                "WHERE study_id = :study_id AND requeued = 1 ORDER BY number"
            )
        ]

    def add(self, number, x, params, worker, now, info=None):
        """Record a new RUNNING trial (the optimizer's ``number``)."""
        seq = self._take_seq()
        self._q(
            f"INSERT INTO asktell_trials ({_TRIAL_COLUMNS}, study_id) VALUES "
            "(:n, 'RUNNING', :x, :params, NULL, NULL, :info, :worker, :now, :now, NULL, "
            "1, 0, :seq, :seq, NULL, :study_id)",
            n=number,
            x=_dumps(x),
            params=_dumps(params),
            info=_dumps(info or {}),
            worker=worker,
            now=now,
            seq=seq,
        )
        return self.get(number)

    def requeue(self, number, reason, now, started=True):
        """The trial's worker is lost: FAIL it and queue it for another worker.

        ``started=False``: its evaluation never began, so it is not counted
        as an attempt.
        """
        trial = self.get(number)
        info = dict(trial.info)
        if started:
            info.setdefault("lost", []).append({"worker": trial.worker, "reason": reason, "at": now})
        info["error"] = reason
        self._q(
            "UPDATE asktell_trials SET state = 'FAIL', requeued = 1, completed = :now, "
            "attempts = attempts - :uncount, info = :info, seq = :seq "
            "WHERE study_id = :study_id AND number = :n",
            n=number,
            now=now,
            uncount=0 if started else 1,
            info=_dumps(info),
            seq=self._take_seq(),
        )

    def claim(self, number, worker, now):
        """Take a requeued trial: RUNNING again, for ``worker``."""
        trial = self.get(number)
        info = dict(trial.info)
        info.pop("error", None)
        self._q(
            "UPDATE asktell_trials SET state = 'RUNNING', requeued = 0, worker = :worker, "
            "heartbeat = :now, started = :now, completed = NULL, attempts = attempts + 1, "
            "info = :info, seq = :seq WHERE study_id = :study_id AND number = :n",
            n=number,
            worker=worker,
            now=now,
            info=_dumps(info),
            seq=self._take_seq(),
        )
        return self.get(number)

    def finish(self, number, state, value, told, info, now):
        """End a trial: COMPLETE with its value, or FAIL for good."""
        seq = self._take_seq()
        self._q(
            "UPDATE asktell_trials SET state = :state, value = :value, told = :told, "
            "info = :info, completed = :now, requeued = 0, seq = :seq, tell_seq = :seq "
            "WHERE study_id = :study_id AND number = :n",
            n=number,
            state=str(state),
            value=finite_or_none(value),
            told=None if told is None else _dumps(told),
            info=_dumps(info),
            now=now,
            seq=seq,
        )
        return self.get(number)

    def set_info(self, number, info):
        """Replace a trial's info without changing its state."""
        self._q(
            "UPDATE asktell_trials SET info = :info, seq = :seq "
            "WHERE study_id = :study_id AND number = :n",
            n=number,
            info=_dumps(info),
            seq=self._take_seq(),
        )


class SQLStorage(BaseStorage):
    """Shared logic of the SQL backends; subclasses connect and lock."""

    #: column type of the study id (auto-incremented)
    _id_type = "INTEGER PRIMARY KEY"
    #: exception types a unique-constraint violation raises
    _integrity_errors = ()
    #: suffix that makes reading the study row take its write lock
    _for_update = ""

    # -------------------------------------------------------- backend hooks
    @contextmanager
    def _connection(self):
        """A connection for reads (no transaction guarantees beyond one statement)."""
        raise NotImplementedError

    @contextmanager
    def _write(self, lock_key=None):
        """A connection inside a write transaction; commits on exit."""
        raise NotImplementedError

    def _execute(self, conn, sql, params=None):
        raise NotImplementedError

    # -------------------------------------------------------- schema
    #: a query giving one row when the table ``:name`` exists
    _table_exists = ""

    def _lock_timeout(self, conn):
        """Bound how long the next statement waits for another process's lock (backend hook)."""

    def _is_lock_timeout(self, exc):
        """Whether ``exc`` says that a lock was waited for too long (backend hook)."""
        return False

    def _locked(self, what):
        return StorageLockedError(
            f"storage {self.url!r}: {what} was locked by another process for more than "
            f"{self.timeout:g} s (the storage's timeout); is a process stuck holding it?"
        )

    def _init_schema(self):
        """Create the tables in an empty database; refuse (and leave alone) one of another layout.

        The stored version is read before anything is written, so that a
        database of a newer asktell is never touched, and opening an
        existing one takes no lock.
        """
        from .._version import __version__

        stored = self._stored_version()
        self._check_version(stored)
        if stored is not None:
            return  # the tables were created with the version row, in one transaction
        with self._write(lock_key="schema") as conn:
            for statement in _SCHEMA:
                self._execute(conn, statement.format(id_type=self._id_type))
            rows = self._execute(conn, "SELECT schema_version, library_version FROM asktell_version")
            if not rows:
                self._execute(
                    conn,
                    "INSERT INTO asktell_version (schema_version, library_version) VALUES (:s, :v)",
                    {"s": SCHEMA_VERSION, "v": __version__},
                )
        self._check_version(rows[0] if rows else None)

    def _stored_version(self):
        """``(schema_version, library_version)`` stored, or None in a database without asktell's tables."""
        with self._connection() as conn:
            if not self._execute(conn, self._table_exists, {"name": "asktell_version"}):
                return None
            rows = self._execute(conn, "SELECT schema_version, library_version FROM asktell_version")
        return rows[0] if rows else None

    def _check_version(self, stored):
        from .._version import __version__

        if stored is None or int(stored[0]) == SCHEMA_VERSION:
            return
        version, library = int(stored[0]), stored[1]
        hint = "upgrade asktell to open it" if version > SCHEMA_VERSION else "it predates this layout"
        raise SchemaVersionError(
            f"storage {self.url!r} holds asktell schema version {version} (written by asktell {library}); "
            f"this asktell ({__version__}) reads version {SCHEMA_VERSION}: {hint}. The database was not changed."
        )

    # -------------------------------------------------------- studies
    def create_study(self, name, space, optimizer, info=None):
        if not isinstance(name, str) or not name:
            raise ValueError(f"study name must be a non-empty str, got {name!r}")
        params = {
            "name": name,
            "space": _dumps(space),
            "optimizer": _dumps(optimizer),
            "info": _dumps(info or {}),
            "created": time.time(),
        }
        try:
            with self._write() as conn:
                if self._execute(conn, "SELECT 1 FROM asktell_studies WHERE name = :name", params):
                    raise DuplicatedStudyError(f"a study named {name!r} exists already in {self.url!r}")
                self._execute(
                    conn,
                    "INSERT INTO asktell_studies (name, space, optimizer, info, next_seq, created) "
                    "VALUES (:name, :space, :optimizer, :info, 0, :created)",
                    params,
                )
        except self._integrity_errors:
            raise DuplicatedStudyError(f"a study named {name!r} exists already in {self.url!r}") from None
        return self.get_study(name)

    def get_study(self, name):
        with self._connection() as conn:
            rows = self._execute(
                conn,
                "SELECT study_id, name, space, optimizer, info, created FROM asktell_studies "
                "WHERE name = :name",
                {"name": name},
            )
        if not rows:
            raise StudyNotFoundError(f"no study named {name!r} in {self.url!r}")
        sid, name, space, optimizer, info, created = rows[0]
        return StudyRecord(int(sid), name, json.loads(space), json.loads(optimizer), json.loads(info), created)

    def study_summaries(self):
        with self._connection() as conn:
            rows = self._execute(
                conn,
                "SELECT s.name, s.created, "
                "SUM(CASE WHEN t.state = 'COMPLETE' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN t.state = 'FAIL' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN t.state = 'RUNNING' THEN 1 ELSE 0 END), "
                "MIN(CASE WHEN t.state = 'COMPLETE' THEN t.value END) "
                "FROM asktell_studies s LEFT JOIN asktell_trials t ON t.study_id = s.study_id "
                "GROUP BY s.study_id, s.name, s.created ORDER BY s.created, s.name",
            )
        return [
            {
                "name": name,
                "created": created,
                "n_complete": int(c or 0),
                "n_fail": int(f or 0),
                "n_running": int(r or 0),
                "best_value": None if best is None else float(best),
            }
            for name, created, c, f, r, best in rows
        ]

    def delete_study(self, name):
        with self._write() as conn:
            rows = self._execute(conn, "SELECT study_id FROM asktell_studies WHERE name = :name", {"name": name})
            if not rows:
                raise StudyNotFoundError(f"no study named {name!r} in {self.url!r}")
            sid = {"study_id": rows[0][0]}
            self._execute(conn, "DELETE FROM asktell_trials WHERE study_id = :study_id", sid)
            self._execute(conn, "DELETE FROM asktell_studies WHERE study_id = :study_id", sid)

    # -------------------------------------------------------- trials
    def trials(self, study_id, since_seq=-1):
        with self._connection() as conn:
            rows = self._execute(
                conn,
                f"SELECT {_TRIAL_COLUMNS} FROM asktell_trials "
                "WHERE study_id = :study_id AND seq > :since ORDER BY number",
                {"study_id": study_id, "since": since_seq},
            )
        return _trials_from_rows(rows)

    def heartbeat(self, study_id, worker, now):
        with self._write(lock_key=None) as conn:
            self._execute(
                conn,
                "UPDATE asktell_trials SET heartbeat = :now "
                "WHERE study_id = :study_id AND worker = :worker AND state = 'RUNNING'",
                {"study_id": study_id, "worker": worker, "now": now},
            )

    @contextmanager
    def transaction(self, study_id):
        with self._write(lock_key=study_id) as conn:
            self._lock_timeout(conn)
            try:
                rows = self._execute(
                    conn,
                    "SELECT next_seq FROM asktell_studies WHERE study_id = :study_id" + self._for_update,
                    {"study_id": study_id},
                )
            except Exception as exc:
                if self._is_lock_timeout(exc):
                    raise self._locked(f"study {study_id}") from None
                raise
            if not rows:
                raise StudyNotFoundError(f"study {study_id} was deleted from {self.url!r}")
            yield _Transaction(self, conn, study_id, int(rows[0][0]))
