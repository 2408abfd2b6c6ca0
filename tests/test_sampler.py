import numpy as np
import pytest
from scipy.stats import qmc

from asktell import Categorical, Integer, Real, Space
from asktell.sampler import GENERATORS, Grid, Halton, Hammersly, Lhs, Random, Sobol, cook_initial_point_generator

NAMES = ["random", "sobol", "halton", "hammersly", "lhs", "grid"]
MIXED = Space(
    [Real(-5, 5), Real(1e-4, 1, prior="log-uniform"), Integer(2, 9), Integer(1, 512, prior="log-uniform", base=2), ["a", "b", "c"], [True, False]]
)


@pytest.mark.parametrize("name", NAMES)
def test_generators_respect_types_bounds_and_seeds(name):
    gen = cook_initial_point_generator(name)
    pts = gen.generate(MIXED, 20, random_state=1)
    assert len(pts) == 20
    for p in pts:
        assert p in MIXED
        assert type(p[0]) is float and type(p[2]) is int and type(p[3]) is int
    assert pts == cook_initial_point_generator(name).generate(MIXED, 20, random_state=1)
    assert gen.generate(MIXED.dimensions, 0) == []


@pytest.mark.parametrize("name", ["random", "sobol", "halton", "hammersly", "lhs"])
def test_random_state_changes_the_design(name):
    gen = cook_initial_point_generator(name)
    assert gen.generate(MIXED, 8, random_state=1) != gen.generate(MIXED, 8, random_state=2)


def _unit_points(gen, n, d, seed):
    return np.array(gen.generate([Real(0.0, 1.0)] * d, n, random_state=seed))


@pytest.mark.parametrize("gen", [Sobol(), Halton(), Hammersly(), Lhs(criterion="maximin", iterations=50)])
def test_low_discrepancy_beats_random(gen):
    d, n = 4, 64
    ours = [qmc.discrepancy(_unit_points(gen, n, d, s)) for s in range(5)]
    rand = [qmc.discrepancy(_unit_points(Random(), n, d, s)) for s in range(5)]
    assert np.median(ours) < 0.7 * np.median(rand)


def test_lhs_has_one_point_per_stratum():
    for lhs_type in ("classic", "centered"):
        X = _unit_points(Lhs(lhs_type=lhs_type, criterion=None), 10, 3, 0)
        for col in X.T:
            assert sorted(np.floor(col * 10).astype(int)) == list(range(10))
    centered = _unit_points(Lhs(lhs_type="centered", criterion=None), 10, 2, 0)
    np.testing.assert_allclose(np.sort(centered[:, 0]), (np.arange(10) + 0.5) / 10)


@pytest.mark.parametrize("criterion", ["maximin", "correlation", "ratio"])
def test_lhs_criteria_improve_their_measure(criterion):
    plain = Lhs(criterion=None)
    tuned = Lhs(criterion=criterion, iterations=200)
    rng_a, rng_b = np.random.RandomState(0), np.random.RandomState(0)
    base = np.mean([tuned._badness(plain._unit(12, 3, rng_a)) for _ in range(20)])
    best = tuned._badness(tuned._unit(12, 3, rng_b))
    assert best < base


def test_grid_levels():
    X = _unit_points(Grid(border="exclude"), 9, 2, 0)
    assert sorted(set(np.round(X[:, 0], 9))) == pytest.approx([1 / 6, 0.5, 5 / 6])
    X = _unit_points(Grid(border="include"), 9, 2, 0)
    assert sorted(set(np.round(X[:, 1], 9))) == pytest.approx([0.0, 0.5, 1.0])
    X = _unit_points(Grid(border="only"), 4, 2, 0)
    assert {tuple(r) for r in X} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    X = _unit_points(Grid(use_full_layout=False), 5, 2, 0)
    assert len({tuple(r) for r in X}) == 5


def test_hammersly_first_coordinate_is_regular():
    X = np.array(Hammersly(randomize=False).generate([Real(0.0, 1.0)] * 3, 8))
    np.testing.assert_allclose(X[:, 0], (np.arange(8) + 0.5) / 8)


def test_factory():
    assert set(NAMES) <= set(GENERATORS)
    sob = Sobol(randomize=False)
    assert cook_initial_point_generator(sob) is sob
    assert isinstance(cook_initial_point_generator(None), Random)
    assert cook_initial_point_generator("lhs", criterion="ratio").criterion == "ratio"
    with pytest.raises(ValueError, match="'nope'"):
        cook_initial_point_generator("nope")
    with pytest.raises(ValueError, match="keyword"):
        cook_initial_point_generator(sob, skip=3)
    with pytest.raises(ValueError, match="criterion"):
        Lhs(criterion="best")
    with pytest.raises(ValueError, match="n_samples"):
        Random().generate(MIXED, -1)


def test_categorical_bins_are_balanced_in_qmc_designs():
    pts = Sobol().generate([Categorical(list("abcd"))], 64, random_state=0)
    counts = {c: [p[0] for p in pts].count(c) for c in "abcd"}
    assert set(counts.values()) == {16}
