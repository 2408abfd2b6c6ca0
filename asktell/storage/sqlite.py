"""SQLite storage: one file, several processes on one machine; or in memory.

The file runs in WAL mode (readers never wait for the writer) with a busy
timeout, and every change happens in a ``BEGIN IMMEDIATE`` transaction,
which takes the database's write lock up front: the read-decide-write
steps of two processes (number a trial, claim a requeued one) never
interleave. Writers first queue on an OS file lock beside the database
(``flock``): SQLite's own busy handler polls with sleeps that grow to
100 ms, which leaves the lock idle while several processes wait (measured
here: 8 processes shared a study at less than half the rate of 4); the
file lock is polled at most 2 ms apart, so it changes hands within about
a millisecond, and a process that waits longer than the storage's
``timeout`` (another one stuck inside a transaction) gets
`StorageLockedError` instead of waiting forever. That lock file lives in the temporary
folder, named after the database's real path, so that nothing is left
beside the database (it only orders writers: SQLite's own locking keeps
the data safe without it). Each thread gets its own connection; a forked
child opens fresh ones.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
import time
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # Windows: SQLite's busy timeout alone
    fcntl = None

from .base import StorageCorruptedError
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
        failing with `asktell.storage.StorageLockedError`.
    synchronous : {"NORMAL", "FULL"}
        ``"NORMAL"`` (default) syncs the disk at WAL checkpoints: a killed
        process never loses a committed trial, a power cut may lose the
        last ones. ``"FULL"`` syncs at every commit (slower, as measured
        in ``benchmarks/bench_storage.py``).
    """

    _integrity_errors = (sqlite3.IntegrityError,)
    _table_exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"

    def __init__(self, path, timeout=120.0, synchronous="NORMAL"):
        self.path = os.fspath(path)
        self.url = f"sqlite:///{self.path}"
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout >= 0:
            raise ValueError(f"timeout must be a non-negative number of seconds, got {timeout!r}")
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', got {synchronous!r}")
        self.timeout = float(timeout)
        self.synchronous = synchronous
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections = []
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise ValueError(f"storage {self.url!r}: the folder {directory!r} does not exist")
        try:
            self._init_schema()
        except BaseException:
            self.close()
            raise

    def _connect(self):
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        try:
            # the first read of the file: a file that is not a database fails here, unchanged
            self._execute(conn, "SELECT count(*) FROM sqlite_master")
            self._execute(conn, f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            if self._execute(conn, "PRAGMA journal_mode")[0][0].lower() != "wal":
                self._execute(conn, "PRAGMA journal_mode = WAL")
            self._execute(conn, f"PRAGMA synchronous = {self.synchronous}")
            self._execute(conn, "PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = self._connect()
            lock = None
            if fcntl is not None:
                lock = _open_lock(self.path)
            self._local.conn, self._local.lock, self._local.pid = conn, lock, os.getpid()
            with self._lock:
                self._connections.append((conn, lock))
        return conn

    @contextmanager
    def _queue(self):
        """Hold the file lock that orders this machine's writers (see the module doc), at most `timeout`."""
        lock = self._local.lock
        if lock is None:
            yield
            return
        if not _flock(lock, self.timeout):
            raise self._locked("the database")
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _connection(self):
        yield self._conn()

    @contextmanager
    def _write(self, lock_key=None):
        conn = self._conn()
        with self._queue():
            self._execute(conn, "BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _execute(self, conn, sql, params=None):
        try:
            return conn.execute(sql, params or {}).fetchall()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise self._locked("the database") from None
            raise
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError:  # integrity and other errors of the statement
                raise
            # SQLITE_CORRUPT or SQLITE_NOTADB: nothing was written
            raise StorageCorruptedError(
                f"storage {self.url!r} cannot be read ({exc}): the file is truncated, corrupted or not "
                "an SQLite database. It was left as it is; restore it from a copy, or give another path."
            ) from None

    def release_thread(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            pair = (conn, self._local.lock)
            self._local.conn = None
            with self._lock:
                if pair in self._connections:
                    self._connections.remove(pair)
            _close(*pair)

    def close(self):
        with self._lock:
            connections, self._connections = self._connections, []
        for pair in connections:
            _close(*pair)
        self._local = threading.local()

    def __getstate__(self):
        return {"path": self.path, "timeout": self.timeout, "synchronous": self.synchronous}

    def __setstate__(self, state):
        self.__init__(**state)


def _flock(fd, timeout):
    """Take the exclusive ``flock`` of ``fd`` within ``timeout`` seconds; whether it was taken.

    Polled, every 0.1 ms at first and every 2 ms at most (a blocking
    ``flock`` cannot time out), so that a lock freed is taken within
    about a millisecond.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    deadline = time.monotonic() + timeout
    delay = 0.0001
    while time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(2 * delay, 0.002)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
    return False


def _open_lock(path):
    """A descriptor of the writers' lock file of the database ``path`` (None if it cannot be made)."""
    digest = hashlib.sha256(os.path.realpath(path).encode()).hexdigest()[:24]
    try:
        return os.open(os.path.join(tempfile.gettempdir(), f"asktell-{digest}.lock"), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:  # another user's file, a read-only folder: SQLite's busy timeout alone
        return None


def _close(conn, lock):
    conn.close()
    if lock is not None:
        os.close(lock)


class InMemoryStorage(SQLiteStorage):
    """Study storage that lives as long as the object: one process, any threads."""

    def __init__(self):
        self.path = ":memory:"
        self.url = "memory"
        self.timeout = 0.0
        self.synchronous = "NORMAL"
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
