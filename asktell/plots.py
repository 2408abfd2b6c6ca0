"""Plots of optimization results, with scikit-optimize's functions and arguments.

``plot_convergence`` and ``plot_regret`` compare runs; ``plot_evaluations``
and ``plot_histogram`` show where a run sampled; ``plot_objective`` shows
the last surrogate model's partial dependence (the model's mean averaged
over the other dimensions), ``plot_gaussian_process`` a 1-D model with its
uncertainty. matplotlib is the optional extra ``plots``, imported only when
a plot is drawn.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from .space import Categorical, Integer, Space
from .utils import predict_objective

__all__ = [
    "plot_convergence",
    "plot_regret",
    "plot_evaluations",
    "plot_histogram",
    "plot_objective",
    "plot_objective_2D",
    "partial_dependence",
    "plot_gaussian_process",
    "partial_dependence_1D",
    "partial_dependence_2D",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("asktell's plots need matplotlib: pip install 'asktell[plots]'") from None
    return plt


def _axes(ax):
    return _pyplot().gca() if ax is None else ax


# ------------------------------------------------------------- comparing runs
def _labelled_runs(args):
    """``(label, [results])`` for each argument: a result, a list of results, or a ``(label, ...)`` pair."""
    runs = []
    for i, arg in enumerate(args):
        label = None
        if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str):
            label, arg = arg
        results = list(arg) if isinstance(arg, (list, tuple)) else [arg]
        if not results or not all(hasattr(r, "func_vals") for r in results):
            raise TypeError(f"argument {i} must be an OptimizeResult, a list of them or (label, result), got {arg!r}")
        runs.append((label, results))
    if not runs:
        raise ValueError("pass at least one result to plot")
    return runs


def _draw_runs(args, ax, true_minimum, yscale, curve, ylabel, title):
    ax = _axes(ax)
    colors = _pyplot().cm.viridis(np.linspace(0.25, 1.0, len(args)))
    for (label, results), color in zip(_labelled_runs(args), colors):
        curves = [curve(np.asarray(r.func_vals, float)) for r in results]
        n = min(len(c) for c in curves)
        calls = np.arange(1, n + 1)
        if len(curves) > 1:  # every run faintly, their mean bold
            for c in curves:
                ax.plot(calls, c[:n], c=color, alpha=0.2)
            ax.plot(calls, np.mean([c[:n] for c in curves], axis=0), c=color, marker=".", ms=8, lw=2, label=label)
        else:
            ax.plot(calls, curves[0], c=color, marker=".", ms=8, lw=2, label=label)
    if true_minimum is not None:
        ax.axhline(true_minimum, linestyle="--", color="r", lw=1, label="True minimum")
    if yscale is not None:
        ax.set_yscale(yscale)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # calls are counted: no tick at 2.5
    ax.set_title(title)
    ax.set_xlabel("Number of calls $n$")
    ax.set_ylabel(ylabel)
    ax.grid()
    if any(label is not None for label, _ in _labelled_runs(args)) or true_minimum is not None:
        ax.legend(loc="best")
    return ax


def plot_convergence(*args, ax=None, true_minimum=None, yscale=None):
    """The best value found after each call, for one or several runs.

    Parameters
    ----------
    *args : OptimizeResult, list of OptimizeResult, or (label, either)
        A list of results (runs of one optimizer with different seeds)
        is drawn as faint runs and their mean.
    ax : matplotlib Axes, optional
    true_minimum : float, optional
        Drawn as a dashed line.
    yscale : str, optional
        e.g. ``"log"``.

    Returns
    -------
    matplotlib Axes
    """
    return _draw_runs(args, ax, true_minimum, yscale, np.minimum.accumulate, r"$\min f(x)$ after $n$ calls", "Convergence plot")


def plot_regret(*args, ax=None, true_minimum=None, yscale=None):
    """Cumulative regret, the sum over calls of ``f(x_n) - true_minimum``.

    ``true_minimum`` defaults to the best value over all runs given.
    Arguments as in `plot_convergence`.
    """
    if true_minimum is None:
        true_minimum = min(float(np.min(r.func_vals)) for _, rs in _labelled_runs(args) for r in rs)

    def regret(values):
        return np.cumsum(values - true_minimum)

    return _draw_runs(args, ax, None, yscale, regret, r"$\sum_{i=1}^n (f(x_i) - f(x^*))$", "Cumulative regret plot")


# ------------------------------------------------------------- where a run sampled
def _space(result, dimensions=None):
    space = result.space if isinstance(result.space, Space) else Space(result.space)
    names = dimensions or [d.name or f"$X_{{{i}}}$" for i, d in enumerate(space.dimensions)]
    if len(names) != space.n_dims:
        raise ValueError(f"dimensions must name each of the {space.n_dims} dimensions, got {dimensions!r}")
    return space, list(names)


def _plot_dims(space, plot_dims):
    """Indices of the dimensions to draw: all that vary, or those named/numbered in ``plot_dims``."""
    if plot_dims is None:
        return [i for i, d in enumerate(space.dimensions) if not d.is_constant]
    index = {d.name: i for i, d in enumerate(space.dimensions) if d.name is not None}
    out = []
    for p in plot_dims:
        if isinstance(p, str):
            if p not in index:
                raise ValueError(f"plot_dims: no dimension named {p!r}; names are {sorted(index)}")
            out.append(index[p])
        elif isinstance(p, (int, np.integer)) and 0 <= p < space.n_dims:
            out.append(int(p))
        else:
            raise ValueError(f"plot_dims: {p!r} is neither a dimension name nor an index below {space.n_dims}")
    return out


def _is_log(dim):
    return getattr(dim, "prior", None) == "log-uniform"


def _numeric(dim, values):
    """Values along one dimension as numbers: categories by their index."""
    if isinstance(dim, Categorical):
        return np.array([dim.index(v) for v in values], dtype=float)
    return np.asarray(values, dtype=float)


def _style_axis(ax, dim, which, pad_integers=True):
    """Log scale for log priors, category names as ticks, integer ticks for integers, few ticks.

    The axis spans the dimension's bounds; integers half a unit more on
    each side (``pad_integers``) so that bars and points at the bounds show whole.
    """
    from matplotlib.ticker import LogLocator, MaxNLocator

    axis = ax.xaxis if which == "x" else ax.yaxis
    set_lim = ax.set_xlim if which == "x" else ax.set_ylim
    if isinstance(dim, Categorical):
        axis.set_ticks(range(len(dim.categories)))
        axis.set_ticklabels([str(c) for c in dim.categories])
        set_lim(-0.5, len(dim.categories) - 0.5)
        return
    low, high = dim.bounds
    if _is_log(dim):
        (ax.set_xscale if which == "x" else ax.set_yscale)("log", base=dim.base)
        axis.set_major_locator(LogLocator(base=dim.base, numticks=4))
    else:
        axis.set_major_locator(MaxNLocator(nbins=4, integer=isinstance(dim, Integer)))
    if isinstance(dim, Integer) and pad_integers:
        set_lim(low - 0.5, high + 0.5)
    else:
        set_lim(low, high)


def _figure_grid(n, size, wspace, hspace, ax):
    """``(figure, (n, n) axes)``: a new figure sized ``size`` inches a cell, or cells inside ``ax``.

    A new figure uses matplotlib's constrained layout, which keeps tick and
    axis labels inside the figure and off the neighbouring cells;
    ``wspace``/``hspace`` are the gaps between cells (fractions of a cell).
    """
    plt = _pyplot()
    if ax is None:
        fig, axes = plt.subplots(n, n, figsize=(size * n + 0.8, size * n + 0.6), squeeze=False, layout="constrained")
        fig.get_layout_engine().set(wspace=wspace / max(n, 1), hspace=hspace / max(n, 1))
        return fig, axes
    fig = ax.get_figure()
    grid = ax.get_subplotspec().subgridspec(n, n, wspace=wspace, hspace=hspace)
    ax.set_axis_off()
    axes = np.empty((n, n), dtype=object)
    for r in range(n):
        for c in range(n):
            axes[r, c] = fig.add_subplot(grid[r, c])
    return fig, axes


def _label_matrix(axes, space, dims, names, diagonal_label):
    """Axis labels on the outer cells only; inner tick labels hidden (rows and columns share ranges)."""
    n = len(dims)
    for row, i in enumerate(dims):
        for col, j in enumerate(dims):
            ax = axes[row, col]
            if col > row:
                ax.set_axis_off()
                continue
            if row < n - 1:
                ax.tick_params(axis="x", labelbottom=False)
            else:
                ax.set_xlabel(names[j])
                ax.tick_params(axis="x", labelrotation=30 if isinstance(space.dimensions[j], Categorical) else 0)
            if row == col:
                # the diagonal's y axis is a value, not a dimension: ticks on the right
                ax.yaxis.tick_right()
                ax.yaxis.set_label_position("right")
                if row == 0 and diagonal_label:
                    ax.set_ylabel(diagonal_label)
            elif col > 0:
                ax.tick_params(axis="y", labelleft=False)
            else:
                ax.set_ylabel(names[i])


def _histogram(ax, dim, values, bins):
    """Counts per category, per integer (when fewer than ``bins``), or in ``bins`` (log-)even bins."""
    if isinstance(dim, Categorical):
        counts = np.bincount(_numeric(dim, values).astype(int), minlength=len(dim.categories))
        ax.bar(range(len(dim.categories)), counts)
    else:
        low, high = dim.bounds
        if isinstance(dim, Integer) and high - low + 1 <= bins and not _is_log(dim):
            edges = np.arange(low, high + 2) - 0.5  # one bar per integer, centred on it
        else:
            edges = _values_along(dim, bins + 1, exact=False)
        ax.hist(np.asarray(values, float), bins=edges, rwidth=0.8 if isinstance(dim, Integer) else None)
    _style_axis(ax, dim, "x")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))


def plot_histogram(result, dimension_identifier, bins=20, rotate_labels=0, ax=None):
    """Histogram of the values one dimension took over a run.

    ``dimension_identifier`` is the dimension's name or index.
    """
    space, _ = _space(result)
    (i,) = _plot_dims(space, [dimension_identifier])
    ax = _axes(ax)
    dim = space.dimensions[i]
    _histogram(ax, dim, [x[i] for x in result.x_iters], bins)
    ax.set_xlabel(dim.name or f"$X_{{{i}}}$")
    ax.set_ylabel("Number of samples")
    ax.tick_params(axis="x", labelrotation=rotate_labels)
    return ax


def plot_evaluations(result, bins=20, dimensions=None, plot_dims=None, size=2, wspace=0.35, hspace=0.35,
                     cmap="viridis", ax=None):
    """The points a run evaluated: a histogram per dimension, scatter plots per pair.

    Points are coloured by the order they were evaluated in; the best is
    marked with a red star. ``size`` (inches a cell), ``wspace``/``hspace``
    (gaps between cells) and ``ax`` (draw inside this axes) as in
    scikit-optimize.

    Returns
    -------
    ndarray of matplotlib Axes, ``(k, k)`` for ``k`` dimensions drawn
    """
    space, names = _space(result, dimensions)
    dims = _plot_dims(space, plot_dims)
    X = result.x_iters
    order = np.arange(len(X))
    best = [_numeric(space.dimensions[i], [result.x[i]])[0] for i in range(space.n_dims)]
    columns = [_numeric(space.dimensions[i], [x[i] for x in X]) for i in range(space.n_dims)]
    _, axes = _figure_grid(len(dims), size, wspace, hspace, ax)
    for row, i in enumerate(dims):
        for col, j in enumerate(dims[: row + 1]):
            ax_ = axes[row, col]
            if row == col:
                _histogram(ax_, space.dimensions[i], [x[i] for x in X], bins)
            else:
                ax_.scatter(columns[j], columns[i], c=order, s=40, lw=0.0, cmap=cmap, clip_on=False)
                ax_.scatter(best[j], best[i], c="r", s=100, lw=0.0, marker="*", clip_on=False)
                _style_axis(ax_, space.dimensions[j], "x")
                _style_axis(ax_, space.dimensions[i], "y")
    _label_matrix(axes, space, dims, names, "Number of samples")
    return axes


# ------------------------------------------------------------- the surrogate model
def _columns(space):
    """The slice of transformed columns each dimension occupies."""
    edges = np.cumsum([0] + [d.transformed_size for d in space.dimensions])
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def _values_along(dim, n_points, exact=True):
    """Points along one dimension: every category, or ``n_points`` evenly (log-evenly) spaced values.

    The values never leave the dimension: ``base ** linspace(log low,
    log high)`` rounds the ends (``10 ** log10(0.1)`` is
    0.10000000000000002), so they are clipped and the ends set to the
    bounds themselves. Integers are rounded and deduplicated (unless
    ``exact`` is False: histogram edges between the integers).
    """
    if isinstance(dim, Categorical):
        return list(dim.categories)
    low, high = dim.bounds
    if _is_log(dim):
        log = np.log(dim.base)
        values = np.exp(np.linspace(np.log(low) / log, np.log(high) / log, n_points) * log)
    else:
        values = np.linspace(low, high, n_points)
    values = np.clip(values, low, high)
    values[0], values[-1] = low, high
    if isinstance(dim, Integer) and exact:
        values = np.unique(np.round(values).astype(int))
    return list(values)


def _objective_mean(model, rows):
    """The model's mean at ``rows`` in the objective's units, within what the model supports.

    A model fitted on warped values (asktell's Gaussian processes) predicts
    in the warped units; the Yeo-Johnson inverse explodes beyond the
    values the warp was fitted on (a mean a little above the largest told
    value can map to 1e150). So the mean is kept within the range of the
    model's own training targets (a tenth of it lower: a model may predict
    some improvement on the best), and once mapped back within half the
    range of the values told beyond them.
    """
    return _unwarp(model, model.predict(rows))


def _unwarp(model, w, above=0.0):
    """Model outputs ``w`` in the objective's units, clipped to what the model supports (`_objective_mean`).

    ``above``: how far above the largest training target (a fraction of
    their range) ``w`` may go; a mean stays below it (a warped GP's mean
    overshoots there), an uncertainty band may pass it.
    """
    w = np.asarray(w, dtype=float)
    warp = getattr(model, "target_warp_", None)
    if warp is None:
        return w
    seen = np.asarray(getattr(model, "y_train_", []), dtype=float)
    seen = seen[np.isfinite(seen)] if seen.ndim == 1 else seen[:0]
    if not len(seen):
        return warp.inverse_transform(w)
    low, high = float(seen.min()), float(seen.max())
    margin = 0.1 * (high - low)
    y = warp.inverse_transform(np.clip(w, low - margin, high + above * (high - low)))
    # past the warp's asymptote a tenth of the range can still be huge: at most half the told range beyond
    y_low, y_high = warp.inverse_transform(np.array([low, high]))
    return np.clip(y, y_low - 0.5 * (y_high - y_low), y_high + 0.5 * (y_high - y_low))


def partial_dependence_1D(space, model, i, samples, n_points=40):
    """The model's mean along dimension ``i``, averaged over ``samples`` for the others.

    Parameters
    ----------
    space : Space
    model : fitted regressor on ``space.transform`` rows
    i : int
    samples : array of shape (n_samples, space.transformed_n_dims)
        Transformed points whose other coordinates are averaged over.
    n_points : int
        Grid size for numeric dimensions.

    Returns
    -------
    xi : list, the values along dimension ``i`` (within its bounds)
    yi : ndarray, the partial dependence at each, in the objective's units
    """
    dim, cols = space.dimensions[i], _columns(space)[i]
    xi = _values_along(dim, n_points)
    rows = np.array(samples, dtype=float)
    yi = []
    for t in dim.transform(xi):
        rows[:, cols] = t
        yi.append(float(np.mean(_objective_mean(model, rows))))
    return xi, np.array(yi)


def partial_dependence_2D(space, model, i, j, samples, n_points=40):
    """As `partial_dependence_1D` over the pair ``(i, j)``.

    Returns
    -------
    xi, yi : lists, the values along dimensions ``j`` (x axis) and ``i`` (y axis)
    zi : ndarray of shape (len(yi), len(xi))
    """
    cols = _columns(space)
    xi = _values_along(space.dimensions[j], n_points)
    yi = _values_along(space.dimensions[i], n_points)
    tx, ty = space.dimensions[j].transform(xi), space.dimensions[i].transform(yi)
    rows = np.array(samples, dtype=float)
    zi = np.empty((len(yi), len(xi)))
    for a, t_i in enumerate(ty):
        rows[:, cols[i]] = t_i
        for b, t_j in enumerate(tx):
            rows[:, cols[j]] = t_j
            zi[a, b] = float(np.mean(_objective_mean(model, rows)))
    return xi, yi, zi


def partial_dependence(space, model, i, j=None, sample_points=None, n_samples=250, n_points=40, x_eval=None):
    """scikit-optimize's entry point: `partial_dependence_1D` (``j`` None) or `partial_dependence_2D`.

    ``sample_points`` (points in the space's own values) are averaged
    over; else ``x_eval`` (one point: the model's slice through it); else
    ``n_samples`` random points of the space.
    """
    if sample_points is not None:
        samples = space.transform(sample_points)
    elif x_eval is not None:
        samples = space.transform([list(x_eval)])
    else:
        samples = space.transform(space.rvs(n_samples=n_samples))
    if j is None:
        return partial_dependence_1D(space, model, i, samples, n_points)
    return partial_dependence_2D(space, model, i, j, samples, n_points)


def _model(result, n_calls=-1):
    if not getattr(result, "models", None):
        raise ValueError("the result holds no fitted model: run with a surrogate (gp_minimize, forest_minimize, ...)")
    return result.models[n_calls]


def _reference_point(result, space, minimum, n_minimum_search, random_state):
    """The point the partial dependence is centred on: the best evaluated, the model's minimum, or given."""
    if minimum == "result":
        return list(result.x)
    if minimum in ("expected_minimum", "expected_minimum_random"):
        from .utils import expected_minimum, expected_minimum_random_sampling

        if minimum == "expected_minimum":
            return expected_minimum(result, n_random_starts=n_minimum_search or 20, random_state=random_state)[0]
        return expected_minimum_random_sampling(result, n_random_starts=n_minimum_search or 10000, random_state=random_state)[0]
    point = list(minimum)
    space.check_point(point, "minimum")
    return point


def _samples(space, sample_source, star, n_samples, rng):
    """Transformed points the partial dependence averages over (see `plot_objective`)."""
    if isinstance(sample_source, str):
        if sample_source == "random":
            return space.transform(space.rvs(n_samples=n_samples, random_state=rng))
        if sample_source == "result":
            return space.transform([star])
        raise ValueError(f"sample_source must be 'random', 'result' or a point, got {sample_source!r}")
    space.check_point(list(sample_source), "sample_source")
    return space.transform([list(sample_source)])


def _contour(ax, space, model, i, j, samples, n_points, levels, zscale, cmap, X, star, show_points):
    """Draw the 2-D partial dependence of ``(i, j)`` (``j`` along x) with the points and the star."""
    from matplotlib.colors import LogNorm

    di, dj = space.dimensions[i], space.dimensions[j]
    xi, yi, zi = partial_dependence_2D(space, model, i, j, samples, n_points)
    norm = LogNorm() if zscale == "log" else None
    if isinstance(di, Categorical) or isinstance(dj, Categorical):
        # categories are not a continuum to interpolate across: one cell per value
        from matplotlib.colors import BoundaryNorm
        from matplotlib.ticker import LogLocator, MaxNLocator

        locator = LogLocator(numticks=levels + 1) if zscale == "log" else MaxNLocator(levels + 1)
        bounds = locator.tick_values(np.nanmin(zi), np.nanmax(zi))
        norm = BoundaryNorm(bounds, _pyplot().get_cmap(cmap).N)
        ax.pcolormesh(_numeric(dj, xi), _numeric(di, yi), zi, shading="nearest", cmap=cmap, norm=norm)
    else:
        ax.contourf(_numeric(dj, xi), _numeric(di, yi), zi, levels, cmap=cmap, norm=norm)
    if show_points:
        ax.scatter(_numeric(dj, [x[j] for x in X]), _numeric(di, [x[i] for x in X]), c="k", s=10, lw=0.0, clip_on=False)
    ax.scatter(_numeric(dj, [star[j]]), _numeric(di, [star[i]]), c="r", s=100, lw=0.0, marker="*", clip_on=False)
    _style_axis(ax, dj, "x", pad_integers=False)  # the contours end at the bounds
    _style_axis(ax, di, "y", pad_integers=False)
    return zi


def plot_objective(
    result,
    levels=10,
    n_points=40,
    n_samples=250,
    size=2,
    wspace=0.35,
    hspace=0.35,
    zscale="linear",
    dimensions=None,
    sample_source="random",
    minimum="result",
    n_minimum_search=None,
    plot_dims=None,
    show_points=True,
    cmap="viridis_r",
    ax=None,
    random_state=None,
):
    """Partial dependence of the last surrogate model: one curve per dimension, contours per pair.

    Values are in the objective's units (a warped model's mean is mapped
    back, within the range of values it was fitted on).

    Parameters
    ----------
    result : OptimizeResult with ``models``
    levels : int
        Contour levels.
    n_points : int
        Grid size along each numeric dimension.
    n_samples : int
        Points the other dimensions are averaged over.
    size : float
        Inches per subplot.
    wspace, hspace : float
        Gaps between the subplots, as fractions of a subplot.
    zscale : {"linear", "log"}
    dimensions : list of str, optional
        Axis labels (default: the dimensions' names).
    sample_source : {"random", "result"} or list
        Where the averaged points come from: random points of the space,
        the points the run evaluated, or a given point (a one-point
        "partial dependence": the model's slice through that point).
    minimum : {"result", "expected_minimum", "expected_minimum_random"} or list
        The point marked with a red star (and ``sample_source="result"``
        slices through it).
    n_minimum_search : int, optional
        Starts/samples for the expected minimum.
    plot_dims : list of str or int, optional
    show_points : bool
        Draw the evaluated points.
    cmap : str
    ax : matplotlib Axes, optional
        Draw the matrix inside this axes instead of a new figure.
    random_state : int, RandomState or None

    Returns
    -------
    ndarray of matplotlib Axes
    """
    if zscale not in ("linear", "log"):
        raise ValueError(f"zscale must be 'linear' or 'log', got {zscale!r}")
    space, names = _space(result, dimensions)
    dims = _plot_dims(space, plot_dims)
    model = _model(result)
    rng = check_random_state(random_state)
    star = _reference_point(result, space, minimum, n_minimum_search, rng)
    samples = _samples(space, sample_source, star, n_samples, rng)
    X = result.x_iters
    fig, axes = _figure_grid(len(dims), size, wspace, hspace, ax)
    for row, i in enumerate(dims):
        di = space.dimensions[i]
        for col, j in enumerate(dims[: row + 1]):
            ax_ = axes[row, col]
            if row == col:
                xi, yi = partial_dependence_1D(space, model, i, samples, n_points)
                ax_.plot(_numeric(di, xi), yi, marker="o" if isinstance(di, Categorical) else None,
                         ls=":" if isinstance(di, Categorical) else "-")
                ax_.axvline(_numeric(di, [star[i]])[0], linestyle="--", color="r", lw=1)
                _style_axis(ax_, di, "x", pad_integers=False)  # as the contours below it
                if zscale == "log":
                    ax_.set_yscale("log")
            else:
                _contour(ax_, space, model, i, j, samples, n_points, levels, zscale, cmap, X, star, show_points)
    _label_matrix(axes, space, dims, names, "Partial dependence")
    if ax is None:
        fig.suptitle("Partial dependence of the objective")
    return axes


def plot_objective_2D(
    result,
    dimension_identifier1,
    dimension_identifier2,
    n_points=40,
    n_samples=250,
    levels=10,
    zscale="linear",
    sample_source="random",
    minimum="result",
    n_minimum_search=None,
    ax=None,
    cmap="viridis_r",
    random_state=None,
):
    """Contours of the last model's partial dependence over two dimensions, with the points evaluated.

    ``dimension_identifier1`` (name or index) runs along x,
    ``dimension_identifier2`` along y; the other arguments as in
    `plot_objective`. Returns the axes.
    """
    if zscale not in ("linear", "log"):
        raise ValueError(f"zscale must be 'linear' or 'log', got {zscale!r}")
    space, names = _space(result)
    j, i = _plot_dims(space, [dimension_identifier1, dimension_identifier2])
    model = _model(result)
    rng = check_random_state(random_state)
    star = _reference_point(result, space, minimum, n_minimum_search, rng)
    samples = _samples(space, sample_source, star, n_samples, rng)
    ax = _axes(ax)
    _contour(ax, space, model, i, j, samples, n_points, levels, zscale, cmap, result.x_iters, star, True)
    ax.set_xlabel(names[j])
    ax.set_ylabel(names[i])
    return ax


def plot_gaussian_process(
    res,
    ax=None,
    n_calls=-1,
    objective=None,
    n_points=1000,
    noise_level=0,
    show_legend=True,
    show_title=True,
    show_acq_func=False,
    show_next_point=False,
    show_observations=True,
    show_mu=True,
):
    """A 1-D run's surrogate after ``n_calls`` models: its mean, a 95% band, the observations.

    ``objective`` (the true function, if cheap) is drawn for comparison;
    ``show_acq_func`` adds the expected improvement on a twin axis.
    """
    space = res.space if isinstance(res.space, Space) else Space(res.space)
    if space.n_dims != 1:
        raise ValueError(f"plot_gaussian_process draws 1-D spaces only, this one has {space.n_dims} dimensions")
    from .acquisition import gaussian_ei

    ax = _axes(ax)
    model = _model(res, n_calls)
    n_models = len(res.models)
    # models[k] was fitted on the points told up to then: the first len(x_iters) - n_models, and k + 1 more
    n_told = len(res.x_iters) - n_models + (n_calls % n_models) + 1
    x = _values_along(space.dimensions[0], n_points)
    xt = space.transform([[v] for v in x])
    xs = _numeric(space.dimensions[0], x)
    if objective is not None:
        fx = np.array([objective([v]) for v in x])
        ax.plot(xs, fx, "r--", label="True (unknown)")
        ax.fill_between(xs, fx - 1.96 * noise_level, fx + 1.96 * noise_level, alpha=0.2, fc="r", ec="None")
    if show_mu:
        mu, std = model.predict(xt, return_std=True)
        # the warp is monotone: the band maps over (within what the model supports)
        ax.plot(xs, _unwarp(model, mu), "g--", label=r"$\mu(x)$")
        ax.fill_between(xs, _unwarp(model, mu - 1.96 * std), _unwarp(model, mu + 1.96 * std, above=0.1), alpha=0.2,
                        fc="g", ec="None")
    if show_observations:
        told = _numeric(space.dimensions[0], [p[0] for p in res.x_iters[:n_told]])
        ax.plot(told, res.func_vals[:n_told], "r.", markersize=8, label="Observations")
    if show_acq_func or show_next_point:
        y_opt = float(np.min(res.func_vals[:n_told]))
        warp = getattr(model, "target_warp_", None)
        ei = gaussian_ei(xt, model, y_opt=y_opt if warp is None else float(warp.transform([y_opt])[0]))
        twin = None
        if show_acq_func:
            # EI on its own scale, on a twin axis; named in the legend (a right-hand label is clipped)
            twin = ax.twinx()
            twin.plot(xs, ei, "b", label="EI(x), right axis")
            from matplotlib.ticker import MaxNLocator

            twin.yaxis.set_major_locator(MaxNLocator(4))
        if show_next_point:
            ax.axvline(xs[int(np.argmax(ei))], color="b", linestyle=":", lw=1, label="Next point")
    else:
        twin = None
    _style_axis(ax, space.dimensions[0], "x")
    if show_title:
        best = f"{res.x[0]:.4g}" if isinstance(res.x[0], (int, float, np.number)) else repr(res.x[0])
        ax.set_title(f"x* = {best}, f(x*) = {res.fun:.4g}, after {n_told} calls")
    if show_legend:
        handles, labels = ax.get_legend_handles_labels()
        if twin is not None:
            more = twin.get_legend_handles_labels()
            handles, labels = handles + more[0], labels + more[1]
        ax.legend(handles, labels, loc="best")
    ax.grid()
    return ax
