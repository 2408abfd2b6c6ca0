"""The default at larger budgets: probes of flat coordinates, and fits on a bounded subset."""

import numpy as np

import asktell.auto as auto


def _make(dimensions, seed, n_initial_points=4):
    return auto.AutoOptimizer(dimensions, n_initial_points, random_state=seed)


def _first_coordinate_only(x):
    return (x[0] - 0.3) ** 2


def _told(seed, n=19):
    rng = np.random.RandomState(seed)
    opt = _make([(0.0, 1.0)] * 3, seed)
    X = rng.uniform(size=(n, 3)).tolist()
    opt.tell(X, [_first_coordinate_only(x) for x in X])
    return opt


def test_probes_redraw_a_flat_coordinate_at_the_incumbent():
    opt = _told(0)
    start = opt.n_initial_points_ + 3
    probes = []
    for _ in range(12):
        n_busy = len(opt.yi)
        best = opt.Xi[int(np.argmin(opt.yi))]
        flat = opt._model.length_scale_ > auto._PROBE_LENGTH_SCALE if opt._model is not None else None
        x = opt.ask()
        changed = [j for j in range(3) if x[j] != best[j]]
        if (n_busy - start) % auto._PROBE_EVERY == 0 and flat is not None and flat[1:].any():
            # a probe slot while coordinates 1-2 (which do not matter) look flat: one of them is redrawn
            assert len(changed) == 1 and changed[0] in (1, 2) and flat[changed[0]], (x, best)
            probes.append(changed[0])
        opt.tell(x, _first_coordinate_only(x))
    assert probes, "no probe was proposed"
    assert sum(opt._probes.values()) == len(probes)
    assert all(v <= auto._PROBES_PER_COORDINATE for v in opt._probes.values())


def test_probes_stop_after_four_per_coordinate(monkeypatch):
    monkeypatch.setattr(auto, "_PROBE_EVERY", 1)  # every proposal a probe slot
    opt = _told(1)
    for _ in range(10):
        x = opt.ask()
        opt.tell(x, _first_coordinate_only(x))
    assert all(v <= auto._PROBES_PER_COORDINATE for v in opt._probes.values())
    assert 0 not in opt._probes  # the coordinate that matters is never probed
    assert sum(opt._probes.values()) >= auto._PROBES_PER_COORDINATE


def test_fits_past_the_limit_use_a_bounded_seeded_subset(monkeypatch):
    monkeypatch.setattr(auto, "_MAX_FIT_POINTS", 16)

    def model_rows(seed):
        opt = _told(seed, n=40)
        X = opt._model.X_train_
        return opt, X

    opt, X = model_rows(2)
    assert X.shape == (16, 3)
    # the best half of the points told are in it, the incumbent first among them
    best = np.argsort(opt.yi)[:8]
    rows = {tuple(r) for r in np.round(X, 12)}
    assert all(tuple(np.round(opt.space.transform([opt.Xi[i]])[0], 12)) in rows for i in best)
    _, X_again = model_rows(2)
    np.testing.assert_array_equal(X, X_again)
    # asks still work (the believer conditions the subset model on pending points)
    xs = opt.ask(n_points=3)
    assert len({tuple(x) for x in xs}) == 3
