"""The default on noisy and discrete (tabular) spaces: recommendation by the model's mean, ..."""

import numpy as np
import pytest

import asktell
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
