"""Storages (memory, SQLite file, PostgreSQL server) and the space's JSON form."""

import json
import sqlite3
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asktell.space import Categorical, Integer, Real, Space
from asktell.storage import (
    SCHEMA_VERSION,
    DuplicatedStudyError,
    InMemoryStorage,
    SQLiteStorage,
    StudyNotFoundError,
    get_storage,
    load_space_file,
    same_space,
    space_from_dict,
    space_from_json,
    space_to_dict,
    space_to_json,
)
from asktell.trial import TrialState

# ------------------------------------------------------------------ space JSON
names = st.one_of(st.none(), st.text(min_size=1, max_size=8))
json_categories = st.lists(
    st.one_of(st.text(max_size=6), st.integers(-5, 5), st.booleans(), st.none(),
              st.floats(allow_nan=False, allow_infinity=False, width=32)),
    min_size=1, max_size=5, unique_by=lambda v: (type(v).__name__, v),
).filter(lambda cs: len({(v if not isinstance(v, bool) else ("b", v)) for v in cs}) == len(cs))


@st.composite
def dimensions(draw):
    kind = draw(st.sampled_from(["Real", "Integer", "Categorical"]))
    name = draw(names)
    if kind == "Categorical":
        cats = draw(json_categories)
        return Categorical(cats, transform=draw(st.sampled_from(["onehot", "label", "identity"])), name=name)
    prior = draw(st.sampled_from(["uniform", "log-uniform"]))
    base = draw(st.sampled_from([10, 2, 2.718281828459045]))
    if kind == "Real":
        low = draw(st.floats(1e-6, 100.0))
        high = low + draw(st.floats(1e-3, 100.0))
        return Real(low, high, prior=prior, base=base, transform=draw(st.sampled_from(["identity", "normalize"])), name=name)
    low = draw(st.integers(1, 50))
    return Integer(low, low + draw(st.integers(1, 50)), prior=prior, base=base, name=name)


@settings(max_examples=60, deadline=None)
@given(st.lists(dimensions(), min_size=1, max_size=5).filter(
    lambda ds: len({d.name for d in ds if d.name}) == len([d for d in ds if d.name])))
def test_space_json_round_trip(dims):
    space = Space(dims)
    back = space_from_json(space_to_json(space))
    assert back == space
    assert back.dimension_names == space.dimension_names
    for a, b in zip(space, back):
        assert type(a) is type(b) and a.transform_ == b.transform_
        if isinstance(a, Categorical):
            assert [type(c) for c in a.categories] == [type(c) for c in b.categories]
        else:
            assert (a.low, a.high, a.prior, a.base) == (b.low, b.high, b.prior, b.base)
            assert type(a.low) is type(b.low)
    assert json.loads(space_to_json(space)) == space_to_dict(space)


def test_space_file_forms(tmp_path):
    cotengra = {"lr": {"type": "FLOAT_EXP", "min": 1e-4, "max": 1.0}, "k": {"type": "INT", "min": 1, "max": 8},
                "act": {"type": "STRING", "options": ["relu", "gelu"]}, "flag": {"type": "BOOL"}}
    space = space_from_dict(cotengra)
    assert space.dimension_names == ["lr", "k", "act", "flag"]
    assert space[0].prior == "log-uniform" and isinstance(space[1], Integer)
    skoptish = space_from_dict({"x": [0.0, 1.0], "n": [1, 4], "c": ["a", "b", "c"]})
    assert [type(d).__name__ for d in skoptish] == ["Real", "Integer", "Categorical"]
    assert space_from_dict([{"type": "Real", "low": 0, "high": 2, "name": "z"}])[0].high == 2.0
    path = tmp_path / "space.json"
    path.write_text(json.dumps(cotengra))
    assert load_space_file(path) == space
    assert load_space_file(json.dumps(cotengra)) == space  # the JSON itself
    with pytest.raises(ValueError, match=r"space '\{\"x\": \[0' is not valid JSON"):
        load_space_file('{"x": [0')


def test_space_file_forms_people_write():
    space = space_from_dict({
        "lr": {"type": "real", "low": 1e-4, "high": 1.0, "log": True},
        "n": {"type": "int", "min": 1, "max": 9},
        "act": {"type": "Categorical", "choices": ["relu", "gelu"]},
        "flag": {"type": "bool"},
        "w": {"type": "FLOAT", "min": 0, "max": 2},
        "m": {"low": 0, "high": 3},
        "u": {"low": 0.0, "high": 3},
        "opt": {"options": ["sgd", "adam"]},
        "k": [1, 100, "log-uniform"],
    })
    assert [type(d).__name__ for d in space] == [
        "Real", "Integer", "Categorical", "Categorical", "Real", "Integer", "Real", "Categorical", "Integer"]
    assert space["lr"].prior == "log-uniform" and space["k"].prior == "log-uniform"
    assert (space["n"].low, space["n"].high) == (1, 9) and space["flag"].categories == (False, True)
    assert space["act"].categories == ("relu", "gelu") and space["opt"].categories == ("sgd", "adam")


@pytest.mark.parametrize(
    "content, message",
    [
        ("{oops", "is not valid JSON"),
        ('{"x": {"type": "REEL"}}', "'type' must be one of"),
        ('{"x": {"type": "REAL"}}', r"needs \['low', 'high'\]"),
        ('{"x": {"type": "real", "low": 1e-3, "high": 1, "log": "yes"}}', "'log' must be true or false"),
        ('{"x": {"type": "real", "low": 1, "high": 2, "log": true, "prior": "uniform"}}', "contradicts"),
        ('{"x": {"type": "real", "min": 1, "low": 1, "high": 2}}', "give 'low' or 'min', not both"),
        ('{"x": {"type": "Real", "low": 0}}', r"needs \['high'\]"),
        ('{"x": {"type": "Real", "low": 1, "high": 0}}', "has to be less than"),
        ('{"x": {"type": "Real", "low": 0, "high": 1, "scale": 2}}', r"unknown keys \['scale'\]"),
        ('{"x": {"type": "Categorical"}}', "needs 'categories'"),
        ('{}', "no dimensions"),
        ('"x"', "must be a dict or a list"),
        ('{"version": 9, "dimensions": []}', "version 9 is not supported"),
    ],
)
def test_malformed_space_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as info:
        load_space_file(path)
    assert "bad.json" in str(info.value)


def test_non_json_categories_are_refused():
    with pytest.raises(TypeError, match="is not a JSON value"):
        space_to_dict([Categorical([(1, 2), (3, 4)], name="pair")])
    with pytest.raises(TypeError, match="is not a JSON value"):
        space_to_dict([Categorical([float("nan"), 1.0])])


def test_same_space_ignores_transforms_only():
    a = space_to_dict([Real(0, 1, name="x", transform="normalize")])
    assert same_space(a, space_to_dict([Real(0, 1, name="x")]))
    assert not same_space(a, space_to_dict([Real(0, 2, name="x")]))
    assert not same_space(a, space_to_dict([Real(0, 1, name="y")]))


# ------------------------------------------------------------------ URLs
def test_get_storage_urls(tmp_path):
    assert isinstance(get_storage(None), InMemoryStorage)
    s = get_storage(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(s, SQLiteStorage) and (tmp_path / "a.db").exists()
    assert get_storage(s) is s
    with pytest.raises(ValueError, match="does not exist"):
        get_storage(f"sqlite:///{tmp_path / 'missing' / 'a.db'}")
    with pytest.raises(ValueError, match="malformed"):
        get_storage("sqlite:/a.db")
    with pytest.raises(ValueError, match="names no file"):
        get_storage("sqlite:///")
    with pytest.raises(ValueError, match="not supported"):
        get_storage("mysql://u@h/db")
    with pytest.raises(TypeError, match="storage must be"):
        get_storage(3)
    with pytest.raises(ImportError, match="driver 'pg8000'.*'storage' extra"):
        get_storage("postgresql+pg8000://u@127.0.0.1:1/db")
    with pytest.raises(ValueError, match="knows no driver"):
        get_storage("postgresql+nodriver://u@127.0.0.1:1/db")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    s = SQLiteStorage(tmp_path / "w.db", timeout=7.5)
    with s._connection() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 7500
    s.close()


def test_sqlite_leaves_only_its_database_file(tmp_path):
    """The writers' lock file lives in the temporary folder, not beside the database."""
    folder = tmp_path / "here"
    folder.mkdir()
    s = SQLiteStorage(folder / "study.db")
    sid = s.create_study("s", {}, {}).study_id
    with s.transaction(sid) as txn:
        txn.add(0, [1.0], {"x": 1.0}, "w", 0.0)
    assert s._local.lock is not None  # writers still queue on a kernel lock
    s.close()
    assert sorted(p.name for p in folder.iterdir()) == ["study.db"]


def test_sqlite_url_options(tmp_path):
    s = get_storage(f"sqlite:///{tmp_path / 'o.db'}?timeout=2.5&synchronous=full")
    assert (s.timeout, s.synchronous) == (2.5, "FULL")
    with s._connection() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with pytest.raises(ValueError, match="unknown option 'mode'"):
        get_storage(f"sqlite:///{tmp_path / 'o.db'}?mode=ro")
    with pytest.raises(ValueError, match="synchronous must be"):
        get_storage(f"sqlite:///{tmp_path / 'o.db'}?synchronous=off")
    with pytest.raises(ValueError, match="timeout must be a number"):
        get_storage(f"sqlite:///{tmp_path / 'o.db'}?timeout=soon")
    s.close()


def test_schema_version_is_checked(tmp_path):
    path = tmp_path / "v.db"
    SQLiteStorage(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT schema_version FROM asktell_version").fetchall() == [(SCHEMA_VERSION,)]
    conn.execute("UPDATE asktell_version SET schema_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="schema version 99"):
        SQLiteStorage(path)


# ------------------------------------------------------------------ every backend
@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def storage(request, tmp_path):
    if request.param == "memory":
        s = InMemoryStorage()
    elif request.param == "sqlite":
        s = SQLiteStorage(tmp_path / "s.db")
    else:
        url = request.getfixturevalue("postgresql_url")
        s = get_storage(url)
        for row in s.study_summaries():
            s.delete_study(row["name"])
    yield s
    s.close()


SPACE_DICT = space_to_dict([Real(0, 1, name="x"), Categorical(["a", True, None], name="c")])


def test_studies_create_list_delete(storage):
    rec = storage.create_study("one", SPACE_DICT, {"name": "random", "kwargs": {}, "random_state": 1}, {"user": "me"})
    assert (rec.name, rec.space, rec.optimizer["random_state"], rec.info) == ("one", SPACE_DICT, 1, {"user": "me"})
    with pytest.raises(DuplicatedStudyError, match="exists already"):
        storage.create_study("one", SPACE_DICT, {})
    storage.create_study("two", SPACE_DICT, {})
    assert [r["name"] for r in storage.study_summaries()] == ["one", "two"]
    storage.delete_study("one")
    with pytest.raises(StudyNotFoundError, match="no study named 'one'"):
        storage.get_study("one")
    with pytest.raises(StudyNotFoundError):
        storage.delete_study("one")
    assert [r["name"] for r in storage.study_summaries()] == ["two"]


def test_trial_life_cycle_and_sequence_numbers(storage):
    sid = storage.create_study("t", SPACE_DICT, {}).study_id
    with storage.transaction(sid) as txn:
        a = txn.add(0, [0.25, None], {"x": 0.25, "c": None}, "w1", 100.0, {"k": [1, 2]})
        b = txn.add(1, [0.5, True], {"x": 0.5, "c": True}, "w2", 100.0)
    assert (a.state, a.ask_seq, b.ask_seq, a.tell_seq) == (TrialState.RUNNING, 0, 1, None)
    assert a.x == [0.25, None] and b.x[1] is True and a.info == {"k": [1, 2]}
    with storage.transaction(sid) as txn:
        done = txn.finish(1, TrialState.COMPLETE, 0.75, [0.75, 2.0], {}, 101.0)
        txn.requeue(0, "worker w1 is gone", 102.0)
        assert txn.requeued() == [0] and txn.running() == []
    assert (done.value, done.told, done.tell_seq) == (0.75, [0.75, 2.0], 2)
    assert [t.number for t in storage.trials(sid, since_seq=2)] == [0]
    with storage.transaction(sid) as txn:
        again = txn.claim(0, "w3", 103.0)
        assert txn.requeued() == [] and txn.running() == [(0, "w3", 103.0)]
    assert (again.state, again.attempts, again.worker, again.info["lost"][0]["worker"]) == ("RUNNING", 2, "w3", "w1")
    storage.heartbeat(sid, "w3", 110.0)
    assert storage.trials(sid)[0].heartbeat == 110.0
    summary = storage.study_summaries()[0]
    assert (summary["n_complete"], summary["n_running"], summary["best_value"]) == (1, 1, 0.75)


def test_a_failed_transaction_leaves_nothing(storage):
    sid = storage.create_study("r", SPACE_DICT, {}).study_id
    with pytest.raises(KeyError):
        with storage.transaction(sid) as txn:
            txn.add(0, [0.1, "a"], {}, "w", 1.0)
            raise KeyError("boom")
    assert storage.trials(sid) == []
    with storage.transaction(sid) as txn:
        assert txn.add(0, [0.1, "a"], {}, "w", 1.0).ask_seq == 0


def test_concurrent_transactions_take_distinct_numbers(storage, no_thread_leak):
    sid = storage.create_study("c", SPACE_DICT, {}).study_id

    def worker(k):
        for i in range(15):
            with storage.transaction(sid) as txn:
                n = len(txn.trials())  # read-decide-write under the study's lock
                txn.add(n, [k / 10, "a"], {}, f"w{k}", float(i))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    trials = storage.trials(sid)
    assert [t.number for t in trials] == list(range(60))
    assert sorted(t.ask_seq for t in trials) == list(range(60))


def test_values_are_stored_as_json_text(tmp_path):
    s = SQLiteStorage(tmp_path / "j.db")
    sid = s.create_study("j", SPACE_DICT, {"name": "gp"}).study_id
    with s.transaction(sid) as txn:
        txn.add(0, [0.5, "a"], {"x": 0.5, "c": "a"}, "w", 1.0)
        txn.finish(0, TrialState.COMPLETE, 1.5, 1.5, {"note": "ok"}, 2.0)
    s.close()
    conn = sqlite3.connect(tmp_path / "j.db")
    row = conn.execute("SELECT x, params, told, info FROM asktell_trials").fetchone()
    assert [json.loads(c) for c in row] == [[0.5, "a"], {"x": 0.5, "c": "a"}, 1.5, {"note": "ok"}]
    space, opt = conn.execute("SELECT space, optimizer FROM asktell_studies").fetchone()
    assert json.loads(space) == SPACE_DICT and json.loads(opt) == {"name": "gp"}
