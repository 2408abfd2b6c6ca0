"""Benchmark problems: the 24 noiseless COCO BBOB functions and classic test functions.

Besides the continuous BBOB suite, two discrete variants of it serve the
default optimizer's promise to handle integer, categorical and mixed
spaces (tabular hyperparameter search is mostly categorical):

* ``bbob-cat``: every coordinate is a categorical with six levels; each
  level stands for one point of a grid over [-4, 4] (where BBOB puts its
  optima), the levels shuffled per coordinate so that their order tells
  nothing. ``f_opt`` is the best of the whole grid (brute force), so a
  precision of 0 means the best configuration was found.
* ``bbob-mixed``: coordinates cycle categorical (as above), integer
  (-5..5, ordered) and real ([-5, 5]); ``f_opt`` is the continuous
  optimum, a lower bound.

A problem is named by a small picklable `ProblemSpec`; worker processes
build the callable themselves (cocoex problems are C objects that cannot
cross processes).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import numpy as np

BBOB_FUNCTIONS = tuple(range(1, 25))
BBOB_NAMES = {
    1: "sphere", 2: "ellipsoid", 3: "rastrigin", 4: "bueche-rastrigin", 5: "linear-slope",
    6: "attractive-sector", 7: "step-ellipsoid", 8: "rosenbrock", 9: "rosenbrock-rotated",
    10: "ellipsoid-rotated", 11: "discus", 12: "bent-cigar", 13: "sharp-ridge",
    14: "different-powers", 15: "rastrigin-rotated", 16: "weierstrass", 17: "schaffer-f7",
    18: "schaffer-f7-cond", 19: "griewank-rosenbrock", 20: "schwefel", 21: "gallagher-101",
    22: "gallagher-21", 23: "katsuura", 24: "lunacek",
}


@dataclass(frozen=True)
class ProblemSpec:
    """Which problem: ``suite`` "bbob" (function id, dimension, instance) or "classic" (name)."""

    suite: str
    function: int | str
    dim: int
    instance: int = 1

    @property
    def label(self):
        if self.suite in BBOB_SUITES:
            return f"f{self.function:02d}"
        return str(self.function)


@dataclass
class Problem:
    spec: ProblemSpec
    func: object
    lower: np.ndarray
    upper: np.ndarray
    f_opt: float
    #: the search space as ``("real", lo, hi)``, ``("int", lo, hi)`` or
    #: ``("cat", {label: value})`` per coordinate; None: reals within lower/upper
    dims: list | None = None

    def __post_init__(self):
        if self.dims is None:
            self.dims = [("real", float(lo), float(hi)) for lo, hi in zip(self.lower, self.upper)]
        self._grids = {i: d[1] for i, d in enumerate(self.dims) if d[0] == "cat"}

    def decode(self, x):
        """The continuous point a (possibly categorical) configuration stands for."""
        return np.array([self._grids[i][x[i]] if i in self._grids else x[i] for i in range(len(x))], dtype=float)

    def __call__(self, x):
        return float(self.func(self.decode(x) if self._grids else np.asarray(x, dtype=float)))


def bbob_specs(dims, functions=BBOB_FUNCTIONS, instance=1, suite="bbob"):
    return [ProblemSpec(suite, f, d, instance) for d in dims for f in functions]


#: suites built from BBOB functions: continuous, all-categorical, mixed
BBOB_SUITES = ("bbob", "bbob-cat", "bbob-mixed")
_CAT_LEVELS = np.linspace(-4.0, 4.0, 6)
_MIXED_KINDS = ("cat", "int", "real")


def _discrete_dims(spec):
    """Per coordinate: ("cat", {label: value}), ("int", -5, 5) or ("real", -5.0, 5.0)."""
    rng = np.random.RandomState(1000 * spec.function + spec.dim)  # fixed per problem, not per seed
    dims = []
    for i in range(spec.dim):
        kind = "cat" if spec.suite == "bbob-cat" else _MIXED_KINDS[i % len(_MIXED_KINDS)]
        if kind == "cat":
            values = _CAT_LEVELS[rng.permutation(len(_CAT_LEVELS))]
            dims.append(("cat", {f"c{j}": float(v) for j, v in enumerate(values)}))
        elif kind == "int":
            dims.append(("int", -5, 5))
        else:
            dims.append(("real", -5.0, 5.0))
    return dims


def _grid_optimum(func, dim, limit=10**5):
    """min of ``func`` over the categorical grid, or None when the grid is too large."""
    if len(_CAT_LEVELS) ** dim > limit:
        return None
    mesh = np.stack(np.meshgrid(*[_CAT_LEVELS] * dim, indexing="ij"), -1).reshape(-1, dim)
    return float(min(func(x) for x in mesh))


def _classic(name):
    from asktell import benchmarks as b

    table = {
        # name: (function, bounds, dimension, f_opt)
        "branin": (b.branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887),
        "hart6": (b.hart6, [(0.0, 1.0)] * 6, -3.32237),
        "ackley10": (_ackley, [(-32.768, 32.768)] * 10, 0.0),
        "rosenbrock10": (_rosenbrock, [(-5.0, 10.0)] * 10, 0.0),
    }
    return table[name]


def _ackley(x):
    x = np.asarray(x, dtype=float)
    d = len(x)
    return float(
        -20 * np.exp(-0.2 * np.sqrt(np.sum(x**2) / d)) - np.exp(np.sum(np.cos(2 * np.pi * x)) / d) + 20 + np.e
    )


def _rosenbrock(x):
    x = np.asarray(x, dtype=float)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


CLASSIC = ("branin", "hart6", "ackley10", "rosenbrock10")
CLASSIC_DIMS = {"branin": 2, "hart6": 6, "ackley10": 10, "rosenbrock10": 10}


def classic_specs(names=CLASSIC):
    return [ProblemSpec("classic", n, CLASSIC_DIMS[n]) for n in names]


def make_problem(spec: ProblemSpec) -> Problem:
    if spec.suite == "classic":
        func, bounds, f_opt = _classic(spec.function)
        lower, upper = np.array(bounds).T
        return Problem(spec, func, lower, upper, f_opt)
    if spec.suite not in BBOB_SUITES:
        raise ValueError(f"unknown suite {spec.suite!r}")
    import cocoex

    suite = cocoex.Suite(
        "bbob", "", f"function_indices:{spec.function} dimensions:{spec.dim} instance_indices:{spec.instance}"
    )
    problem = suite.get_problem(0)
    f_opt = _bbob_f_opt(problem)
    func, lower, upper = _Keep(problem, suite), np.array(problem.lower_bounds), np.array(problem.upper_bounds)
    if spec.suite == "bbob":
        return Problem(spec, func, lower, upper, f_opt)
    dims = _discrete_dims(spec)
    grid_opt = _grid_optimum(func, spec.dim) if spec.suite == "bbob-cat" else None
    if grid_opt is not None:
        f_opt = grid_opt
    return Problem(spec, func, lower, upper, f_opt, dims=dims)


class _Keep:
    """Calls a cocoex problem, keeping its suite alive (freeing the suite frees the problem)."""

    def __init__(self, problem, suite):
        self.problem, self.suite = problem, suite

    def __call__(self, x):
        return self.problem(x)


def _bbob_f_opt(problem):
    """f at the optimum: cocoex writes the optimal x to a file in the working directory."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            problem._best_parameter("print")
            x_opt = np.atleast_1d(np.loadtxt("._bbob_problem_best_parameter.txt"))
        finally:
            os.chdir(here)
    return float(problem(x_opt))
