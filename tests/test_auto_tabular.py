"""The default on noisy and discrete (tabular) spaces: recommendation by the model's mean, ..."""

import numpy as np
import pytest

import asktell
from asktell import Categorical
from asktell.auto import AutoOptimizer


def _noisy_table(seed):
    """A 1-D table of 12 configurations whose best mean (index 7) rarely gives the lowest draw."""
    means = -np.exp(-0.5 * ((np.arange(12) - 7) / 2.0) ** 2)
    rng = np.random.default_rng(seed)
    return means, (lambda x: float(means[x[0]] + rng.normal(0.0, 0.3)))


def test_mean_recommendation_is_the_told_point_of_lowest_posterior_mean():
    means, f = _noisy_table(0)
    opt = AutoOptimizer([list(range(12))], random_state=0)
    for _ in range(12):
        x = opt.ask()
        opt.tell(x, f(x))
    res = opt.get_result()
    model = res.models[-1]
    posterior = model.target_warp_.inverse_transform(model.predict(opt.space.transform(res.x_iters)))
    assert res.x_mean == res.x_iters[int(np.argmin(posterior))]
    assert res.fun_mean == pytest.approx(float(np.min(posterior)))
    # the lowest draw is a lucky one: the model's mean sits above it
    assert res.fun_mean > res.fun


def test_minimize_recommend_mean_reports_the_mean_choice_and_says_so():
    means, f = _noisy_table(1)
    best = asktell.minimize(f, [list(range(12))], n_calls=12, random_state=3)
    _, f = _noisy_table(1)
    mean = asktell.minimize(f, [list(range(12))], n_calls=12, random_state=3, recommend="mean")
    assert best.recommended == "best" and mean.recommended == "mean"
    assert best.x_iters == mean.x_iters  # the same run: only what is reported differs
    assert best.fun == min(best.func_vals)
    assert (mean.x, mean.fun) == (mean.x_mean, mean.fun_mean) == (best.x_mean, best.fun_mean)


def test_before_the_first_fit_the_mean_recommendation_is_the_best_observed():
    opt = AutoOptimizer([(0.0, 1.0)], random_state=0)
    x = opt.ask()
    res = opt.tell(x, 1.5)
    assert (res.x_mean, res.fun_mean) == (res.x, res.fun)


@pytest.mark.parametrize("recommend", ["model", None, 1])
def test_bad_recommend_names_the_parameter(recommend):
    with pytest.raises(ValueError, match="recommend"):
        asktell.minimize(lambda x: x[0], [(0.0, 1.0)], n_calls=5, recommend=recommend)


def _table_space():
    from asktell import Integer, Real

    # a ranked categorical (3 numbers), a plain one, a small integer, a large integer and a real
    return [Categorical([16, 64, 256]), Categorical(["relu", "tanh"]), Integer(1, 4), Integer(0, 10**5),
            Real(1e-4, 1.0, prior="log-uniform")]


def test_neighbours_are_every_one_change_of_the_small_discrete_dimensions():
    from asktell.auto import _neighbours, _value_tables

    opt = AutoOptimizer(_table_space(), random_state=0)
    centre = [64, "tanh", 2, 777, 0.01]
    rows = _neighbours(opt.space.transform([centre]), _value_tables(opt.space))
    got = [tuple(p) for p in opt.space.inverse_transform(rows)]
    # 3 + 2 + 4 rows (each value of each small dimension, the centre's own included); the large
    # integer and the real are left to the Gaussian perturbations
    expected = [(v, "tanh", 2, 777) for v in (16, 64, 256)] + [(64, c, 2, 777) for c in ("relu", "tanh")] \
        + [(64, "tanh", i, 777) for i in (1, 2, 3, 4)]
    assert [p[:4] for p in got] == expected
    np.testing.assert_allclose([p[4] for p in got], 0.01)


def test_candidates_hold_the_neighbours_of_the_best_points_on_discrete_spaces():
    rng = np.random.default_rng(0)
    opt = AutoOptimizer([Categorical([1, 2, 3, 4, 5, 6, 7, 8]), Categorical(list("abcdefgh")),
                         Categorical(list("ABCDEFGH")), Categorical(list(range(40, 80)))], random_state=0)
    for _ in range(10):
        x = opt.ask()
        opt.tell(x, float(rng.normal()))
    best = opt.Xi[int(np.argmin(opt.yi))]
    points = {tuple(p) for p in opt.space.inverse_transform(opt.candidates(opt, np.random.RandomState(0)))}
    for j, values in enumerate((range(1, 9), "abcdefgh", "ABCDEFGH")):
        for v in values:
            assert tuple(best[:j]) + (v,) + tuple(best[j + 1:]) in points


def test_same_seed_same_proposals_on_a_table():
    from asktell.auto import minimize

    def f(x):
        return (x[0] - 64) ** 2 / 1e4 + (x[1] == "relu") + (x[2] - 3) ** 2 + abs(np.log10(x[4]) + 2)

    a = minimize(f, _table_space(), n_calls=14, random_state=5)
    b = minimize(f, _table_space(), n_calls=14, random_state=5)
    c = minimize(f, _table_space(), n_calls=14, random_state=6)
    assert a.x_iters == b.x_iters and a.x_iters != c.x_iters
    assert len({tuple(p) for p in a.x_iters}) == 14  # no proposal repeats a configuration


def test_fits_are_warm_from_20_points_with_a_discrete_dimension_and_from_50_on_real_spaces():
    from asktell import Integer

    real = AutoOptimizer([(0.0, 1.0)] * 2).refit_policy
    mixed = AutoOptimizer([(0.0, 1.0), Integer(1, 5)]).refit_policy
    discrete = AutoOptimizer([Integer(1, 5), Categorical(list("abc"))]).refit_policy
    assert (real.start, real.every, real.search_every) == (50, 16, 1)
    assert (mixed.start, mixed.every, mixed.search_every) == (20, 16, 4)
    assert (discrete.start, discrete.every, discrete.search_every) == (20, 32, 8)


def test_spaces_without_a_real_dimension_get_fewer_sobol_candidates_and_the_neighbours():
    from asktell import Integer

    def count(space):
        opt = AutoOptimizer(space, random_state=0)
        rng = np.random.default_rng(0)
        for _ in range(8):
            x = opt.ask()
            opt.tell(x, float(rng.normal()))
        return len(opt.candidates(opt, np.random.RandomState(0)))

    # 256 Sobol + 128 perturbed + 5 centres x (10 + 10 values; none along the large integer), where a
    # real dimension keeps 1024 + 512
    assert count([Integer(0, 9), Integer(0, 9), Integer(0, 10**4)]) == 256 + 128 + 5 * 20
    assert count([Integer(0, 9), Integer(0, 9), (0.0, 1.0)]) == 1024 + 512 + 5 * 20
