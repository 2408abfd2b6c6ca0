"""One contract, every optimizer: the ask/tell protocol of `asktell.protocol`.

Each case builds an optimizer of the package with a seed; every test holds
each of them to the same rules: numbering, pending trials, several asks
before a tell, tells in any order, ``(value, seconds)``, NaN/inf told fails
the trial and its point is never proposed again, unknown or finished
numbers are a ValueError naming them, a value that is not a number is a
TypeError that changes nothing, None once exhausted, same seed => same
trials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pytest

import asktell
from asktell import AutoOptimizer, Categorical, HyperScipySampler, Integer, Optimizer, Real, ScipyAskTell
from asktell.hyper import HyperAskTell, SpaceAskTell
from asktell.protocol import AskTellOptimizer
from asktell.scipy_bridge.ask_tell import seed_keyword
from asktell.trial import Trial, TrialState

PLAIN = [Real(-1.0, 1.0, name="a"), Real(0.0, 2.0, name="b")]
MIXED = [Real(-1.0, 1.0, name="a"), Integer(0, 4, name="n"), Categorical(["x", "y", "z"], name="c")]
FINITE = [Integer(0, 2), Categorical(["u", "v"])]  # 6 points
BOUNDS = [(-1.0, 1.0), (0.0, 2.0)]
METHODS = {"quad": {"a": Real(-1.0, 1.0), "b": Real(0.0, 2.0)}, "step": {"n": Integer(0, 60)}}
FAST = {"acq_optimizer": "sampling", "acq_optimizer_kwargs": {"n_points": 200}}


@dataclass
class Case:
    """How to build one optimizer, and what it can do."""

    make: Callable[[int], AskTellOptimizer]
    max_pending: int | None = None  # asks allowed before a tell (None: any number)
    exhausts: Callable[[], AskTellOptimizer] | None = None  # an instance that runs out
    seeded: bool = True  # another seed gives other trials (not so for scipy's deterministic methods)


def _scipy(method, seed, **kwargs):
    keyword = seed_keyword(method)
    if keyword is not None:
        kwargs[keyword] = seed
    return ScipyAskTell(method, BOUNDS, **kwargs)


_SCIPY_RUNS = {
    "differential_evolution": dict(popsize=3, maxiter=4, polish=False, updating="deferred"),
    "dual_annealing": dict(maxfun=200),
    "direct": dict(maxfun=200),
    "shgo": dict(sampling_method="sobol", n=16, iters=2),
}
_SCIPY_ENDS = {
    "differential_evolution": dict(popsize=2, maxiter=0, polish=False, updating="deferred"),
    "dual_annealing": dict(maxfun=4, no_local_search=True),
    "direct": dict(maxfun=5),
    "shgo": dict(sampling_method="sobol", n=4, iters=1),
}

CASES = {
    **{
        f"Optimizer-{est}": Case(
            lambda seed, est=est: Optimizer(PLAIN, est, n_initial_points=3, random_state=seed, **FAST),
            exhausts=lambda est=est: Optimizer(FINITE, est, n_initial_points=2, random_state=0, **FAST),
        )
        for est in ("GP", "RF", "ET", "GBRT", "dummy")
    },
    "AutoOptimizer": Case(
        lambda seed: AutoOptimizer(MIXED, n_initial_points=3, random_state=seed),
        exhausts=lambda: AutoOptimizer(FINITE, n_initial_points=2, random_state=0),
    ),
    **{
        f"ScipyAskTell-{method}": Case(
            lambda seed, method=method: _scipy(method, seed, **_SCIPY_RUNS[method]),
            max_pending=6 if method == "differential_evolution" else 1,
            exhausts=lambda method=method: _scipy(method, 0, **_SCIPY_ENDS[method]),
            seeded=seed_keyword(method) is not None,
        )
        for method in _SCIPY_RUNS
    },
    **{
        f"HyperScipySampler-{method}": Case(
            lambda seed, method=method: HyperScipySampler(MIXED, method, random_state=seed, **(
                {"popsize": 3} if method == "differential_evolution" else {}))
        )
        for method in ("differential_evolution", "dual_annealing")
    },
    **{
        f"HyperAskTell-{optlib}": Case(
            lambda seed, optlib=optlib: HyperAskTell(METHODS, optlib=optlib, random_state=seed, **(
                {"n_initial_points": 2} if optlib in ("bayes", "auto") else {}))
        )
        for optlib in ("auto", "bayes", "tpe", "random", "scipy", "cmaes")
    },
    **{
        f"SpaceAskTell-{optlib}": Case(lambda seed, optlib=optlib: SpaceAskTell(MIXED, optlib, random_state=seed))
        for optlib in ("tpe", "cmaes", "random")
    },
}


def _close(opt):
    for name in ("stop", "close"):
        if callable(getattr(opt, name, None)):
            getattr(opt, name)()
            return


@pytest.fixture(params=list(CASES))
def case(request, no_thread_leak):
    case = CASES[request.param]
    built = []

    def make(seed=0):
        opt = case.make(seed)
        built.append(opt)
        return opt

    yield case, make
    for opt in built:
        _close(opt)


def _value(trial):
    """A deterministic objective of any trial's point (method names and categories count by length)."""
    return float(sum(v if isinstance(v, (int, float)) else len(str(v)) for v in trial.x) ** 2)


def _run(opt, n):
    """Ask and tell ``n`` trials one by one; the points asked."""
    points = []
    for _ in range(n):
        trial = opt.ask_trial()
        if trial is None:
            break
        points.append(list(trial.x))
        opt.tell_trial(trial, _value(trial))
    return points


# ---------------------------------------------------------------- the contract
def test_is_an_ask_tell_optimizer(case):
    _, make = case
    assert isinstance(make(), AskTellOptimizer)


def test_numbering_pending_and_tells_out_of_order(case):
    spec, make = case
    opt = make()
    k = min(3, spec.max_pending or 3)
    asked = [opt.ask_trial() for _ in range(k)]
    assert [t.number for t in asked] == list(range(k))
    assert all(isinstance(t, Trial) and t.state is TrialState.RUNNING for t in asked)
    if spec.max_pending is None or spec.max_pending > 1:
        assert len({repr(t.x) for t in asked}) == k  # pending trials get distinct points
    for t in reversed(asked):  # told in any order
        assert opt.tell_trial(t.number if t.number % 2 else t, _value(t)) is t
    assert [t.number for t in opt.trials] == list(range(k))
    assert all(t.state is TrialState.COMPLETE and t.value == _value(t) for t in opt.trials)
    nxt = opt.ask_trial()
    assert nxt.number == k and nxt.state is TrialState.RUNNING


def test_value_with_seconds(case):
    _, make = case
    opt = make()
    trial = opt.ask_trial()
    opt.tell_trial(trial, (2.5, 0.25))
    assert trial.state is TrialState.COMPLETE and trial.value == 2.5 and trial.info["seconds"] == 0.25


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_value_fails_the_trial_and_is_never_proposed_again(case, bad):
    _, make = case
    opt = make()
    first = opt.ask_trial()
    opt.tell_trial(first, bad)
    assert first.state is TrialState.FAIL and first.value is None
    assert str(bad) in first.info["error"]
    later = _run(opt, 6)
    assert first.x not in later
    assert all(t.state is TrialState.COMPLETE for t in opt.trials[1:])


def test_fail_trial_records_the_reason(case):
    _, make = case
    opt = make()
    trial = opt.ask_trial()
    assert opt.fail_trial(trial, RuntimeError("worker died")) is trial
    assert trial.state is TrialState.FAIL and trial.info["error"] == "RuntimeError: worker died"
    assert _run(opt, 2)  # the optimizer goes on


def test_unknown_and_finished_numbers_are_value_errors_naming_them(case):
    _, make = case
    opt = make()
    trial = opt.ask_trial()
    with pytest.raises(ValueError, match="trial 99 is unknown"):
        opt.tell_trial(99, 1.0)
    with pytest.raises(ValueError, match="trial 99 is unknown"):
        opt.fail_trial(99)
    opt.tell_trial(trial, 1.0)
    with pytest.raises(ValueError, match="trial 0 is already finished"):
        opt.tell_trial(trial, 2.0)
    with pytest.raises(ValueError, match="trial 0 is already finished"):
        opt.fail_trial(0)
    with pytest.raises(TypeError, match="trial must be a Trial or its number"):
        opt.tell_trial("0", 1.0)
    assert trial.value == 1.0 and len(opt.trials) == 1


def test_value_that_is_not_a_number_is_a_type_error_and_changes_nothing(case):
    _, make = case
    opt = make()
    trial = opt.ask_trial()
    for bad in ("1.0", None, True):
        with pytest.raises(TypeError, match="must be a number"):
            opt.tell_trial(trial, bad)
    assert trial.state is TrialState.RUNNING
    opt.tell_trial(trial, 1.0)
    assert trial.state is TrialState.COMPLETE


def test_same_seed_same_trials(case):
    spec, make = case
    first, again = _run(make(3), 7), _run(make(3), 7)
    assert first == again and len(first) == 7
    if spec.seeded:
        assert _run(make(4), 7) != first


# optimizers that restart or sample a continuous space never run out: only the others are held to it
@pytest.mark.parametrize("name", [name for name, spec in CASES.items() if spec.exhausts is not None])
def test_none_once_exhausted(name, no_thread_leak):
    opt = CASES[name].exhausts()
    try:
        points = _run(opt, 300)
        assert opt.ask_trial() is None and opt.ask_trial() is None
        assert 0 < len(points) < 300 and len(opt.trials) == len(points)
    finally:
        _close(opt)


# ---------------------------------------------------------------- the registry
@pytest.mark.parametrize("name", ["auto", "AUTO", "GP", "RF", "ET", "GBRT", "tpe", "cmaes", "random", "scipy-de"])
def test_every_plain_space_name_runs_a_study(name, no_thread_leak):
    with asktell.create_study(space=MIXED, optimizer=name, random_state=0,
                              optimizer_kwargs=FAST if name in ("GP", "RF", "ET", "GBRT") else None) as study:
        study.optimize(lambda x: _value(Trial(0, x)), n_trials=4)
        assert study.optimizer_settings["name"] == name.lower()
        assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 4


def test_a_study_stops_when_its_optimizer_is_exhausted(no_thread_leak):
    with asktell.create_study(space=FINITE, optimizer="random", random_state=0) as study:
        study.optimize(lambda x: float(x[0]), n_trials=10)
        assert len(study.trials) == 6 and len({tuple(t.x) for t in study.trials}) == 6
        assert study.ask() is None
