"""Studies over the multi-method hyper-optimizer: a SQLite file, resume, two processes, bad input."""

import gc
import json
import os
import subprocess
import sys

import pytest

from asktell import HyperAskTell, HyperOptimizer, MethodSpace, Real, Trial, create_study, load_study
from asktell.cli import main
from asktell.storage import space_from_dict, space_to_dict
from test_study_support import METHOD_SPACE, SPACE, by_method

HERE = os.path.dirname(os.path.abspath(__file__))

# cheap settings: a GP after three points per method, acquisition by sampling
BAYES = {"n_initial_points": 3, "acq_optimizer": "sampling"}
OPTIMIZERS = {
    "hyper-random": {},
    "hyper-bayes": BAYES,
    "hyper-scipy": {"popsize": 4},
    "hyper-cmaes": {},
    "hyper-tpe": {"n_startup": 3},
}


def _kwargs(name):
    if name == "hyper-cmaes":
        pytest.importorskip("cmaes", reason="the 'cmaes' optlib needs the cmaes extra")
    return OPTIMIZERS[name]


def _settings(trials):
    return [(t.state, t.params, t.value) for t in trials]


@pytest.mark.filterwarnings("ignore:trial .* failed")
@pytest.mark.parametrize("optlib", ["random", "bayes", "tpe"])
def test_a_hyper_study_makes_the_trials_of_a_hyper_optimizer(tmp_path, no_thread_leak, optlib):
    opts = BAYES if optlib == "bayes" else {}
    study = create_study("h", f"sqlite:///{tmp_path / 'h.db'}", METHOD_SPACE, optimizer="hyper",
                         random_state=7, optimizer_kwargs={"optlib": optlib, **opts})
    study.optimize(by_method, n_trials=24)
    with pytest.warns(RuntimeWarning, match="recorded as failed"):
        hyper = HyperOptimizer(METHOD_SPACE, optlib=optlib, max_trials=24, random_state=7, **opts)
        hyper.run(by_method)
    trials = study.trials
    assert len(trials) == 24
    assert [t.params for t in trials] == [{"method": t.info["method"], **t.params} for t in hyper.trials]
    assert [t.x for t in trials] == [MethodSpace(METHOD_SPACE).from_params(t.params) for t in trials]
    assert [str(t.state) for t in trials] == [str(t.state) for t in hyper.trials]
    assert {t.params["method"] for t in trials} == set(METHOD_SPACE)
    failed = [t for t in trials if str(t.state) == "FAIL"]
    assert all(t.params["method"] == "quad" and t.params["k"] == 4 for t in failed)
    # every value is the objective's at the stored params; the best is the lowest of them
    complete = [t for t in trials if str(t.state) == "COMPLETE"]
    for t in complete:
        params = dict(t.params)
        assert t.value == by_method(params.pop("method"), **params)
    best = min(complete, key=lambda t: t.value)
    assert study.best_trial.number == best.number and study.best_value == hyper.best.score
    assert study.best_params == {"method": hyper.best.method, **hyper.best.params}
    assert study.result().x == best.x and study.result().fun == best.value
    study.close()


@pytest.mark.filterwarnings("ignore:trial .* failed")
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_reopened_hyper_study_proposes_what_the_uninterrupted_one_would(tmp_path, no_thread_leak, name):
    kwargs = _kwargs(name)
    reference = create_study("ref", None, METHOD_SPACE, optimizer=name, random_state=3, optimizer_kwargs=kwargs)
    reference.optimize(by_method, n_trials=20)
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = create_study("s", url, METHOD_SPACE, optimizer=name, random_state=3, optimizer_kwargs=kwargs)
    first.optimize(by_method, n_trials=11)
    first.close()
    resumed = load_study("s", url)
    assert isinstance(resumed.space, MethodSpace) and resumed.space == MethodSpace(METHOD_SPACE)
    nxt = resumed.ask()  # the very next setting is the uninterrupted run's
    assert nxt.number == 11 and nxt.params == reference.trials[11].params
    resumed.tell(nxt, by_method(**nxt.params))
    resumed.optimize(by_method, n_trials=8)
    assert _settings(resumed.trials) == _settings(reference.trials)
    assert resumed.best_trial.number == reference.best_trial.number
    resumed.close()
    reference.close()


def test_two_processes_on_one_sqlite_hyper_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    space = {m: s for m, s in METHOD_SPACE.items() if s}  # methods with parameters: every point differs
    create_study("shared", url, space, optimizer="hyper-random", random_state=0).close()
    script = (
        "import sys; from asktell import load_study; from test_study_support import by_method\n"
        "study = load_study(sys.argv[1], sys.argv[2]); study.optimize(by_method, n_trials=int(sys.argv[3]))\n"
        "study.close()\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, "shared", url, "15"], cwd=HERE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    study = load_study("shared", url)
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(30))
    assert all(t.finished for t in trials)
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == 30, "a setting was handed out twice"
    workers = {t.info["worker"] for t in trials}
    assert len(workers) == 2
    assert all(sum(t.info["worker"] == w for t in trials) == 15 for w in workers)
    for t in trials:
        if str(t.state) == "COMPLETE":
            params = dict(t.params)
            assert t.value == by_method(params.pop("method"), **params)
    # one optimizer replays the whole shared log: every stored setting is the one it proposes
    assert [t.params for t in study.optimizer.trials] == [t.params for t in trials]
    study.close()


def test_method_spaces_are_stored_as_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'j.db'}"
    study = create_study("j", url, MethodSpace(METHOD_SPACE), random_state=1)  # a MethodSpace: "hyper"
    assert study.optimizer_settings["name"] == "hyper"
    stored = study.storage.get_study("j").space
    assert json.loads(json.dumps(stored)) == stored
    assert list(stored["methods"]) == ["quad", "shift", "const"] and stored["methods"]["const"] == []
    assert space_from_dict(stored) == MethodSpace(METHOD_SPACE)
    assert space_to_dict(space_from_dict(stored)) == stored
    study.close()
    # a HyperAskTell instance: its class is stored, and it runs like the named optimizer
    given = create_study("i", None, METHOD_SPACE, optimizer=HyperAskTell(METHOD_SPACE, optlib="random", random_state=5))
    named = create_study("n", None, METHOD_SPACE, optimizer="hyper-random", random_state=5)
    assert given.optimizer_settings["class"] == "asktell.hyper.ask_tell:HyperAskTell"
    for s in (given, named):
        s.optimize(by_method, n_trials=6)
    assert _settings(given.trials) == _settings(named.trials)
    for s in (given, named):
        s.close()


def test_bad_input_gives_clear_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    create_study("h", url, METHOD_SPACE, optimizer="hyper-random", random_state=2).close()
    other_bounds = dict(METHOD_SPACE, shift=[Real(1e-3, 2.0, prior="log-uniform", name="s")])
    reordered = {m: METHOD_SPACE[m] for m in ("shift", "quad", "const")}
    one_more = dict(METHOD_SPACE, extra={"z": Real(0.0, 1.0)})
    for space in (other_bounds, reordered, one_more, SPACE):
        with pytest.raises(ValueError, match="'h' .* was created with another space"):
            create_study("h", url, space, load_if_exists=True)
    with pytest.raises(ValueError, match="created with optimizer 'hyper-random', not 'gp'"):
        load_study("h", url, optimizer="gp")
    with pytest.raises(ValueError, match="method space, which only a hyper optimizer searches"):
        create_study("g", url, MethodSpace(METHOD_SPACE), optimizer="gp")
    with pytest.raises(TypeError, match="a hyper optimizer searches a method space"):
        create_study("g", url, SPACE, optimizer="hyper")
    with pytest.raises(ValueError, match="the optimizer searches MethodSpace"):
        create_study("i", None, METHOD_SPACE, optimizer=HyperAskTell(dict(METHOD_SPACE, extra={}), optlib="random"))
    with pytest.raises(ValueError, match="dimension named 'method'"):
        MethodSpace({"a": {"method": Real(0.0, 1.0)}})
    space = MethodSpace(METHOD_SPACE)
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        space.from_params({"method": "nope", "x": 1.0})
    with pytest.raises(ValueError, match="method 'quad' has no parameters \\['s'\\]"):
        space.from_params({"method": "quad", "x": 1.0, "k": 0, "s": 0.5})
    # telling params of an unknown method, or of another method than asked
    opt = HyperAskTell(METHOD_SPACE, optlib="random", random_state=0)
    trial = opt.ask_trial()
    with pytest.raises(ValueError, match="unknown method 'nope'"):
        opt.tell_trial(Trial(trial.number, ["nope"], {"method": "nope"}), 1.0)
    other = next(m for m in METHOD_SPACE if m != trial.params["method"])
    with pytest.raises(ValueError, match=f"asked for method {trial.params['method']!r}, told with .* {other!r}"):
        opt.tell_trial(Trial(trial.number, [other], {"method": other}), 1.0)
    opt.tell_trial(trial, 1.0)
    with pytest.raises(ValueError, match="trial 0 is already finished"):
        opt.tell_trial(trial.number, 1.0)
    with pytest.raises(ValueError, match="trial 5 is unknown"):
        opt.fail_trial(5)
    opt.close()
    with pytest.raises(RuntimeError, match="closed"):
        opt.ask_trial()


@pytest.mark.filterwarnings("ignore:trial .* failed")
def test_scipy_optlib_threads_stop_on_close_and_when_dropped(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 't.db'}"
    study = create_study("t", url, METHOD_SPACE, optimizer="hyper-scipy", random_state=0,
                         optimizer_kwargs={"popsize": 4})
    study.optimize(by_method, n_trials=6)
    study.close()
    dropped = load_study("t", url)
    dropped.optimize(by_method, n_trials=3)
    assert len(dropped.trials) == 9
    del dropped
    opt = HyperAskTell(METHOD_SPACE, optlib="scipy", random_state=0, popsize=4)
    opt.ask_trial()
    del opt
    gc.collect()  # the no_thread_leak fixture checks the sampler threads are gone


def test_cli_runs_a_hyper_study_from_a_method_space_file(tmp_path, monkeypatch, capsys, no_thread_leak):
    (tmp_path / "methods.json").write_text(json.dumps({"methods": {
        "quad": {"x": {"type": "FLOAT", "min": -2, "max": 2}, "k": [0, 3]},
        "const": {},
    }}))
    (tmp_path / "hyper_objective.py").write_text(
        "def f(method, **params):\n"
        "    return params['x'] ** 2 + params['k'] if method == 'quad' else 1.5\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))

    def cli(*args):
        import io

        out = io.StringIO()
        return main(list(args), out=out), out.getvalue()

    code, out = cli("run", "hyper_objective:f", "--space", "methods.json", "--n-trials", "8", "--study", "h",
                    "--random-state", "1", "--no-progress")  # a method-space file: the 'hyper' optimizer
    assert code == 0, capsys.readouterr().err
    assert "8 complete, 0 failed" in out
    code, out = cli("run", "hyper_objective:f", "--n-trials", "4", "--study", "h", "--no-progress")
    assert code == 0 and "12 complete" in out
    code, out = cli("show", "h")
    assert code == 0 and '"name": "hyper"' in out and "MethodSpace" in out
    code, _ = cli("run", "hyper_objective:f", "--space", "methods.json", "--n-trials", "3", "--study", "r",
                  "--optimizer", "hyper-random", "--no-progress")
    assert code == 0
    study = load_study("r", "sqlite:///asktell.db")
    assert study.optimizer_settings["name"] == "hyper-random" and len(study.trials) == 3
    study.close()
    # a method space for a single-space optimizer, and a malformed method-space file: one line, status 2
    code, _ = cli("run", "hyper_objective:f", "--space", "methods.json", "--n-trials", "3", "--study", "g",
                  "--optimizer", "gp", "--no-progress")
    assert code == 2 and "only a hyper optimizer searches" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text(json.dumps({"methods": {"quad": {"x": {"type": "FLOAT", "min": 1}}}}))
    code, _ = cli("run", "hyper_objective:f", "--space", "broken.json", "--n-trials", "3", "--study", "b", "--no-progress")
    err = capsys.readouterr().err
    assert code == 2 and "broken.json" in err and "method 'quad'" in err


def test_dict_results_keep_their_fields_and_bad_ones_fail_the_trial(no_thread_leak):
    def with_fields(method, **params):
        return {"score": by_method(method, **params) if method != "quad" else 0.25, "fit_seconds": 0.5}

    study = create_study("d", None, METHOD_SPACE, optimizer="hyper-random", random_state=4)
    study.optimize(with_fields, n_trials=5)
    assert all(t.state == "COMPLETE" and t.info["fit_seconds"] == 0.5 for t in study.trials)
    assert study.best_value == min(t.value for t in study.trials)

    def reserved(method, **params):
        return {"score": 1.0, "worker": "me"}

    with pytest.raises(TypeError, match=r"fields \['worker'\] are the study's own"):
        study.optimize(reserved, n_trials=1)
    with pytest.raises(TypeError, match="must include 'score'"):
        study.optimize(lambda method, **params: {"loss": 1.0}, n_trials=1)
    failed = study.trials[-2:]
    assert [t.state for t in failed] == ["FAIL", "FAIL"] and "must include 'score'" in failed[1].info["error"]
    study.optimize(with_fields, n_trials=2)  # the failed trials never reached the optlib as scores
    assert len(study.trials) == 9
    study.close()
