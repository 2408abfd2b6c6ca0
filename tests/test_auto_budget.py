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


# ---------------------------------------------------------------- hand-off to IPOP-CMA-ES (asktell._cma)
import asktell._cma as cma  # noqa: E402
from asktell.space import Integer  # noqa: E402


def _sphere(x):
    return float(sum((v - 0.3) ** 2 for v in x))


def _run(opt, n, func=_sphere):
    for _ in range(n):
        x = opt.ask()
        opt.tell(x, func(x))
    return opt


def test_hand_off_after_twenty_points_per_dimension_and_no_more_fits():
    assert cma.handoff_at(2) == 40 and cma.handoff_at(5) == 100 and cma.handoff_at(1) == 40
    opt = _run(auto.AutoOptimizer([(-1.0, 1.0)] * 2, random_state=0), 39)
    assert not opt._handed_off() and opt._phase is None
    n_models = len(opt.models)
    _run(opt, 1)
    assert opt._handed_off()
    _run(opt, 60)
    assert opt._phase is not None and opt._phase_seen == 99  # the last tell joins at the next ask
    # the GP is not fitted past the hand-off (the time per trial stays flat)
    assert len(opt.models) == n_models
    # the strategy started at the incumbent of the first 40 points (5e-8 from the optimum) and improved on it
    assert min(opt.yi[40:]) < min(opt.yi[:40]) < 1e-7
    # no model since the hand-off: the recommendation is the best point observed
    res = opt.get_result()
    assert (res.x_mean, res.fun_mean) == (res.x, res.fun)


def test_evolution_strategy_proposals_are_reproducible_and_follow_the_tells():
    def trajectory(seed):
        return _run(auto.AutoOptimizer([(-1.0, 1.0)] * 2, random_state=seed), 60).Xi

    first = trajectory(3)
    assert first == trajectory(3)
    assert first[40:] != trajectory(4)[40:]
    # the phase is a function of the points told: a fresh optimizer told the same points, and a copy, propose alike
    opt = _run(auto.AutoOptimizer([(-1.0, 1.0)] * 2, random_state=3), 55)
    replay = auto.AutoOptimizer([(-1.0, 1.0)] * 2, random_state=3)
    replay.tell(opt.Xi, opt.yi)
    twin = opt.copy()
    x = opt.ask()
    assert replay.ask() == x and twin.ask() == x


def test_batches_after_the_hand_off_are_distinct_points_of_the_strategy():
    opt = _run(auto.AutoOptimizer([(-1.0, 1.0)] * 3, random_state=1), 60)
    xs = opt.ask(n_points=8)
    assert len({tuple(x) for x in xs}) == 8
    phase = opt._phase
    # all within a few step sizes of the strategy's mean (not uniform draws)
    U = opt.space.transform(xs)
    assert np.all(np.abs(U - phase.mean) <= 6 * phase.sigma * phase.D.max() + 1e-12)
    opt.tell(xs, [_sphere(x) for x in xs])
    assert opt._cma_phase().generations >= 1


def test_spaces_with_a_discrete_dimension_never_hand_off():
    opt = auto.AutoOptimizer([(-1.0, 1.0), Integer(0, 3)], random_state=0)
    assert opt._handoff_n is None
    assert not _run(opt, 45, lambda x: (x[0] - 0.3) ** 2 + x[1])._handed_off()


def _phase(d, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(20, d))

    def derive(*key):
        return np.random.RandomState(np.random.SeedSequence([seed, *key]).generate_state(4))

    return cma.CMAPhase(X, [float(np.sum((x - 0.4) ** 2)) for x in X], derive, 11), rng


def test_cma_phase_converges_on_a_sphere():
    phase, rng = _phase(5)
    best = np.inf
    for _ in range(800):
        u = phase.sample(rng)
        value = float(np.sum((u - 0.4) ** 2))
        phase.tell(u, value)
        best = min(best, value)
    assert best < 1e-9
    assert np.all((phase.mean >= 0) & (phase.mean <= 1))


def test_cma_phase_restarts_with_a_doubled_population_once_values_are_flat():
    phase, rng = _phase(3)
    lam = phase.lam
    for _ in range(lam * 40):
        phase.tell(phase.sample(rng), 1.0)  # a flat objective: the recent best values never move
    assert phase.restarts >= 1 and phase.lam == lam * 2 ** phase.restarts
    # a restart draws its centre from the seeded stream: the same seed restarts at the same point
    again, rng2 = _phase(3)
    for _ in range(lam * 40):
        again.tell(again.sample(rng2), 1.0)
    np.testing.assert_array_equal(phase.mean, again.mean)
