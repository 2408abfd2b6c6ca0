"""Reopening a study costs one model fit and proposes what the uninterrupted study would.

Every registered optimizer is held to it: a study run in two sittings (closed
and reopened from its SQLite file in between) makes exactly the trials of a
study run in one.
"""

import pytest

import asktell.auto
from asktell import Real, create_study, load_study
from asktell.learning import GaussianProcessRegressor
from asktell.study._sync import STATE_KEY
from asktell.study import optimizer_names
from test_study_support import METHOD_SPACE, MIXED, by_method

# cheap settings: few initial points, a small acquisition sample
_BAYES = {"n_initial_points": 4, "acq_optimizer_kwargs": {"n_points": 500, "n_restarts_optimizer": 2}}
_TREES = {"n_initial_points": 4, "acq_optimizer_kwargs": {"n_points": 300}}
_KWARGS = {
    "gp": _BAYES,
    "forest": _TREES,
    "rf": _TREES,
    "et": _TREES,
    "gbrt": _TREES,
    "scipy-de": {"popsize": 3},
    "hyper-bayes": {"n_initial_points": 3, "acq_optimizer": "sampling"},
    "hyper": {"n_initial_points": 3},  # optlib "auto", the hyper default
    "hyper-auto": {"n_initial_points": 3},
    "hyper-scipy": {"popsize": 4},
    "hyper-tpe": {"n_startup": 3},
    "tpe": {"n_startup": 3},
    "auto": {"n_initial_points": 4},
}


def _mixed(x):
    a, k, c = x
    return (a - 0.3) ** 2 + 0.1 * (k - 4) ** 2 + (0.5 if c == "x" else 0.0)


def _study(url, name, optimizer, kwargs):
    hyper = optimizer.startswith("hyper")
    return create_study(name, url, METHOD_SPACE if hyper else MIXED, optimizer=optimizer, random_state=5,
                        optimizer_kwargs=kwargs, load_if_exists=True)


def _run(study, n):
    hyper = study.optimizer_settings["name"].startswith("hyper")
    study.optimize(by_method if hyper else _mixed, n_trials=n, catch=(ValueError,))


def _sittings(tmp_path, optimizer, kwargs, first, second):
    """The trials of one study run in one sitting and of one run in two."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    whole = _study(url, "whole", optimizer, kwargs)
    _run(whole, first + second)
    split = _study(url, "split", optimizer, kwargs)
    _run(split, first)
    split.close()
    resumed = load_study("split", url)
    _run(resumed, second)
    out = [(t.x, str(t.state), t.value) for t in whole.trials], [(t.x, str(t.state), t.value) for t in resumed.trials]
    whole.close()
    resumed.close()
    return out


@pytest.mark.filterwarnings("ignore:trial .* failed")
@pytest.mark.parametrize("optimizer", optimizer_names())
def test_every_registered_optimizer_resumes_exactly(tmp_path, no_thread_leak, optimizer):
    if optimizer in ("cmaes", "hyper-cmaes"):
        pytest.importorskip("cmaes", reason="the 'cmaes' optlib needs the cmaes extra")
    kwargs = _KWARGS.get(optimizer, {})
    whole, resumed = _sittings(tmp_path, optimizer, kwargs, 9, 4)
    assert len(whole) == 13
    assert resumed == whole


def test_the_default_resumes_exactly_through_warm_started_fits(tmp_path, no_thread_leak, monkeypatch):
    # the default's GP refits from its last hyperparameters (from 50 points; here from 6, afresh at
    # every 5th): the state stored with each trial carries them, so the resumed fits start where
    # the first ones did
    monkeypatch.setattr(asktell.auto.WarmRefit.__init__, "__defaults__", (6, 5, 1, 1))
    whole, resumed = _sittings(tmp_path, "auto", {"n_initial_points": 4}, 11, 5)
    assert resumed == whole


def test_resume_costs_one_fit_without_a_hyperparameter_search(tmp_path, no_thread_leak, monkeypatch):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = _study(url, "s", "gp", _BAYES)
    _run(study, 12)
    study.close()
    calls = {"fit": 0, "fit_theta": 0}
    for method in calls:
        original = getattr(GaussianProcessRegressor, method)

        def counted(self, *args, _original=original, _name=method, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(GaussianProcessRegressor, method, counted)
    resumed = load_study("s", url)
    trial = resumed.ask()
    # the model of 12 points is rebuilt from the stored hyperparameters: no search, one factorization
    assert calls == {"fit": 0, "fit_theta": 1}
    resumed.tell(trial, _mixed(trial.x))
    assert calls == {"fit": 1, "fit_theta": 1}  # the new point: one search, as in the running study
    resumed.close()


def test_the_stored_state_is_json_and_not_part_of_a_trial(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = _study(url, "s", "gp", {**_BAYES, "acq_func": "gp_hedge"})
    _run(study, 6)
    stored = study.storage.trials(study.study_id)
    states = [t.info[STATE_KEY] for t in stored]
    assert [s["n_told"] for s in states] == [1, 2, 3, 4, 5, 6]
    assert all(len(s["gains"]) == 3 for s in states)
    assert "theta" not in states[2] and len(states[5]["theta"]) == 3 + 2  # amplitude, 3 scales, noise
    assert states[3]["gains"] == [0.0, 0.0, 0.0] and states[5]["gains"] != [0.0, 0.0, 0.0]
    assert all(STATE_KEY not in t.info for t in study.trials)
    study.close()


def test_a_study_without_stored_states_still_resumes_exactly(tmp_path, no_thread_leak):
    # a study written before states were stored is replayed tell by tell, as then
    url = f"sqlite:///{tmp_path / 'r.db'}"
    kwargs = {**_BAYES, "acq_func": "gp_hedge"}
    whole = _study(url, "whole", "gp", kwargs)
    _run(whole, 10)
    split = _study(url, "split", "gp", kwargs)
    _run(split, 7)
    with split.storage.transaction(split.study_id) as txn:
        for t in txn.trials():
            txn.set_info(t.number, {k: v for k, v in t.info.items() if k != STATE_KEY})
    split.close()
    resumed = load_study("split", url)
    _run(resumed, 3)
    assert [t.x for t in resumed.trials] == [t.x for t in whole.trials]
    whole.close()
    resumed.close()


def _interleaved(study, n):
    """``n`` trials asked two at a time and told in reverse order (as two workers would)."""
    hyper = study.optimizer_settings["name"].startswith("hyper")
    func = (lambda t: by_method(**t.params)) if hyper else (lambda t: _mixed(t.x))
    for _ in range(n // 2):
        first, second = study.ask(), study.ask()
        study.tell(second, func(second))
        study.tell(first, func(first))


@pytest.mark.filterwarnings("ignore:trial .* failed")
@pytest.mark.parametrize("optimizer", ["hyper-bayes", "scipy-de", "gp", "hyper-tpe"])
def test_interleaved_asks_and_tells_resume_exactly(tmp_path, no_thread_leak, optimizer):
    # a trial asked and told with other events in between is adopted in the order of its events
    url = f"sqlite:///{tmp_path / 'r.db'}"
    kwargs = _KWARGS.get(optimizer, {})
    whole = _study(url, "whole", optimizer, kwargs)
    _interleaved(whole, 14)
    split = _study(url, "split", optimizer, kwargs)
    _interleaved(split, 8)
    split.close()
    resumed = load_study("split", url)
    _interleaved(resumed, 6)
    assert [t.x for t in resumed.trials] == [t.x for t in whole.trials]
    whole.close()
    resumed.close()


@pytest.mark.filterwarnings("ignore:trial .* failed")
def test_a_reopened_hyper_study_restores_the_method_it_asks(tmp_path, no_thread_leak, monkeypatch):
    from asktell.optimizer import Optimizer

    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = _study(url, "s", "hyper-bayes", _KWARGS["hyper-bayes"])
    _run(study, 24)
    study.close()
    fits = []
    for name in ("_fit", "load_state"):
        original = getattr(Optimizer, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            fits.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Optimizer, name, counted)
    resumed = load_study("s", url)
    trial = resumed.ask()
    # no fit per trial told: the state of the method asked is restored (the others' when next used)
    assert fits == ["load_state"] if trial.params["method"] != "const" else fits == []
    resumed.tell(trial, by_method(**trial.params))
    assert fits.count("_fit") <= 1 and fits.count("load_state") <= 1  # as in the running study
    resumed.close()


@pytest.mark.parametrize("optimizer", ["scipy-de", "scipy-da", "scipy-direct", "scipy-shgo"])
def test_a_reopened_scipy_study_retraces_its_run_without_hand_offs(tmp_path, no_thread_leak, monkeypatch,
                                                                     optimizer):
    from asktell.scipy_bridge.ask_tell import _Channel

    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = _study(url, "s", optimizer, _KWARGS.get(optimizer, {}))
    _run(study, 30)
    study.close()
    posted = []
    original = _Channel.exchange
    monkeypatch.setattr(_Channel, "exchange", lambda self, xs: posted.append(len(xs)) or original(self, xs))
    resumed = load_study("s", url)
    trial = resumed.ask()
    # the 30 stored values are looked up in scipy's own run: only the new point is handed over
    assert len(posted) == 1
    resumed.tell(trial, _mixed(trial.x))
    resumed.close()


def test_add_trials_is_add_trial_one_by_one():
    from asktell import Optimizer
    from asktell.trial import Trial, TrialState

    trials = [Trial(0, [0.5, 2, "x"], state=TrialState.COMPLETE, value=1.5),
              Trial(1, [-0.5, 3, "y"], state=TrialState.FAIL, info={"error": "boom"}),
              Trial(3, [0.1, 4, "y"], state=TrialState.COMPLETE, value=0.25),
              Trial(4, [0.2, 1, "x"], state=TrialState.RUNNING)]
    one, bulk = (Optimizer(MIXED, n_initial_points=2, random_state=1) for _ in range(2))
    for t in trials:
        one.add_trial(t)
    bulk.add_trials(trials)
    assert [(t.number, t.x, t.params, t.state, t.value, t.info) for t in bulk.trials] == [
        (t.number, t.x, t.params, t.state, t.value, t.info) for t in one.trials]
    assert (bulk.Xi, bulk.yi, bulk.next_trial_number) == (one.Xi, one.yi, one.next_trial_number)
    assert bulk.ask_trial().x == one.ask_trial().x
    with pytest.raises(ValueError, match="trial number 3 is invalid or already used"):
        bulk.add_trials([Trial(3, [0.0, 1, "x"], state=TrialState.COMPLETE, value=1.0)])


def test_the_default_resumes_exactly_past_its_subset_size(tmp_path, no_thread_leak, monkeypatch):
    # past _MAX_FIT_POINTS the default fits a subset, mostly conditioned with the last searched
    # model's scaling: the stored state carries it (y_scale), so the reopened model is the same
    monkeypatch.setattr(asktell.auto, "_MAX_FIT_POINTS", 10)
    whole, resumed = _sittings(tmp_path, "auto", {"n_initial_points": 4}, 14, 6)
    assert resumed == whole


def test_a_scipy_study_takes_an_enqueued_trial(tmp_path, no_thread_leak):
    # the scipy pool adopts trials it did not propose into its cache (add_trial)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    study = _study(url, "s", "scipy-de", _KWARGS["scipy-de"])
    _run(study, 5)
    number = study.enqueue_trial({"a": 0.25, "k": 4, "c": "y"})
    trial = study.ask()
    assert (trial.number, trial.x) == (number, [0.25, 4, "y"])
    study.tell(trial, _mixed(trial.x))
    _run(study, 4)
    assert len({tuple(t.x) for t in study.trials}) == 10
    study.close()


def test_the_default_handed_off_reopens_from_the_stored_strategy(tmp_path, no_thread_leak, monkeypatch):
    # past the hand-off the evolution strategy proposes: reopening fits no GP and restores the
    # strategy's stored state instead of telling it every point again
    from asktell._cma import CMAPhase

    url = f"sqlite:///{tmp_path / 'r.db'}"
    space = [Real(-2.0, 2.0, name="a"), Real(-2.0, 2.0, name="b")]
    study = create_study("s", url, space, optimizer="auto", random_state=3,
                         optimizer_kwargs={"n_initial_points": 44})
    study.optimize(lambda x: (x[0] - 0.3) ** 2 + x[1] ** 2, n_trials=70)
    study.close()
    fits, tells = [], []
    monkeypatch.setattr(GaussianProcessRegressor, "fit", lambda self, *a, **k: fits.append(1) or self)
    original = CMAPhase.tell
    monkeypatch.setattr(CMAPhase, "tell", lambda self, *a: tells.append(1) or original(self, *a))
    resumed = load_study("s", url)
    trial = resumed.ask()
    assert resumed._replay.optimizer._handed_off() and fits == []
    assert len(tells) <= 1  # the last point told, which the stored strategy had not taken in yet
    resumed.tell(trial, 1.0)
    resumed.close()
