"""Batches of the default strategy: ``ask(n_points=k)`` with the Kriging believer."""

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


def test_batches_are_distinct_and_improve_on_the_design():
    opt, batches = _batches(0)
    points = [tuple(x) for b in batches for x in b]
    assert len(set(points)) == len(points) == 12
    # the model-based batches (after the 5-point design) reach below the design's best
    assert min(opt.yi[8:]) < min(opt.yi[:5])
    # a model batch is spread: no two of its points closer than 1e-3 of the box
    for xs in batches[2:]:
        a = np.asarray(xs)
        d = np.sqrt(((a[:, None] - a[None]) ** 2).sum(-1))[np.triu_indices(len(a), 1)]
        assert d.min() > 2e-3


def test_same_seed_same_batches_other_seed_other_ones():
    _, a = _batches(3)
    _, b = _batches(3)
    _, c = _batches(4)
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


def test_batch_over_a_small_discrete_space_is_distinct():
    opt = _make([Integer(0, 3), Categorical(["a", "b"])], 0, n_initial_points=3)
    xs = opt.ask(n_points=6)
    assert len({tuple(x) for x in xs}) == 6
    opt.tell(xs, [x[0] + (x[1] == "b") for x in xs])
    assert len({tuple(x) for x in opt.ask(n_points=2)} | {tuple(x) for x in xs}) == 8


def test_bad_strategy_is_named():
    opt = _make([(-1.0, 1.0)], 0)
    with pytest.raises(ValueError, match=r"strategy must be one of \['cl_min', 'cl_mean', 'cl_max', 'kb'\], got 'kriging'"):
        opt.ask(n_points=2, strategy="kriging")
