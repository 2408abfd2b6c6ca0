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


def _style_axis(ax, dim, which):
    """Log scale for log priors, category names as ticks."""
    set_scale = ax.set_xscale if which == "x" else ax.set_yscale
    set_ticks, set_labels = (ax.set_xticks, ax.set_xticklabels) if which == "x" else (ax.set_yticks, ax.set_yticklabels)
    if isinstance(dim, Categorical):
        set_ticks(range(len(dim.categories)))
        set_labels([str(c) for c in dim.categories])
    elif _is_log(dim):
        set_scale("log", base=dim.base)


def _grid(n, figsize_per=2.0):
    plt = _pyplot()
    fig, axes = plt.subplots(n, n, figsize=(figsize_per * n, figsize_per * n), squeeze=False)
    fig.subplots_adjust(left=0.05, right=0.95, bottom=0.05, top=0.95, hspace=0.1, wspace=0.1)
    return axes


def _histogram(ax, dim, values, bins):
    if isinstance(dim, Categorical):
        counts = np.bincount(_numeric(dim, values).astype(int), minlength=len(dim.categories))
        ax.bar(range(len(dim.categories)), counts)
    else:
        low, high = dim.bounds
        if _is_log(dim):
            edges = np.logspace(np.log(low) / np.log(dim.base), np.log(high) / np.log(dim.base), bins + 1, base=dim.base)
        else:
            edges = np.linspace(low, high, bins + 1)
        ax.hist(np.asarray(values, float), bins=edges)
    _style_axis(ax, dim, "x")


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


def plot_evaluations(result, bins=20, dimensions=None, plot_dims=None):
    """The points a run evaluated: a histogram per dimension, scatter plots per pair.

    Points are coloured by the order they were evaluated in; the best is
    marked with a red star.

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
    axes = _grid(len(dims))
    for row, i in enumerate(dims):
        for col, j in enumerate(dims):
            ax = axes[row, col]
            if col > row:
                ax.axis("off")
            elif row == col:
                _histogram(ax, space.dimensions[i], [x[i] for x in X], bins)
            else:
                ax.scatter(columns[j], columns[i], c=order, s=40, lw=0.0, cmap="viridis")
                ax.scatter(best[j], best[i], c="r", s=100, lw=0.0, marker="*")
                _style_axis(ax, space.dimensions[j], "x")
                _style_axis(ax, space.dimensions[i], "y")
            if row == len(dims) - 1:
                ax.set_xlabel(names[j])
            if col == 0 and row > 0:
                ax.set_ylabel(names[i])
    return axes


# ------------------------------------------------------------- the surrogate model
def _columns(space):
    """The slice of transformed columns each dimension occupies."""
    edges = np.cumsum([0] + [d.transformed_size for d in space.dimensions])
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def _values_along(dim, n_points):
    """Points along one dimension: every category, or ``n_points`` evenly (log-evenly) spaced values."""
    if isinstance(dim, Categorical):
        return list(dim.categories)
    low, high = dim.bounds
    if _is_log(dim):
        values = np.logspace(np.log(low) / np.log(dim.base), np.log(high) / np.log(dim.base), n_points, base=dim.base)
    else:
        values = np.linspace(low, high, n_points)
    if isinstance(dim, Integer):
        values = np.unique(np.round(values).astype(int))
    return list(values)


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
    xi : list, the values along dimension ``i``
    yi : ndarray, the partial dependence at each
    """
    dim, cols = space.dimensions[i], _columns(space)[i]
    xi = _values_along(dim, n_points)
    rows = np.array(samples, dtype=float)
    yi = []
    for t in dim.transform(xi):
        rows[:, cols] = t
        yi.append(float(np.mean(predict_objective(model, rows))))
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
            zi[a, b] = float(np.mean(predict_objective(model, rows)))
    return xi, yi, zi


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


def plot_objective(
    result,
    levels=10,
    n_points=40,
    n_samples=250,
    size=2,
    zscale="linear",
    dimensions=None,
    sample_source="random",
    minimum="result",
    n_minimum_search=None,
    plot_dims=None,
    show_points=True,
    cmap="viridis_r",
    random_state=None,
):
    """Partial dependence of the last surrogate model: one curve per dimension, contours per pair.

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
    if isinstance(sample_source, str):
        if sample_source == "random":
            samples = space.transform(space.rvs(n_samples=n_samples, random_state=rng))
        elif sample_source == "result":
            samples = space.transform([star])
        else:
            raise ValueError(f"sample_source must be 'random', 'result' or a point, got {sample_source!r}")
    else:
        space.check_point(list(sample_source), "sample_source")
        samples = space.transform([list(sample_source)])
    plt = _pyplot()
    from matplotlib.colors import LogNorm

    X = result.x_iters
    axes = _grid(len(dims), size)
    for row, i in enumerate(dims):
        di = space.dimensions[i]
        for col, j in enumerate(dims):
            ax = axes[row, col]
            if col > row:
                ax.axis("off")
                continue
            if row == col:
                xi, yi = partial_dependence_1D(space, model, i, samples, n_points)
                ax.plot(_numeric(di, xi), yi)
                ax.axvline(_numeric(di, [star[i]])[0], linestyle="--", color="r", lw=1)
                _style_axis(ax, di, "x")
                if zscale == "log":
                    ax.set_yscale("log")
            else:
                dj = space.dimensions[j]
                xi, yi, zi = partial_dependence_2D(space, model, i, j, samples, n_points)
                norm = LogNorm() if zscale == "log" else None
                ax.contourf(_numeric(dj, xi), _numeric(di, yi), zi, levels, cmap=cmap, norm=norm)
                if show_points:
                    ax.scatter(_numeric(dj, [x[j] for x in X]), _numeric(di, [x[i] for x in X]), c="k", s=10, lw=0.0)
                ax.scatter(_numeric(dj, [star[j]]), _numeric(di, [star[i]]), c="r", s=100, lw=0.0, marker="*")
                _style_axis(ax, dj, "x")
                _style_axis(ax, di, "y")
            if row == len(dims) - 1:
                ax.set_xlabel(names[j])
            if col == 0 and row > 0:
                ax.set_ylabel(names[i])
    plt.gcf().suptitle("Partial dependence of the objective")
    return axes


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
        warp = getattr(model, "target_warp_", None)
        back = (lambda w: w) if warp is None else warp.inverse_transform  # monotone: the band maps over
        ax.plot(xs, back(mu), "g--", label=r"$\mu(x)$")
        ax.fill_between(xs, back(mu - 1.96 * std), back(mu + 1.96 * std), alpha=0.2, fc="g", ec="None")
    if show_observations:
        told = _numeric(space.dimensions[0], [p[0] for p in res.x_iters[:n_told]])
        ax.plot(told, res.func_vals[:n_told], "r.", markersize=8, label="Observations")
    if show_acq_func or show_next_point:
        y_opt = float(np.min(res.func_vals[:n_told]))
        warp = getattr(model, "target_warp_", None)
        ei = gaussian_ei(xt, model, y_opt=y_opt if warp is None else float(warp.transform([y_opt])[0]))
        if show_acq_func:
            twin = ax.twinx()
            twin.plot(xs, ei, "b", label="EI(x)")
            twin.set_ylabel("EI(x)")
        if show_next_point:
            ax.axvline(xs[int(np.argmax(ei))], color="b", linestyle=":", lw=1, label="Next point")
    _style_axis(ax, space.dimensions[0], "x")
    if show_title:
        ax.set_title(f"x* = {res.x[0]!r}, f(x*) = {res.fun:.4f}, after {n_told} calls")
    if show_legend:
        ax.legend(loc="best")
    ax.grid()
    return ax
