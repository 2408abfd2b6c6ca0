"""scikit-optimize names asktell adds for parity: values and errors, not just imports."""

import io
import contextlib

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.spatial.distance import pdist, squareform

import asktell
from asktell import Optimizer, Space
from asktell.acquisition import gaussian_mes, gaussian_pvrs
from asktell.learning import GaussianProcessRegressor, GradientBoostingQuantileRegressor
from asktell.learning.gaussian_process import kernels as K
from asktell.space import (
    CategoricalEncoder,
    Categorical,
    Identity,
    Integer,
    LabelEncoder,
    LogN,
    Normalize,
    Pipeline,
    Real,
    StringEncoder,
)
from asktell.utils import check_dimension_names, check_list_types


# ---------------------------------------------------------------- kernels
GRADIENT_KERNELS = [
    K.RBF(length_scale=[0.5, 1.0, 2.0]),
    K.Matern(length_scale=[0.5, 1.0, 2.0], nu=0.5),
    K.Matern(length_scale=[0.5, 1.0, 2.0], nu=1.5),
    K.Matern(length_scale=0.7, nu=2.5),
    K.RationalQuadratic(length_scale=1.5, alpha=2.0),
    K.ExpSineSquared(length_scale=1.2, periodicity=2.5),
    K.DotProduct(sigma_0=1.5),
    K.ConstantKernel(2.0) * K.Matern(length_scale=0.8, nu=2.5) + K.WhiteKernel(0.1),
    K.RBF(1.0) ** 2.0,
]


@pytest.mark.parametrize("kernel", GRADIENT_KERNELS, ids=repr)
def test_gradient_x_matches_finite_differences(kernel):
    rng = np.random.RandomState(0)
    x, X_train = rng.randn(3), rng.randn(6, 3)
    numeric = np.array([
        approx_fprime(x, lambda z, row=row: kernel(z[None, :], row[None, :])[0, 0], 1e-7)
        for row in X_train
    ])
    assert kernel.gradient_x(x, X_train) == pytest.approx(numeric, abs=1e-5)


def test_kernel_arithmetic_keeps_gradient_x():
    combined = 2.0 * K.RBF(1.0) + K.Matern(1.0) * 3.0
    assert isinstance(combined, K.Sum) and isinstance(combined.k1, K.Product)
    assert isinstance(K.RBF() ** 2, K.Exponentiation)
    assert combined.gradient_x(np.zeros(2), np.ones((4, 2))).shape == (4, 2)


def test_hamming_kernel_is_exp_of_minus_weighted_mismatches():
    X = np.array([[0, 1, 2], [0, 2, 2], [1, 1, 0]])
    iso = K.HammingKernel(length_scale=0.5)
    assert iso(X) == pytest.approx(np.exp(-0.5 * squareform(pdist(X, "hamming")) * 3))
    aniso = K.HammingKernel(length_scale=[1.0, 2.0, 4.0])
    assert aniso(X)[0, 2] == pytest.approx(np.exp(-(1.0 + 4.0)))  # columns 0 and 2 differ
    assert aniso(X, X[:1])[:, 0] == pytest.approx(aniso(X)[:, 0])
    K_, grad = aniso(X, eval_gradient=True)
    assert grad.shape == (3, 3, 3)
    # d K / d log(l_j) = -l_j * mismatch_j * K
    assert grad[0, 2] == pytest.approx(-K_[0, 2] * np.array([1.0, 0.0, 4.0]))
    with pytest.raises(ValueError, match="3 length scales but X has 2 features"):
        aniso(X[:, :2])


def test_gp_on_hamming_kernel_interpolates_categorical_codes():
    X = np.array([[0, 1, 2], [0, 2, 2], [0, 1, 1]], dtype=float)
    y = np.array([1.0, -0.5, 2.0])
    gp = GaussianProcessRegressor(K.HammingKernel([1.0, 1.0, 1.0]), noise=None, normalize_y=False)
    assert gp.fit(X, y).predict(X) == pytest.approx(y, abs=1e-6)
    assert not gp._supports_gradients


# ---------------------------------------------------------------- GP with a kernel
def _gp_data():
    rng = np.random.RandomState(1)
    X = rng.uniform(size=(12, 2))
    return X, np.sin(3 * X[:, 0]) + X[:, 1] ** 2


def test_gp_with_kernel_separates_the_noise_and_gives_gradients():
    X, y = _gp_data()
    gp = GaussianProcessRegressor(K.Matern(length_scale=[0.5, 0.5], nu=2.5), random_state=0).fit(X, y)
    assert gp.noise_ > 0 and gp.y_train_std_ == pytest.approx(np.std(y))
    assert gp.y_train_mean_ == pytest.approx(np.mean(y))
    # the white term is zeroed for prediction: the std is the latent function's
    assert gp.kernel_.k2.noise_level == 0.0
    x = np.array([0.3, 0.6])
    mean, std, dmean, dstd = gp.predict(x[None, :], return_std=True, return_mean_grad=True,
                                        return_std_grad=True)
    assert dmean == pytest.approx(approx_fprime(x, lambda z: gp.predict(z[None, :])[0], 1e-6), rel=1e-3, abs=1e-4)
    assert dstd == pytest.approx(
        approx_fprime(x, lambda z: gp.predict(z[None, :], return_std=True)[1][0], 1e-6), rel=1e-3, abs=1e-4
    )
    # a batch of points gives one gradient row each
    _, grads = gp.predict(np.vstack([x, x + 0.1]), return_mean_grad=True)
    assert grads.shape == (2, 2) and grads[0] == pytest.approx(dmean)


def test_stdstopper_reads_the_models_target_scale():
    res = asktell.gp_minimize(lambda x: (x[0] - 0.3) ** 2, [(-1.0, 1.0)], n_calls=8,
                              n_initial_points=4, random_state=0)
    stds = [m.y_train_std_ for m in res.models]
    assert all(s > 0 for s in stds) and stds[0] == res.models[0].y_std_
    # it stops once the smallest target scale of the models is at the threshold
    assert asktell.callbacks.StdStopper(threshold=min(stds))(res)
    assert not asktell.callbacks.StdStopper(threshold=0.999 * min(stds))(res)


# ---------------------------------------------------------------- transformers
def test_transformers_round_trip_with_skopts_values():
    assert LogN(2).transform([1, 8, 32]) == pytest.approx([0, 3, 5])
    assert LogN(10).inverse_transform([-2, 0]) == pytest.approx([0.01, 1.0])
    norm = Normalize(1, 21, is_int=True)
    assert norm.transform([21, 11, 1.2]) == pytest.approx([1.0, 0.5, 0.0])
    assert list(norm.inverse_transform([0.52, 1.0])) == [11, 21]
    with pytest.raises(ValueError, match="All values should"):
        norm.inverse_transform([1.01])
    with pytest.raises(ValueError, match="outside the bounds"):
        norm.transform([21.6])
    assert Normalize(0, 10, clip=True).inverse_transform([1.5]) == pytest.approx([10.0])
    labels = LabelEncoder()
    labels.fit([10, "b", True])
    assert list(labels.transform(["b", True, 10])) == [1, 2, 0]
    assert list(labels.inverse_transform([2.2, 0])) == [True, 10]
    strings = StringEncoder(["a", True, 1])
    assert list(strings.transform([True, 1])) == ["True", "1"]
    assert list(strings.inverse_transform(["True", "a"])) == [True, "a"]  # not "True"
    onehot = CategoricalEncoder(["r", "g", "b"])
    assert onehot.transform(["g"]).tolist() == [[0.0, 1.0, 0.0]]
    assert list(onehot.inverse_transform([[0.2, 0.1, 0.7]])) == ["b"]
    pipe = Pipeline([LogN(10), Normalize(-2, 2)])
    assert pipe.transform([1.0]) == pytest.approx([0.5])
    assert pipe.inverse_transform([0.75]) == pytest.approx([10.0])
    assert list(Identity().transform(["x", 2])) == ["x", "2"]
    with pytest.raises(ValueError, match="should be a Transformer instance"):
        Pipeline([LogN(10), "normalize"])


# ---------------------------------------------------------------- spaces
def test_space_constraint_filters_draws_and_the_optimizer_honours_it():
    def below_diagonal(p):
        return p[0] + p[1] <= 1.0

    space = Space([Real(0, 1), Real(0, 1)], constraint=below_diagonal)
    draws = space.rvs(200, random_state=0)
    assert len(draws) == 200 and all(below_diagonal(p) for p in draws)
    assert Space(space).constraint is below_diagonal
    assert space.rvs(200, random_state=0) == draws
    opt = Optimizer(space, base_estimator="ET", n_initial_points=3, random_state=0)
    for _ in range(6):
        x = opt.ask()
        assert below_diagonal(x)
        opt.tell(x, x[0] - x[1])
    with pytest.raises(RuntimeError, match="Could not find enough valid samples"):
        Space([Real(0, 1)], constraint=lambda p: p[0] > 2).rvs(1, random_state=0)
    with pytest.raises(TypeError, match="constraint must be callable"):
        Space([Real(0, 1)], constraint=3)


def test_space_names_yaml_and_dataframe(tmp_path):
    space = Space([Real(0, 1), Integer(1, 5), Categorical(["a", "b"])])
    space.dimension_names = ["lr", "depth", "kind"]
    assert space.dimension_names == ["lr", "depth", "kind"] and space["depth"].high == 5
    with pytest.raises(ValueError, match="must be the same length"):
        space.dimension_names = ["a"]
    path = tmp_path / "space.yaml"
    path.write_text(
        "Space:\n  - Real: {low: 0.001, high: 0.1, prior: log-uniform, name: lr}\n"
        "  - integer: {LOW: 1, high: 5}\n  - Categorical: {categories: [a, b]}\n"
    )
    pytest.importorskip("yaml", reason="the yaml extra is not installed")
    loaded = Space.from_yaml(str(path))
    assert loaded == Space([Real(0.001, 0.1, "log-uniform"), Integer(1, 5), Categorical(["a", "b"])])
    assert loaded[0].name == "lr"
    pd = pytest.importorskip("pandas", reason="the pandas extra is not installed")
    df = pd.DataFrame({"x": [0.5, 1.5], "n": [3, 9], "c": ["u", "v"]})
    from_df = Space.from_df(df, priors={"x": "log-uniform"}, transforms={"n": "normalize"})
    assert from_df == Space([Real(0.5, 1.5, "log-uniform"), Integer(3, 9, transform="normalize"),
                             Categorical(["u", "v"])])
    assert from_df.dimension_names == ["x", "n", "c"]


def test_skopt_error_phrases_and_types():
    with pytest.raises(ValueError, match="should not contain 0 when using log-uniform"):
        Real(0, 1, prior="log-uniform")
    with pytest.raises(TypeError, match="Dimension's name must be either string or None"):
        Real(0, 1, name=3)
    with pytest.raises(ValueError, match="Invalid dimension '23'"):
        asktell.space.check_dimension("23")
    with pytest.raises(RuntimeError, match="compute distance for values within"):
        Integer(1, 10).distance(11, 3)
    with pytest.raises(RuntimeError, match="Dimensions of point and space do not match"):
        Space([(0, 1)]).check_point([0, 1])
    assert Categorical(range(8)).__repr__() == "Categorical(categories=(0, 1, 2, ..., 5, 6, 7), prior=None)"
    assert Categorical(["a", "b"]).rvs(random_state=0) in ("a", "b")  # one category, not a list


def test_check_list_types_and_dimension_names():
    dims = [Real(0, 1, name="a"), Integer(0, 3, name="b")]
    check_list_types(dims, asktell.space.Dimension)
    check_dimension_names(dims)
    with pytest.raises(ValueError, match=r"positions \[1\]"):
        check_list_types([dims[0], "b"], asktell.space.Dimension)
    with pytest.raises(ValueError, match=r"dimensions \[1\] have none"):
        check_dimension_names([dims[0], Real(0, 1)])


def test_normalize_dimensions_returns_a_space_of_copies():
    dims = [Real(1, 10), Categorical(["a", "b", "c"])]
    space = asktell.utils.normalize_dimensions(dims)
    assert isinstance(space, Space) and space.get_transformer() == ["normalize", "normalize"]
    assert dims[0].transform_ == "identity"  # the dimensions given are not changed


# ---------------------------------------------------------------- samplers, versions
def test_sampler_submodules_are_skopts_layout():
    from asktell.sampler import grid, halton, hammersly, lhs, sobol

    assert sobol.Sobol is asktell.sampler.Sobol and halton.Halton is asktell.sampler.Halton
    assert hammersly.Hammersly is asktell.sampler.Hammersly
    assert lhs.Lhs is asktell.sampler.Lhs and grid.Grid is asktell.sampler.Grid
    points = sobol.Sobol(randomize=False).generate([(0.0, 1.0)] * 2, 4)
    assert points == [[0.0, 0.0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75]]


def test_show_versions_lists_asktell_and_its_dependencies():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        asktell.show_versions()
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    assert lines["asktell"] == asktell.__version__
    assert lines["numpy"] == np.__version__ and "scikit-learn" in lines and "Python" in lines


# ---------------------------------------------------------------- acquisitions, GBRT
def test_mes_and_pvrs_prefer_informative_points():
    X, y = _gp_data()
    gp = GaussianProcessRegressor(random_state=0).fit(X, y)
    rng = np.random.RandomState(0)
    candidates = rng.uniform(size=(400, 2))
    mes = gaussian_mes(candidates, gp, random_state=1)
    assert mes.shape == (400,) and np.all(mes >= -1e-9)
    assert np.array_equal(mes, gaussian_mes(candidates, gp, random_state=1))
    mu, std = gp.predict(candidates, return_std=True)
    # it prefers a low mean, and the worst point told teaches nothing about the minimum
    # (the minimum's distribution is taken over the candidates given, as in skopt)
    best = np.argmax(mes)
    assert mu[best] < np.median(mu)
    with_worst = gaussian_mes(np.vstack([X[[np.argmax(y)]], candidates]), gp, random_state=1)
    assert with_worst[0] < 1e-6 * mes[best]
    pvrs = gaussian_pvrs(candidates, gp, n_thompson=8, random_state=2)
    assert pvrs.shape == (400,) and np.all(pvrs >= 0)
    assert pvrs[np.argmax(std)] > 0 and gaussian_pvrs(X[:2], gp, random_state=2)[0] == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("acq_func", ["MES", "PVRS"])
def test_optimizer_with_information_acquisitions(acq_func):
    runs = []
    for _ in range(2):
        opt = Optimizer([(-2.0, 2.0)], acq_func=acq_func, n_initial_points=3, random_state=4,
                        acq_optimizer_kwargs={"n_points": 500})
        assert opt.acq_optimizer == "sampling"
        for _ in range(6):
            x = opt.ask()
            opt.tell(x, (x[0] - 0.5) ** 2)
        runs.append(opt.Xi)
    assert runs[0] == runs[1]  # seeded
    assert min(opt.yi) < 0.05


def test_gbrt_quantiles_default_and_loss_check():
    assert GradientBoostingQuantileRegressor().quantiles == (0.16, 0.5, 0.84)
    X = np.linspace(0, 1, 50)[:, None]
    from sklearn.ensemble import GradientBoostingRegressor

    with pytest.raises(ValueError, match="quantile loss"):
        GradientBoostingQuantileRegressor(base_estimator=GradientBoostingRegressor()).fit(X, X[:, 0])
    model = GradientBoostingQuantileRegressor(random_state=0).fit(X, X[:, 0])
    assert model.predict(X, return_quantiles=True).shape == (50, 3)
