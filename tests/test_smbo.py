"""scikit-optimize's minimize functions (asktell.smbo) and the drop-in API around them."""

import importlib
import math
import pickle

import numpy as np
import pytest

import asktell as skopt
from asktell import Categorical, Integer, Optimizer, Real
from asktell.benchmarks import bench1, bench1_with_time, branin
from asktell.smbo import base_minimize, dummy_minimize, forest_minimize, gbrt_minimize, gp_minimize

QUICK = {"n_points": 200, "n_restarts_optimizer": 2}
SPACE = [Real(-5.0, 10.0, name="a"), Real(0.0, 15.0, name="b")]
MIXED = [Real(-2.0, 2.0, name="x"), Integer(1, 6, name="k"), Categorical(["u", "v", "w"], name="c"),
         Categorical(["no", "yes"], name="flag")]


def mixed_objective(p):
    return (p[0] - 0.5) ** 2 + abs(p[1] - 3) + {"u": 1.0, "v": 0.0, "w": 2.0}[p[2]] + (p[3] == "yes")


class Counter:
    """An objective that records where it was called."""

    def __init__(self, func):
        self.func, self.calls = func, []

    def __call__(self, x):
        self.calls.append(list(x))
        return self.func(x)


# ---------------------------------------------------------------- x0 / y0 / n_calls accounting
def test_x0_without_y0_is_evaluated_first_and_counts_against_n_calls():
    f = Counter(branin)
    x0 = [[0.0, 1.0], [5.0, 5.0]]
    res = gp_minimize(f, SPACE, n_calls=8, n_initial_points=3, x0=x0, random_state=0, **QUICK)
    assert len(f.calls) == 8 and len(res.func_vals) == 8
    assert f.calls[:2] == x0 and res.x_iters[:2] == x0
    assert list(res.func_vals[:2]) == [branin(x) for x in x0]


def test_single_point_x0_and_scalar_y0():
    f = Counter(branin)
    res = gp_minimize(f, SPACE, n_calls=5, n_initial_points=2, x0=[1.0, 2.0], random_state=0, **QUICK)
    assert f.calls[0] == [1.0, 2.0] and len(f.calls) == 5
    f = Counter(branin)
    res = gp_minimize(f, SPACE, n_calls=5, n_initial_points=2, x0=[1.0, 2.0], y0=-7.0, random_state=0, **QUICK)
    assert [1.0, 2.0] not in f.calls and len(f.calls) == 5
    assert res.x_iters[0] == [1.0, 2.0] and res.func_vals[0] == -7.0 and res.fun == -7.0


def test_x0_with_y0_is_free_and_counts_as_initial_points():
    f = Counter(branin)
    x0 = [[0.0, 1.0], [5.0, 5.0], [9.0, 2.0]]
    y0 = [branin(x) for x in x0]
    res = gp_minimize(f, SPACE, n_calls=6, n_initial_points=2, x0=x0, y0=y0, random_state=0,
                      model_queue_size=math.inf, **QUICK)
    # x0 is never evaluated: n_calls calls follow, and the result holds all of them
    assert len(f.calls) == 6 and not any(x in f.calls for x in x0)
    assert len(res.func_vals) == 9 and res.x_iters[:3] == x0
    # the model is first fitted once x0 and the n_initial_points random points are told,
    # then refitted after every call: 6 - 2 + 1 fits
    assert len(res.models) == 5


def test_n_initial_points_zero_with_x0_uses_the_model_at_once():
    res = gp_minimize(branin, SPACE, n_calls=3, n_initial_points=0, x0=[[0.0, 1.0], [5.0, 5.0]],
                      y0=[branin([0.0, 1.0]), branin([5.0, 5.0])], random_state=0, model_queue_size=math.inf,
                      **QUICK)
    assert len(res.models) == 4  # fitted on x0, then after each of the 3 calls
    with pytest.raises(ValueError, match="n_initial_points"):
        gp_minimize(branin, SPACE, n_calls=3, n_initial_points=0)


@pytest.mark.parametrize(
    "kwargs, ok_calls",
    [({"n_initial_points": 5}, 5), ({"n_initial_points": 4, "x0": [[0.0, 1.0], [2.0, 2.0]]}, 6),
     ({"n_initial_points": 4, "x0": [[0.0, 1.0], [2.0, 2.0]], "y0": [1.0, 2.0]}, 4)],
)
def test_n_calls_smaller_than_the_initial_points(kwargs, ok_calls):
    f = Counter(branin)
    with pytest.raises(ValueError, match=f"n_calls={ok_calls - 1}.*{ok_calls}"):
        base_minimize(f, SPACE, "DUMMY", n_calls=ok_calls - 1, **kwargs)
    assert f.calls == []
    res = base_minimize(f, SPACE, "DUMMY", n_calls=ok_calls, **kwargs)
    assert len(f.calls) == ok_calls and len(res.func_vals) == ok_calls + len(kwargs.get("y0", []))


def test_call_accounting_matches_scikit_optimize():
    skopt_ = pytest.importorskip("skopt", reason="the dev extra installs scikit-optimize for this parity check")
    x0 = [[0.0, 1.0], [5.0, 5.0]]
    for extra in ({}, {"x0": x0}, {"x0": x0, "y0": [1.0, 2.0]}, {"x0": x0[0]}, {"x0": x0[0], "y0": 1.0}):
        counts = []
        for lib in (skopt_, skopt):
            f = Counter(branin)
            res = lib.gp_minimize(f, [(-5.0, 10.0), (0.0, 15.0)], n_calls=5, n_initial_points=2, random_state=0,
                                  n_points=100, n_restarts_optimizer=1, **extra)
            counts.append((len(f.calls), len(res.func_vals), [list(map(float, x)) for x in res.x_iters[:2]]))
        assert counts[0][:2] == counts[1][:2]
        n_x0 = 0 if "x0" not in extra else 1 if extra["x0"] is x0[0] else 2
        assert counts[0][2][:n_x0] == counts[1][2][:n_x0]


# ---------------------------------------------------------------- callbacks
def test_callback_returning_true_stops_the_run():
    f = Counter(branin)
    seen = []

    def stop_after_four(res):
        seen.append(len(res.func_vals))
        return len(res.func_vals) >= 4

    res = gp_minimize(f, SPACE, n_calls=10, n_initial_points=2, callback=[stop_after_four], random_state=0, **QUICK)
    assert len(f.calls) == 4 and len(res.func_vals) == 4 and seen == [1, 2, 3, 4]


def test_callback_after_x0_can_stop_before_any_call():
    f = Counter(branin)
    calls = []
    res = base_minimize(f, SPACE, "DUMMY", n_calls=5, n_initial_points=2, x0=[[0.0, 1.0]], y0=[4.0],
                        callback=lambda r: calls.append(len(r.func_vals)) or True)
    assert f.calls == [] and calls == [1] and list(res.func_vals) == [4.0]


def test_callback_false_or_none_keeps_going_and_bad_callback_is_rejected():
    f = Counter(branin)
    res = dummy_minimize(f, SPACE, n_calls=6, random_state=0, callback=[lambda r: None, lambda r: False])
    assert len(f.calls) == 6 and len(res.func_vals) == 6
    with pytest.raises(ValueError, match="callback"):
        dummy_minimize(f, SPACE, n_calls=6, callback=3)


def test_stopper_callbacks_stop_the_run():
    from asktell.callbacks import DeltaYStopper, HollowIterationsStopper, ThresholdStopper

    res = dummy_minimize(branin, SPACE, n_calls=60, random_state=0, callback=ThresholdStopper(5.0))
    assert res.func_vals[-1] <= 5.0 and np.all(res.func_vals[:-1] > 5.0)
    res = dummy_minimize(branin, SPACE, n_calls=60, random_state=0, callback=HollowIterationsStopper(3, 0.0))
    cm = np.minimum.accumulate(res.func_vals)
    assert len(res.func_vals) < 60 and cm[-4] == cm[-1]
    res = dummy_minimize(lambda x: 1.0, SPACE, n_calls=60, random_state=0, callback=DeltaYStopper(0.1, n_best=3))
    assert len(res.func_vals) == 3


def test_verbose_prints_each_call(capsys):
    gp_minimize(branin, SPACE, n_calls=4, n_initial_points=2, x0=[0.0, 1.0], verbose=True, random_state=0, **QUICK)
    out = capsys.readouterr().out
    assert out.count("Iteration No:") == 8 and "at provided point" in out and "at random point" in out
    assert "Searching for the next optimal point" in out


# ---------------------------------------------------------------- model_queue_size, n_random_starts
def test_model_queue_size_bounds_the_models_kept():
    kept = gp_minimize(branin, SPACE, n_calls=8, n_initial_points=2, model_queue_size=2, random_state=0, **QUICK)
    assert len(kept.models) == 2
    default = forest_minimize(branin, SPACE, n_calls=25, n_initial_points=2, random_state=0, n_points=100)
    assert len(default.models) == skopt.optimizer.DEFAULT_MODEL_QUEUE_SIZE == 20
    # the models kept are the latest: the last one saw every point
    assert default.models[-1].n_features_in_ == 2 and max(len(t.tree_.value) for t in default.models[-1].estimators_) > 1
    with pytest.raises(ValueError, match="model_queue_size"):
        gp_minimize(branin, SPACE, n_calls=8, n_initial_points=2, model_queue_size=-1)


def test_n_random_starts_is_a_deprecated_alias():
    with pytest.warns(DeprecationWarning, match="n_random_starts"):
        res = gp_minimize(branin, SPACE, n_calls=6, n_random_starts=4, random_state=0,
                          model_queue_size=math.inf, **QUICK)
    assert len(res.models) == 3  # 4 random points, then the model: fits after calls 4, 5, 6
    with pytest.warns(DeprecationWarning):
        with pytest.raises(ValueError, match="n_calls"):
            gp_minimize(branin, SPACE, n_calls=3, n_random_starts=4)


# ---------------------------------------------------------------- acquisition functions and estimators
@pytest.mark.parametrize("acq_func", ["EI", "PI", "LCB", "gp_hedge", "EIps", "PIps"])
@pytest.mark.parametrize("acq_optimizer", ["sampling", "lbfgs"])
def test_each_acquisition_finds_the_minimum(acq_func, acq_optimizer):
    func = bench1_with_time if acq_func.endswith("ps") else bench1
    res = gp_minimize(func, [(-2.0, 2.0)], n_calls=12, n_initial_points=4, acq_func=acq_func,
                      acq_optimizer=acq_optimizer, random_state=1, **QUICK)
    assert res.fun < 0.01
    assert len(res.x_iters) == 12 and len({tuple(x) for x in res.x_iters}) == 12
    if acq_func.endswith("ps"):
        assert np.allclose(np.exp(res.log_time), 2.22)


def test_xi_and_kappa_reach_the_acquisition():
    def run(**kw):
        return gp_minimize(branin, SPACE, n_calls=7, n_initial_points=4, acq_func="LCB", random_state=0,
                           **QUICK, **kw).x_iters

    explore, exploit = run(kappa="inf"), run(kappa=0.0)
    assert explore[:4] == exploit[:4] and explore[4:] != exploit[4:]
    a = gp_minimize(branin, SPACE, n_calls=7, n_initial_points=4, acq_func="PI", xi=0.0, random_state=0, **QUICK)
    b = gp_minimize(branin, SPACE, n_calls=7, n_initial_points=4, acq_func="PI", xi=50.0, random_state=0, **QUICK)
    assert a.x_iters[:4] == b.x_iters[:4] and a.x_iters[4:] != b.x_iters[4:]
    assert a.specs["args"]["xi"] == 0.0


@pytest.mark.parametrize(
    "minimize, kwargs",
    [
        (gp_minimize, {"n_points": 200, "n_restarts_optimizer": 2}),
        (forest_minimize, {"base_estimator": "RF", "n_points": 200}),
        (forest_minimize, {"base_estimator": "ET", "n_points": 200}),
        (gbrt_minimize, {"n_points": 200}),
        (dummy_minimize, {}),
    ],
)
def test_each_minimizer_on_a_mixed_space_with_a_binary_category(minimize, kwargs):
    res = minimize(mixed_objective, MIXED, n_calls=16, random_state=0, **kwargs)
    assert len(res.func_vals) == 16 and res.fun < 2.5
    assert [type(v) for v in res.x] == [float, int, str, str]
    assert len({tuple(x) for x in res.x_iters}) == 16
    if minimize is not dummy_minimize:
        assert len(res.models) == 16 - 10 + 1


@pytest.mark.parametrize("estimator", ["GP", "RF", "ET", "GBRT", "DUMMY", "gp", "et"])
def test_base_minimize_takes_each_estimator_string(estimator):
    acq_optimizer = "lbfgs" if estimator.upper() == "GP" else "sampling"
    res = base_minimize(mixed_objective, MIXED, estimator, n_calls=13, n_initial_points=5,
                        acq_optimizer=acq_optimizer, random_state=2, **QUICK)
    assert len(res.func_vals) == 13
    if estimator.upper() != "DUMMY":
        assert len(res.models) == 13 - 5 + 1
        mu, std = res.models[-1].predict(res.space.transform(res.x_iters[:3]), return_std=True)
        assert mu.shape == (3,) and np.all(std >= 0)


def test_any_regressor_with_return_std_is_a_base_estimator():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import Matern

    gp = GaussianProcessRegressor(Matern(nu=2.5), normalize_y=True, alpha=1e-6)
    res = base_minimize(branin, SPACE, gp, n_calls=10, n_initial_points=4, acq_optimizer="sampling",
                        random_state=0, **QUICK)
    assert isinstance(res.models[-1], GaussianProcessRegressor) and len(res.models) == 7
    assert gp is not res.models[-1]  # the estimator passed in is cloned, never fitted in place


# ---------------------------------------------------------------- reproducibility
@pytest.mark.parametrize(
    "minimize, kwargs",
    [(gp_minimize, QUICK), (forest_minimize, {"n_points": 200}), (gbrt_minimize, {"n_points": 200}),
     (dummy_minimize, {})],
)
def test_same_random_state_same_trajectory(minimize, kwargs):
    a = minimize(mixed_objective, MIXED, n_calls=13, random_state=4, **kwargs)
    b = minimize(mixed_objective, MIXED, n_calls=13, random_state=4, **kwargs)
    c = minimize(mixed_objective, MIXED, n_calls=13, random_state=5, **kwargs)
    assert a.x_iters == b.x_iters and list(a.func_vals) == list(b.func_vals)
    assert a.x_iters != c.x_iters


def test_random_state_instance_is_reproducible_too():
    a = gp_minimize(branin, SPACE, n_calls=7, n_initial_points=3, random_state=np.random.RandomState(9), **QUICK)
    b = gp_minimize(branin, SPACE, n_calls=7, n_initial_points=3, random_state=np.random.RandomState(9), **QUICK)
    assert a.x_iters == b.x_iters


def test_shorter_run_is_a_prefix_of_a_longer_one():
    short = gp_minimize(branin, SPACE, n_calls=7, n_initial_points=3, random_state=3, **QUICK)
    long = gp_minimize(branin, SPACE, n_calls=10, n_initial_points=3, random_state=3, **QUICK)
    assert long.x_iters[:7] == short.x_iters


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), [1.0, 2.0], "1.0", None])
def test_bad_objective_value_raises_naming_the_objective(bad):
    f = Counter(lambda x: bad if len(f.calls) == 3 else branin(x))
    with pytest.raises(ValueError, match="objective returned"):
        gp_minimize(f, SPACE, n_calls=6, n_initial_points=2, random_state=0, **QUICK)
    assert len(f.calls) == 3


def test_bad_values_recorded_as_failed_are_never_the_best():
    def f(x):
        return float("nan") if x[0] > 2.5 else branin(x)

    res = gp_minimize(f, SPACE, n_calls=14, n_initial_points=5, random_state=0, on_error="record", **QUICK)
    n_failed = len(res.failed)
    assert n_failed > 0 and len(res.func_vals) + n_failed == 14
    assert np.all(np.isfinite(res.func_vals)) and res.fun == min(res.func_vals) and res.x[0] <= 2.5
    assert all(x[0] > 2.5 for x in res.failed) and not any(x in res.x_iters for x in res.failed)


def test_objective_that_raises_propagates_or_is_recorded():
    def f(x):
        if x[1] > 7.5:
            raise RuntimeError("simulation diverged")
        return branin(x)

    with pytest.raises(RuntimeError, match="diverged"):
        dummy_minimize(f, SPACE, n_calls=20, random_state=0)
    res = dummy_minimize(f, SPACE, n_calls=20, random_state=0, on_error="record")
    assert len(res.failed) + len(res.func_vals) == 20 and len(res.failed) > 0
    with pytest.raises(ValueError, match="on_error"):
        dummy_minimize(f, SPACE, n_calls=20, on_error="ignore")


def test_create_result_never_picks_nan_or_inf():
    from asktell.utils import create_result

    res = create_result([[0.0], [1.0], [2.0], [3.0]], [float("nan"), 2.0, -float("inf"), 1.0])
    assert res.x == [3.0] and res.fun == 1.0
    with pytest.raises(ValueError, match="finite"):
        create_result([[0.0]], [float("nan")])
    with pytest.raises(ValueError, match="Xi"):
        create_result([[0.0]], [1.0, 2.0])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"x0": [20.0, 1.0]}, "x0"),
        ({"x0": [[0.0, 1.0], [1.0, 99.0]]}, r"x0\[1\]"),
        ({"x0": [0.0]}, "x0"),
        ({"x0": [[0.0, 1.0], [1.0, 2.0]], "y0": [1.0]}, "x0 and y0"),
        ({"x0": [[0.0, 1.0]], "y0": [float("nan")]}, r"y0\[0\]"),
        ({"x0": [[0.0, 1.0]], "y0": "abc"}, "y0"),
        ({"n_calls": 3}, "n_calls"),
        ({"n_calls": -1}, "n_calls"),
        ({"n_initial_points": 2.5}, "n_initial_points"),
        ({"acq_func": "UCB"}, "acq_func"),
        ({"acq_optimizer": "adam"}, "acq_optimizer"),
        ({"base_estimator": "SVM"}, "base_estimator"),
        ({"base_estimator": object()}, "base_estimator"),
        ({"xi": "big"}, "xi"),
        ({"kappa": -2}, "kappa"),
        ({"n_points": 0}, "n_points"),
    ],
)
def test_bad_arguments_raise_before_any_call(kwargs, match):
    f = Counter(branin)
    kwargs = {"n_calls": 6, "n_initial_points": 4, "random_state": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        gp_minimize(f, SPACE, **kwargs)
    assert f.calls == []


def test_func_must_be_callable():
    with pytest.raises(TypeError, match="func"):
        gp_minimize(3.0, SPACE, n_calls=5)


def test_estimator_that_cannot_do_lbfgs_says_so():
    with pytest.raises(ValueError, match="sampling"):
        base_minimize(branin, SPACE, "RF", n_calls=5, n_initial_points=2, acq_optimizer="lbfgs")


# ---------------------------------------------------------------- what skopt users complained about
def test_dump_and_load_a_result_of_a_lambda_objective(tmp_path):
    res = gp_minimize(lambda x: (x[0] - 1.0) ** 2, [(-2.0, 2.0)], n_calls=6, n_initial_points=3,
                      callback=[lambda r: None], random_state=0, **QUICK)
    path = tmp_path / "res.pkl"
    with pytest.warns(UserWarning, match="func"):
        skopt.dump(res, str(path))
    back = skopt.load(str(path))
    assert back.x == res.x and back.fun == res.fun and back.x_iters == res.x_iters
    assert "lambda" in repr(back.specs["args"]["func"])
    # the model survives: the loaded result still predicts
    assert np.allclose(back.models[-1].predict([[0.5]]), res.models[-1].predict([[0.5]]))
    skopt.dump(res, str(path), store_objective=False)
    assert "func" not in skopt.load(str(path)).specs["args"]
    pickle.dumps(back)


def test_results_hold_plain_python_values():
    space = [Integer(1, 9, name="n"), Real(0.0, 1.0, name="r"), Categorical([1, 2, 3], name="c")]
    res = gp_minimize(lambda p: (p[0] - 4) ** 2 + p[1] + p[2], space, n_calls=12, n_initial_points=4,
                      random_state=0, **QUICK)
    assert type(res.fun) is float
    assert [type(v) for v in res.x] == [int, float, int]
    assert all([type(v) for v in x] == [int, float, int] for x in res.x_iters)
    x, fun = skopt.expected_minimum(res, n_random_starts=3, random_state=0)
    assert [type(v) for v in x] == [int, float, int] and type(fun) is float


def test_never_proposes_a_point_twice_on_a_small_integer_space():
    res = gp_minimize(lambda p: (p[0] - 3) ** 2 + (p[1] - 1) ** 2, [Integer(0, 4), Integer(0, 3)], n_calls=20,
                      n_initial_points=4, random_state=0, **QUICK)
    assert len({tuple(x) for x in res.x_iters}) == 20


def test_categories_are_modelled_as_categories():
    opt = Optimizer([Categorical(["a", "b", "c", "d"]), Real(0.0, 1.0)], n_initial_points=4, random_state=0,
                    acq_optimizer_kwargs=QUICK)
    gp = opt.base_estimator_
    assert list(gp.categorical_dims) == [0]
    # equal distance between any two categories: the codes' order carries no meaning
    opt.tell([["a", 0.5], ["b", 0.5], ["c", 0.5], ["d", 0.5]], [0.0, 1.0, 1.0, 1.0])
    opt.tell(["a", 0.1], 0.1)
    m = opt.models[-1]
    K = m._sq_dist(opt.space.transform([["a", 0.5]]), opt.space.transform([["b", 0.5], ["c", 0.5], ["d", 0.5]]),
                   m.length_scale_)
    assert np.allclose(K, K[0, 0])


# ---------------------------------------------------------------- drop-in module paths
@pytest.mark.parametrize(
    "path",
    [
        "Optimizer", "gp_minimize", "forest_minimize", "gbrt_minimize", "dummy_minimize", "base_minimize",
        "Space", "Real", "Integer", "Categorical", "dump", "load", "expected_minimum",
        "expected_minimum_random_sampling", "space.Real", "space.Space", "space.check_dimension",
        "sampler.Sobol", "sampler.Lhs", "sampler.Halton", "sampler.Hammersly", "sampler.Grid",
        "learning.GaussianProcessRegressor", "learning.RandomForestRegressor", "learning.ExtraTreesRegressor",
        "learning.GradientBoostingQuantileRegressor", "learning.gaussian_process.kernels.Matern",
        "acquisition.gaussian_ei", "acquisition.gaussian_pi", "acquisition.gaussian_lcb",
        "acquisition.gaussian_acquisition_1D", "callbacks.VerboseCallback", "callbacks.TimerCallback",
        "callbacks.DeltaXStopper", "callbacks.DeltaYStopper", "callbacks.DeadlineStopper",
        "callbacks.HollowIterationsStopper", "callbacks.ThresholdStopper", "callbacks.CheckpointSaver",
        "callbacks.EarlyStopper", "utils.use_named_args", "utils.point_asdict", "utils.point_aslist",
        "utils.dimensions_aslist", "utils.cook_estimator", "utils.cook_initial_point_generator",
        "utils.create_result", "utils.normalize_dimensions", "utils.expected_minimum", "utils.dump",
        "benchmarks.branin", "benchmarks.hart6", "benchmarks.bench1", "benchmarks.bench2",
        "benchmarks.bench3", "benchmarks.bench4", "benchmarks.bench5", "optimizer.Optimizer",
        "optimizer.gp_minimize", "optimizer.base_minimize",
    ],
)
def test_drop_in_path(path):
    obj = skopt
    for i, part in enumerate(path.split(".")):
        if not hasattr(obj, part):
            obj = importlib.import_module(f"asktell.{'.'.join(path.split('.')[: i + 1])}")
        else:
            obj = getattr(obj, part)
    assert callable(obj)


def test_drop_in_utilities_behave_as_skopt_documents():
    from asktell.utils import cook_estimator, cook_initial_point_generator, point_asdict, point_aslist

    space = {"lr": Real(1e-4, 1.0, prior="log-uniform"), "depth": Integer(1, 8), "act": Categorical(["a", "b"])}
    assert point_asdict(space, [["a", "b"][1], 3, 0.1]) == {"act": "b", "depth": 3, "lr": 0.1}
    assert point_aslist(space, {"lr": 0.1, "depth": 3, "act": "b"}) == ["b", 3, 0.1]
    rf = cook_estimator("RF")
    rf.fit([[0.0], [1.0], [2.0], [3.0]], [0.0, 1.0, 4.0, 9.0])
    assert len(rf.predict([[1.5]], return_std=True)) == 2
    assert cook_estimator("DUMMY") is None
    assert type(cook_initial_point_generator("sobol")).__name__ == "Sobol"
    lhs = cook_initial_point_generator("lhs", criterion="maximin")
    assert lhs.criterion == "maximin"
    with pytest.raises(ValueError, match="base_estimator"):
        cook_estimator("SVM")


def test_benchmark_functions_at_their_known_minima():
    from asktell.benchmarks import BRANIN_MIN, HART6_MIN, ackley, hart6, rosenbrock

    for x in ([-math.pi, 12.275], [math.pi, 2.275], [9.42478, 2.475]):
        assert branin(x) == pytest.approx(BRANIN_MIN, abs=1e-5)
    assert hart6([0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]) == pytest.approx(HART6_MIN, abs=1e-4)
    assert ackley([0.0] * 10) == pytest.approx(0.0, abs=1e-12) and ackley([1.0] * 10) > 3
    assert rosenbrock([1.0] * 10) == 0.0 and rosenbrock([0.0] * 10) == 9.0


def test_use_named_args_with_gp_minimize():
    dims = [Real(-5.0, 10.0, name="a"), Real(0.0, 15.0, name="b")]

    @skopt.utils.use_named_args(dims)
    def objective(a, b):
        assert type(a) is float and type(b) is float
        return branin([a, b])

    res = gp_minimize(objective, dims, n_calls=5, n_initial_points=3, random_state=0, **QUICK)
    assert res.fun == min(branin(x) for x in res.x_iters)
