"""Every registered optlib through the same contract, plus the registry and the method spaces."""

import math
import sys
import types

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import Matern

from asktell import Categorical, Integer, Real, Space
from asktell.hyper import (
    HyperOptimizer,
    HyperOptLib,
    get_optlib,
    list_optlibs,
    make_optlib,
    method_spaces,
    register_optlib,
)
from asktell.hyper.optlib import _OPTLIBS

OPTLIBS = list_optlibs()
#: options that keep each optlib fast enough for unit tests (defaults otherwise)
#: (bayes: a Gaussian process whose kernel is not re-fitted, cheap acquisition)
FAST = {
    "bayes": dict(
        base_estimator=GaussianProcessRegressor(Matern(0.3, nu=2.5), optimizer=None, normalize_y=True, alpha=1e-6),
        n_initial_points=8,
        acq_func="EI",
        acq_optimizer="sampling",
        acq_optimizer_kwargs={"n_points": 200},
    ),
    "auto": dict(n_initial_points=8),  # the default's GP from the 9th trial of a method on
}

SPACE = {
    "greedy": {
        "random_strength": {"type": "FLOAT_EXP", "min": 0.01, "max": 1.0},
        "temperature": {"type": "FLOAT", "min": 0.0, "max": 1.0},
        "costmod": {"type": "INT", "min": 1, "max": 4},
    },
    "labels": {
        "mode": {"type": "STRING", "options": ["direct", "recursive", "mixed"]},
        "sweep": {"type": "BOOL"},
        "x": Real(-1.0, 1.0),
    },
    "one": Space([Integer(0, 9, name="k")]),
    "plain": {},
}
METHODS = list(SPACE)


def _check_setting(setting):
    method, params = setting["method"], setting["params"]
    assert method in METHODS
    space = method_spaces(METHODS, SPACE)[method]
    if space is None:
        assert params == {}
        return
    assert list(params) == space.dimension_names
    space.check_point(space.from_params(params), param="params")
    for v in params.values():
        assert type(v) in (float, int, str, bool), f"{v!r} is a {type(v)}"


def _score(method, params):
    """Method offsets 0 / 4 / 8 / 12, plus a smooth term in the parameters."""
    base = {"greedy": 0.0, "labels": 4.0, "one": 8.0, "plain": 12.0}[method]
    if method == "greedy":
        return base + (math.log10(params["random_strength"]) + 1) ** 2 + params["costmod"] / 4
    if method == "labels":
        return base + params["x"] ** 2 + (params["mode"] != "mixed")
    if method == "one":
        return base + abs(params["k"] - 3) / 3
    return base


@pytest.mark.parametrize("name", OPTLIBS)
def test_settings_lie_in_their_method_space(name, no_thread_leak):
    optlib = make_optlib(name, METHODS, SPACE, random_state=0, **FAST.get(name, {}))
    try:
        for _ in range(30):
            setting = optlib.get_setting()
            _check_setting(setting)
            optlib.report_result(setting, {}, _score(setting["method"], setting["params"]))
    finally:
        optlib.cleanup()


@pytest.mark.parametrize("name", OPTLIBS)
def test_pre_dispatched_settings_reported_in_any_order(name, no_thread_leak):
    driver = types.SimpleNamespace(pre_dispatch=6, max_trials=60)
    optlib = make_optlib(name, METHODS, SPACE, optimizer=driver, random_state=1, **FAST.get(name, {}))
    try:
        rng = np.random.RandomState(0)
        for _ in range(6):
            batch = [optlib.get_setting() for _ in range(6)]
            for i in rng.permutation(6):
                _check_setting(batch[i])
                optlib.report_result(batch[i], {}, _score(batch[i]["method"], batch[i]["params"]))
        seen = {s["method"] for s in batch}
        assert seen  # something was asked in the last round
    finally:
        optlib.cleanup()
        optlib.cleanup()  # idempotent


@pytest.mark.parametrize("name", OPTLIBS)
def test_failed_and_nan_results_do_not_corrupt(name, no_thread_leak):
    optlib = make_optlib(name, METHODS, SPACE, random_state=2, **FAST.get(name, {}))
    try:
        for i in range(40):
            setting = optlib.get_setting()
            _check_setting(setting)
            score = [math.inf, math.nan][i % 2] if i % 3 == 0 else _score(setting["method"], setting["params"])
            optlib.report_result(setting, {}, score)
        assert all(not math.isnan(b) for b in optlib.selector.best)
        assert min(optlib.selector.best) < math.inf
    finally:
        optlib.cleanup()


@pytest.mark.parametrize("name", OPTLIBS)
def test_same_seed_same_settings(name, no_thread_leak):
    def run(seed):
        optlib = make_optlib(name, METHODS, SPACE, random_state=seed, **FAST.get(name, {}))
        out = []
        try:
            for _ in range(25):
                setting = optlib.get_setting()
                out.append((setting["method"], setting["params"]))
                optlib.report_result(setting, {}, _score(setting["method"], setting["params"]))
        finally:
            optlib.cleanup()
        return out

    assert run(7) == run(7)
    assert run(7) != run(8)


@pytest.mark.parametrize("name", OPTLIBS)
def test_trials_concentrate_on_the_best_method(name, no_thread_leak):
    opt = HyperOptimizer(METHODS, SPACE, optlib=name, max_trials=60, random_state=0, **FAST.get(name, {}))
    best = opt.run(lambda method, **p: _score(method, p))
    counts = {m: sum(t.info["method"] == m for t in opt.trials) for m in METHODS}
    assert counts["greedy"] >= 40, counts
    assert best.method == "greedy" and best.score < 1.0


@pytest.mark.parametrize("name", OPTLIBS)
def test_unknown_option_is_named(name, no_thread_leak):
    try:
        # an optlib that forwards its options (scipy's keywords) fails at the first setting
        optlib = make_optlib(name, METHODS, SPACE, bogus=1)
    except TypeError as exc:
        assert "bogus" in str(exc)
        return
    try:
        with pytest.raises(TypeError, match="bogus"):
            for _ in range(len(METHODS)):
                optlib.get_setting()
    finally:
        optlib.cleanup()


# ---------------------------------------------------------------- registry
def test_unknown_optlib_lists_registered_names():
    with pytest.raises(ValueError, match=r"unknown optlib 'nope'.*'random'"):
        get_optlib("nope")
    with pytest.raises(ValueError, match="unknown optlib"):
        HyperOptimizer(METHODS, SPACE, optlib="nope", max_trials=2).run(lambda m, **p: 0.0)


def test_register_optlib_validates():
    with pytest.raises(TypeError, match="HyperOptLib subclass"):
        register_optlib("x", object)
    with pytest.raises(TypeError, match="defaults"):
        register_optlib("x", HyperOptLib, defaults=[1])
    with pytest.raises(TypeError, match="optlib must be"):
        make_optlib(42, METHODS, SPACE)


class _RoundRobin(HyperOptLib):
    """A user optlib: methods in turn, each parameter at its lower bound."""

    def setup(self, methods, space, optimizer=None, start=0):
        self.spaces = method_spaces(methods, space)
        self.i = start
        self.reported = []

    def get_setting(self):
        method = list(self.spaces)[self.i % len(self.spaces)]
        self.i += 1
        space = self.spaces[method]
        params = {} if space is None else {d.name: d.bounds[0] for d in space}
        return {"method": method, "params": params}

    def report_result(self, setting, trial, score):
        self.reported.append((setting["method"], score))


def test_a_registered_user_optlib_drives_the_hyper_optimizer():
    register_optlib("round-robin", _RoundRobin, defaults={"start": 1})
    try:
        assert "round-robin" in list_optlibs()
        opt = HyperOptimizer(METHODS, SPACE, optlib="round-robin", max_trials=8)
        opt.run(lambda method, **p: _score(method, p))
        assert [t.info["method"] for t in opt.trials] == (METHODS[1:] + METHODS[:1]) * 2
        assert [m for m, _ in opt.optlib_.reported] == [t.info["method"] for t in opt.trials]
    finally:
        del _OPTLIBS["round-robin"]


# ---------------------------------------------------------------- method spaces
def test_method_spaces_accepts_every_form():
    spaces = method_spaces({"a": Space([Real(0, 1, name="x")]), "b": {"n": (1, 5)}, "c": [Categorical(["x", "y"], name="c")], "d": {}})
    assert spaces["a"].dimension_names == ["x"]
    assert isinstance(spaces["b"]["n"], Integer)
    assert spaces["c"].dimension_names == ["c"]
    assert spaces["d"] is None
    # methods select from a larger space (as cotengra passes its whole registry)
    assert list(method_spaces(["b"], {"a": {}, "b": {"n": (1, 5)}})) == ["b"]


@pytest.mark.parametrize(
    "methods, space, exc, match",
    [
        (["a"], {"b": {}}, ValueError, "no entry for method 'a'"),
        ([], {}, ValueError, "must not be empty"),
        (["a", "a"], {"a": {}}, ValueError, "distinct"),
        ("a", {"a": {}}, TypeError, "sequence of method names"),
        (["a"], [1], TypeError, "space must be a dict"),
        (["a"], {"a": {"x": {"type": "FLOAT"}}}, ValueError, "space of method 'a'"),
        ({"a": {}}, {"a": {}}, ValueError, "not both"),
    ],
)
def test_method_spaces_errors(methods, space, exc, match):
    with pytest.raises(exc, match=match):
        method_spaces(methods, space)


# ---------------------------------------------------------------- optlib specifics
def test_random_sobol_designs_fill_each_bin_once():
    optlib = make_optlib("random", ["m"], {"m": {"x": (0.0, 1.0)}}, random_state=0, batch_size=32)
    xs = [optlib.get_setting()["params"]["x"] for _ in range(32)]
    assert sorted(int(x * 32) for x in xs) == list(range(32))


def test_cmaes_tells_whole_generations():
    optlib = make_optlib("cmaes", ["m"], {"m": {"x": (-1.0, 1.0), "y": (-1.0, 1.0)}}, random_state=0, population_size=4)
    sampler = optlib.samplers["m"]
    for i in range(3):
        settings = [optlib.get_setting() for _ in range(4)]
        assert sampler._es.generation == i
        for s in settings:
            optlib.report_result(s, {}, s["params"]["x"] ** 2 + s["params"]["y"] ** 2)
    assert sampler._es.generation == 3


def test_cmaes_converges_and_restarts():
    space = {"m": {"x": (-1.0, 1.0), "y": (-1.0, 1.0)}}
    optlib = make_optlib("cmaes", ["m"], space, random_state=0)
    best = math.inf
    for _ in range(600):
        s = optlib.get_setting()
        value = (s["params"]["x"] - 0.3) ** 2 + (s["params"]["y"] + 0.2) ** 2
        best = min(best, value)
        optlib.report_result(s, {}, value)
    assert best < 1e-6
    # a flat objective stops CMA-ES (no progress in f): it restarts instead of stalling
    flat = make_optlib("cmaes", ["m"], space, random_state=0)
    for _ in range(300):
        flat.report_result(flat.get_setting(), {}, 1.0)
    assert flat.samplers["m"].restarts >= 1


def test_cmaes_missing_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cmaes", None)
    with pytest.raises(ImportError, match=r"'cmaes' extra: pip install asktell\[cmaes\]"):
        make_optlib("cmaes", ["m"], {"m": {"x": (0.0, 1.0)}})
    # importing asktell.hyper itself never needs it
    assert get_optlib("cmaes")[0].__name__ == "CMAESOptLib"


def test_cmaes_bad_options():
    with pytest.raises(ValueError, match="sigma"):
        make_optlib("cmaes", ["m"], {"m": {"x": (0.0, 1.0)}}, sigma=0)
    with pytest.raises(ValueError, match="population_size"):
        make_optlib("cmaes", ["m"], {"m": {"x": (0.0, 1.0)}}, population_size=1)


# ---------------------------------------------------------------- the precompiled mapping
MIXED = Space(
    [
        Real(1e-3, 10.0, prior="log-uniform", name="lr"),
        Real(-2.0, 3.0, name="shift"),
        Integer(1, 1000, prior="log-uniform", name="width"),
        Integer(-2, 5, name="k"),
        Categorical(["a", "b", "c"], name="cat"),
        Categorical([False, True], name="flag"),
    ]
)


# ---------------------------------------------------------------- Parzen estimators (tpe)
def _best_after(name, n, seed, **opts):
    optlib = make_optlib(name, ["m"], {"m": {"x": (-1.0, 1.0), "y": (-1.0, 1.0)}}, random_state=seed, **opts)
    best = math.inf
    for _ in range(n):
        s = optlib.get_setting()
        value = (s["params"]["x"] - 0.3) ** 2 + (s["params"]["y"] + 0.2) ** 2
        best = min(best, value)
        optlib.report_result(s, {}, value)
    return best


def test_tpe_concentrates_where_random_search_does_not():
    # 80 trials on a 2-D bowl: over 6 seeds, Parzen estimators get ten times closer than random search
    tpe = np.median([_best_after("tpe", 80, seed) for seed in range(6)])
    assert tpe < 0.1 * np.median([_best_after("random", 80, seed) for seed in range(6)])


def test_tpe_starts_with_a_sobol_design_then_models():
    optlib = make_optlib("tpe", ["m"], {"m": {"x": (0.0, 1.0)}}, random_state=0, n_startup=8)
    xs = [optlib.get_setting() for _ in range(8)]
    assert sorted(int(s["params"]["x"] * 8) for s in xs) == list(range(8))  # one point per eighth
    for s in xs:
        optlib.report_result(s, {}, abs(s["params"]["x"] - 0.9))
    # the model's proposals crowd the best region (x near 0.9), not the whole interval
    near = 0
    for _ in range(20):
        s = optlib.get_setting()
        near += abs(s["params"]["x"] - 0.9) < 0.25
        optlib.report_result(s, {}, abs(s["params"]["x"] - 0.9))
    assert near >= 14


def _pending_spread(forget_pending):
    optlib = make_optlib("tpe", ["m"], {"m": {"x": (0.0, 1.0)}}, random_state=1, n_startup=6)
    sampler = optlib.samplers["m"]
    for _ in range(6):
        s = optlib.get_setting()
        optlib.report_result(s, {}, abs(s["params"]["x"] - 0.5))
    xs = []
    for _ in range(8):
        xs.append(optlib.get_setting()["params"]["x"])
        if forget_pending:
            sampler._pending.clear()
    return np.std(xs)


def test_tpe_pending_settings_repel_each_other():
    # pending settings count as bad points: eight pre-dispatched proposals spread wider than
    # the same sampler's proposals when it forgets what is pending
    assert _pending_spread(forget_pending=False) > 1.5 * _pending_spread(forget_pending=True)


@pytest.mark.parametrize(
    "option, value",
    [("gamma", 1.5), ("gamma", -0.1), ("n_candidates", 0), ("bandwidth", 0.0), ("n_startup", -1),
     ("prior_weight", -1.0), ("n_startup", 2.5)],
)
def test_tpe_bad_options(option, value):
    with pytest.raises(ValueError, match=option):
        make_optlib("tpe", ["m"], {"m": {"x": (0.0, 1.0)}}, **{option: value})


@pytest.mark.parametrize("name", OPTLIBS)
def test_exhausted_methods_retire_quietly(name, no_thread_leak):
    # "plain" has one point, "one" ten: once each was handed out whole it is retired,
    # without the "is the space exhausted?" warning, and trials go to the others
    import warnings

    optlib = make_optlib(name, METHODS, SPACE, random_state=3, **FAST.get(name, {}))
    picked = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(60):
                setting = optlib.get_setting()
                picked.append((setting["method"], setting["params"].get("k")))
                # "one" is the best method here, so a selector keeps coming back to it
                score = _score(setting["method"], setting["params"]) - (20.0 if setting["method"] == "one" else 0.0)
                optlib.report_result(setting, {}, score)
    finally:
        optlib.cleanup()
    assert [m for m, _ in picked].count("plain") == 1
    assert optlib.selector.retired[METHODS.index("plain")]
    seen, full = set(), None
    for i, (m, k) in enumerate(picked):
        if m == "one":
            assert full is None, f"'one' asked at trial {i} after its ten points were all handed out"
            seen.add(k)
            full = i if len(seen) == 10 else None
    assert optlib.selector.retired[METHODS.index("one")] == (len(seen) == 10)
    if name == "bayes":  # it never repeats a point, so it exhausts the space in ten asks
        assert len(seen) == 10
