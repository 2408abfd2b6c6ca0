"""Plots draw what the results hold: running minima, regrets, sampled points, partial dependence."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plots extra (matplotlib) is not installed")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from asktell import Categorical, Integer, Real, Space, dummy_minimize, gp_minimize  # noqa: E402
from asktell import plots  # noqa: E402

SPACE = [Real(1e-3, 1.0, prior="log-uniform", name="lr"), Integer(1, 6, name="depth"), Categorical(["a", "b", "c"], name="kind")]


def _f(x):
    lr, depth, kind = x
    return (np.log10(lr) + 1.5) ** 2 + 0.1 * (depth - 3) ** 2 + {"a": 0.0, "b": 0.3, "c": 0.6}[kind]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def gp_result():
    return gp_minimize(_f, SPACE, n_calls=14, n_initial_points=8, random_state=0)


def test_convergence_draws_the_running_minimum(gp_result):
    ax = plots.plot_convergence(gp_result, true_minimum=0.0)
    (line,) = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 14]
    np.testing.assert_allclose(line.get_ydata(), np.minimum.accumulate(gp_result.func_vals))
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 15))


def test_convergence_of_several_runs_draws_their_mean():
    runs = [dummy_minimize(_f, SPACE, n_calls=10, random_state=s) for s in range(3)]
    ax = plots.plot_convergence(("random", runs))
    mean = [ln for ln in ax.get_lines() if ln.get_label() == "random"]
    assert len(mean) == 1 and len(ax.get_lines()) == 4
    expected = np.mean([np.minimum.accumulate(r.func_vals) for r in runs], axis=0)
    np.testing.assert_allclose(mean[0].get_ydata(), expected)


def test_regret_is_the_cumulative_gap_to_the_minimum(gp_result):
    ax = plots.plot_regret(gp_result, true_minimum=-1.0)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), np.cumsum(gp_result.func_vals + 1.0))


def test_bad_arguments_are_named(gp_result):
    with pytest.raises(TypeError, match="argument 0"):
        plots.plot_convergence([1, 2])
    with pytest.raises(ValueError, match="plot_dims.*'nope'"):
        plots.plot_evaluations(gp_result, plot_dims=["nope"])
    with pytest.raises(ValueError, match="zscale"):
        plots.plot_objective(gp_result, zscale="cubic")
    with pytest.raises(ValueError, match="no fitted model"):
        plots.plot_objective(dummy_minimize(_f, SPACE, n_calls=5, random_state=0))
    with pytest.raises(ValueError, match="1-D"):
        plots.plot_gaussian_process(gp_result)


def test_evaluations_histograms_count_every_point(gp_result):
    axes = plots.plot_evaluations(gp_result)
    assert axes.shape == (3, 3)
    assert not axes[0, 1].axison and axes[1, 0].axison
    # the categorical histogram: one bar per category, counts summing to the calls
    heights = [p.get_height() for p in axes[2, 2].patches]
    kinds = [x[2] for x in gp_result.x_iters]
    assert heights == [kinds.count(c) for c in "abc"]
    assert [t.get_text() for t in axes[2, 2].get_xticklabels()] == ["a", "b", "c"]
    assert axes[0, 0].get_xscale() == "log"


def test_histogram_of_one_dimension(gp_result):
    ax = plots.plot_histogram(gp_result, "depth", bins=6)
    assert sum(p.get_height() for p in ax.patches) == 14


class _SumOfColumns:
    """A model whose partial dependence is known in closed form."""

    def predict(self, X):
        return np.asarray(X).sum(axis=1)


def test_partial_dependence_averages_the_other_dimensions():
    space = Space([Real(0.0, 1.0), Real(0.0, 2.0)])
    samples = space.transform(space.rvs(50, random_state=0))
    xi, yi = plots.partial_dependence_1D(space, _SumOfColumns(), 0, samples, n_points=5)
    np.testing.assert_allclose(xi, np.linspace(0, 1, 5))
    # identity transforms: dimension 0 at x contributes x, the other its mean over the samples
    np.testing.assert_allclose(yi, np.linspace(0, 1, 5) + samples[:, 1].mean())
    xi, yi, zi = plots.partial_dependence_2D(space, _SumOfColumns(), 0, 1, samples, n_points=3)
    np.testing.assert_allclose(xi, [0.0, 1.0, 2.0])  # dimension j along x, i along y
    np.testing.assert_allclose(zi, np.add.outer(np.linspace(0, 1, 3), np.linspace(0, 2, 3)))


def test_objective_plot_of_a_mixed_space(gp_result):
    axes = plots.plot_objective(gp_result, n_points=8, n_samples=20, random_state=0)
    assert axes.shape == (3, 3)
    model = gp_result.models[-1]
    space = gp_result.space
    samples = space.transform(space.rvs(20, random_state=np.random.RandomState(0)))
    _, expected = plots.partial_dependence_1D(space, model, 2, samples, 8)
    np.testing.assert_allclose(axes[2, 2].get_lines()[0].get_ydata(), expected)
    assert [t.get_text() for t in axes[2, 1].get_yticklabels()] == ["a", "b", "c"]
    plots.plot_objective(gp_result, sample_source="result", minimum="expected_minimum", plot_dims=["lr", "kind"], n_points=6)


def test_gaussian_process_of_a_1d_run():
    res = gp_minimize(lambda x: (x[0] - 0.3) ** 2, [Real(-1.0, 1.0)], n_calls=8, n_initial_points=5, random_state=0)
    ax = plots.plot_gaussian_process(res, objective=lambda x: (x[0] - 0.3) ** 2, show_next_point=True)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "True (unknown)" in labels and "Observations" in labels
    observed = [ln for ln in ax.get_lines() if ln.get_label() == "Observations"][0]
    np.testing.assert_allclose(observed.get_ydata(), res.func_vals)
