"""Optuna habits of a study: direction, enqueued trials, user attributes,
every info field in the trial table, export and import (in memory and SQLite)."""

import csv
import json

import pytest

from asktell import create_study, load_study
from asktell.study import get_all_study_summaries
from test_study_support import MIXED, SPACE, sphere

TINY = "test_study_support:tiny"  # follows its own proposals only (no add_trial)


@pytest.fixture(params=["memory", "sqlite"])
def url(request, tmp_path):
    return None if request.param == "memory" else f"sqlite:///{tmp_path / 'habits.db'}"


def reopen(study, url):
    """The same study as another process sees it (in memory: the same object)."""
    if url is None:
        return study
    study.close()
    return load_study(study.name, url)


def mixed_value(x):
    return x[0] ** 2 + x[1] + (x[2] == "x")


def test_maximize_is_stored_and_best_is_the_largest(url):
    study = create_study("up", url, SPACE, optimizer="random", random_state=1, direction="maximize")
    study.optimize(lambda x: -sphere(x), n_trials=6)
    values = [t.value for t in study.trials]
    assert all(v <= 0 for v in values)  # the objective's own values are stored
    assert study.best_value == max(values) and study.best_trial.value == max(values)
    assert study.result().fun == max(values)
    # the optimizer minimizes the negation
    assert [t.value for t in study.optimizer.trials] == [-v for v in values]
    study = reopen(study, url)
    assert study.direction == "maximize" and study.best_value == max(values)
    with pytest.raises(ValueError, match="was created with direction='maximize', not 'minimize'"):
        create_study("up", study.storage, SPACE, direction="minimize", load_if_exists=True)
    [row] = get_all_study_summaries(study.storage)
    assert row["direction"] == "maximize" and row["best_value"] == max(values)
    with pytest.raises(ValueError, match="direction must be 'minimize' or 'maximize', got 'max'"):
        create_study("bad", url, SPACE, direction="max")
    study.close()


def test_maximizing_f_follows_the_trajectory_of_minimizing_minus_f():
    def f(x):
        return (x[0] - 0.3) ** 2 + x[1] ** 2

    up = create_study("up", None, SPACE[:2], optimizer="gp", random_state=4, direction="maximize",
                      optimizer_kwargs={"n_initial_points": 3})
    down = create_study("down", None, SPACE[:2], optimizer="gp", random_state=4,
                        optimizer_kwargs={"n_initial_points": 3})
    up.optimize(lambda x: -f(x), n_trials=6)
    down.optimize(f, n_trials=6)
    assert [t.x for t in up.trials] == [t.x for t in down.trials]
    assert up.best_value == -down.best_value
    up.close(), down.close()


def test_enqueued_trials_come_first_in_order_and_survive_reopening(url):
    study = create_study("q", url, MIXED, optimizer="random", random_state=0)
    assert study.enqueue_trial({"a": 0.5, "k": 3, "c": "y"}) == 0
    assert study.enqueue_trial({"a": -1.0, "k": 0, "c": True}) == 1
    assert [t.info["requeued"] for t in study.trials] == [True, True]
    study = reopen(study, url)
    first = study.ask()
    assert first.number == 0 and first.params == {"a": 0.5, "k": 3, "c": "y"} and first.info["enqueued"]
    study.tell(first, 1.25)
    study.optimize(mixed_value, n_trials=3)
    trials = study.trials
    assert trials[1].x == [-1.0, 0, True] and trials[1].value == mixed_value([-1.0, 0, True])
    assert [t.state for t in trials] == ["COMPLETE"] * 4 and trials[0].value == 1.25
    assert not trials[2].info.get("enqueued")  # then the optimizer's own proposals
    assert len(study.optimizer.trials) == 4
    study.close()


def test_enqueue_trial_checks_params_and_the_optimizer(url):
    study = create_study("q", url, MIXED, optimizer="random", random_state=0)
    with pytest.raises(ValueError, match=r"\{'a': 0.5\}.*lack the dimensions \['k', 'c'\]"):
        study.enqueue_trial({"a": 0.5})
    with pytest.raises(ValueError, match="3.0 for 'a' is not within"):
        study.enqueue_trial({"a": 3.0, "k": 3, "c": "y"})
    with pytest.raises(ValueError, match=r"name \['z'\], which are not dimensions"):
        study.enqueue_trial({"a": 0.0, "k": 3, "c": "y", "z": 1})
    with pytest.raises(TypeError, match="params must be a dict"):
        study.enqueue_trial([0.0, 3, "y"])
    assert study.trials == []
    tiny = create_study("t", study.storage, MIXED, optimizer=TINY, random_state=0)
    with pytest.raises(ValueError, match="TinyOptimizer .* cannot take; use an optimizer that adopts"):
        tiny.enqueue_trial({"a": 0.5, "k": 3, "c": "y"})
    assert tiny.trials == []
    tiny.close(), study.close()


def test_user_attributes_are_stored_as_json_on_any_trial(url):
    study = create_study("u", url, SPACE, optimizer="random", random_state=0)
    running = study.ask()
    study.set_trial_user_attr(running, "note", "first")
    done = study.tell(running, 2.0)
    assert done.info["user_attrs"] == {"note": "first"}  # kept when the value is told
    study.set_trial_user_attr(0, "scores", [1, 2.5])
    study = reopen(study, url)
    assert study.trials[0].info["user_attrs"] == {"note": "first", "scores": [1, 2.5]}
    [row] = study.trials_records()
    assert row["user_attrs_note"] == "first" and row["user_attrs_scores"] == [1, 2.5]
    with pytest.raises(TypeError, match="user attribute 'bad' must be a JSON value, got"):
        study.set_trial_user_attr(0, "bad", object())
    with pytest.raises(ValueError, match="key must be a non-empty str, got ''"):
        study.set_trial_user_attr(0, "", 1)
    with pytest.raises(ValueError, match="trial 5 does not exist"):
        study.set_trial_user_attr(5, "x", 1)
    study.close()


def test_trials_table_has_every_info_field(url):
    study = create_study("d", url, SPACE, optimizer="random", random_state=0)
    study.optimize(sphere, n_trials=2)
    study.set_trial_user_attr(1, "tag", "b")
    study.enqueue_trial({"a": 0.0, "b": 0.0, "c": 0.5})
    records = study.trials_records()
    assert all(list(r) == list(records[0]) for r in records)
    assert {"user_attrs_tag", "enqueued", "requeued", "worker", "attempts", "duration", "error"} <= set(records[0])
    assert [r["user_attrs_tag"] for r in records] == [None, "b", None]
    assert [r["enqueued"] for r in records] == [None, None, True]
    assert records[2]["error"].startswith("enqueued")
    pd = pytest.importorskip("pandas", reason="trials_dataframe needs the 'pandas' extra")
    frame = study.trials_dataframe()
    assert list(frame.columns) == list(records[0])
    assert frame["user_attrs_tag"].tolist()[1] == "b"
    assert str(frame["datetime_start"].dtype).startswith("datetime64")
    assert pd.isna(frame["value"].iloc[2])
    study.close()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_is_a_warm_start(url, tmp_path, fmt):
    source = create_study("src", url, MIXED, optimizer="random", random_state=2)
    source.optimize(mixed_value, n_trials=6)
    source.set_trial_user_attr(0, "tags", ["a", "b"])
    failed = source.ask()
    source.fail(failed, "crashed")
    path = tmp_path / f"trials.{fmt}"
    source.export_trials(path)
    if fmt == "csv":
        rows = list(csv.DictReader(open(path)))
        assert rows[0]["user_attrs_tags"] == '["a", "b"]' and rows[6]["state"] == "FAIL"
    else:
        assert len(json.loads(path.read_text())) == 7
    warm = create_study("warm", url, MIXED, optimizer="random", random_state=3)
    added = warm.import_trials(path)
    assert added == list(range(6))  # the failed row is skipped
    got = warm.trials
    want = source.trials[:6]
    assert [t.x for t in got] == [t.x for t in want]  # ints and categories keep their types
    assert all(type(a) is type(b) for t, u in zip(got, want) for a, b in zip(t.x, u.x))
    assert [t.value for t in got] == [t.value for t in want]
    assert all(t.state == "COMPLETE" and t.info["imported"] == str(path) for t in got)
    assert [t.value for t in warm.optimizer.trials] == [t.value for t in want]  # the optimizer knows them
    warm.optimize(mixed_value, n_trials=2)
    assert [t.number for t in warm.trials] == list(range(8))
    up = create_study("up", url, MIXED, optimizer="random", random_state=3, direction="maximize")
    up.import_trials(path)
    assert [t.value for t in up.optimizer.trials] == [-t.value for t in want]
    assert up.best_value == max(t.value for t in want)
    for s in (source, warm, up):
        s.close()


def test_import_rejects_what_does_not_fit_the_space(tmp_path):
    study = create_study("i", None, MIXED, optimizer="random", random_state=0)
    path = tmp_path / "t.csv"
    path.write_text("value,params_a,params_k,params_c\n1.0,0.5,zz,x\n")
    with pytest.raises(ValueError, match=r"row 0 of .*t.csv, params_k: 'zz' is not a number"):
        study.import_trials(path)
    path.write_text("value,params_a,params_k\n1.0,0.5,2\n")
    with pytest.raises(ValueError, match="params_c is missing"):
        study.import_trials(path)
    path.write_text("value,params_a,params_k,params_c\n1.0,7.5,2,x\n")
    with pytest.raises(ValueError, match="7.5 for 'a' is not within"):
        study.import_trials(path)
    with pytest.raises(ValueError, match="format must be 'csv' or 'json'.*got 'txt'"):
        study.import_trials(tmp_path / "t.txt")
    assert study.trials == [] and study.import_trials([{"value": "nan", "params_a": 0, "params_k": 1,
                                                        "params_c": "x"}]) == []
    study.close()
