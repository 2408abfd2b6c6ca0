"""The Bayesian Optimizer: trial protocol, pending points, replay, the skopt point API."""

import math

import numpy as np
import pytest

from asktell import Categorical, Integer, Optimizer, Real, Trial, TrialState
from asktell.benchmarks import branin

SPACE = [Real(-5.0, 10.0, name="a"), Real(0.0, 15.0, name="b")]
MIXED = [Real(-2.0, 2.0, name="x"), Integer(1, 6, name="k"), Categorical(["u", "v", "w"], name="c")]


def mixed_objective(p):
    return (p[0] - 0.5) ** 2 + abs(p[1] - 3) + {"u": 1.0, "v": 0.0, "w": 2.0}[p[2]]


def fast(**kw):
    """Small acquisition settings keep the tests quick."""
    kw.setdefault("acq_optimizer_kwargs", {"n_points": 300, "n_restarts_optimizer": 2})
    return kw


def run_trials(opt, func, n):
    for _ in range(n):
        t = opt.ask_trial()
        opt.tell_trial(t, func(t.x))
    return opt


def test_trials_numbered_and_params_named():
    opt = Optimizer(MIXED, n_initial_points=3, random_state=0, **fast())
    t0, t1 = opt.ask_trial(), opt.ask_trial()
    assert (t0.number, t1.number) == (0, 1)
    assert t0.state is TrialState.RUNNING and set(t0.params) == {"x", "k", "c"}
    assert t0.params["k"] == t0.x[1] and type(t0.x[1]) is int and type(t0.x[0]) is float
    opt.tell_trial(1, mixed_objective(t1.x))
    assert opt.trials[1].state is TrialState.COMPLETE and opt.trials[1].value == mixed_objective(t1.x)
    assert opt.trials[0].state is TrialState.RUNNING
    with pytest.raises(ValueError, match="already finished"):
        opt.tell_trial(1, 0.0)
    with pytest.raises(ValueError, match="unknown"):
        opt.tell_trial(7, 0.0)
    opt.fail_trial(t0, RuntimeError("boom"))
    assert opt.trials[0].state is TrialState.FAIL and "boom" in opt.trials[0].info["error"]
    assert opt.Xi == [t1.x]


@pytest.mark.parametrize("acq_func", ["gp_hedge", "EI", "LCB", "PI"])
def test_pending_asks_are_distinct_and_never_repeat(acq_func):
    opt = Optimizer(MIXED, n_initial_points=4, acq_func=acq_func, random_state=1, **fast())
    seen = set()
    for _ in range(5):
        batch = [opt.ask_trial() for _ in range(3)]
        for t in batch:
            key = tuple(t.x)
            assert key not in seen
            seen.add(key)
        for t in batch:
            opt.tell_trial(t, mixed_objective(t.x))
    assert len(opt.yi) == 15


def test_finite_space_is_exhausted_without_repeats_then_warns():
    space = [Integer(0, 2), Categorical(["a", "b"])]
    opt = Optimizer(space, n_initial_points=2, random_state=0, **fast())
    seen = []
    for _ in range(6):
        x = opt.ask()
        seen.append(tuple(x))
        opt.tell(x, float(x[0]) + (x[1] == "b"))
    assert len(set(seen)) == 6
    with pytest.warns(RuntimeWarning, match="exhausted"):
        opt.ask()


def test_same_seed_same_trajectory():
    def run(seed):
        opt = Optimizer(SPACE, n_initial_points=4, random_state=seed, **fast())
        return run_trials(opt, branin, 9).Xi

    assert run(3) == run(3)
    assert run(3) != run(4)


@pytest.mark.parametrize("acq_func", ["gp_hedge", "EI"])
def test_replay_in_fresh_optimizer_proposes_the_same_point(acq_func):
    opt = Optimizer(MIXED, n_initial_points=3, acq_func=acq_func, random_state=5, **fast())
    run_trials(opt, mixed_objective, 6)
    pending = opt.ask_trial()
    failed = opt.ask_trial()
    opt.fail_trial(failed, "died")
    expected = opt.ask_trial()

    fresh = Optimizer(MIXED, n_initial_points=3, acq_func=acq_func, random_state=5, **fast())
    for t in opt.trials:
        if t.number < expected.number:
            fresh.add_trial(Trial(t.number, list(t.x), state=t.state, value=t.value, info=dict(t.info)))
    fresh.next_trial_number = expected.number
    assert fresh.next_trial_number == expected.number
    again = fresh.ask_trial()
    assert again.number == expected.number and again.x == expected.x
    assert pending.number in [t.number for t in fresh.pending]


def test_replay_by_batch_tell_without_hedge():
    a = Optimizer(SPACE, n_initial_points=3, acq_func="EI", random_state=2, **fast())
    run_trials(a, branin, 6)
    b = Optimizer(SPACE, n_initial_points=3, acq_func="EI", random_state=2, **fast())
    b.tell(a.Xi, a.yi)
    b.next_trial_number = a.next_trial_number
    assert a.ask() == b.ask()


def test_next_trial_number_cannot_go_back():
    opt = Optimizer(SPACE, random_state=0)
    opt.ask_trial()
    with pytest.raises(ValueError, match="next_trial_number"):
        opt.next_trial_number = 0


def test_point_api_tell_batch_and_single():
    opt = Optimizer(SPACE, n_initial_points=3, random_state=0, **fast())
    xs = opt.ask(n_points=3)
    assert len({tuple(x) for x in xs}) == 3
    res = opt.tell(xs, [branin(x) for x in xs])
    assert len(opt.models) == 1 and res.fun == min(branin(x) for x in xs)
    x = opt.ask()
    res = opt.tell(x, branin(x))
    assert len(opt.Xi) == 4 and len(opt.models) == 2
    assert not opt.pending
    res = opt.tell([1.0, 1.0], 3.0)  # a point never asked
    assert opt.Xi[-1] == [1.0, 1.0] and opt.trials[-1].state is TrialState.COMPLETE


def test_tell_fit_false_defers_the_model():
    opt = Optimizer(SPACE, n_initial_points=2, random_state=0, **fast())
    opt.tell([[0.0, 1.0], [1.0, 2.0], [2.0, 3.0]], [1.0, 2.0, 3.0], fit=False)
    assert opt.models == []
    x = opt.ask()
    assert len(opt.models) == 1 and x in opt.space


@pytest.mark.parametrize("strategy", ["cl_min", "cl_mean", "cl_max"])
def test_batch_strategies(strategy):
    opt = Optimizer(SPACE, n_initial_points=3, acq_func="EI", random_state=0, **fast())
    run_trials(opt, branin, 4)
    xs = opt.ask(n_points=4, strategy=strategy)
    assert len({tuple(x) for x in xs}) == 4 and all(x in opt.space for x in xs)


def test_lies_depend_on_strategy():
    def batch(strategy):
        opt = Optimizer(SPACE, n_initial_points=3, acq_func="EI", random_state=0, **fast())
        run_trials(opt, branin, 5)
        return opt.ask(n_points=3, strategy=strategy)

    a, b = batch("cl_min"), batch("cl_max")
    assert a[0] == b[0] and a[1:] != b[1:]


def test_model_queue_size_default_and_explicit():
    opt = Optimizer([(0.0, 1.0)], base_estimator="ET", n_initial_points=1, random_state=0,
                    acq_optimizer_kwargs={"n_points": 50})
    for i in range(24):
        opt.tell([i / 24], (i / 24 - 0.3) ** 2)
    assert len(opt.models) == 20
    opt = Optimizer([(0.0, 1.0)], base_estimator="ET", n_initial_points=1, random_state=0,
                    model_queue_size=3, acq_optimizer_kwargs={"n_points": 50})
    for i in range(6):
        opt.tell([i / 6], float(i))
    assert len(opt.models) == 3
    assert opt.models[-1].predict([[5 / 6]])[0] > opt.models[-1].predict([[0.0]])[0]
    opt = Optimizer([(0.0, 1.0)], base_estimator="ET", n_initial_points=1, model_queue_size=math.inf)
    for i in range(25):
        opt.tell([i / 25], float(i))
    assert len(opt.models) == 25


def test_copy_is_independent_and_proposes_the_same():
    opt = Optimizer(SPACE, n_initial_points=3, random_state=0, **fast())
    run_trials(opt, branin, 5)
    twin = opt.copy()
    assert twin.ask() == opt.ask()
    twin.tell([0.0, 0.0], 1.0)
    assert len(twin.Xi) == 6 and len(opt.Xi) == 5


def test_run_and_get_result_plain_values():
    opt = Optimizer(MIXED, n_initial_points=3, random_state=0, **fast())
    res = opt.run(mixed_objective, n_iter=6)
    assert len(res.x_iters) == 6 and type(res.fun) is float
    assert [type(v) for v in res.x] == [float, int, str]
    assert all(type(v[1]) is int for v in res.x_iters)
    assert res.fun == min(res.func_vals) and res.x == res.x_iters[int(np.argmin(res.func_vals))]


@pytest.mark.parametrize("estimator", ["GP", "RF", "ET", "GBRT", "DUMMY"])
def test_each_estimator_improves_on_a_quadratic(estimator):
    opt = Optimizer([(-3.0, 3.0)], base_estimator=estimator, n_initial_points=4, acq_func="EI",
                    random_state=0, acq_optimizer_kwargs={"n_points": 200, "n_restarts_optimizer": 2})
    res = opt.run(lambda x: (x[0] - 1.0) ** 2, n_iter=12)
    assert res.fun < 0.5
    if estimator != "DUMMY":
        assert len(res.models) == 9


def test_per_second_acquisition_uses_times():
    opt = Optimizer([(-2.0, 2.0)], acq_func="EIps", n_initial_points=3, random_state=0, **fast())
    for _ in range(6):
        x = opt.ask()
        opt.tell(x, (x[0] ** 2, 1.0 + abs(x[0])))
    res = opt.get_result()
    assert len(res.log_time) == 6 and np.allclose(np.exp(res.log_time), 1.0 + np.abs(np.ravel(res.x_iters)))
    with pytest.raises(ValueError, match="seconds"):
        opt.tell([0.5], 1.0)


def test_space_constraint_respected():
    opt = Optimizer(SPACE, n_initial_points=3, random_state=0, space_constraint=lambda p: p[0] + p[1] < 5,
                    **fast())
    assert opt.acq_optimizer == "sampling"
    res = opt.run(branin, n_iter=7)
    assert all(p[0] + p[1] < 5 for p in res.x_iters)


def test_acq_optimizer_auto_choices():
    assert Optimizer(SPACE).acq_optimizer == "lbfgs"
    assert Optimizer(SPACE, base_estimator="RF").acq_optimizer == "sampling"
    with pytest.raises(ValueError, match="sampling"):
        Optimizer(SPACE, base_estimator="ET", acq_optimizer="lbfgs")


def test_n_random_starts_deprecated():
    with pytest.warns(DeprecationWarning, match="n_initial_points"):
        opt = Optimizer(SPACE, n_random_starts=4)
    assert opt.n_initial_points_ == 4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"acq_func": "UCB"}, "acq_func"),
        ({"base_estimator": "SVM"}, "base_estimator"),
        ({"base_estimator": object()}, "base_estimator"),
        ({"acq_optimizer": "adam"}, "acq_optimizer"),
        ({"n_initial_points": -1}, "n_initial_points"),
        ({"model_queue_size": 0}, "model_queue_size"),
        ({"acq_func_kwargs": {"xi": "big"}}, "xi"),
        ({"acq_func_kwargs": {"kappa": -1}}, "kappa"),
        ({"acq_optimizer_kwargs": {"n_points": 0}}, "n_points"),
        ({"space_constraint": 3}, "space_constraint"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Optimizer(SPACE, **kwargs)


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([0.0, 1.0], float("nan"), "finite"),
        ([0.0, 1.0], float("inf"), "finite"),
        ([0.0, 1.0], [1.0, 2.0, 3.0], "scalar"),
        ([0.0, 1.0], "1.0", "number"),
        ([20.0, 1.0], 1.0, "x"),
        ([0.0], 1.0, "x"),
        ([[0.0, 1.0], [1.0, 1.0]], [1.0], "same length|2 values"),
        ([[0.0, 1.0], [1.0, 1.0]], [1.0, float("nan")], r"y\[1\]"),
    ],
)
def test_bad_tell_leaves_state_unchanged(x, y, match):
    opt = Optimizer(SPACE, n_initial_points=2, random_state=0, **fast())
    opt.tell([[1.0, 1.0], [2.0, 2.0]], [3.0, 4.0])
    before = (list(opt.Xi), list(opt.yi), len(opt.models), len(opt.trials))
    with pytest.raises(ValueError, match=match):
        opt.tell(x, y)
    assert (list(opt.Xi), list(opt.yi), len(opt.models), len(opt.trials)) == before


def test_bad_tell_trial_value_keeps_trial_pending_and_nan_fails_it():
    opt = Optimizer(SPACE, random_state=0)
    t = opt.ask_trial()
    with pytest.raises(TypeError, match="'1.5'"):
        opt.tell_trial(t, "1.5")
    assert opt.pending == [t] and opt.yi == []
    opt.tell_trial(t, 1.5)
    assert opt.yi == [1.5]
    u = opt.ask_trial()
    opt.tell_trial(u, float("nan"))  # the protocol's rule: a failed trial, never a model value
    assert u.state is TrialState.FAIL and "nan" in u.info["error"] and opt.yi == [1.5]


@pytest.mark.parametrize("strategy, lie", [("cl_min", np.min), ("cl_mean", np.mean), ("cl_max", np.max)])
def test_pending_points_are_told_the_strategys_lie(strategy, lie):
    opt = Optimizer(SPACE, n_initial_points=4, acq_func="EI", random_state=0, **fast())
    run_trials(opt, branin, 6)
    pending = opt.ask_trial(strategy)
    model, ys = opt._lie_model(strategy)
    # the lie is told in the model's units (the GP sees warped values)
    assert ys[-1] == pytest.approx(lie(opt._model_targets(opt.yi))) and len(ys) == 7
    # the lie model believes the lie where the point is pending (noise is tiny on branin);
    # warped targets span a few units, so 0.05 is about 1% of their range
    at_pending = model.predict(opt.space.transform([pending.x]))[0]
    assert at_pending == pytest.approx(ys[-1], rel=0.05, abs=0.05)


def test_ask_n_points_in_the_initial_phase_gives_distinct_points():
    opt = Optimizer(MIXED, n_initial_points=6, random_state=3, **fast())
    first = opt.ask(n_points=4)
    again = opt.ask(n_points=4)  # nothing told: the first four are pending, never proposed again
    assert len({tuple(x) for x in first + again}) == 8
    opt.tell(first, [mixed_objective(x) for x in first])
    later = opt.ask(n_points=3)
    assert not {tuple(x) for x in later} & {tuple(x) for x in first + again}


@pytest.mark.parametrize("estimator", ["RF", "ET", "GBRT", "GP", "DUMMY"])
@pytest.mark.parametrize("acq_func", ["EI", "PI", "LCB", "gp_hedge"])
def test_every_estimator_on_a_binary_categorical(estimator, acq_func):
    space = [Real(0.0, 1.0), Categorical(["off", "on"]), Integer(0, 3)]
    opt = Optimizer(space, base_estimator=estimator, acq_func=acq_func, n_initial_points=3, random_state=0,
                    **fast())
    res = opt.run(lambda p: (p[0] - 0.2) ** 2 + (p[1] == "on") + 0.1 * p[2], n_iter=7)
    assert len(res.x_iters) == 7 and len({tuple(x) for x in res.x_iters}) == 7
    assert opt._box.shape == (opt.space.transformed_n_dims, 2)


def test_a_tuple_is_value_and_seconds_a_list_is_not_a_value():
    opt = Optimizer(SPACE, n_initial_points=2, acq_func="EI", random_state=0)
    opt.tell([1.0, 1.0], (3.0, 0.5))
    assert opt.yi == [3.0] and opt.trials[0].info["seconds"] == 0.5
    with pytest.raises(ValueError, match="scalar"):
        opt.tell([2.0, 1.0], [3.0, 0.5])
    assert opt.yi == [3.0]


def test_unknown_strategy_or_n_points_leave_no_trial():
    opt = Optimizer(SPACE, random_state=0)
    with pytest.raises(ValueError, match="strategy"):
        opt.ask(n_points=2, strategy="cl_median")
    with pytest.raises(ValueError, match="n_points"):
        opt.ask(n_points=0)
    assert opt.trials == [] and opt.next_trial_number == 0


def test_gp_hedge_gains_follow_the_predicted_values():
    opt = Optimizer(SPACE, n_initial_points=3, acq_func="gp_hedge", random_state=0, **fast())
    run_trials(opt, branin, 3)
    assert np.all(opt.gains_ == 0)
    proposals = [r[0] for r in opt._next_xs]
    run_trials(opt, branin, 1)
    expected = -opt.models[-1].predict(np.vstack(proposals))
    np.testing.assert_allclose(opt.gains_, expected)


def test_acquisition_candidates_include_the_best_points_neighbourhood():
    opt = Optimizer(SPACE, n_initial_points=4, acq_func="EI", random_state=0, **fast())
    run_trials(opt, branin, 5)
    best = opt.space.transform([opt.Xi[int(np.argmin(opt.yi))]])
    cand = opt._candidates(np.random.RandomState(0))
    assert cand.shape == (300, 2) and np.all((cand >= 0) & (cand <= 1))
    near = np.max(np.abs(cand - best), axis=1)
    assert np.sum(near < 0.003) >= 3  # uniform samples would put ~0.01 of 300 there


def test_models_fit_warped_values_and_predict_in_the_objectives_units():
    from asktell import expected_minimum, gp_minimize
    from asktell.utils import predict_objective

    def f(x):  # a heavy tail: 100 at the optimum, up to 10^4 away from it
        return 100.0 + 1e4 * (x[0] - 0.3) ** 2

    res = gp_minimize(f, [Real(-1.0, 1.0)], n_calls=14, n_initial_points=6, random_state=0,
                      acq_optimizer="sampling", n_points=500)
    model = res.models[-1]
    assert model.target_warp_.power is not None  # a Yeo-Johnson power was fitted
    told = predict_objective(model, res.space.transform(res.x_iters))
    np.testing.assert_allclose(told, res.func_vals, rtol=0.05)
    x, fun = expected_minimum(res, random_state=0)
    assert abs(x[0] - 0.3) < 0.05 and abs(fun - 100.0) < 5.0
