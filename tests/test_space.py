import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asktell import Categorical, Integer, Real, Space
from asktell.space import check_dimension, dimension_from_spec


# ---------------------------------------------------------------- conversion rules
@pytest.mark.parametrize(
    "spec, expected",
    [
        ((1, 5), Integer(1, 5)),
        ([1, 5], Integer(1, 5)),
        ((0.0, 1.0), Real(0.0, 1.0)),
        ((0, 1.5), Real(0, 1.5)),
        ((1e-3, 1.0, "log-uniform"), Real(1e-3, 1.0, prior="log-uniform")),
        ((1, 100, "log-uniform"), Integer(1, 100, prior="log-uniform")),
        ((1, 64, "log-uniform", 2), Integer(1, 64, prior="log-uniform", base=2)),
        (["a", "b", "c"], Categorical(["a", "b", "c"])),
        (("a", "b"), Categorical(["a", "b"])),
        ((True, False), Categorical([True, False])),
        ([7], Categorical([7])),
        ([1, 2, 3, 4, 5], Categorical([1, 2, 3, 4, 5])),
        ([1, 5, "foo"], Categorical([1, 5, "foo"])),
    ],
)
def test_check_dimension_follows_skopt_rules(spec, expected):
    assert check_dimension(spec) == expected


def test_check_dimension_passes_dimensions_through():
    dim = Real(0, 1, name="x")
    assert check_dimension(dim) is dim
    assert check_dimension(dim, transform="normalize").transform_ == "normalize"


def test_numpy_integer_bounds_make_an_integer_dimension():
    assert isinstance(check_dimension((np.int64(1), np.int32(9))), Integer)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"type": "FLOAT", "min": 0.0, "max": 2.0}, Real(0.0, 2.0)),
        ({"type": "FLOAT_EXP", "min": 0.01, "max": 10}, Real(0.01, 10, prior="log-uniform")),
        ({"type": "INT", "min": 2, "max": 9}, Integer(2, 9)),
        ({"type": "STRING", "options": ["x", "y"]}, Categorical(["x", "y"])),
        ({"type": "BOOL"}, Categorical([False, True])),
    ],
)
def test_cotengra_spec_dicts(spec, expected):
    assert check_dimension(spec) == expected
    assert dimension_from_spec(spec, name="p").name == "p"


def test_space_from_spec_names_dimensions():
    space = Space.from_spec(
        {
            "alpha": {"type": "FLOAT_EXP", "min": 1e-3, "max": 1.0},
            "depth": {"type": "INT", "min": 1, "max": 8},
            "kind": {"type": "STRING", "options": ["greedy", "kahypar"]},
            "flag": {"type": "BOOL"},
        }
    )
    assert space.dimension_names == ["alpha", "depth", "kind", "flag"]
    assert space["depth"] == Integer(1, 8)
    point = space.rvs(1, random_state=3)[0]
    assert set(space.to_params(point)) == {"alpha", "depth", "kind", "flag"}
    assert space.from_params(space.to_params(point)) == point


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make, exc, words",
    [
        (lambda: Real(1.0, 1.0, name="lr"), ValueError, ["'lr'", "1.0"]),
        (lambda: Real(2.0, 1.0, name="lr"), ValueError, ["'lr'", "2.0", "1.0"]),
        (lambda: Integer(5, 3, name="n"), ValueError, ["'n'", "5", "3"]),
        (lambda: Real(0.0, 1.0, prior="log-uniform", name="lr"), ValueError, ["'lr'", "low=0.0"]),
        (lambda: Integer(-1, 3, prior="log-uniform", name="n"), ValueError, ["'n'", "low=-1"]),
        (lambda: Real(0, 1, prior="gaussian", name="lr"), ValueError, ["'lr'", "'gaussian'"]),
        (lambda: Real(0, 1, transform="log", name="lr"), ValueError, ["'lr'", "'log'"]),
        (lambda: Categorical([], name="act"), ValueError, ["'act'", "empty"]),
        (lambda: Categorical(["a", "a"], name="act"), ValueError, ["'act'", "'a'"]),
        (lambda: Categorical(["a", "b"], transform="normalise", name="act"), ValueError, ["'normalise'"]),
        (lambda: Categorical(["a", "b"], prior=[0.2, 0.2], name="act"), ValueError, ["'act'", "prior"]),
        (lambda: Categorical("abc", name="act"), TypeError, ["'act'", "'abc'"]),
        (lambda: Real("0", 1, name="lr"), TypeError, ["'lr'", "'0'"]),
        (lambda: Real(0, float("inf"), name="lr"), ValueError, ["'lr'", "inf"]),
        (lambda: Integer(0.5, 3, name="n"), ValueError, ["'n'", "0.5"]),
        (lambda: Real(0, 1, name=3), TypeError, ["name", "3"]),
        (lambda: check_dimension((1, 2, "foo")), ValueError, ["'foo'"]),
        (lambda: check_dimension("abc"), TypeError, ["'abc'"]),
        (lambda: check_dimension(3.5), TypeError, ["3.5"]),
        (lambda: check_dimension({"type": "COMPLEX"}), ValueError, ["'COMPLEX'"]),
        (lambda: check_dimension({"type": "INT", "min": 1}), ValueError, ["max"]),
        (lambda: Space([]), ValueError, ["empty"]),
        (lambda: Space([Real(0, 1, name="a"), Real(0, 1, name="a")]), ValueError, ["'a'"]),
        (lambda: Space(5), TypeError, ["5"]),
    ],
)
def test_invalid_dimensions_raise_naming_the_value(make, exc, words):
    with pytest.raises(exc) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_check_point_names_the_parameter_and_dimension():
    space = Space([Real(0, 1, name="lr"), Integer(1, 4, name="depth")])
    with pytest.raises(ValueError, match=r"x0: 7 for 'depth'"):
        space.check_point([0.5, 7], param="x0")
    with pytest.raises(ValueError, match=r"x0 must have 2 values"):
        space.check_point([0.5], param="x0")
    with pytest.raises(TypeError, match="x0"):
        space.check_point(0.5, param="x0")
    space.check_point([0.5, 4])


# ---------------------------------------------------------------- transforms
def test_real_transforms():
    d = Real(1e-4, 1.0, prior="log-uniform")
    assert d.transformed_bounds == pytest.approx((-4.0, 0.0))
    assert d.transform([1e-2]) == pytest.approx([-2.0])
    d.set_transformer("normalize")
    assert d.transformed_bounds == (0.0, 1.0)
    assert d.transform([1e-2]) == pytest.approx([0.5])
    assert d.inverse_transform([0.5]) == pytest.approx([1e-2])
    assert d.inverse_transform([1.7]) == [1.0]  # clipped into bounds


def test_real_log_base_two():
    d = Real(1, 256, prior="log-uniform", base=2, transform="normalize")
    assert d.transform([16]) == pytest.approx([0.5])


def test_integer_transforms_round_and_clip():
    d = Integer(0, 10, transform="normalize")
    assert d.transform([5]) == pytest.approx([0.5])
    assert d.inverse_transform([0.52, 0.0, 1.3]) == [5, 0, 10]
    assert all(type(v) is int for v in d.inverse_transform([0.33]))


@pytest.mark.parametrize("values", [[0.25, 1.0], np.array([0.25, 1.0]), np.array([1, 2])])
def test_numeric_transform_checks_arrays_and_float_lists_as_values(values):
    # the vectorized check of float lists and numeric arrays accepts and rejects what the per-value one does
    np.testing.assert_allclose(Real(0, 2, transform="normalize").transform(values), np.asarray(values) / 2)
    with pytest.raises(ValueError, match=r"2\.5 is not within Real"):
        Real(0, 2).transform(list(values) + [2.5])
    with pytest.raises(ValueError, match=r"nan\)? is not within Real"):
        Real(0, 2).transform(np.append(values, np.nan))
    with pytest.raises(ValueError, match=r"1\.5\)? is not within Integer"):
        Integer(0, 3).transform(np.array([1.0, 1.5]))
    with pytest.raises(ValueError, match="True is not within Real"):
        Real(0, 2).transform([0.5, True])  # a bool is no number here, even among floats
    assert Integer(0, 3).transform([1.0, 3.0]).tolist() == [1.0, 3.0]


def test_categorical_onehot_and_binary():
    d = Categorical(["a", "b", "c"])
    assert d.transformed_size == 3
    np.testing.assert_array_equal(d.transform(["b", "c"]), [[0, 1, 0], [0, 0, 1]])
    assert d.inverse_transform([[0.1, 0.2, 0.9], [0.8, 0.1, 0.1]]) == ["c", "a"]
    binary = Categorical(["no", "yes"])
    assert binary.transformed_size == 1
    assert binary.inverse_transform([[0.9], [0.2]]) == ["yes", "no"]


@pytest.mark.parametrize("transform", ["label", "normalize", "string", "identity"])
def test_categorical_other_transforms_round_trip(transform):
    d = Categorical([3, "x", 2.5, None], transform=transform)
    values = [None, 3, "x", 2.5]
    assert d.inverse_transform(d.transform(values)) == values


def test_categorical_keeps_true_and_one_apart():
    d = Categorical([1, True, "1"])
    assert d.inverse_transform(d.transform([True, 1, "1"])) == [True, 1, "1"]
    assert [type(v) for v in d.inverse_transform(d.transform([True, 1]))] == [bool, int]


def test_categorical_prior_is_respected():
    d = Categorical(["a", "b"], prior=[0.9, 0.1])
    draws = d.rvs(4000, random_state=0)
    assert 0.87 < draws.count("a") / 4000 < 0.93


def test_space_transform_layout_and_bounds():
    space = Space([(1, 5), (0.0, 1.0), ["a", "b", "c"], ["x", "y"]])
    assert space.n_dims == 4
    assert space.transformed_n_dims == 1 + 1 + 3 + 1
    assert space.bounds == [(1, 5), (0.0, 1.0), ("a", "b", "c"), ("x", "y")]
    assert len(space.transformed_bounds) == space.transformed_n_dims
    Xt = space.transform([[2, 0.5, "c", "y"]])
    np.testing.assert_allclose(Xt, [[2, 0.5, 0, 0, 1, 1]])
    assert space.inverse_transform(Xt) == [[2, 0.5, "c", "y"]]
    with pytest.raises(ValueError, match="6"):
        space.inverse_transform(np.zeros((1, 5)))


def test_space_properties():
    space = Space([Real(0, 1), Real(2, 3, name="b")])
    assert space.is_real and not space.is_categorical and not space.is_partly_categorical
    assert space.dimension_names == ["X_0", "b"]
    cats = Space([["a"], ["x", "y"]])
    assert cats.is_categorical and cats.n_constant_dimensions == 1
    assert len(space) == 2 and list(space) == space.dimensions
    with pytest.raises(KeyError, match="'zz'"):
        space["zz"]


def test_set_transformer():
    space = Space([Real(1, 10, prior="log-uniform"), Integer(0, 4), ["a", "b", "c"]])
    space.set_transformer_by_type("normalize", Real)
    assert space.get_transformer() == ["normalize", "identity", "onehot"]
    space.set_transformer("normalize")
    assert space.get_transformer() == ["normalize"] * 3
    assert space.transformed_bounds == [(0.0, 1.0)] * 3
    with pytest.raises(ValueError, match="3 transforms"):
        space.set_transformer(["normalize"])


def test_distance():
    space = Space([Real(0, 10), Integer(0, 5), ["a", "b"]])
    assert space.distance([1.0, 2, "a"], [4.0, 5, "b"]) == pytest.approx(3 + 3 + 1)
    with pytest.raises(ValueError):
        Real(0, 1).distance(0.5, 3.0)


def test_equality_and_repr():
    assert Space([(0.0, 1.0), ["a", "b"]]) == Space([Real(0.0, 1.0), Categorical(["a", "b"])])
    assert Space([(0.0, 1.0)]) != Space([(0.0, 2.0)])
    assert Real(0, 1) != Integer(0, 1)
    assert Real(0, 1, transform="normalize") != Real(0, 1)
    assert repr(Real(0, 1)) == "Real(low=0.0, high=1.0, prior='uniform', transform='identity')"
    assert repr(Integer(1, 5)) == "Integer(low=1, high=5, prior='uniform', transform='identity')"
    assert repr(Categorical(["a", "b"])) == "Categorical(categories=('a', 'b'), prior=None)"
    assert repr(Space([(1, 5)])).startswith("Space([Integer(low=1, high=5")


def test_contains():
    space = Space([Real(0, 1), Integer(1, 3), ["a", "b"]])
    assert [0.5, 2, "a"] in space
    assert [0.5, 2.5, "a"] not in space
    assert [1.5, 2, "a"] not in space
    assert [0.5, 2, "c"] not in space
    assert [0.5, 2] not in space


# ---------------------------------------------------------------- rvs
def test_rvs_types_bounds_and_reproducibility():
    space = Space(
        [Real(-2, 3), Real(1e-3, 1, prior="log-uniform"), Integer(-3, 7), Integer(1, 1000, prior="log-uniform"), ["a", 1, None]]
    )
    pts = space.rvs(300, random_state=42)
    assert pts == space.rvs(300, random_state=42)
    assert pts != space.rvs(300, random_state=43)
    for p in pts:
        assert p in space
        assert type(p[0]) is float and type(p[1]) is float
        assert type(p[2]) is int and type(p[3]) is int
    assert {p[2] for p in pts} == set(range(-3, 8))  # every integer, both ends included
    assert {p[4] for p in pts} == {"a", 1, None}


def test_log_uniform_real_is_uniform_in_log_space():
    draws = np.log10(Real(1e-4, 1, prior="log-uniform").rvs(20000, random_state=0))
    counts, _ = np.histogram(draws, bins=4, range=(-4, 0))
    assert counts.min() > 0.9 * 5000


def test_log_uniform_integer_probabilities():
    draws = np.array(Integer(1, 9, prior="log-uniform").rvs(40000, random_state=0))
    expected = np.log10((np.arange(1, 10) + 1) / np.arange(1, 10))  # Benford
    observed = np.bincount(draws, minlength=10)[1:] / len(draws)
    np.testing.assert_allclose(observed, expected, atol=0.01)


# ---------------------------------------------------------------- properties
_real = st.tuples(
    st.floats(-1e6, 1e6, allow_nan=False), st.floats(1e-3, 1e6, allow_nan=False), st.booleans()
).map(
    lambda t: Real(abs(t[0]) + 1e-3, abs(t[0]) + 1e-3 + t[1], prior="log-uniform")
    if t[2]
    else Real(t[0], t[0] + t[1])
)
_integer = st.tuples(st.integers(-1000, 1000), st.integers(0, 1000), st.booleans()).map(
    lambda t: Integer(abs(t[0]) + 1, abs(t[0]) + 1 + t[1] + 1, prior="log-uniform")
    if t[2]
    else Integer(t[0], t[0] + t[1] + 1)
)
_categorical = st.lists(
    st.one_of(st.text(max_size=4), st.integers(-5, 5), st.booleans()), min_size=1, max_size=6, unique_by=lambda v: (type(v), v)
).map(Categorical)
_dimension = st.one_of(_real, _integer, _categorical)
_transform = st.sampled_from(["identity", "normalize"])


def _same_point(a, b):
    for x, y in zip(a, b):
        if isinstance(x, float):
            assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), (x, y)
        else:
            assert x == y and type(x) is type(y), (x, y)


@settings(max_examples=150, deadline=None)
@given(st.lists(_dimension, min_size=1, max_size=5), _transform, st.integers(0, 2**31 - 1))
def test_inverse_transform_undoes_transform(dims, transform, seed):
    space = Space(dims)
    space.set_transformer_by_type(transform, (Real, Integer))
    X = space.rvs(5, random_state=seed)
    Xt = space.transform(X)
    assert Xt.shape == (5, space.transformed_n_dims)
    for a, b in zip(X, space.inverse_transform(Xt)):
        _same_point(a, b)


@settings(max_examples=150, deadline=None)
@given(st.lists(_dimension, min_size=1, max_size=5), st.integers(0, 2**31 - 1))
def test_rvs_stays_in_bounds_with_the_right_types(dims, seed):
    space = Space(dims)
    for point in space.rvs(10, random_state=seed):
        assert point in space
        for dim, v in zip(space.dimensions, point):
            if isinstance(dim, Integer):
                assert type(v) is int
            elif isinstance(dim, Real):
                assert type(v) is float
            else:
                assert any(v == c and type(v) is type(c) for c in dim.categories)


@settings(max_examples=100, deadline=None)
@given(st.lists(_dimension, min_size=1, max_size=5), st.integers(0, 2**31 - 1))
def test_normalized_transform_lies_in_unit_box(dims, seed):
    space = Space(dims)
    space.set_transformer_by_type("normalize", (Real, Integer))
    Xt = space.transform(space.rvs(10, random_state=seed))
    start = 0
    for dim in space.dimensions:
        if isinstance(dim, (Real, Integer)):
            column = Xt[:, start].astype(float)
            assert np.all(column >= 0.0) and np.all(column <= 1.0)
        start += dim.transformed_size
