"""HyperScipySampler: the pool, its fixes of the seed design's flaws, resuming."""

import gc
import math
import threading
import time
from dataclasses import replace

import pytest

from asktell import Categorical, HyperScipySampler, Integer, Real, Space, Trial, TrialState
from asktell.scipy_bridge.ask_tell import SCIPY_METHODS

SPEC = {
    "x": {"type": "FLOAT", "min": -2.0, "max": 2.0},
    "lr": {"type": "FLOAT_EXP", "min": 1e-4, "max": 1.0},
    "layers": {"type": "INT", "min": 1, "max": 8},
    "act": {"type": "STRING", "options": ["relu", "gelu", "tanh"]},
    "bias": {"type": "BOOL"},
}


def loss(p):
    return (
        (p["x"] - 0.5) ** 2
        + (math.log10(p["lr"]) + 2) ** 2
        + 0.1 * (p["layers"] - 3) ** 2
        + {"relu": 0.3, "gelu": 0.0, "tanh": 1.0}[p["act"]]
        + 0.2 * p["bias"]
    )


def run_serial(sampler, n):
    """Ask and tell ``n`` trials one at a time; their points."""
    points = []
    for _ in range(n):
        number, params = sampler.ask()
        points.append(params)
        sampler.tell(number, loss(params))
    return points


def scipy_threads():
    return [t for t in threading.enumerate() if t.name.startswith("asktell-scipy")]


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_ask_gives_plain_values_of_the_space_and_improves(method, no_thread_leak):
    with HyperScipySampler(SPEC, method, random_state=0) as sampler:
        points = run_serial(sampler, 120)
    types = {"x": float, "lr": float, "layers": int, "act": str, "bias": bool}
    for p in points:
        assert {k: type(v) for k, v in p.items()} == types
        assert -2 <= p["x"] <= 2 and 1e-4 <= p["lr"] <= 1 and 1 <= p["layers"] <= 8
    values = [loss(p) for p in points]
    assert min(values[60:]) <= min(values[:20])
    assert min(values) < 1.0


def test_trial_protocol_and_out_of_order_tells(no_thread_leak):
    space = Space([Real(-2, 2, name="a"), Integer(0, 9, name="b")])
    with HyperScipySampler(space, "differential_evolution", popsize=4, updating="deferred", random_state=1) as s:
        trials = [s.ask_trial() for _ in range(12)]
        assert [t.number for t in trials] == list(range(12))
        assert all(t.state is TrialState.RUNNING and t.params == space.to_params(t.x) for t in trials)
        s.fail_trial(trials[3], error="out of memory")
        for t in reversed(trials):
            if t.number != 3:
                s.tell_trial(t, t.x[0] ** 2 + t.x[1])
        with pytest.raises(ValueError, match="already told"):
            s.tell_trial(trials[0], 1.0)
        with pytest.raises(ValueError, match="trial .* is unknown"):
            s.tell(1000, 1.0)
        with pytest.raises(TypeError, match="number"):
            s.tell(s.ask()[0], "bad")
        states = [t.state for t in s.trials[:12]]
        assert states.count(TrialState.FAIL) == 1 and s.trials[3].info["error"] == "out of memory"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", ["dual_annealing", "direct"])
def test_many_in_flight_and_late_tells_never_deadlock(method, no_thread_leak):
    """Flaw (a): ask() skips workers waiting for tells and grows the pool."""
    with HyperScipySampler(SPEC, method, n_workers=2, random_state=0) as sampler:
        in_flight = [sampler.ask() for _ in range(8)]  # serial methods: one pending per worker
        assert len(sampler._workers) == 8
        for _ in range(40):
            number, params = in_flight.pop(0)  # the oldest first, others stay out
            sampler.tell(number, loss(params))
            in_flight.append(sampler.ask())
        assert len(sampler._workers) == 8  # enough workers: no more growth
        keys = [tuple(t.x) for t in sampler.trials]
        assert len(keys) == len(set(keys)) == 48


def test_workers_and_restarts_get_their_own_seeds(no_thread_leak):
    """Flaw (b): no two workers, nor two runs of one worker, propose the same points."""
    with HyperScipySampler(
        [Real(0.0, 1.0), Real(0.0, 1.0)], "differential_evolution", n_workers=3,
        popsize=3, maxiter=2, polish=False, random_state=0,
    ) as sampler:
        for _ in range(160):
            number, params = sampler.ask()
            sampler.tell(number, sum(v * v for v in params.values()))
        trials = sampler.trials
    runs = {(t.info["worker"], t.info["restart"]) for t in trials}
    assert {w for w, _ in runs} == {0, 1, 2} and max(r for _, r in runs) >= 2
    first_points = {}
    for t in trials:
        first_points.setdefault((t.info["worker"], t.info["restart"]), tuple(t.x))
    assert len(set(first_points.values())) == len(first_points)
    assert len({tuple(t.x) for t in trials}) == len(trials)


@pytest.mark.parametrize("method,kwargs", [("direct", dict(maxfun=40)), ("shgo", dict(n=16, iters=1))])
def test_deterministic_methods_explore_new_points(method, kwargs, no_thread_leak):
    """Flaw (c): pools and restarts of direct/shgo do not replay the same points."""
    with HyperScipySampler([Real(-1.0, 1.0), Real(-1.0, 1.0)], method, n_workers=2, random_state=0, **kwargs) as s:
        for _ in range(150):
            number, params = s.ask()
            s.tell(number, (params["X_0"] - 0.3) ** 2 + (params["X_1"] + 0.2) ** 2)
        trials = s.trials
    assert len({tuple(t.x) for t in trials}) == len(trials) == 150
    runs = {(t.info["worker"], t.info["restart"]) for t in trials}
    assert len(runs) >= 4
    best = min(t.value for t in trials)
    assert best < 1e-3


def test_points_already_evaluated_are_answered_from_the_cache(no_thread_leak):
    space = [Integer(0, 5), Categorical(["a", "b"])]
    with HyperScipySampler(space, "differential_evolution", popsize=6, random_state=0) as s:
        for _ in range(12):
            number, params = s.ask()
            s.tell(number, params["X_0"] + (params["X_1"] == "b"))
        keys = [tuple(t.x) for t in s.trials]
    assert len(keys) == len(set(keys)) == 12


def test_exhausted_space_warns_and_asks_known_points_again(no_thread_leak):
    with HyperScipySampler([Categorical(["a", "b", "c"])], "direct", maxfun=20, random_state=0) as s:
        with pytest.warns(UserWarning, match="exhausted"):
            for _ in range(6):
                number, params = s.ask()
                s.tell(number, {"a": 1.0, "b": 0.0, "c": 2.0}[params["X_0"]])
        keys = [tuple(t.x) for t in s.trials]
    assert set(keys) == {("a",), ("b",), ("c",)}


def test_invalid_scipy_keyword_raises_scipys_error_from_ask(no_thread_leak):
    """Flaw (d)."""
    sampler = HyperScipySampler(SPEC, "differential_evolution", n_workers=2, popsiz=5)
    with pytest.raises(TypeError, match="popsiz"):
        sampler.ask()
    assert not scipy_threads()
    with pytest.raises(TypeError, match="popsiz"):
        sampler.ask()
    assert not scipy_threads()


def test_shgo_gives_a_first_point_fast_in_many_dimensions(no_thread_leak):
    """Flaw (e): simplicial sampling triangulates the 10-d cube (seconds) before its first point."""
    space = [Real(0.0, 1.0)] * 10
    sampler = HyperScipySampler(space, "shgo", random_state=0)
    assert sampler.kwargs["sampling_method"] == "sobol" and sampler.kwargs["n"] == 32
    started = time.monotonic()
    with sampler:
        first = [sampler.ask() for _ in range(32)]  # the whole first sample, before triangulating
        assert time.monotonic() - started < 1.0
    assert [number for number, _ in first] == list(range(32))
    assert len({tuple(p.values()) for _, p in first}) == 32


@pytest.mark.parametrize(
    "method,kwargs,n_workers",
    [
        ("differential_evolution", dict(popsize=4, maxiter=3), 1),
        ("dual_annealing", dict(maxiter=3), 2),
        ("direct", dict(maxfun=30), 2),
        ("shgo", dict(n=16), 1),
    ],
)
def test_resume_continues_where_the_old_sampler_stopped(method, kwargs, n_workers, no_thread_leak):
    """Flaw (f): a fresh sampler given the trials replays and continues."""
    args = (SPEC, method)
    opts = dict(n_workers=n_workers, random_state=7, **kwargs)
    with HyperScipySampler(*args, **opts) as old:
        run_serial(old, 40)
        in_flight = old.ask_trial()
        snapshot = [replace(t, info=dict(t.info)) for t in old.trials]  # as a study stores them
        expected_next = run_serial_after(old, in_flight, 30)
    told = snapshot[:-1]
    with HyperScipySampler(*args, **opts) as new:
        new.resume(snapshot)
        assert new.trials[-1].state is TrialState.RUNNING
        assert new.ask_trial().number == 41
        new.tell_trial(40, loss(in_flight.params))
    # the in-flight trial stays RUNNING in the new sampler; once told, the same points follow
    with HyperScipySampler(*args, **opts) as new:
        new.resume(told)
        continued = run_serial(new, 31)
    assert continued == [in_flight.params] + expected_next
    assert all(p not in [t.params for t in told] for p in continued)


def run_serial_after(sampler, trial, n):
    sampler.tell_trial(trial, loss(trial.params))
    return run_serial(sampler, n)


def test_stop_then_ask_again_does_not_replay_the_first_run(no_thread_leak):
    opts = dict(method="dual_annealing", random_state=3, maxiter=4)
    with HyperScipySampler(SPEC, **opts) as uninterrupted:
        expected = run_serial(uninterrupted, 50)
    sampler = HyperScipySampler(SPEC, **opts)
    first = run_serial(sampler, 25)
    sampler.stop()
    assert not scipy_threads()
    second = run_serial(sampler, 25)
    sampler.stop()
    assert first + second == expected
    assert [t.number for t in sampler.trials] == list(range(50))


def test_resume_reuses_the_recorded_seed_and_checks_its_input(no_thread_leak):
    with HyperScipySampler(SPEC, "dual_annealing") as old:
        run_serial(old, 10)
        expected = run_serial(old, 5)
        trials = old.trials[:10]
    with HyperScipySampler(SPEC, "dual_annealing") as new:
        assert run_serial(new.resume(trials), 5) == expected
        with pytest.raises(ValueError, match="without trials"):
            new.resume(trials)
    with pytest.raises(TypeError, match="Trial"):
        HyperScipySampler(SPEC).resume([{"x": 1}])
    with pytest.raises(ValueError, match=r"trials\[0\]"):
        HyperScipySampler(SPEC).resume([Trial(0, [0.0])])


def test_non_finite_values_fail_their_trials_and_do_not_stop_the_sampler(no_thread_leak):
    with HyperScipySampler(SPEC, "differential_evolution", popsize=3, random_state=2) as s:
        for i in range(60):
            number, params = s.ask()
            s.tell(number, math.nan if i % 3 == 0 else (math.inf if i % 3 == 1 else loss(params)))
        states = [t.state for t in s.trials]
        errors = [t.info.get("error", "") for t in s.trials]
    assert states.count(TrialState.FAIL) == 40 and states.count(TrialState.COMPLETE) == 20
    assert sum("nan" in e for e in errors) == 20 and sum("inf" in e for e in errors) == 20


def test_dropping_the_sampler_without_stop_ends_its_threads(no_thread_leak):
    sampler = HyperScipySampler(SPEC, "dual_annealing", n_workers=3, random_state=0)
    for _ in range(3):
        sampler.ask()
    assert len(scipy_threads()) == 3
    del sampler
    gc.collect()
    assert not scipy_threads()


def test_keyboard_interrupt_in_the_loop(no_thread_leak):
    with pytest.raises(KeyboardInterrupt):
        with HyperScipySampler(SPEC, "direct", n_workers=2) as sampler:
            for i in range(10):
                number, params = sampler.ask()
                if i == 4:
                    raise KeyboardInterrupt
                sampler.tell(number, loss(params))


def test_exponential_param_power_maps_log_priors_through_a_power():
    space = {"lr": {"type": "FLOAT_EXP", "min": 1e-4, "max": 1.0}}
    with HyperScipySampler(space, "direct", exponential_param_power=0.5) as s:
        _, params = s.ask()
    # direct first samples the centre of the cube: (0.5 * (1e-2 + 1)) ** 2 under x ** 0.5
    assert params["lr"] == pytest.approx((0.5 * (1e-4**0.5 + 1.0)) ** 2)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(method="cma"), "method"),
        (dict(n_workers=0), "n_workers"),
        (dict(rng=1, random_state=1), "random_state"),
        (dict(seed=1, random_state=2), "seed=1"),
        (dict(bounds=[(0, 1)]), "bounds"),
        (dict(handoff="process"), "handoff"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HyperScipySampler(SPEC, **kwargs)


@pytest.mark.parametrize("method", ["differential_evolution", "direct"])
def test_greenlet_handoff_gives_the_same_trials_as_threads(method, no_thread_leak):
    pytest.importorskip("greenlet", reason="the 'fast' extra (greenlet) is not installed")
    runs = {}
    for handoff in ("thread", "greenlet"):
        with HyperScipySampler(SPEC, method, n_workers=2, random_state=5, handoff=handoff) as s:
            in_flight = [s.ask() for _ in range(3)]
            for _ in range(40):
                number, params = in_flight.pop(1)
                s.tell(number, loss(params))
                in_flight.append(s.ask())
            runs[handoff] = [(t.number, t.params, t.value) for t in s.trials]
    assert runs["thread"] == runs["greenlet"]


def test_scipy_seed_keyword_seeds_the_pool_as_random_state_does(no_thread_leak):
    def points(**kwargs):
        with HyperScipySampler(SPEC, "dual_annealing", n_workers=2, **kwargs) as s:
            out = []
            for _ in range(8):
                number, params = s.ask()
                s.tell(number, loss(params))
                out.append(params)
            return out, s.seed

    by_seed, seed = points(seed=0)
    assert (by_seed, seed) == points(random_state=0)
    assert by_seed != points(seed=1)[0]
