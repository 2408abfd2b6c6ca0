"""The asktell console script: real runs on a SQLite file, and one-line errors."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from asktell.cli import main

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = "test_study_support:tiny"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    (tmp_path / "space.json").write_text(json.dumps(
        {"x": {"type": "FLOAT", "min": -2, "max": 2}, "k": [1, 5], "c": ["a", "b"]}
    ))
    (tmp_path / "objective.py").write_text(
        "def f(p):\n    return p[0] ** 2 + p[1] + (p[2] == 'a')\n"
        "def boom(p):\n    raise ZeroDivisionError('no')\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def cli(*args):
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def test_run_then_resume_show_export_delete(workdir, capsys, no_thread_leak):
    code, out = cli("run", "objective:f", "--space", "space.json", "--n-trials", "6", "--study", "s",
                    "--optimizer", TINY, "--random-state", "3", "--no-progress")
    assert code == 0, capsys.readouterr().err
    assert "6 complete, 0 failed" in out
    # the same command resumes: this run's own 4 trials are added
    code, out = cli("run", "objective:f", "--n-trials", "4", "--study", "s", "--no-progress")
    assert code == 0 and "10 complete" in out
    code, out = cli("studies")
    assert code == 0 and out.splitlines()[2].split()[:3] == ["s", "10", "0"]
    code, out = cli("show", "s", "--limit", "3")
    assert code == 0 and "(the last 3 of 10 trials)" in out and "best value" in out
    code, out = cli("export", "s", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["number"]) for r in rows] == list(range(10))
    assert all(float(r["value"]) == pytest.approx(float(r["params_x"]) ** 2 + int(r["params_k"])
                                                 + (r["params_c"] == "a")) for r in rows)
    code, _ = cli("export", "s", "--format", "json", "--output", "t.json")
    assert code == 0 and len(json.loads((workdir / "t.json").read_text())) == 10
    assert cli("delete", "s")[0] == 0
    assert cli("show", "s")[0] == 2


def test_parallel_run_in_processes(workdir, no_thread_leak):
    code, out = cli("run", "objective:f", "--space", "space.json", "--n-trials", "8", "--study", "p",
                    "--optimizer", TINY, "--n-jobs", "2", "--no-progress", "--storage", "sqlite:///p.db")
    assert code == 0 and "8 complete" in out
    workers = {t["worker"] for t in json.loads(cli("export", "p", "--format", "json", "--storage", "sqlite:///p.db")[1])}
    assert len(workers) == 1  # the study process owns the trials; the pool evaluates


@pytest.mark.parametrize(
    "args, message",
    [
        (["show", "missing"], "no study named 'missing'"),
        (["run", "objective:f", "--space", "nofile.json", "--study", "x", "--n-trials", "1"], "does not exist"),
        (["run", "objective:f", "--space", "bad.json", "--study", "x", "--n-trials", "1"], "is not valid JSON"),
        (["run", "objective:f", "--space", "badtype.json", "--study", "x", "--n-trials", "1"], "'type' must be one of"),
        (["studies", "--storage", "mysql://u@h/db"], "is not supported"),
        (["studies", "--storage", "postgresql+pg8000://u@h/db"], "pg8000"),
        (["studies", "--storage", "sqlite:/x.db"], "malformed"),
        (["run", "objective:f", "--space", "space.json", "--study", "x", "--n-trials", "1", "--optimizer", "nope"],
         "unknown optimizer 'nope'"),
        (["run", "objective:nothere", "--space", "space.json", "--study", "x", "--n-trials", "1"], "no attribute"),
        (["run", "objective:f", "--space", "space.json", "--study", "x"], "give --n-trials or --timeout"),
        (["run", "objective:f", "--study", "new", "--n-trials", "1"], "a space is needed"),
        (["frobnicate"], "invalid choice"),
        ([], "give a command"),
    ],
)
def test_errors_are_one_line_with_exit_status_2(workdir, capsys, args, message):
    (workdir / "bad.json").write_text("{not json")
    (workdir / "badtype.json").write_text('{"x": {"type": "FLT"}}')
    code, _ = cli(*args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("asktell: error: ")
    assert message in err


def test_existing_study_with_another_space_is_refused(workdir, capsys):
    assert cli("run", "objective:f", "--space", "space.json", "--study", "s", "--n-trials", "1",
               "--optimizer", TINY, "--no-progress")[0] == 0
    (workdir / "other.json").write_text(json.dumps({"x": [0.0, 1.0]}))
    code, _ = cli("run", "objective:f", "--space", "other.json", "--study", "s", "--n-trials", "1")
    assert code == 2 and "was created with another space" in capsys.readouterr().err


def test_objective_error_is_reported_and_trials_kept(workdir, capsys, no_thread_leak):
    code, _ = cli("run", "objective:boom", "--space", "space.json", "--study", "b", "--n-trials", "3",
                  "--optimizer", TINY, "--no-progress")
    err = capsys.readouterr().err
    assert code == 1 and "ZeroDivisionError: no" in err and err.count("\n") == 1
    rows = json.loads(cli("export", "b", "--format", "json")[1])
    assert [r["state"] for r in rows] == ["FAIL"] and "ZeroDivisionError" in rows[0]["error"]


def test_console_script_entry_point(workdir):
    done = subprocess.run([sys.executable, "-m", "asktell.cli", "show", "nothing"],
                          capture_output=True, text=True, cwd=workdir)
    assert done.returncode == 2
    assert done.stderr == "asktell: error: no study named 'nothing' in 'sqlite:///asktell.db'\n"


def test_run_shows_a_progress_bar_when_asked(workdir, capsys, no_thread_leak):
    pytest.importorskip("tqdm", reason="progress bars need the 'progress' extra")
    code, _ = cli("run", "objective:f", "--space", "space.json", "--n-trials", "5", "--study", "bar",
                  "--optimizer", TINY, "--progress")
    err = capsys.readouterr().err
    assert code == 0 and "5/5" in err and "best=" in err and "trial/s" in err
