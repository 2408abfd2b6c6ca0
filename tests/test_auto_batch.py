"""Batches of the default strategy: ``ask(n_points=k)`` with the Kriging believer, local penalization
or Thompson draws."""

import numpy as np
import pytest

from asktell import AutoOptimizer, Categorical, Integer


def _make(dimensions, seed, n_initial_points=5):
    return AutoOptimizer(dimensions, n_initial_points, random_state=seed)


def _sphere(x):
    return float(np.sum((np.asarray(x, dtype=float) - 0.3) ** 2))


def _batches(seed, k=4, rounds=3, strategy="kb"):
    opt = _make([(-1.0, 1.0)] * 3, seed)
    out = []
    for _ in range(rounds):
        xs = opt.ask(n_points=k, strategy=strategy)
        out.append(xs)
        opt.tell(xs, [_sphere(x) for x in xs])
    return opt, out


STRATEGIES = ["kb", "lp", "ts", "mix"]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_batches_are_distinct_and_improve_on_the_design(strategy):
    opt, batches = _batches(0, strategy=strategy)
    points = [tuple(x) for b in batches for x in b]
    assert len(set(points)) == len(points) == 12
    # the model-based batches (after the 5-point design) reach below the design's best
    assert min(opt.yi[8:]) < min(opt.yi[:5])
    # a model batch is spread: no two of its points closer than 1e-3 of the box
    for xs in batches[2:]:
        a = np.asarray(xs)
        d = np.sqrt(((a[:, None] - a[None]) ** 2).sum(-1))[np.triu_indices(len(a), 1)]
        assert d.min() > 2e-3


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_same_seed_same_batches_other_seed_other_ones(strategy):
    _, a = _batches(3, strategy=strategy)
    _, b = _batches(3, strategy=strategy)
    _, c = _batches(4, strategy=strategy)
    assert a == b
    assert a != c


def test_kriging_believer_tells_pending_points_the_model_mean():
    opt, _ = _batches(1, rounds=3)
    pending = opt.ask(n_points=2)
    model, y = opt._lie_model("kb")
    Xp = opt.space.transform(pending)
    np.testing.assert_allclose(y[-2:], opt._model.predict(Xp))
    # the believer keeps the mean and shrinks the variance at the pending points
    mean0, std0 = opt._model.predict(Xp, return_std=True)
    mean1, std1 = model.predict(Xp, return_std=True)
    np.testing.assert_allclose(mean1, mean0, rtol=1e-6, atol=1e-6)
    assert np.all(std1 < std0)


def test_the_strategies_differ_only_past_the_first_point_of_a_batch():
    opts = {s: _batches(2, rounds=2)[0] for s in ["kb", "lp", "ts"]}  # the same history
    batches = {s: opt.ask(n_points=3, strategy=s) for s, opt in opts.items()}
    assert batches["kb"][0] == batches["lp"][0] == batches["ts"][0]
    assert len({tuple(b[1]) for b in batches.values()}) == 3


def test_mix_believes_the_first_four_points_and_draws_the_rest():
    kb, mix = _batches(6, rounds=2)[0], _batches(6, rounds=2)[0]
    a, b = kb.ask(n_points=6, strategy="kb"), mix.ask(n_points=6, strategy="mix")
    assert a[:4] == b[:4]
    assert a[4] != b[4]
    default = _batches(6, rounds=2)[0]
    assert default.ask(n_points=6) == b  # "mix" is the default


def test_local_penalization_keeps_away_from_a_pending_point():
    from asktell import _batch

    opt, _ = _batches(5, rounds=3)
    first = opt.ask()  # pending: the penalized acquisition must shun its neighbourhood
    Xp = opt.space.transform([first])
    ranked = _batch._penalized(opt, opt.candidates(opt, opt._derive(99)))
    assert np.linalg.norm(ranked[0] - Xp[0]) > 1e-3
    assert list(opt.ask(strategy="lp")) != list(first)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_batch_over_a_small_discrete_space_is_distinct(strategy):
    opt = _make([Integer(0, 3), Categorical(["a", "b"])], 0, n_initial_points=3)
    xs = opt.ask(n_points=6, strategy=strategy)
    assert len({tuple(x) for x in xs}) == 6
    opt.tell(xs, [x[0] + (x[1] == "b") for x in xs])
    more = opt.ask(n_points=2, strategy=strategy)
    assert len({tuple(x) for x in more} | {tuple(x) for x in xs}) == 8


def test_bad_strategy_is_named():
    opt = _make([(-1.0, 1.0)], 0)
    expected = r"strategy must be one of \['cl_min', 'cl_mean', 'cl_max', 'kb', 'lp', 'ts', 'mix'\], got 'kriging'"
    with pytest.raises(ValueError, match=expected):
        opt.ask(n_points=2, strategy="kriging")
