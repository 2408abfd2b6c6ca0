"""Studies under faults, on real SQLite files and a real PostgreSQL server (no mocks).

- Worker processes SIGKILLed at random moments, in the middle of an
  objective or of a commit: every trial is accounted for, no point is
  evaluated twice and no value that was committed is lost.
- A database locked by another process: the study waits for the storage's
  timeout, then fails with `StorageLockedError`.
- A database of a newer schema, a truncated or a corrupted file: a clear
  error, and the file is left byte for byte as it was.
"""

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from asktell import create_study, load_study
from asktell.storage import SCHEMA_VERSION, SchemaVersionError, StorageCorruptedError, StorageLockedError
from test_study_support import SPACE, sphere

HERE = os.path.dirname(os.path.abspath(__file__))

WORKER = textwrap.dedent(
    """
    import contextlib, json, os, random, signal, sys, time
    from asktell import load_study
    from asktell.storage.sql import SQLStorage
    from test_study_support import sphere

    url, name, target, log, seed, kill_at = sys.argv[1:7]
    target, seed, kill_at = int(target), int(seed), int(kill_at)
    rng = random.Random(seed)

    if kill_at > 0:  # die inside the kill_at-th transaction, its changes written but not committed
        original, count = SQLStorage.transaction, [0]

        @contextlib.contextmanager
        def transaction(self, study_id):
            with original(self, study_id) as txn:
                yield txn
                count[0] += 1
                if count[0] == kill_at:
                    os.kill(os.getpid(), signal.SIGKILL)

        SQLStorage.transaction = transaction

    def objective(x):
        time.sleep(rng.uniform(0.0, 0.03))
        return sphere(x)

    def committed(study, trial):  # the tell is committed when callbacks run
        with open(log, "a") as fh:
            fh.write(json.dumps([trial.number, trial.value, list(trial.x)]) + "\\n")

    study = load_study(name, url)
    first = kill_at > 0  # a worker set to die runs at least one trial
    while first or sum(t.state == "COMPLETE" for t in study.trials) < target:
        first = False
        study.optimize(objective, n_trials=1, callbacks=[committed])
    study.close()
    """
)


def _spawn(url, name, target, log, seed, kill_at=0):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url, name, str(target), str(log), str(seed), str(kill_at)],
        cwd=HERE, env={**os.environ, "PYTHONPATH": os.pathsep.join([HERE, os.environ.get("PYTHONPATH", "")])},
        stderr=subprocess.PIPE, text=True,
    )


def _complete(url, name):
    study = load_study(name, url)
    n = sum(t.state == "COMPLETE" for t in study.trials)
    study.close()
    return n


def _kill_workers(url, name, tmp_path, n_workers, target, n_kills, n_commit_kills, seed, seconds=600):
    """Run ``n_workers`` at a time until ``target`` trials are complete, SIGKILLing ``n_kills`` of them.

    The kills are spread over the run (one each time another share of the
    trials is complete, after a random delay): ``n_commit_kills`` of them
    by a replacement worker that kills itself inside the transaction of its
    first ask or tell, the others from here, wherever the worker is.
    """
    create_study(name, url, SPACE, random_state=seed,  # the default optimizer
                 heartbeat_interval=1.0, grace_period=30.0, max_retries=20).close()
    log = tmp_path / "committed.jsonl"
    rng = random.Random(seed)
    plan = ["commit"] * n_commit_kills + ["external"] * (n_kills - n_commit_kills)
    rng.shuffle(plan)
    thresholds = [target * (k + 1) // (n_kills + 2) for k in range(n_kills)]  # the last near 2/3
    procs = [_spawn(url, name, target, log, 100 + i) for i in range(n_workers)]
    spawned, deaths, errors, armed = n_workers, 0, [], []
    deadline = time.monotonic() + seconds

    def reap():
        nonlocal deaths
        for p in [p for p in procs if p.poll() is not None]:
            procs.remove(p)
            if p.returncode == -signal.SIGKILL:
                deaths += 1  # a worker that killed itself mid-commit
            elif p.returncode != 0:
                errors.append(p.stderr.read())

    while plan or any(p.poll() is None for p in procs):
        assert time.monotonic() < deadline, "the workers did not finish"
        time.sleep(0.1)
        reap()
        if plan and _complete(url, name) >= thresholds[n_kills - len(plan)]:
            time.sleep(rng.uniform(0.0, 0.3))
            live = [p for p in procs if p.poll() is None and p not in armed]
            if plan[-1] == "commit":
                # a worker that dies in the transaction of its first ask (1) or tell (2)
                armed.append(_spawn(url, name, target, log, 100 + spawned, kill_at=rng.choice([1, 2])))
                procs.append(armed[-1])
            elif not live:  # everyone finished early: one more worker to kill
                procs.append(_spawn(url, name, target, log, 100 + spawned))
                spawned += 1
                continue
            else:
                victim = rng.choice(live)
                victim.send_signal(signal.SIGKILL)  # in an objective, an ask, a tell: wherever it is
                victim.wait()
                procs.remove(victim)
                deaths += 1
                procs.append(_spawn(url, name, target, log, 100 + spawned))
            plan.pop()
            spawned += 1
    reap()  # the workers that ended after the last look, a self-killed one among them
    assert not errors, errors
    return log, deaths


def _check_everything_accounted_for(url, name, log, target):
    study = load_study(name, url, grace_period=30.0, heartbeat_interval=1.0)
    # the last killed workers' trials: requeued by the next ask, then run
    unfinished = sum(t.state != "COMPLETE" for t in study.trials)
    if unfinished:
        study.optimize(sphere, n_trials=unfinished)
    trials = study.trials
    numbers = [t.number for t in trials]
    assert numbers == list(range(len(trials))), "a trial number is missing"
    assert all(t.state == "COMPLETE" for t in trials), [(t.number, t.state, t.info.get("error")) for t in trials]
    assert len(trials) >= target
    assert len({tuple(t.x) for t in trials}) == len(trials), "a point was handed out twice"
    assert all(t.value == pytest.approx(sphere(t.x)) for t in trials)
    stored = {t.number: (t.value, list(t.x)) for t in trials}
    with open(log) as fh:
        committed = [json.loads(line) for line in fh if line.endswith("\n")]
    assert len(committed) >= target - 4  # a killed worker may die between its commit and its log line
    for number, value, x in committed:
        assert stored[number] == (value, x), f"trial {number}'s committed value was lost or changed"
    rerun = [t for t in trials if t.info["attempts"] > 1]
    study.close()
    return rerun


def _faults(url, tmp_path, n_workers, target, n_kills, n_commit_kills, seconds=600):
    log, killed = _kill_workers(url, "faults", tmp_path, n_workers, target, n_kills, n_commit_kills, seed=3,
                                seconds=seconds)
    assert killed == n_kills
    rerun = _check_everything_accounted_for(url, "faults", log, target)
    assert rerun, "no trial was caught mid-evaluation by a kill"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_killed_sqlite_workers_lose_nothing(tmp_path):
    _faults(f"sqlite:///{tmp_path / 'f.db'}", tmp_path, n_workers=4, target=20, n_kills=4, n_commit_kills=2)


def _fresh_postgresql(url):
    """``url``, with the study of an earlier fault test there deleted."""
    from asktell.storage import get_storage

    storage = get_storage(url)
    if "faults" in {s["name"] for s in storage.study_summaries()}:
        storage.delete_study("faults")
    storage.close()
    return url


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_killed_postgresql_workers_lose_nothing(tmp_path, postgresql_url):
    _faults(_fresh_postgresql(postgresql_url), tmp_path, n_workers=4, target=12, n_kills=3, n_commit_kills=1)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # 400 trials of the default's GP: ~10 minutes on a loaded 2-core machine
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_four_workers_a_hundred_trials_each_ten_kills(tmp_path, backend, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'f.db'}"
    else:
        url = _fresh_postgresql(request.getfixturevalue("postgresql_url"))
    _faults(url, tmp_path, n_workers=4, target=400, n_kills=10, n_commit_kills=4, seconds=3000)


# ------------------------------------------------------------------ locks
HOLD_SQLITE = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(60)
    """
)
HOLD_FLOCK = textwrap.dedent(  # an asktell process stuck inside a transaction
    """
    import fcntl, sys, time
    from asktell.storage.sqlite import _open_lock
    fd = _open_lock(sys.argv[1])
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.parametrize("holder", [HOLD_SQLITE, HOLD_FLOCK], ids=["sqlite-lock", "asktell-lock"])
def test_a_locked_sqlite_database_waits_then_fails_clearly(tmp_path, holder, no_thread_leak):
    path = tmp_path / "l.db"
    create_study("l", f"sqlite:///{path}", SPACE, optimizer="random", random_state=1).close()
    proc = subprocess.Popen([sys.executable, "-c", holder, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        study = load_study("l", f"sqlite:///{path}?timeout=1.5")  # reading needs no lock
        start = time.monotonic()
        with pytest.raises(StorageLockedError, match=r"locked by another process for more than 1.5 s"):
            study.ask()
        assert 1.4 < time.monotonic() - start < 10
    finally:
        proc.kill()
        proc.wait()
    trial = study.ask()  # the lock is free again: the study goes on
    study.tell(trial, sphere(trial.x))
    assert [t.state for t in study.trials] == ["COMPLETE"]
    study.close()


def test_a_locked_postgresql_study_waits_then_fails_clearly(postgresql_url, no_thread_leak):
    import sqlalchemy as sa

    from asktell.storage import RDBStorage

    name = f"locked-{os.getpid()}"
    create_study(name, postgresql_url, SPACE, optimizer="random", random_state=1).close()
    other = sa.create_engine(postgresql_url.replace("postgresql://", "postgresql+psycopg://"))
    storage = RDBStorage(postgresql_url, timeout=1.5)
    try:
        with other.connect() as conn:  # another server process holds the study's row
            conn.execute(sa.text("BEGIN"))
            conn.execute(sa.text("SELECT 1 FROM asktell_studies WHERE name = :n FOR UPDATE"), {"n": name})
            study = load_study(name, storage)
            start = time.monotonic()
            with pytest.raises(StorageLockedError, match=r"locked by another process for more than 1.5 s"):
                study.ask()
            assert 1.4 < time.monotonic() - start < 10
            conn.execute(sa.text("ROLLBACK"))
        trial = study.ask()
        study.tell(trial, sphere(trial.x))
        assert [t.state for t in study.trials] == ["COMPLETE"]
        study.close()
    finally:
        other.dispose()
        storage.delete_study(name)
        storage.close()


# ------------------------------------------------------------------ damaged files
def _files(path):
    """Bytes of the database and of whatever SQLite keeps beside it."""
    return {p: hashlib.sha256(open(p, "rb").read()).hexdigest()
            for p in (str(path), f"{path}-wal", f"{path}-shm") if os.path.exists(p)}


def _stored_study(path, n=40):
    study = create_study("s", f"sqlite:///{path}", SPACE, optimizer="random", random_state=1)
    study.optimize(sphere, n_trials=n)
    study.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    conn.close()


def test_a_study_of_a_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "n.db"
    _stored_study(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE asktell_version SET schema_version = :v, library_version = '9.0'",
                 {"v": SCHEMA_VERSION + 1})
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _files(path)
    for attempt in (lambda: load_study("s", f"sqlite:///{path}"),
                    lambda: create_study("t", f"sqlite:///{path}", SPACE)):
        with pytest.raises(SchemaVersionError, match=rf"schema version {SCHEMA_VERSION + 1} \(written by "
                           r"asktell 9.0\).*upgrade asktell.*not changed"):
            attempt()
        assert _files(path) == before


@pytest.mark.parametrize("damage", ["truncated", "header", "not a database"])
def test_a_truncated_or_corrupted_file_is_refused_and_left_alone(tmp_path, damage):
    path = tmp_path / "c.db"
    _stored_study(path)
    data = path.read_bytes()
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "header":
        data = b"\x00" * 100 + data[100:]
    else:
        data = random.Random(0).randbytes(len(data))
    path.write_bytes(data)
    before = _files(path)
    for attempt in (lambda: load_study("s", f"sqlite:///{path}"),
                    lambda: create_study("s", f"sqlite:///{path}", SPACE, load_if_exists=True)):
        with pytest.raises(StorageCorruptedError, match="truncated, corrupted or not an SQLite database.*left as it is"):
            attempt()
        assert _files(path) == before
