"""Read-only queries over a study storage, for the dashboard.

The storage classes of `asktell.storage` create their tables when opened,
which is a write; the dashboard must never write. So it opens its own
connections, read-only at the database's level: SQLite through a
``mode=ro`` URI (a missing file is an error, not a new database),
PostgreSQL with ``default_transaction_read_only``. The statements read the
tables `asktell.storage.SQLStorage` writes and compute what the pages show
(counts, best values, pages of trials, method shares) in SQL, so a study of
10,000 trials never travels whole to draw its study list or one page of
its trial table.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from contextlib import contextmanager
from urllib.parse import quote

from ..study._sync import STATE_KEY

__all__ = ["StorageReader", "TrialQuery", "SORT_KEYS", "STATES"]

#: trial table columns one can sort by, and the SQL each sorts on
SORT_KEYS = {
    "number": "number",
    "state": "state",
    "value": "value",
    "duration": "completed - started",
    "started": "started",
    "completed": "completed",
    "worker": "worker",
}
STATES = ("COMPLETE", "FAIL", "RUNNING")


class TrialQuery:
    """One page of the trial table: filter, order and position.

    Parameters
    ----------
    page : int
        1-based page number.
    per_page : int
        Rows per page, 1 to 500.
    sort : str
        A key of `SORT_KEYS`.
    descending : bool
        Order from the largest down; missing values (a failed trial's
        value) always come last.
    states : tuple of str
        Only trials in these states (empty: all).
    text : str
        Only trials whose parameters or error text contain it, ignoring case.
    """

    def __init__(self, page=1, per_page=50, sort="number", descending=False, states=(), text=""):
        self.page = page
        self.per_page = per_page
        self.sort = sort
        self.descending = descending
        self.states = tuple(states)
        self.text = text

    def validate(self):
        """Raise ValueError naming the parameter for anything out of range."""
        if isinstance(self.page, bool) or not isinstance(self.page, int) or self.page < 1:
            raise ValueError(f"page must be a positive integer, got {self.page!r}")
        if isinstance(self.per_page, bool) or not isinstance(self.per_page, int) or not 1 <= self.per_page <= 500:
            raise ValueError(f"per_page must be an integer from 1 to 500, got {self.per_page!r}")
        if self.sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {sorted(SORT_KEYS)}, got {self.sort!r}")
        unknown = [s for s in self.states if s not in STATES]
        if unknown:
            raise ValueError(f"state must be among {', '.join(STATES)} (comma-separated), got {unknown[0]!r}")
        if not isinstance(self.text, str) or len(self.text) > 200:
            raise ValueError(f"q must be a text of at most 200 characters, got {self.text!r}")


def _sqlite_path(url):
    path, _, _ = url[len("sqlite:///"):].partition("?")
    if not path or path == ":memory:":
        raise ValueError(f"storage {url!r}: the dashboard reads a SQLite file (sqlite:///path.db)")
    return path


class StorageReader:
    """Read-only access to the studies of the storage at ``url``.

    Parameters
    ----------
    url : str
        ``sqlite:///path.db`` (the file must exist) or
        ``postgresql://user@host/database`` (the ``storage`` extra).

    Raises
    ------
    ValueError
        For an unsupported or in-memory URL, a missing file, or a database
        without asktell's tables.
    """

    def __init__(self, url):
        if not isinstance(url, str):
            raise TypeError(f"storage must be a URL string, got {url!r}")
        self.url = url
        self._lock = threading.Lock()
        self._pool = []
        if url.startswith("sqlite:///"):
            self._kind = "sqlite"
            self._path = _sqlite_path(url)
            self._method_sql = "json_extract(params, '$.method')"
            self._error_sql = "json_extract(info, '$.error')"
        elif url.split("://", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
            self._kind = "postgresql"
            self._engine = _read_only_engine(url)
            self._method_sql = "CAST(params AS json) ->> 'method'"
            self._error_sql = "CAST(info AS json) ->> 'error'"
        else:
            raise ValueError(
                f"storage {url!r} is not supported: use sqlite:///path.db or postgresql://user@host/database"
            )
        try:
            self._query("SELECT COUNT(*) FROM asktell_studies")
        except ValueError:  # ours, already saying what is wrong
            raise
        except Exception as exc:  # the driver's error: no such table, cannot connect
            raise ValueError(f"storage {url!r} cannot be read as an asktell storage: {exc}") from None

    # ------------------------------------------------------------ connections
    def _connect_sqlite(self):
        try:
            conn = sqlite3.connect(
                f"file:{quote(self._path)}?mode=ro", uri=True, check_same_thread=False, timeout=30
            )
        except sqlite3.OperationalError as exc:
            raise ValueError(f"storage {self.url!r}: cannot open {self._path!r} for reading ({exc})") from None
        conn.execute("PRAGMA query_only = ON")
        return conn

    @contextmanager
    def _connection(self):
        if self._kind == "postgresql":
            with self._engine.connect() as conn:
                yield conn
            return
        with self._lock:
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            conn = self._connect_sqlite()
        try:
            yield conn
        except BaseException:
            conn.close()
            raise
        with self._lock:
            self._pool.append(conn)

    def _query(self, sql, params=None):
        with self._connection() as conn:
            if self._kind == "postgresql":
                from sqlalchemy import text

                return conn.execute(text(sql), params or {}).fetchall()
            return conn.execute(sql, params or {}).fetchall()

    def close(self):
        """Close every connection (the reader reopens them when used again)."""
        with self._lock:
            pool, self._pool = self._pool, []
        for conn in pool:
            conn.close()
        if self._kind == "postgresql":
            self._engine.dispose()

    # ------------------------------------------------------------ studies
    def studies(self):
        """One dict per study: name, optimizer, counts per state, best value, last activity."""
        rows = self._query(
            "SELECT s.study_id, s.name, s.optimizer, s.space, s.info, s.created, "
            "COUNT(t.number), "
            "SUM(CASE WHEN t.state = 'COMPLETE' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN t.state = 'FAIL' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN t.state = 'RUNNING' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN t.requeued = 1 THEN 1 ELSE 0 END), "
            "MIN(CASE WHEN t.state = 'COMPLETE' THEN t.value END), "
            "MAX(CASE WHEN t.state = 'COMPLETE' THEN t.value END), "
            "MAX(t.started), MAX(t.completed), MAX(t.heartbeat) "
            "FROM asktell_studies s LEFT JOIN asktell_trials t ON t.study_id = s.study_id "
            "GROUP BY s.study_id, s.name, s.optimizer, s.space, s.info, s.created "
            "ORDER BY s.created, s.name"
        )
        out = []
        for (sid, name, optimizer, space, info, created, n, c, f, r, q, lo, hi, started, completed,
             beat) in rows:
            info = json.loads(info)
            direction = _direction(info)
            best = lo if direction == "minimize" else hi
            out.append({
                "name": name,
                "optimizer": _optimizer_name(json.loads(optimizer)),
                "direction": direction,
                "method_space": "methods" in json.loads(space),
                "created": created,
                "n_trials": int(n or 0),
                "counts": {"COMPLETE": int(c or 0), "FAIL": int(f or 0), "RUNNING": int(r or 0)},
                "n_waiting": int(q or 0),
                "best_value": None if best is None else float(best),
                "last_activity": _latest(created, started, completed, beat),
            })
        return out

    def study(self, name):
        """The stored study ``name`` with its aggregates; raise KeyError when absent."""
        rows = self._query(
            "SELECT study_id, name, space, optimizer, info, created, next_seq FROM asktell_studies "
            "WHERE name = :name",
            {"name": name},
        )
        if not rows:
            raise KeyError(name)
        sid, name, space, optimizer, info, created, next_seq = rows[0]
        info, space = json.loads(info), json.loads(space)
        direction = _direction(info)
        agg = self._query(
            "SELECT state, COUNT(*), MAX(started), MAX(completed), MAX(heartbeat), "
            "SUM(CASE WHEN requeued = 1 THEN 1 ELSE 0 END) "
            "FROM asktell_trials WHERE study_id = :sid GROUP BY state",
            {"sid": sid},
        )
        counts = dict.fromkeys(STATES, 0)
        stamps, waiting = [created], 0
        for state, count, started, completed, beat, requeued in agg:
            counts[state] = int(count)
            stamps += [started, completed, beat]
            waiting += int(requeued or 0)
        best = self._query(
            "SELECT number, value, params FROM asktell_trials "
            "WHERE study_id = :sid AND state = 'COMPLETE' AND value IS NOT NULL "
            f"ORDER BY value {'ASC' if direction == 'minimize' else 'DESC'}, number LIMIT 1",
            {"sid": sid},
        )
        optimizer = json.loads(optimizer)
        return {
            "study_id": int(sid),
            "name": name,
            "optimizer": _optimizer_name(optimizer),
            "optimizer_settings": optimizer,
            "space": space,
            "info": info,
            "direction": direction,
            "method_space": "methods" in space,
            "created": created,
            "cursor": int(next_seq) - 1,
            "n_trials": sum(counts.values()),
            "counts": counts,
            "n_waiting": waiting,
            "last_activity": _latest(*stamps),
            "best": None if not best else {
                "number": int(best[0][0]), "value": float(best[0][1]), "params": json.loads(best[0][2])
            },
        }

    # ------------------------------------------------------------ trials
    def points_json(self, study_id, since=-1):
        """``(cursor, rows_json)``: the trials changed after sequence number ``since``.

        Each row is ``[number, state, value, params, completed]``; ``cursor``
        is the sequence number to pass as ``since`` next time. The params are
        spliced in as stored (JSON text) rather than parsed and dumped again,
        which keeps 10,000 trials to a few milliseconds.
        """
        head = self._query("SELECT next_seq FROM asktell_studies WHERE study_id = :sid", {"sid": study_id})
        cursor = int(head[0][0]) - 1 if head else since
        rows = self._query(
            "SELECT number, state, value, params, completed FROM asktell_trials "
            "WHERE study_id = :sid AND seq > :since AND seq <= :cursor ORDER BY number",
            {"sid": study_id, "since": since, "cursor": cursor},
        )
        parts = [
            f'[{int(n)},"{state}",{_json_number(value)},{params},{_json_number(completed)}]'
            for n, state, value, params, completed in rows
        ]
        return cursor, "[" + ",".join(parts) + "]"

    def complete_params(self, study_id):
        """``(params, values)`` of the study's COMPLETE trials, in number order."""
        rows = self._query(
            "SELECT params, value FROM asktell_trials "
            "WHERE study_id = :sid AND state = 'COMPLETE' AND value IS NOT NULL ORDER BY number",
            {"sid": study_id},
        )
        return [json.loads(p) for p, _ in rows], [float(v) for _, v in rows]

    def trial_page(self, study_id, query):
        """``(total, rows)``: the trials ``query`` (a `TrialQuery`) selects, one page of them."""
        query.validate()
        where, params = ["study_id = :sid"], {"sid": study_id}
        if query.states:
            names = []
            for i, state in enumerate(query.states):
                params[f"s{i}"] = state
                names.append(f":s{i}")
            where.append(f"state IN ({', '.join(names)})")
        if query.text:
            params["q"] = "%" + query.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(
                f"(LOWER(params) LIKE :q ESCAPE '\\' OR LOWER(COALESCE({self._error_sql}, '')) LIKE :q ESCAPE '\\')"
            )
        clause = " AND ".join(where)
        total = int(self._query(f"SELECT COUNT(*) FROM asktell_trials WHERE {clause}", params)[0][0])
        key = SORT_KEYS[query.sort]
        order = "DESC" if query.descending else "ASC"
        params.update(limit=query.per_page, offset=(query.page - 1) * query.per_page)
        rows = self._query(
            "SELECT number, state, value, params, info, worker, started, completed, attempts "
            f"FROM asktell_trials WHERE {clause} "
            f"ORDER BY ({key}) IS NULL, {key} {order}, number {order} LIMIT :limit OFFSET :offset",
            params,
        )
        out = []
        for number, state, value, p, info, worker, started, completed, attempts in rows:
            info = json.loads(info)
            out.append({
                "number": int(number),
                "state": state,
                "value": None if value is None else float(value),
                "params": json.loads(p),
                "worker": worker,
                "started": started,
                "completed": completed,
                "duration": None if completed is None or started is None else completed - started,
                "attempts": int(attempts),
                "error": info.get("error"),
                "info": {k: v for k, v in info.items() if k not in ("error", STATE_KEY)},
            })
        return total, out

    def method_shares(self, study_id, direction="minimize", n_bins=20):
        """How the trials of a method-space study split among methods, over time.

        Trials are binned by number into at most ``n_bins`` windows of equal
        width; returns ``{"width", "bins", "methods": {method: counts per
        bin}, "best": {method: best value}}`` (best as ``direction`` says),
        counted in SQL.
        """
        top = self._query("SELECT MAX(number) FROM asktell_trials WHERE study_id = :sid", {"sid": study_id})
        if not top or top[0][0] is None:
            return {"width": 1, "bins": [], "methods": {}, "best": {}}
        width = max(1, math.ceil((int(top[0][0]) + 1) / n_bins))
        best = "MIN" if direction == "minimize" else "MAX"
        rows = self._query(
            f"SELECT number / :w AS bin, {self._method_sql} AS m, COUNT(*), "
            f"{best}(CASE WHEN state = 'COMPLETE' THEN value END) "
            "FROM asktell_trials WHERE study_id = :sid GROUP BY 1, 2 ORDER BY 1",
            {"sid": study_id, "w": width},
        )
        n = int(top[0][0]) // width + 1
        pick = min if direction == "minimize" else max
        methods, bests = {}, {}
        for b, m, count, value in rows:
            m = str(m)
            methods.setdefault(m, [0] * n)[int(b)] = int(count)
            if value is not None:
                bests[m] = pick(bests.get(m, float(value)), float(value))
        return {"width": width, "bins": [i * width for i in range(n)], "methods": methods, "best": bests}


def _read_only_engine(url):
    try:
        import sqlalchemy as sa
    except ImportError:
        raise ImportError("a PostgreSQL storage needs the 'storage' extra: pip install asktell[storage]") from None
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ValueError(f"storage {url!r} is not a valid database URL: {exc}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(parsed, pool_pre_ping=True, pool_size=4)

    @sa.event.listens_for(engine, "connect")
    def _read_only(dbapi_conn, record):
        cur = dbapi_conn.cursor()
        cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cur.close()
        dbapi_conn.commit()

    return engine


def _direction(info):
    return "maximize" if info.get("direction") == "maximize" else "minimize"


def _optimizer_name(settings):
    return settings.get("name") or settings.get("class") or "?"


def _latest(*stamps):
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def _json_number(value):
    if value is None or not math.isfinite(value):
        return "null"
    return repr(float(value))
