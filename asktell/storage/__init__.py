"""Where studies live: in memory, in a SQLite file, or in PostgreSQL.

``get_storage(url)`` turns a URL into a storage: ``None`` keeps the study
in memory, ``sqlite:///path.db`` is the embedded default (several
processes on one machine), ``postgresql://user@host/db`` serves many
machines (the ``storage`` extra).
"""

from __future__ import annotations

import os

from .base import (
    SCHEMA_VERSION,
    BaseStorage,
    DuplicatedStudyError,
    SchemaVersionError,
    StorageCorruptedError,
    StorageLockedError,
    StoredTrial,
    StudyNotFoundError,
    StudyRecord,
)
from ..space import serialize as _serialize
from ..space.serialize import *  # noqa: F403 - space serialization, as storage has always offered it
from .sql import SQLStorage
from .sqlite import InMemoryStorage, SQLiteStorage

__all__ = [
    "get_storage",
    "BaseStorage",
    "SQLStorage",
    "InMemoryStorage",
    "SQLiteStorage",
    "RDBStorage",
    "StudyRecord",
    "StoredTrial",
    "DuplicatedStudyError",
    "StudyNotFoundError",
    "StorageLockedError",
    "StorageCorruptedError",
    "SchemaVersionError",
    "SCHEMA_VERSION",
    *_serialize.__all__,
]


def __getattr__(name):
    if name == "RDBStorage":
        from .rdb import RDBStorage

        return RDBStorage
    raise AttributeError(name)


def _sqlite_options(url, query):
    """``?timeout=60&synchronous=FULL`` of a SQLite URL as keyword arguments."""
    from urllib.parse import parse_qsl

    options = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "timeout":
            try:
                options[key] = float(value)
            except ValueError:
                raise ValueError(f"storage URL {url!r}: timeout must be a number of seconds, got {value!r}") from None
        elif key == "synchronous":
            options[key] = value.upper()
        else:
            raise ValueError(f"storage URL {url!r}: unknown option {key!r} (known: timeout, synchronous)")
    return options


def get_storage(storage):
    """A storage from a URL, a storage instance, or None (in memory).

    SQLite URLs take options: ``sqlite:///study.db?timeout=60&synchronous=FULL``
    (see `SQLiteStorage`).

    Raises
    ------
    ValueError
        For a URL of an unsupported kind or a malformed one.
    ImportError
        For a PostgreSQL URL when the ``storage`` extra (or the URL's
        driver) is not installed.
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, os.PathLike):
        return SQLiteStorage(storage)
    if not isinstance(storage, str):
        raise TypeError(f"storage must be a URL, a storage or None, got {storage!r}")
    if storage in (":memory:", "memory", "sqlite:///:memory:", "sqlite://"):
        return InMemoryStorage()
    if storage.startswith("sqlite:///"):
        path, _, query = storage[len("sqlite:///"):].partition("?")
        if not path:
            raise ValueError(f"storage URL {storage!r} names no file (sqlite:///path/to/study.db)")
        return SQLiteStorage(path, **_sqlite_options(storage, query))
    if storage.startswith("sqlite:"):
        raise ValueError(
            f"storage URL {storage!r} is malformed: write sqlite:///relative.db or sqlite:////absolute.db"
        )
    scheme = storage.split("://", 1)[0] if "://" in storage else None
    if scheme is not None and scheme.split("+", 1)[0] in ("postgresql", "postgres"):
        from .rdb import RDBStorage

        if scheme.split("+", 1)[0] == "postgres":
            storage = "postgresql" + storage[len("postgres"):]
        return RDBStorage(storage)
    raise ValueError(
        f"storage URL {storage!r} is not supported: use sqlite:///path.db or "
        "postgresql://user@host/database (or None for in memory)"
    )
