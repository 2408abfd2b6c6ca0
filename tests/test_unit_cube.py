import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asktell import Categorical, Integer, Real, Space, UnitCube


def test_maps_each_kind():
    cube = UnitCube([Real(-1, 1), Real(1e-4, 1, prior="log-uniform"), Integer(0, 3), ["a", "b", "c", "d"]])
    assert cube.n_dims == 4 and cube.bounds == [(0.0, 1.0)] * 4
    assert cube.to_point([0.5, 0.5, 0.0, 0.99]) == [0.0, pytest.approx(1e-2), 0, "d"]
    assert cube.to_point([1.0, 1.0, 1.0, 1.0]) == [1.0, 1.0, 3, "d"]
    # four equal bins for four integers
    assert [cube.to_point([0, 0, u, 0])[2] for u in (0.24, 0.26, 0.49, 0.51, 0.76)] == [0, 1, 1, 2, 3]


def test_exponential_param_power():
    dim = Real(1.0, 100.0, prior="log-uniform")
    cube = UnitCube([dim], exponential_param_power=0.5)
    # uniform in sqrt(x): the midpoint of [1, 10] in sqrt-space is 5.5 -> 30.25
    assert cube.to_point([0.5])[0] == pytest.approx(30.25)
    assert cube.from_point([30.25])[0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="exponential_param_power"):
        UnitCube([dim], exponential_param_power=-1)


def test_argmax_categoricals():
    cube = UnitCube([Real(0, 1), ["x", "y", "z"], [False, True]], categorical="argmax")
    assert cube.n_dims == 1 + 3 + 2
    assert cube.to_point([0.2, 0.1, 0.7, 0.3, 0.9, 0.1]) == [0.2, "y", False]
    np.testing.assert_allclose(cube.from_point([0.2, "z", True]), [0.2, 0, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="categorical"):
        UnitCube([Real(0, 1)], categorical="onehot")


def test_uniform_cube_draws_match_the_priors():
    cube = UnitCube([Integer(1, 9, prior="log-uniform"), Categorical(list("abcde"))])
    rng = np.random.RandomState(0)
    pts = cube.to_points(rng.uniform(size=(40000, 2)))
    ints = np.array([p[0] for p in pts])
    expected = np.log10((np.arange(1, 10) + 1) / np.arange(1, 10))
    np.testing.assert_allclose(np.bincount(ints, minlength=10)[1:] / len(ints), expected, atol=0.01)
    cats = [p[1] for p in pts]
    for c in "abcde":
        assert abs(cats.count(c) / len(cats) - 0.2) < 0.01


def test_wrong_length_and_points_outside():
    cube = UnitCube([Real(0, 1), Integer(0, 2)])
    with pytest.raises(ValueError, match="2 cube coordinates"):
        cube.to_point([0.5])
    with pytest.raises(ValueError, match="point"):
        cube.from_point([0.5, 9])


_dims = st.lists(
    st.one_of(
        st.tuples(st.floats(-100, 100), st.floats(0.01, 100)).map(lambda t: Real(t[0], t[0] + t[1])),
        st.tuples(st.floats(1e-3, 10), st.floats(1.5, 1e4)).map(lambda t: Real(t[0], t[0] * t[1], prior="log-uniform")),
        st.tuples(st.integers(-50, 50), st.integers(1, 60)).map(lambda t: Integer(t[0], t[0] + t[1])),
        st.tuples(st.integers(1, 50), st.integers(1, 5000)).map(lambda t: Integer(t[0], t[0] + t[1], prior="log-uniform")),
        st.integers(1, 7).map(lambda n: Categorical([f"c{i}" for i in range(n)])),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(_dims, st.sampled_from(["bin", "argmax"]), st.sampled_from([None, 0.5, 2.0]), st.integers(0, 2**31 - 1))
def test_round_trips(dims, categorical, power, seed):
    cube = UnitCube(Space(dims), exponential_param_power=power, categorical=categorical)
    rng = np.random.RandomState(seed)
    for u in rng.uniform(size=(5, cube.n_dims)):
        point = cube.to_point(u)
        assert point in cube.space
        # points -> cube -> points is the identity
        again = cube.to_point(cube.from_point(point))
        for a, b in zip(point, again):
            if isinstance(a, float):
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
            else:
                assert a == b
        assert np.all((cube.from_point(point) >= 0) & (cube.from_point(point) <= 1))


def test_to_columns_matches_to_points():
    space = [Real(1e-3, 10.0, prior="log-uniform"), Real(-1.0, 1.0), Integer(2, 500, prior="log-uniform"),
             Integer(-3, 3), Categorical(list("abcde"))]
    for categorical in ("bin", "argmax"):
        cube = UnitCube(space, categorical=categorical)
        U = np.random.RandomState(0).uniform(size=(300, cube.n_dims))
        cols = cube.to_columns(U)
        points = cube.to_points(U)
        cats = cube.space.dimensions[4].categories
        for i, p in enumerate(points):
            assert p[:4] == pytest.approx([cols[0][i], cols[1][i], cols[2][i], cols[3][i]], rel=1e-12)
            assert p[4] == cats[cols[4][i]]
    with pytest.raises(ValueError, match="cube coordinates"):
        cube.to_columns(np.zeros((2, 3)))
