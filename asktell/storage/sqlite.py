"""SQLite storage: one file, several processes on one machine; or in memory.

The file runs in WAL mode (readers never wait for the writer) with a busy
timeout, and every change happens in a ``BEGIN IMMEDIATE`` transaction,
which takes the database's write lock up front: the read-decide-write
steps of two processes (number a trial, claim a requeued one) never
interleave. Each thread gets its own connection; a forked child opens
fresh ones.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager

from .sql import SQLStorage

__all__ = ["SQLiteStorage", "InMemoryStorage"]


class SQLiteStorage(SQLStorage):
    """Study storage in an SQLite file.

    Parameters
    ----------
    path : str or os.PathLike
        The database file (created when missing).
    timeout : float
        Seconds a transaction waits for another process's lock before
        failing with ``sqlite3.OperationalError: database is locked``.
    """

    _integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path, timeout=120.0):
        self.path = os.fspath(path)
        self.url = f"sqlite:///{self.path}"
        self.timeout = float(timeout)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections = []
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise ValueError(f"storage {self.url!r}: the folder {directory!r} does not exist")
        self._init_schema()

    def _connect(self):
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = self._connect()
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _connection(self):
        yield self._conn()

    @contextmanager
    def _write(self, lock_key=None):
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _execute(self, conn, sql, params=None):
        return conn.execute(sql, params or {}).fetchall()

    def release_thread(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()

    def close(self):
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def __getstate__(self):
        return {"path": self.path, "timeout": self.timeout}

    def __setstate__(self, state):
        self.__init__(state["path"], state["timeout"])


class InMemoryStorage(SQLiteStorage):
    """Study storage that lives as long as the object: one process, any threads."""

    def __init__(self):
        self.path = ":memory:"
        self.url = "memory"
        self.timeout = 0.0
        self._mutex = threading.RLock()
        self._shared = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._shared.execute("PRAGMA foreign_keys = ON")
        self._init_schema()

    @contextmanager
    def _connection(self):
        with self._mutex:
            yield self._shared

    @contextmanager
    def _write(self, lock_key=None):
        with self._mutex:
            self._shared.execute("BEGIN")
            try:
                yield self._shared
            except BaseException:
                self._shared.execute("ROLLBACK")
                raise
            self._shared.execute("COMMIT")

    def release_thread(self):
        """Nothing to release: one connection serves every thread."""

    def close(self):
        """Nothing to release: the data lives as long as this object."""

    def __getstate__(self):
        raise TypeError("an in-memory storage cannot leave its process; use a SQLite file or PostgreSQL")
