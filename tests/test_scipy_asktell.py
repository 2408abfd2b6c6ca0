"""ScipyAskTell: exactness against scipy, batches, errors, penalties, threads."""

import gc
import importlib.util
import math
import threading
import weakref

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from asktell import ScipyAskTell, TrialState
from asktell.scipy_bridge.ask_tell import FIRST_PENALTY, SCIPY_METHODS

BOUNDS = [(-2.0, 2.0), (-1.0, 3.0)]

HANDOFFS = [
    "thread",
    pytest.param(
        "greenlet",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("greenlet") is None, reason="the 'fast' extra (greenlet) is not installed"
        ),
    ),
]


def objective(x):
    return float((x[0] - 0.4) ** 2 + (x[1] - 1.1) ** 2 + 0.3 * np.sin(4 * x[0]))


# small budgets that still run each method through its phases (local searches, polishing)
CASES = {
    "de-immediate": ("differential_evolution", dict(maxiter=8, popsize=6, rng=3)),
    "de-deferred": ("differential_evolution", dict(maxiter=8, popsize=6, rng=3, updating="deferred")),
    "dual_annealing": ("dual_annealing", dict(maxfun=150, rng=3)),
    "direct": ("direct", dict(maxfun=150)),
    "shgo-sobol": ("shgo", dict(n=32, sampling_method="sobol")),
    "shgo-simplicial": ("shgo", dict()),
}


def scipy_direct(method, kwargs):
    """Points scipy evaluates, and its result, when called directly."""
    seen = []

    def f(x):
        seen.append(np.array(x, dtype=float))
        return objective(x)

    return seen, getattr(scipy.optimize, method)(f, BOUNDS, **kwargs)


def drive(opt, order=lambda trials: trials):
    """Ask/tell until scipy ends, telling each batch in ``order``; the points asked."""
    asked = []
    with opt:
        while trials := opt.ask_batch():
            asked.extend(np.array(t.x) for t in trials)
            for t in order(trials):
                opt.tell_trial(t, objective(np.array(t.x)))
    return asked


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_asks_exactly_what_scipy_evaluates(case, handoff, no_thread_leak):
    method, kwargs = CASES[case]
    seen, expected = scipy_direct(method, kwargs)
    opt = ScipyAskTell(method, BOUNDS, handoff=handoff, **kwargs)
    asked = drive(opt, order=lambda ts: ts[::-1])
    assert len(asked) == len(seen) > 10
    for a, s in zip(asked, seen):
        np.testing.assert_array_equal(a, s)
    assert opt.done
    np.testing.assert_array_equal(opt.result.x, expected.x)
    assert opt.result.fun == expected.fun


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("case", ["dual_annealing", "de-deferred", "direct"])
def test_point_api_asks_exactly_what_scipy_evaluates(case, handoff, no_thread_leak):
    method, kwargs = CASES[case]
    seen, expected = scipy_direct(method, kwargs)
    opt = ScipyAskTell(method, BOUNDS, handoff=handoff, **kwargs)
    asked = []
    with opt:
        while (x := opt.ask()) is not None:
            asked.append(x.copy())
            opt.tell(objective(x))
    assert [a.tolist() for a in asked] == [s.tolist() for s in seen]
    assert opt.result.fun == expected.fun


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False))
def test_deferred_generation_told_in_any_order_gives_scipys_run(rnd):
    kwargs = dict(maxiter=4, popsize=5, rng=1, updating="deferred", polish=False)
    seen, expected = scipy_direct("differential_evolution", kwargs)

    def shuffled(trials):
        trials = list(trials)
        rnd.shuffle(trials)
        return trials

    opt = ScipyAskTell("differential_evolution", BOUNDS, **kwargs)
    asked = drive(opt, order=shuffled)
    assert [a.tolist() for a in asked] == [s.tolist() for s in seen]
    assert opt.result.fun == expected.fun


def test_whole_generation_can_be_asked_before_any_tell(no_thread_leak):
    popsize, d = 7, len(BOUNDS)
    with ScipyAskTell("differential_evolution", BOUNDS, popsize=popsize, maxiter=2, updating="deferred") as opt:
        trials = [opt.ask_trial() for _ in range(popsize * d)]
        assert [t.number for t in trials] == list(range(popsize * d))
        assert opt.waiting and opt.pending == list(range(popsize * d))
        with pytest.raises(RuntimeError, match="tell them before asking"):
            opt.ask()
        for t in reversed(trials):
            opt.tell(objective(np.array(t.x)), trial=t.number)
        assert len(opt.ask_batch()) == popsize * d  # the next generation


def test_ask_batch_takes_at_most_n(no_thread_leak):
    with ScipyAskTell("differential_evolution", BOUNDS, popsize=5, updating="deferred") as opt:
        assert len(opt.ask_batch(3)) == 3 and len(opt.ask_batch()) == 7
        with pytest.raises(ValueError, match="n must be"):
            opt.ask_batch(0)


def test_shgo_posts_its_sampling_points_as_one_batch(no_thread_leak):
    with ScipyAskTell("shgo", BOUNDS, n=16, sampling_method="sobol") as opt:
        assert opt.batches
        assert len(opt.ask_batch()) == 16


def test_shgo_with_constraints_asks_one_point_at_a_time(no_thread_leak):
    cons = {"type": "ineq", "fun": lambda x: 1.0 - x[0]}
    kwargs = dict(n=16, sampling_method="sobol", constraints=cons)
    seen, expected = scipy_direct("shgo", kwargs)
    opt = ScipyAskTell("shgo", BOUNDS, **kwargs)
    assert not opt.batches
    asked = drive(opt)
    assert [a.tolist() for a in asked] == [s.tolist() for s in seen]
    assert opt.result.fun == expected.fun


def test_bounds_may_be_scipys_bounds_object():
    opt = ScipyAskTell("direct", scipy.optimize.Bounds([-2.0, -1.0], [2.0, 3.0]))
    assert opt.bounds == BOUNDS


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(ValueError, match="differential_evolution.*dual_annealing.*direct.*shgo"):
        ScipyAskTell("nelder_mead", BOUNDS)


@pytest.mark.parametrize("bounds", [[], [(1.0, 0.0)], [(0.0, np.inf)], [(0, 1, 2)], "ab"])
def test_bad_bounds_are_a_value_error(bounds):
    with pytest.raises(ValueError, match="bounds"):
        ScipyAskTell("direct", bounds)


@pytest.mark.parametrize("kwargs", [dict(workers=2), dict(vectorized=True)])
def test_keywords_set_by_the_bridge_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ScipyAskTell("differential_evolution", BOUNDS, **kwargs)


def test_unknown_handoff_is_a_value_error():
    with pytest.raises(ValueError, match="handoff"):
        ScipyAskTell("direct", BOUNDS, handoff="process")


def test_greenlet_handoff_starts_no_thread(no_thread_leak):
    pytest.importorskip("greenlet", reason="the 'fast' extra (greenlet) is not installed")
    before = threading.active_count()
    with ScipyAskTell("direct", BOUNDS, maxfun=50, handoff="greenlet") as opt:
        while (x := opt.ask()) is not None:
            assert threading.active_count() == before
            opt.tell(objective(x))
    assert opt.result.nfev >= 50


def test_bad_penalty_is_a_value_error():
    with pytest.raises(ValueError, match="penalty"):
        ScipyAskTell("direct", BOUNDS, penalty=math.nan)


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_scipy_error_on_bad_keyword_reaches_ask(handoff, no_thread_leak):
    opt = ScipyAskTell("differential_evolution", BOUNDS, handoff=handoff, popsiz=5)
    with pytest.raises(TypeError, match="popsiz"):
        opt.ask()
    assert opt.done
    with pytest.raises(TypeError, match="popsiz"):  # it stays visible
        opt.ask()


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_failing_callback_reaches_ask(handoff, no_thread_leak):
    def callback(*args, **kwargs):
        raise ZeroDivisionError("callback broke")

    opt = ScipyAskTell("direct", BOUNDS, maxfun=200, callback=callback, handoff=handoff)
    with pytest.raises(ZeroDivisionError, match="callback broke"):
        with opt:
            while (x := opt.ask()) is not None:
                opt.tell(objective(x))


def test_tell_without_ask_or_twice_is_an_error(no_thread_leak):
    with ScipyAskTell("dual_annealing", BOUNDS, maxfun=20, rng=0) as opt:
        with pytest.raises(ValueError, match="without a pending ask"):
            opt.tell(1.0)
        trial = opt.ask_trial()
        opt.tell_trial(trial, 1.0)
        with pytest.raises(ValueError, match="already told"):
            opt.tell_trial(trial, 2.0)
        with pytest.raises(ValueError, match="trial .* is unknown"):
            opt.tell_trial(99, 2.0)
        opt.ask()
        with pytest.raises(TypeError, match="number"):
            opt.tell("bad")
        opt.tell(0.5)  # the failed tell left the trial pending


def test_several_pending_need_the_trial_number(no_thread_leak):
    with ScipyAskTell("differential_evolution", BOUNDS, popsize=5, updating="deferred") as opt:
        opt.ask()
        opt.ask()
        with pytest.raises(ValueError, match="pass trial="):
            opt.tell(1.0)


def test_trial_protocol(no_thread_leak):
    with ScipyAskTell("direct", BOUNDS, maxfun=30) as opt:
        first = opt.ask_trial()
        assert first.number == 0 and first.state is TrialState.RUNNING
        assert isinstance(first.x, list) and all(type(v) is float for v in first.x)
        opt.tell_trial(first, (1.5, 0.2))  # (value, seconds) from cost-aware drivers
        second = opt.ask_trial()
        opt.fail_trial(second, error=RuntimeError("worker died"))
        states = [t.state for t in opt.trials]
        assert states == [TrialState.COMPLETE, TrialState.FAIL]
        assert opt.trials[0].value == 1.5 and opt.trials[1].info["error"] == "RuntimeError: worker died"


def test_non_finite_scores_reach_scipy_as_the_penalty(no_thread_leak):
    told = {0: 1.0, 1: 3.0, 2: math.nan, 3: -math.inf, 4: math.inf}
    opt = ScipyAskTell(
        "differential_evolution", BOUNDS, popsize=4, maxiter=0, polish=False, updating="deferred", rng=0
    )
    with opt:
        trials = opt.ask_batch()
        for t in trials:
            opt.tell_trial(t, told.get(t.number, 2.0))
        assert opt.ask() is None
    # worst finite (3.0) plus the spread of finite scores (2.0)
    expected = sorted([1.0, 3.0, 5.0, 5.0, 5.0] + [2.0] * (len(trials) - 5))
    assert sorted(opt.result.population_energies.tolist()) == expected
    # the trials themselves fail, their values in the reason (asktell.protocol)
    assert [opt.trials[n].state for n in (2, 3, 4)] == [TrialState.FAIL] * 3
    assert "nan" in opt.trials[2].info["error"] and "-inf" in opt.trials[3].info["error"]
    assert opt.result.fun == 1.0


def test_penalty_before_any_finite_score_and_fixed_penalty(no_thread_leak):
    opt = ScipyAskTell("differential_evolution", BOUNDS, popsize=3, maxiter=0, polish=False, updating="deferred")
    with opt:
        for t in opt.ask_batch():
            opt.tell_trial(t, math.nan if t.number < 2 else 1.0)
        opt.ask()
    assert sorted(opt.result.population_energies)[-2:] == [FIRST_PENALTY, FIRST_PENALTY]
    fixed = ScipyAskTell("differential_evolution", BOUNDS, penalty=7.0, popsize=3, maxiter=0, polish=False)
    with fixed:
        while fixed.ask() is not None:
            fixed.tell(math.inf)
    assert set(fixed.result.population_energies) == {7.0}


# ---------------------------------------------------------------- threads


def worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("asktell-scipy")]


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_stop_mid_run_ends_the_thread(method, handoff, no_thread_leak):
    opt = ScipyAskTell(method, BOUNDS, handoff=handoff)
    for _ in range(3):
        opt.tell(objective(opt.ask()))
    opt.ask()  # stop while scipy waits for a tell
    opt.stop()
    assert opt.done and opt.result is None and not worker_threads()
    assert opt._channel.finished  # scipy returned (through _StopOptimization)
    assert opt.ask() is None
    with pytest.raises(ValueError, match="ended"):
        opt.tell(1.0)
    opt.stop()  # idempotent


def test_stop_while_scipy_computes_and_before_start(no_thread_leak):
    ScipyAskTell("direct", BOUNDS).stop()
    opt = ScipyAskTell("dual_annealing", BOUNDS, rng=0)
    opt.tell(objective(opt.ask()))  # scipy now computes the next point
    opt.stop()
    assert not worker_threads()


def test_thread_ends_when_scipy_finishes(no_thread_leak):
    opt = ScipyAskTell("direct", BOUNDS, maxfun=20)
    while (x := opt.ask()) is not None:
        opt.tell(objective(x))
    assert opt.done and opt.result is not None


@pytest.mark.parametrize("handoff", HANDOFFS)
def test_keyboard_interrupt_in_the_callers_loop(handoff, no_thread_leak):
    with pytest.raises(KeyboardInterrupt):
        with ScipyAskTell("dual_annealing", BOUNDS, rng=0, handoff=handoff) as opt:
            for i in range(100):
                x = opt.ask()
                if i == 5:
                    raise KeyboardInterrupt
                opt.tell(objective(x))
    assert not worker_threads() and opt._channel.finished


def _abandon(method, interrupt, handoff):
    opt = ScipyAskTell(method, BOUNDS, popsize=5, updating="deferred", handoff=handoff)
    try:
        for i in range(20):
            x = opt.ask()
            if interrupt and i == 3:
                raise KeyboardInterrupt
            opt.tell(objective(x))
    except KeyboardInterrupt:
        pass
    return weakref.ref(opt._channel)


@pytest.mark.parametrize("handoff", HANDOFFS)
@pytest.mark.parametrize("interrupt", [False, True])
def test_garbage_collection_without_stop_ends_the_thread(interrupt, handoff, no_thread_leak):
    channel = _abandon("differential_evolution", interrupt, handoff)
    gc.collect()
    assert not worker_threads()
    assert channel() is None  # scipy's run was unwound and freed


def test_the_thread_holds_no_reference_to_its_owner(no_thread_leak):
    opt = ScipyAskTell("direct", BOUNDS)
    opt.ask()
    thread = worker_threads()[0]
    del opt  # no gc.collect(): reference counting alone must free it
    thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.mark.parametrize("kwargs", [dict(n=32, sampling_method="sobol", iters=2), dict(n=20, sampling_method="halton")])
@pytest.mark.parametrize("handoff", HANDOFFS)
def test_early_sampling_asks_shgos_sample_first_and_gives_its_result(kwargs, handoff, no_thread_leak):
    seen, expected = scipy_direct("shgo", kwargs)
    opt = ScipyAskTell("shgo", BOUNDS, early_sampling=True, handoff=handoff, **kwargs)
    with opt:
        first = opt.ask_batch()
        assert len(first) == 32 if kwargs["sampling_method"] == "sobol" else 20
        for t in first:
            opt.tell_trial(t, objective(np.array(t.x)))
        asked = [tuple(t.x) for t in first] + [tuple(a) for a in drive(opt)]
    # the same points and values as scipy's run; a few sampled points shgo's triangulation skips
    assert {tuple(s) for s in seen} <= set(asked)
    assert len(asked) - len(seen) <= 4
    assert opt.result.fun == expected.fun and opt.result.nfev == expected.nfev


def test_greenlet_handoff_without_the_extra_names_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "greenlet" else real(name, *a))
    with pytest.raises(ImportError, match=r"asktell\[fast\]"):
        ScipyAskTell("direct", BOUNDS, handoff="greenlet")
