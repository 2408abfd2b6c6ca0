"""Metrics of a benchmark run, as pure functions over run records.

A run record is a dict with ``contender``, ``problem`` (label), ``dim``,
``budget``, ``seed``, ``values`` (objective values in evaluation order),
``f_opt`` and ``opt_seconds_per_trial``.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

#: COCO's 51 log-spaced targets on the precision f - f_opt, 1e2 down to 1e-8
TARGETS = 10.0 ** np.linspace(2, -8, 51)


def precision_curve(values, f_opt):
    """Best-so-far precision ``min(f) - f_opt`` after each evaluation."""
    return np.minimum.accumulate(np.asarray(values, dtype=float)) - f_opt


def final_precision(record):
    return float(precision_curve(record["values"], record["f_opt"])[-1])


def fraction_of_targets(precision, targets=TARGETS):
    """Share of the targets that a final precision reaches."""
    return float(np.mean(np.asarray(targets) >= precision))


def runtimes_to_targets(record, targets=TARGETS):
    """Evaluations needed to reach each target (inf where never reached)."""
    curve = precision_curve(record["values"], record["f_opt"])
    out = np.full(len(targets), np.inf)
    for j, t in enumerate(targets):
        hit = np.nonzero(curve <= t)[0]
        if hit.size:
            out[j] = hit[0] + 1
    return out


def group(records, *keys):
    groups = defaultdict(list)
    for r in records:
        groups[tuple(r[k] for k in keys)].append(r)
    return groups


def summary(records):
    """Per (dim, budget, problem, contender): median precision, target fraction, time per trial."""
    rows = {}
    for (dim, budget, problem, contender), runs in group(records, "dim", "budget", "problem", "contender").items():
        precisions = [final_precision(r) for r in runs]
        rows[(dim, budget, problem, contender)] = {
            "median_precision": float(np.median(precisions)),
            "target_fraction": float(np.mean([fraction_of_targets(p) for p in precisions])),
            "seconds_per_trial": float(np.median([r["opt_seconds_per_trial"] for r in runs])),
            "n_seeds": len(runs),
        }
    return rows


def _ranks(values):
    """Average ranks (1 = lowest value), ties sharing their mean rank."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[order[j + 1]] == values[order[i]]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def ranking(rows, dims=None, budgets=None):
    """Mean rank of each contender over problems, by median final precision (ties shared).

    Precisions below 1e-8 count as equal (COCO's final target).
    """
    per_problem = defaultdict(dict)
    for (dim, budget, problem, contender), row in rows.items():
        if (dims is None or dim in dims) and (budgets is None or budget in budgets):
            per_problem[(dim, budget, problem)][contender] = max(row["median_precision"], 1e-8)
    totals = defaultdict(list)
    for scores in per_problem.values():
        names = sorted(scores)
        for name, rank in zip(names, _ranks([scores[n] for n in names])):
            totals[name].append(rank)
    return sorted(((float(np.mean(r)), name, len(r)) for name, r in totals.items()))


def ecdf(records, contender, dim, budget, targets=TARGETS):
    """COCO runtime ECDF: (evaluations / dim, fraction of (run, target) pairs reached)."""
    runs = [r for r in records if r["contender"] == contender and r["dim"] == dim and r["budget"] == budget]
    if not runs:
        return np.array([]), np.array([])
    times = np.concatenate([runtimes_to_targets(r, targets) for r in runs]) / dim
    grid = np.arange(1, budget + 1) / dim
    return grid, np.array([np.mean(times <= g) for g in grid])
