"""asktell.minimize, the default optimizer: spaces, reproducibility, x0/y0, bad input, quality."""

import numpy as np
import pytest

import asktell
from asktell import Categorical, Integer, Real
from asktell.acquisition import _gaussian_acquisition, _improvement, _log_ei
from asktell.auto import _length_scale_prior
from asktell.learning import TargetWarp
from asktell.learning import GaussianProcessRegressor


def _quadratic(x):
    return float((x[0] - 0.3) ** 2 + (x[1] + 0.7) ** 2)


def test_exported_and_returns_an_optimize_result():
    assert asktell.minimize is asktell.auto.minimize
    assert "minimize" in asktell.__all__
    res = asktell.minimize(_quadratic, [(-2.0, 2.0), (-2.0, 2.0)], n_calls=8, random_state=0)
    assert len(res.x_iters) == len(res.func_vals) == 8
    assert res.fun == min(res.func_vals) and res.fun == _quadratic(res.x)
    assert res.specs["function"] == "minimize"
    assert res.failed == []
    # the model is fitted once the five initial points are told
    assert len(res.models) == 8 - 5 + 1


def test_continuous_space_finds_the_quadratic_optimum_better_than_random():
    bounds = [(-2.0, 2.0), (-2.0, 2.0)]
    ours, rand = [], []
    for seed in range(3):
        ours.append(asktell.minimize(_quadratic, bounds, n_calls=20, random_state=seed).fun)
        rand.append(asktell.dummy_minimize(_quadratic, bounds, n_calls=20, random_state=seed).fun)
    assert max(ours) < 1e-3
    assert np.median(ours) < np.median(rand) / 100


def test_integer_space():
    def f(x):
        return (x[0] - 7) ** 2 + abs(x[1] + 3)

    res = asktell.minimize(f, [Integer(-20, 20), Integer(-10, 10)], n_calls=25, random_state=1)
    assert all(isinstance(v, (int, np.integer)) for x in res.x_iters for v in x)
    assert all(-20 <= x[0] <= 20 and -10 <= x[1] <= 10 for x in res.x_iters)
    assert len({tuple(x) for x in res.x_iters}) == 25  # never proposes a point twice
    assert res.fun <= 1


def test_categorical_space():
    table = {"a": 3.0, "b": 1.0, "c": 2.0, "d": 5.0}

    def f(x):
        return table[x[0]] + (0.0 if x[1] == "on" else 0.5)

    res = asktell.minimize(f, [Categorical(list("abcd")), Categorical(["on", "off"])], n_calls=8, random_state=0)
    assert res.x == ["b", "on"] and res.fun == 1.0
    assert {x[0] for x in res.x_iters} <= set("abcd")


def test_mixed_space_with_log_prior():
    def f(x):
        lr, depth, kind = x
        return (np.log10(lr) + 2.0) ** 2 + 0.1 * (depth - 4) ** 2 + {"x": 0.0, "y": 1.0, "z": 2.0}[kind]

    space = [Real(1e-5, 1.0, prior="log-uniform", name="lr"), Integer(1, 10, name="depth"),
             Categorical(["x", "y", "z"], name="kind")]
    res = asktell.minimize(f, space, n_calls=30, random_state=2)
    best_random = min(
        asktell.dummy_minimize(f, space, n_calls=30, random_state=s).fun for s in range(3)
    )
    assert res.x[2] == "x"
    assert res.fun < 0.5
    assert res.fun <= best_random


def test_same_seed_same_trajectory_other_seed_other_one():
    bounds = [(-2.0, 2.0), Integer(0, 5), Categorical(["p", "q"])]

    def f(x):
        return _quadratic([x[0], x[1] - 1.0]) + (x[2] == "q")

    a = asktell.minimize(f, bounds, n_calls=12, random_state=7)
    b = asktell.minimize(f, bounds, n_calls=12, random_state=7)
    c = asktell.minimize(f, bounds, n_calls=12, random_state=8)
    assert a.x_iters == b.x_iters and list(a.func_vals) == list(b.func_vals)
    assert a.x_iters != c.x_iters


def test_x0_without_y0_is_evaluated_and_counted():
    seen = []

    def f(x):
        seen.append(list(x))
        return _quadratic(x)

    res = asktell.minimize(f, [(-2.0, 2.0), (-2.0, 2.0)], n_calls=10, x0=[[0.3, -0.7], [1.0, 1.0]], random_state=0)
    assert seen[:2] == [[0.3, -0.7], [1.0, 1.0]]
    assert len(seen) == 10 and len(res.x_iters) == 10
    assert res.fun == 0.0 and res.x == [0.3, -0.7]


def test_x0_with_y0_costs_no_call():
    seen = []

    def f(x):
        seen.append(list(x))
        return _quadratic(x)

    x0 = [[0.0, 0.0], [1.0, -1.0], [-1.0, 1.0]]
    y0 = [_quadratic(p) for p in x0]
    res = asktell.minimize(f, [(-2.0, 2.0), (-2.0, 2.0)], n_calls=6, x0=x0, y0=y0, random_state=0)
    assert len(seen) == 6 and len(res.x_iters) == 9
    assert res.x_iters[:3] == x0 and list(res.func_vals[:3]) == y0
    assert not any(p in x0 for p in seen)


def test_callback_stops_the_run():
    calls = []
    res = asktell.minimize(_quadratic, [(-2.0, 2.0)] * 2, n_calls=20, random_state=0,
                           callback=lambda r: calls.append(len(r.x_iters)) or len(r.x_iters) >= 7)
    assert len(res.x_iters) == 7 and calls == list(range(1, 8))


def test_failing_objective_is_recorded_and_never_corrupts_the_model():
    def f(x):
        if x[0] > 1.0:
            return float("nan")
        return _quadratic(x)

    with pytest.raises(ValueError, match="on_error='record'"):
        asktell.minimize(f, [(-2.0, 2.0)] * 2, n_calls=15, random_state=0)
    res = asktell.minimize(f, [(-2.0, 2.0)] * 2, n_calls=15, random_state=0, on_error="record")
    assert np.all(np.isfinite(res.func_vals))
    assert len(res.x_iters) + len(res.failed) == 15
    assert all(p[0] > 1.0 for p in res.failed)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"func": 3}, TypeError, "func must be callable"),
        ({"n_calls": 0}, ValueError, "n_calls must be a positive integer, got 0"),
        ({"n_calls": 2.5}, ValueError, "n_calls must be a positive integer, got 2.5"),
        ({"n_calls": True}, ValueError, "n_calls must be a positive integer"),
        ({"on_error": "ignore"}, ValueError, "on_error must be one of"),
        ({"n_initial_points": -1}, ValueError, "n_initial_points must be a non-negative integer"),
        ({"x0": [[5.0, 0.0]]}, ValueError, "x0"),
        ({"x0": [[0.0, 0.0]], "y0": [1.0, 2.0]}, ValueError, "same length"),
        ({"x0": [[0.0, 0.0]], "y0": [float("inf")]}, ValueError, r"y0\[0\] must be a finite number"),
        ({"x0": [[0.0, 0.0], [1.0, 1.0]], "n_calls": 1}, ValueError, "smaller than the 2 points of x0"),
        ({"dimensions": [(2.0, 1.0)]}, ValueError, "lower bound 2.0 has to be less than the upper bound 1.0"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {"func": _quadratic, "dimensions": [(-2.0, 2.0), (-2.0, 2.0)], "n_calls": 5}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        asktell.minimize(**args)


def test_small_budget_spends_it_on_the_design():
    # fewer calls than the five design points: all of them come from the Sobol design
    res = asktell.minimize(_quadratic, [(-2.0, 2.0)] * 2, n_calls=3, random_state=0)
    assert len(res.x_iters) == 3
    assert len({tuple(x) for x in res.x_iters}) == 3
    assert len(res.models) == 1  # fitted once the design is told, never used to propose


# ---------------------------------------------------------------- its parts
def test_warp_is_monotone_tames_a_heavy_tail_and_inverts():
    rng = np.random.RandomState(0)
    y = np.exp(3.0 * rng.normal(size=40))
    warp = TargetWarp.fit(y)
    w = warp.transform(y)
    order = np.argsort(y)
    assert np.all(np.diff(w[order]) > 0)
    # the largest value no longer dwarfs the rest
    z = (y - y.mean()) / y.std()
    wz = (w - w.mean()) / w.std()
    assert wz.max() < 3.0 < z.max()
    np.testing.assert_allclose(warp.inverse_transform(w), y, rtol=1e-9)
    # predictions beyond the warp's range map to its edge, never NaN
    assert np.all(np.isfinite(warp.inverse_transform(np.linspace(-50, 50, 11))))
    assert np.all(np.diff(warp.inverse_transform(np.linspace(w.min(), w.max(), 50))) > 0)
    np.testing.assert_array_equal(TargetWarp.fit([1.0, 2.0, 3.0]).transform([1.0, 2.0, 3.0]), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(TargetWarp.fit([4.0] * 6).transform([4.0] * 6), [4.0] * 6)


def test_log_ei_matches_log_of_ei_and_stays_finite_where_ei_underflows():
    mu = np.array([-1.0, 0.0, 1.0, 5.0, 30.0, 1e5])
    std = np.ones_like(mu)
    rng = np.random.RandomState(0)
    mg, sg = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    value, grad = _log_ei(mu, std, 0.0, 0.0, mg, sg)
    ei, ei_grad = _improvement(mu, std, 0.0, 0.0, "EI", mg, sg)
    ok = ei > 1e-300
    np.testing.assert_allclose(value[ok], np.log(ei[ok]), rtol=1e-9)
    np.testing.assert_allclose(grad[:4], ei_grad[:4] / ei[:4, None], rtol=1e-6)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    assert np.all(np.diff(value) < 0)  # worse means, lower log EI, even past underflow


def test_log_ei_acquisition_gradient_matches_finite_differences():
    rng = np.random.RandomState(3)
    X = rng.uniform(size=(12, 2))
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2
    gp = GaussianProcessRegressor(random_state=0).fit(X, y)
    x = np.array([[0.37, 0.61]])
    value, grad = _gaussian_acquisition(x, gp, y_opt=y.min(), acq_func="LogEI", return_grad=True)
    eps = 1e-6

    def acq(p):
        return _gaussian_acquisition(p, gp, y.min(), "LogEI")[0]

    fd = [(acq(x + eps * e) - acq(x - eps * e)) / (2 * eps) for e in np.eye(2)[:, None, :]]
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-6)


def test_length_scale_prior_grows_with_the_dimension():
    mean2, std = _length_scale_prior(2)
    mean8, _ = _length_scale_prior(8)
    assert mean8 - mean2 == pytest.approx(0.5 * np.log(4))
    assert std == pytest.approx(np.sqrt(3))
    gp = GaussianProcessRegressor(length_scale_prior=(mean2, std))
    X = np.random.RandomState(0).uniform(size=(6, 2))
    gp.fit(X, X[:, 0])
    np.testing.assert_allclose(gp._prior_means()[0][1:3], mean2)
    for bad in [(0.0, -1.0), 3.0, (0.0, 1.0, 2.0), (np.nan, 1.0)]:
        with pytest.raises(ValueError, match="length_scale_prior must be None or"):
            GaussianProcessRegressor(length_scale_prior=bad).fit(X, X[:, 0])


def test_gp_theta_start_resumes_the_search_from_a_previous_fit():
    rng = np.random.RandomState(1)
    X = rng.uniform(size=(30, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2
    fresh = GaussianProcessRegressor(random_state=0).fit(X, y)
    warm = GaussianProcessRegressor(theta_start=fresh.theta_, n_restarts_optimizer=0).fit(X, y)
    # started at the optimum, one search stays there
    np.testing.assert_allclose(warm.theta_, fresh.theta_, atol=1e-3)
    assert warm.log_marginal_likelihood_value_ >= fresh.log_marginal_likelihood_value_ - 1e-6
    # a start of the wrong length (another space) is ignored: the search starts at the prior
    other = GaussianProcessRegressor(theta_start=np.zeros(2), n_restarts_optimizer=0).fit(X, y)
    prior = GaussianProcessRegressor(n_restarts_optimizer=0).fit(X, y)
    np.testing.assert_allclose(other.theta_, prior.theta_)
    for bad in [np.array([0.0, np.nan, 0.0, 0.0, 0.0]), "abc", np.zeros((2, 2)), ["a", "b"]]:
        with pytest.raises(ValueError, match="theta_start must be None or"):
            GaussianProcessRegressor(theta_start=bad).fit(X, y)


def test_late_fits_start_from_the_last_hyperparameters():
    from asktell.auto import _FRESH_FIT_EVERY, _WARM_FIT_FROM, AutoOptimizer

    # four dimensions: the GP phase lasts 80 points (asktell._cma.handoff_at), past these 66
    opt = AutoOptimizer([(-2.0, 2.0)] * 4, n_initial_points=5, random_state=0)
    rng = np.random.RandomState(0)
    starts = {}
    for n in range(1, _WARM_FIT_FROM + _FRESH_FIT_EVERY + 2):
        x = list(rng.uniform(-2, 2, size=4))
        previous = getattr(opt._model, "theta_", None)
        opt.tell(x, _quadratic(x))
        if opt._model is None:
            continue
        params = opt._model.get_params()
        starts[n] = (params["theta_start"], params["n_restarts_optimizer"], previous)
    for n in (6, _WARM_FIT_FROM - 1, 64):  # fresh: too few points, or every 16th
        assert starts[n][0] is None and starts[n][1] == 1
    for n in (_WARM_FIT_FROM, 63, 65):
        start, restarts, previous = starts[n]
        np.testing.assert_array_equal(start, previous)
        assert restarts == 0


# ---------------------------------------------------------------- pinned trajectories
def _sphere(x):
    return float(sum((v - 0.3) ** 2 for v in x))


def _mixed(x):
    import math

    return float((x[0] - 3) ** 2 + (0.0 if x[1] == "b" else 1.0) + math.log10(x[2]) ** 2)


def _flaky(x):
    if x[0] > 1.0:
        return float("nan")
    return float((x[0] - 0.5) ** 2 + x[1] ** 2)


_PINNED = {
    "sphere_3d_warm_refits": (_sphere, [(-2.0, 2.0)] * 3, dict(n_calls=53, random_state=3)),
    "mixed_space": (_mixed, [Integer(0, 8), Categorical(["a", "b", "c"]), Real(1e-3, 1e2, prior="log-uniform")],
                    dict(n_calls=14, random_state=1)),
    "failures_recorded": (_flaky, [(-2.0, 2.0), (-1.0, 1.0)], dict(n_calls=12, random_state=0, on_error="record")),
}


@pytest.mark.parametrize("name", list(_PINNED))
def test_minimize_trajectory_is_the_one_before_autooptimizer_went_public(name):
    """The points `minimize` asks, as recorded from the private ``_AutoOptimizer`` (commit f64dbdc).

    Making the strategy public (`AutoOptimizer` from documented hooks of
    `Optimizer`) and the one run loop must not move a single point: 53
    calls in 3-D cover the warm refits from 50 points on.
    """
    import json
    from pathlib import Path

    pinned = json.loads((Path(__file__).parent / "data" / "minimize_trajectories.json").read_text())[name]
    func, dims, kwargs = _PINNED[name]
    res = asktell.minimize(func, dims, **kwargs)
    for got, want in zip(res.x_iters + res.failed, pinned["x_iters"] + pinned["failed"]):
        assert [g if isinstance(g, str) else pytest.approx(g, rel=1e-9, abs=1e-12) for g in got] == want
    assert (len(res.x_iters), len(res.failed)) == (len(pinned["x_iters"]), len(pinned["failed"]))


# ---------------------------------------------------------------- discrete structure (issue 18)
def test_ordered_numeric_choices_are_ranked_and_the_rest_stay_categorical():
    space = [Categorical([256, 4, 16, 64]), Categorical(["relu", "tanh", "elu"]), Categorical([0.1, 0.2]), (0.0, 1.0)]
    opt = asktell.AutoOptimizer(space, 3, random_state=0)
    assert [d.transform_ for d in opt.space.dimensions[:3]] == ["rank", "normalize", "normalize"]
    # ranks follow the values, not the order written; columns 1 and 2 stay compared by overlap
    assert opt.space.dimensions[0].transform([4, 16, 64, 256]).tolist() == [0.0, 1 / 3, 2 / 3, 1.0]
    assert opt.space.dimensions[0].inverse_transform([0.3, 0.95]) == [16, 256]
    assert opt.base_estimator_.categorical_dims == [1, 2]


def test_candidates_are_encoded_as_the_points_would_be():
    from asktell.auto import _cube_encoder, _value_tables

    space = [Categorical([1e-5, 1e-3, 1e-1]), Integer(4, 256, prior="log-uniform"), Integer(0, 10**6),
             Real(1e-4, 1.0, prior="log-uniform"), Categorical(["a", "b", "c"])]
    opt = asktell.AutoOptimizer(space, 3, random_state=0)
    cube = asktell.UnitCube(opt.space)
    U = np.random.RandomState(1).uniform(size=(500, cube.n_dims))
    np.testing.assert_allclose(_cube_encoder(opt.space, cube, _value_tables(opt.space))(U), opt.space.transform(cube.to_points(U)), atol=1e-12)


def _grid_objective(calls):
    def f(x):
        calls.append(tuple(x))
        return (x[0] - 2) ** 2 + {"a": 0.0, "b": 1.0, "c": 2.0, "d": 3.0}[x[1]]

    return f


def test_small_finite_space_tries_every_configuration_once_then_stops_with_one_warning():
    import warnings

    calls = []
    space = [Integer(1, 3), ["a", "b", "c", "d"]]  # 12 configurations
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = asktell.minimize(_grid_objective(calls), space, n_calls=16, random_state=0)
    assert len(calls) == 12 and len(set(calls)) == 12  # nothing wasted, nothing repeated
    assert [str(w.message) for w in caught] == [
        "every point of the space was evaluated or is pending: stopping after 12 calls"]
    assert res.x == [2, "a"] and res.fun == 0.0
    again = asktell.minimize(_grid_objective([]), space, n_calls=16, random_state=0)
    assert again.x_iters == res.x_iters


def test_small_finite_space_is_searched_exhaustively_by_the_acquisition():
    # 3 x 4 configurations: the candidates are exactly those not yet asked
    opt = asktell.AutoOptimizer([Integer(1, 3), ["a", "b", "c", "d"]], 5, random_state=0)
    f = _grid_objective([])
    for _ in range(7):
        x = opt.ask()
        opt.tell(x, f(x))
    rows = opt.candidates(opt, np.random.RandomState(0))
    asked = {tuple(x) for x in opt.Xi}
    assert len(rows) == 12 - 7
    assert {tuple(p) for p in opt.space.inverse_transform(rows)} == {
        (i, c) for i in (1, 2, 3) for c in "abcd"} - asked


def test_warm_refit_searches_every_fourth_point_on_discrete_spaces_only():
    from asktell.auto import WarmRefit

    assert asktell.AutoOptimizer([(0.0, 1.0)] * 2).refit_policy.search_every == 1
    assert asktell.AutoOptimizer([(0.0, 1.0), Integer(1, 5)]).refit_policy.search_every == 4
    model = GaussianProcessRegressor().fit(np.random.RandomState(0).uniform(size=(6, 2)), np.arange(6.0))
    policy = WarmRefit(search_every=4)
    assert policy(10, model)["optimizer"] == "L-BFGS-B"  # before 50 points: always a (fresh) search
    assert policy(52, model)["optimizer"] == "L-BFGS-B"
    assert policy(53, model)["optimizer"] is None and policy(53, model)["theta_start"] is model.theta_
    assert policy(64, model) == {"theta_start": None, "n_restarts_optimizer": 1, "optimizer": "L-BFGS-B"}


def test_gp_without_search_keeps_theta_start():
    rng = np.random.RandomState(0)
    X, y = rng.uniform(size=(20, 2)), rng.normal(size=20)
    searched = GaussianProcessRegressor(random_state=0).fit(X, y)
    fixed = GaussianProcessRegressor(theta_start=searched.theta_, optimizer=None).fit(X, y[::-1])
    np.testing.assert_array_equal(fixed.theta_, searched.theta_)
    with pytest.raises(ValueError, match="optimizer"):
        GaussianProcessRegressor(optimizer="adam").fit(X, y)
