"""The asktell console script: real runs on a SQLite file, in-process (``main``)
and as a user runs it (``python -m asktell.cli`` in a subprocess)."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

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
        (["run", "objective:f", "--space", "space.json", "--study", "x"], "give --n-trials (this run), --total-trials"),
        (["run", "objective:f", "--space", "space.json", "--study", "x", "--n-trials", "1", "--catch", "Nope"],
         "--catch 'Nope' is not a built-in exception"),
        (["run", "nofile/mod.py:f", "--space", "space.json", "--study", "x", "--n-trials", "1"],
         "the file 'nofile/mod.py' does not exist"),
        (["run", "objective", "--space", "space.json", "--study", "x", "--n-trials", "1"],
         "must be written file.py:function"),
        (["run", "objective:f", "--space", '{"x": [0, 1', "--study", "x", "--n-trials", "1"], "is not valid JSON"),
        (["run", "objective:f", "--study", "new", "--n-trials", "1"], "a space is needed"),
        (["frobnicate"], "invalid choice"),
        ([], "give a command"),
    ],
)
def test_usage_errors_are_reported_with_exit_status_2(workdir, capsys, args, message):
    (workdir / "bad.json").write_text("{not json")
    (workdir / "badtype.json").write_text('{"x": {"type": "FLT"}}')
    code, _ = cli(*args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("asktell: error: ")
    assert message in err


def test_existing_study_with_another_space_is_refused_with_the_whole_message(workdir, capsys):
    assert cli("run", "objective:f", "--space", "space.json", "--study", "s", "--n-trials", "1",
               "--optimizer", TINY, "--no-progress")[0] == 0
    (workdir / "other.json").write_text(json.dumps({"x": [0.0, 1.0]}))
    code, _ = cli("run", "objective:f", "--space", "other.json", "--study", "s", "--n-trials", "1")
    err = capsys.readouterr().err
    assert code == 2 and "was created with another space" in err
    # every line of a multi-line message: the stored space and the one given
    assert err.count("\n") > 2 and "Categorical(categories=('a', 'b')" in err and "given Space([Real(" in err


def test_objective_error_is_reported_with_its_traceback_and_trials_kept(workdir, capsys, no_thread_leak):
    code, _ = cli("run", "objective:boom", "--space", "space.json", "--study", "b", "--n-trials", "3",
                  "--optimizer", TINY, "--no-progress")
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("asktell: the objective failed on trial 0;")
    assert 'objective.py", line 4, in boom' in err and err.endswith("ZeroDivisionError: no\n")
    assert "asktell/study.py" not in err  # the user's frames only
    rows = json.loads(cli("export", "b", "--format", "json")[1])
    assert [r["state"] for r in rows] == ["FAIL"] and "ZeroDivisionError" in rows[0]["error"]


def test_console_script_entry_point(workdir):
    done = subprocess.run([sys.executable, "-m", "asktell.cli", "show", "nothing"],
                          capture_output=True, text=True, cwd=workdir)
    assert done.returncode == 2
    assert done.stderr == ("asktell: error: no study named 'nothing' in 'sqlite:///asktell.db': the file "
                           "'asktell.db' does not exist (asktell run creates it; or give --storage, "
                           "or set ASKTELL_STORAGE)\n")
    assert not (workdir / "asktell.db").exists()


def test_run_shows_a_progress_bar_when_asked(workdir, capsys, no_thread_leak):
    pytest.importorskip("tqdm", reason="progress bars need the 'progress' extra")
    code, _ = cli("run", "objective:f", "--space", "space.json", "--n-trials", "5", "--study", "bar",
                  "--optimizer", TINY, "--progress")
    err = capsys.readouterr().err
    assert code == 0 and "5/5" in err and "best=" in err and "trial/s" in err


def sh(*args, cwd, env=None, **kwargs):
    """``asktell ARGS`` as a user runs it, in a subprocess."""
    environ = {k: v for k, v in os.environ.items() if k != "ASKTELL_STORAGE"}
    environ.update(PYTHONPATH=os.pathsep.join([os.path.dirname(HERE), HERE]), **(env or {}))
    return subprocess.run([sys.executable, "-m", "asktell.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=environ, **kwargs)


def test_file_objectives_total_budget_and_no_stray_files(workdir, monkeypatch):
    """A file path as the objective (with and without .py), --total-trials on a resumed run, and a
    folder that holds nothing but the database afterwards."""
    (workdir / "sub").mkdir()
    (workdir / "sub" / "helper.py").write_text("OFFSET = 1.0\n")
    (workdir / "sub" / "mymodel.py").write_text(
        "from helper import OFFSET\n\ndef objective(p):\n    return -(p[0] - 0.5) ** 2 + OFFSET\n")
    (workdir / "space1.json").write_text(json.dumps({"x": {"type": "real", "low": -2, "high": 2}}))
    done = sh("run", "sub/mymodel.py:objective", "--space", "space1.json", "--study", "m", "--total-trials", "5",
              "--direction", "maximize", "--optimizer", "random", "--random-state", "0", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert "this run: 5 new trials, 5 finished (the study had 0)" in done.stdout
    assert "largest value" in done.stdout
    # the same "until N in total" command resumes: only the missing trials run
    done = sh("run", "sub/mymodel:objective", "--study", "m", "--total-trials", "8", cwd=workdir)
    assert done.returncode == 0 and "this run: 3 new trials" in done.stdout, done.stderr
    assert sorted(p.name for p in workdir.iterdir() if p.suffix != ".json") == ["asktell.db", "objective.py", "sub"]
    assert sorted(p.name for p in (workdir / "sub").iterdir() if p.suffix == ".py") == ["helper.py", "mymodel.py"]
    best = json.loads(cli("best", "m", "--json")[1])
    export = json.loads(cli("export", "m", "--format", "json")[1])
    assert len(export) == 8 and best["value"] == max(r["value"] for r in export) <= 1.0
    # a reading command where there is no database leaves none behind
    empty = workdir / "empty"
    empty.mkdir()
    done = sh("studies", cwd=empty)
    assert done.returncode == 0 and "does not exist" in done.stdout and list(empty.iterdir()) == []
    # ASKTELL_STORAGE is the default storage of every command
    monkeypatch.chdir(empty)
    monkeypatch.setenv("ASKTELL_STORAGE", f"sqlite:///{workdir / 'asktell.db'}")
    out = cli("studies")[1]
    assert out.splitlines()[2].split() == ["m", "8", "0", "0", f"{best['value']:.6g}", "maximize"]
    assert list(empty.iterdir()) == []


def test_ctrl_c_with_one_job_stores_the_trial_as_interrupted(workdir):
    (workdir / "slow.py").write_text(
        "import os, time\n"
        "def f(p):\n"
        "    if os.path.exists('go'):\n"
        "        open('started', 'w').close()\n"
        "        time.sleep(60)\n"
        "    return p[0]\n")
    assert cli("run", "slow:f", "--space", "space.json", "--study", "c", "--n-trials", "2", "--optimizer", TINY,
               "--no-progress")[0] == 0
    (workdir / "go").touch()
    proc = subprocess.Popen([sys.executable, "-m", "asktell.cli", "run", "slow:f", "--study", "c", "--n-trials", "3"],
                            cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(HERE), HERE])))
    try:
        for _ in range(600):
            if (workdir / "started").exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130 and "interrupted: every finished trial is stored" in err
    rows = json.loads(cli("export", "c", "--format", "json")[1])
    assert rows[2]["error"] == "interrupted before its result came" and rows[2]["requeued"] is True


def test_on_error_and_catch_decide_whether_a_run_goes_on(workdir, capsys, no_thread_leak):
    (workdir / "flaky.py").write_text(
        "def f(p):\n"
        "    if p[1] % 2:\n"
        "        raise ValueError(f'odd k={p[1]}')\n"
        "    return p[0]\n")
    args = ("run", "flaky:f", "--space", "space.json", "--n-trials", "12", "--optimizer", TINY, "--no-progress")
    code, _ = cli(*args, "--study", "stop")
    assert code == 1 and "ValueError: odd k=" in capsys.readouterr().err
    code, _ = cli(*args, "--study", "keyerr", "--catch", "KeyError", "--catch", "builtins.OSError")
    assert code == 1  # not a caught type
    for name, extra in (("caught", ["--catch", "ValueError"]), ("continued", ["--on-error", "continue"])):
        code, out = cli(*args, "--study", name, *extra)
        assert code == 0, capsys.readouterr().err
        rows = json.loads(cli("export", name, "--format", "json")[1])
        assert len(rows) == 12 and {r["state"] for r in rows} == {"COMPLETE", "FAIL"}
        assert all((r["state"] == "FAIL") == (int(r["params_k"]) % 2 == 1) for r in rows)
        assert all(r["error"].startswith("ValueError: odd k=") for r in rows if r["state"] == "FAIL")
        assert f"study '{name}': " in out and " failed, 0 running" in out


def test_space_file_forms_and_module_objectives(workdir, no_thread_leak):
    (workdir / "pkg").mkdir()
    (workdir / "pkg" / "__init__.py").write_text("")
    (workdir / "pkg" / "models.py").write_text("import math\ndef loss(p):\n    return math.log10(p[0]) ** 2 + p[1]\n")
    (workdir / "people.json").write_text(json.dumps({
        "lr": {"type": "real", "low": 1e-4, "high": 1.0, "log": True},
        "n": [1, 9],
        "act": {"type": "categorical", "choices": ["relu", "gelu"]},
    }))
    code, out = cli("run", "pkg.models:loss", "--space", "people.json", "--study", "p", "--n-trials", "4",
                    "--optimizer", "random", "--no-progress")
    assert code == 0 and "4 complete" in out
    code, out = cli("show", "p")
    assert "Real(low=0.0001, high=1.0, prior='log-uniform'" in out and "Integer(low=1, high=9" in out
    # the space given inline, as JSON
    code, out = cli("run", "asktell.benchmarks:branin", "--space", '{"x": [-5.0, 10.0], "y": [0.0, 15.0]}',
                    "--study", "inline", "--n-trials", "3", "--optimizer", "random", "--no-progress")
    assert code == 0 and "3 complete" in out


def test_best_and_import(workdir, capsys, no_thread_leak):
    assert cli("run", "objective:f", "--space", "space.json", "--n-trials", "6", "--study", "a",
               "--optimizer", "random", "--random-state", "1", "--no-progress")[0] == 0
    code, out = cli("best", "a")
    rows = json.loads(cli("export", "a", "--format", "json", "--output", "a.json")[1] or open("a.json").read())
    best = min(rows, key=lambda r: r["value"])
    assert code == 0 and out.splitlines()[0] == f"value {best['value']:.10g} (trial {best['number']})"
    assert f"  k = {best['params_k']!r}" in out
    assert cli("run", "objective:f", "--space", "space.json", "--n-trials", "0", "--study", "b",
               "--optimizer", "random", "--no-progress")[0] == 0
    code, out = cli("import", "b", "a.json")
    assert code == 0 and out == "imported 6 finished trials from a.json into study 'b'\n"
    assert json.loads(cli("best", "b", "--json")[1])["value"] == best["value"]
    code, _ = cli("best", "nosuch")
    assert code == 2 and "no study named 'nosuch'" in capsys.readouterr().err


def test_plot_writes_png_files(workdir, capsys, no_thread_leak):
    pytest.importorskip("matplotlib", reason="asktell plot needs the 'plots' extra")
    (workdir / "two.json").write_text(json.dumps({"x": [-2.0, 2.0], "y": [-1.0, 3.0]}))
    (workdir / "bowl.py").write_text("def f(p):\n    return (p[0] - 0.5) ** 2 + (p[1] - 1) ** 2\n")
    assert cli("run", "bowl:f", "--space", "two.json", "--n-trials", "12", "--study", "g", "--optimizer", "gp",
               "--random-state", "0", "--no-progress")[0] == 0
    for kind in ("convergence", "objective", "evaluations"):
        code, out = cli("plot", "g", "--out", f"{kind}.png", "--kind", kind)
        assert code == 0, capsys.readouterr().err
        data = (workdir / f"{kind}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert cli("run", "bowl:f", "--space", "two.json", "--n-trials", "4", "--study", "r", "--optimizer", "random",
               "--no-progress")[0] == 0
    code, _ = cli("plot", "r", "--out", "r.png", "--kind", "objective")
    assert code == 2 and "needs a surrogate model" in capsys.readouterr().err
