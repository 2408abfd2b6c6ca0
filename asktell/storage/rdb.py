"""PostgreSQL storage through SQLAlchemy, for workers on many machines.

Each trial-changing step locks its study's row (``SELECT ... FOR UPDATE``)
for the length of one transaction, so workers of one study take turns at
numbering and claiming trials while other studies go on undisturbed.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from .sql import SQLStorage

__all__ = ["RDBStorage"]

_SCHEMA_LOCK = 0x61736B74  # advisory lock key ("askt") serializing table creation


def _import_sqlalchemy():
    try:
        import sqlalchemy
    except ImportError:
        raise ImportError(
            "PostgreSQL storage needs the 'storage' extra: pip install asktell[storage]"
        ) from None
    return sqlalchemy


class RDBStorage(SQLStorage):
    """Study storage in a PostgreSQL database.

    Parameters
    ----------
    url : str
        A SQLAlchemy URL, ``postgresql://user:password@host:port/database``;
        without a driver, psycopg (version 3, from the ``storage`` extra) is used.
    engine_kwargs : dict or None
        Passed to ``sqlalchemy.create_engine``.
    timeout : float
        Seconds a transaction waits for another process's lock on its
        study before failing with `asktell.storage.StorageLockedError`.
    """

    _id_type = "SERIAL PRIMARY KEY"
    _for_update = " FOR UPDATE"
    _table_exists = "SELECT 1 WHERE to_regclass(:name) IS NOT NULL"

    def __init__(self, url, engine_kwargs=None, timeout=120.0):
        sa = _import_sqlalchemy()
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        self.url = url
        self.timeout = float(timeout)
        self.engine_kwargs = dict(engine_kwargs or {})
        try:
            parsed = sa.engine.make_url(url)
        except sa.exc.ArgumentError as exc:
            raise ValueError(f"storage URL {url!r} is not a valid database URL: {exc}") from None
        if parsed.get_backend_name() != "postgresql":
            raise ValueError(
                f"storage URL {url!r}: only sqlite:/// and postgresql:// databases are supported"
            )
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self._sa = sa
        self._parsed = parsed
        self._integrity_errors = (sa.exc.IntegrityError,)
        self._engine = None
        self._pid = None
        self._init_schema()

    @property
    def engine(self):
        if self._engine is None or self._pid != os.getpid():
            try:
                self._engine = self._sa.create_engine(
                    self._parsed, pool_pre_ping=True, **self.engine_kwargs
                )
            except self._sa.exc.NoSuchModuleError:
                raise ValueError(
                    f"storage URL {self.url!r}: SQLAlchemy knows no driver "
                    f"{self._parsed.get_driver_name()!r} for PostgreSQL"
                ) from None
            except ImportError as exc:
                raise ImportError(
                    f"storage URL {self.url!r} needs the database driver "
                    f"{self._parsed.get_driver_name()!r}, which is not installed ({exc}); "
                    "psycopg comes with the 'storage' extra: pip install asktell[storage]"
                ) from None
            self._pid = os.getpid()
        return self._engine

    @contextmanager
    def _connection(self):
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self, lock_key=None):
        with self.engine.begin() as conn:
            if lock_key == "schema":
                self._execute(conn, "SELECT pg_advisory_xact_lock(:k)", {"k": _SCHEMA_LOCK})
            yield conn

    def _lock_timeout(self, conn):
        self._execute(conn, f"SET LOCAL lock_timeout = {int(self.timeout * 1000)}")

    def _is_lock_timeout(self, exc):
        return getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"  # lock_not_available

    def _execute(self, conn, sql, params=None):
        result = conn.execute(self._sa.text(sql), params or {})
        return result.fetchall() if result.returns_rows else []

    def close(self):
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __getstate__(self):
        return {"url": self.url, "engine_kwargs": self.engine_kwargs, "timeout": self.timeout}

    def __setstate__(self, state):
        self.__init__(**state)
