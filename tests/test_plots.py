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


@pytest.mark.parametrize("n_calls", [5, 19])
def test_convergence_ticks_count_whole_calls(n_calls):
    ax = plots.plot_convergence(dummy_minimize(_f, SPACE, n_calls=n_calls, random_state=0))
    ax.figure.canvas.draw()
    low, high = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks)


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
    assert [t.get_text() for t in axes[2, 0].get_yticklabels()] == ["a", "b", "c"]
    assert axes[2, 1].get_yticklabels() == []  # the row shares the first column's labels
    plots.plot_objective(gp_result, sample_source="result", minimum="expected_minimum", plot_dims=["lr", "kind"], n_points=6)


def test_gaussian_process_of_a_1d_run():
    res = gp_minimize(lambda x: (x[0] - 0.3) ** 2, [Real(-1.0, 1.0)], n_calls=8, n_initial_points=5, random_state=0)
    ax = plots.plot_gaussian_process(res, objective=lambda x: (x[0] - 0.3) ** 2, show_next_point=True)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "True (unknown)" in labels and "Observations" in labels
    observed = [ln for ln in ax.get_lines() if ln.get_label() == "Observations"][0]
    np.testing.assert_allclose(observed.get_ydata(), res.func_vals)


# ------------------------------------------------------------- grids, units, layout, skopt's arguments
@pytest.mark.parametrize("high", [0.1, 0.2, 0.5, 0.05, 0.01, 0.001])
def test_log_grids_never_leave_the_dimension(high):
    dim = Real(1e-5, high, prior="log-uniform")
    values = plots._values_along(dim, 40)
    assert values[0] == 1e-5 and values[-1] == high
    assert all(1e-5 <= v <= high for v in values)
    assert np.all(np.diff(values) > 0)
    dim.transform(values)  # raised "0.10000000000000005 is not within Real" before


def test_objective_plot_of_a_log_uniform_learning_rate():
    space = [Real(1e-5, 1e-1, prior="log-uniform", name="lr"), Real(0.5, 0.99, name="momentum")]
    res = gp_minimize(lambda x: (np.log10(x[0]) + 2.5) ** 2 + 3 * (x[1] - 0.9) ** 2, space, n_calls=12,
                      n_initial_points=6, random_state=0)
    axes = plots.plot_objective(res, n_points=12, n_samples=30, random_state=0)
    line = axes[0, 0].get_lines()[0]
    assert line.get_xdata()[0] == 1e-5 and line.get_xdata()[-1] == 1e-1
    assert axes[0, 0].get_xscale() == "log" and axes[1, 0].get_xscale() == "log"


def _bowl_result():
    """An `asktell.minimize` run on an objective between 0 and about 37 (whose warped model overshot to 1e154)."""
    from asktell import minimize

    def f(x):
        return float((x[0] - 0.3) ** 2 * 4 + (x[1] + 1) ** 2 + np.sin(3 * x[2]) + 1)

    return minimize(f, [Real(-2.0, 2.0, name="a"), Real(-3.0, 3.0, name="b"), Real(0.0, 3.0, name="c")],
                    n_calls=22, random_state=1)


def test_partial_dependence_is_in_the_objectives_units_and_range():
    res = _bowl_result()
    model = res.models[-1]
    assert model.target_warp_.power is not None  # the model sees warped values
    axes = plots.plot_objective(res, n_points=15, n_samples=40, random_state=0)
    told = np.asarray(res.func_vals)
    for k in range(3):
        y = axes[k, k].get_lines()[0].get_ydata()
        assert np.all(np.isfinite(y))
        assert y.max() <= told.max() + 1e-9 and y.min() >= told.min() - 0.5 * np.ptp(told)
    # the curve is the model's mean mapped back by the warp, averaged over the same samples
    space = res.space
    samples = space.transform(space.rvs(40, random_state=np.random.RandomState(0)))
    xi, expected = plots.partial_dependence_1D(space, model, 1, samples, 15)
    np.testing.assert_allclose(axes[1, 1].get_lines()[0].get_ydata(), expected)
    rows = np.array(samples)
    rows[:, 1] = space.dimensions[1].transform([xi[7]])[0]
    mu = model.target_warp_.inverse_transform(model.predict(rows))
    inside = mu <= told.max()
    # where the raw mapped-back mean stays within the values told, the plotted value is exactly its mean
    if inside.all():
        assert expected[7] == pytest.approx(mu.mean())
    # the 2-D contours hold the same kind of values
    _, _, zi = plots.partial_dependence_2D(space, model, 1, 0, samples, 6)
    assert np.all(np.isfinite(zi)) and zi.max() <= told.max() + 1e-9


def _texts(fig):
    """Window extents of every visible tick label and axis label, with the axes each belongs to."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        if not ax.axison:
            continue
        texts = [ax.xaxis.label, ax.yaxis.label]
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if low - 1e-12 * abs(high - low) <= tick.get_loc() <= high * (1 + 1e-12) + 1e-12:
                    texts += [tick.label1, tick.label2]  # label2: the diagonal's ticks on the right
        for t in texts:
            if t.get_visible() and t.get_text():
                out.append((ax, t.get_text(), t.get_window_extent(renderer)))
    return out


def _assert_readable(fig):
    box = fig.bbox
    texts = _texts(fig)
    assert texts
    for _, text, ext in texts:
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1 and ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, text
    for k, (ax_a, text_a, a) in enumerate(texts):
        for ax_b, text_b, b in texts[k + 1:]:
            if ax_a is not ax_b:
                assert not a.overlaps(b), (text_a, text_b)


def test_matrix_plots_have_no_overlapping_or_clipped_labels(gp_result):
    _assert_readable(plots.plot_objective(gp_result, n_points=8, n_samples=20, random_state=0)[0, 0].figure)
    _assert_readable(plots.plot_evaluations(gp_result)[0, 0].figure)
    # tight gaps, as a user may ask for, still keep labels apart
    _assert_readable(plots.plot_evaluations(gp_result, size=1.5, wspace=0.1, hspace=0.1)[0, 0].figure)


def test_integer_histograms_have_integer_ticks_and_one_bar_per_integer(gp_result):
    ax = plots.plot_histogram(gp_result, "depth")
    ticks = [t for t in ax.get_xticks() if 1 <= t <= 6]
    assert ticks and all(float(t).is_integer() for t in ticks)
    centres = sorted(p.get_x() + p.get_width() / 2 for p in ax.patches)
    np.testing.assert_allclose(centres, np.arange(1, 7), atol=1e-9)
    depths = [x[1] for x in gp_result.x_iters]
    heights = [p.get_height() for p in sorted(ax.patches, key=lambda p: p.get_x())]
    assert heights == [depths.count(d) for d in range(1, 7)]
    assert all(float(t).is_integer() for t in ax.get_yticks())


def test_skopt_layout_arguments(gp_result):
    axes = plots.plot_objective(gp_result, n_points=6, n_samples=10, size=1.5, wspace=0.2, hspace=0.2,
                                cmap="magma", random_state=0)
    fig = axes[0, 0].figure
    assert fig.get_size_inches()[0] == pytest.approx(1.5 * 3 + 0.8)
    assert axes[1, 0].collections[0].get_cmap().name == "magma"
    # ax=: the matrix is drawn inside the given axes
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5))
    inner = plots.plot_evaluations(gp_result, ax=right, cmap="plasma")
    assert inner.shape == (3, 3)
    frame = right.get_position()
    for a in inner.ravel():
        pos = a.get_position()
        assert pos.x0 >= frame.x0 - 1e-9 and pos.x1 <= frame.x1 + 1e-9
    assert inner[1, 0].collections[0].get_cmap().name == "plasma"
    inner = plots.plot_objective(gp_result, n_points=5, n_samples=10, ax=left, random_state=0)
    assert all(a.get_position().x1 <= left.get_position().x1 + 1e-9 for a in inner.ravel())


def test_objective_2d_draws_the_partial_dependence_and_the_points(gp_result):
    ax = plots.plot_objective_2D(gp_result, "lr", "depth", n_points=7, n_samples=15, random_state=0)
    space = gp_result.space
    samples = space.transform(space.rvs(15, random_state=np.random.RandomState(0)))
    _, _, zi = plots.partial_dependence_2D(space, gp_result.models[-1], 1, 0, samples, 7)
    contours = ax.collections[0]
    assert contours.levels[0] <= zi.min() and contours.levels[-1] >= zi.max()
    points = ax.collections[1].get_offsets()
    np.testing.assert_allclose(points[:, 0], [x[0] for x in gp_result.x_iters])
    np.testing.assert_allclose(points[:, 1], [x[1] for x in gp_result.x_iters])
    assert ax.get_xlabel() == "lr" and ax.get_ylabel() == "depth" and ax.get_xscale() == "log"


def test_skopt_partial_dependence_entry_point():
    space = Space([Real(0.0, 1.0), Real(0.0, 2.0)])
    points = space.rvs(30, random_state=1)
    xi, yi = plots.partial_dependence(space, _SumOfColumns(), 0, sample_points=points, n_points=4)
    np.testing.assert_allclose(yi, np.linspace(0, 1, 4) + np.mean([p[1] for p in points]))
    xi, yi, zi = plots.partial_dependence(space, _SumOfColumns(), 0, 1, x_eval=[0.5, 1.0], n_points=3)
    np.testing.assert_allclose(zi, np.add.outer(np.linspace(0, 1, 3), np.linspace(0, 2, 3)))


def test_gaussian_process_band_stays_finite_and_near_the_values():
    from asktell import minimize

    res = minimize(lambda x: float(np.sin(5 * np.log10(x[0])) + (np.log10(x[0]) + 3) ** 2 / 4),
                   [Real(1e-5, 1e-1, prior="log-uniform")], n_calls=10, random_state=0)
    ax = plots.plot_gaussian_process(res, show_acq_func=True)
    (band,) = ax.collections
    ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    told = res.func_vals
    assert np.all(np.isfinite(ys))
    assert ys.max() <= told.max() + 0.5 * np.ptp(told) + 1e-9 and ys.min() >= told.min() - 0.5 * np.ptp(told) - 1e-9
    assert "EI(x), right axis" in [t.get_text() for t in ax.get_legend().get_texts()]
