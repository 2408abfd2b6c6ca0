"""Batches (or parallel workers) against the sequential default: evaluations to the same median quality.

    python -m benchmarks.batches results/runs.jsonl --reference asktell-default --budget 20 --factor 1.3

Reads the runs of `benchmarks.run` (the reference at ``--budget 20``, the
batched contenders, ``NAME@bK[:strategy]``, at ``--budget 26``; or the
``--workers`` runs, ``NAME@wK``). The metric, per BBOB function:

* the *reference quality* is the median, over the seeds, of the
  reference's final precision ``min f - f_opt`` (floored at 1e-8) after
  ``budget * d`` evaluations;
* a batched run needs ``N`` evaluations: the first evaluation count at
  which its best precision so far is at most the reference quality
  (infinite if its run never gets there);
* the function's *evaluation ratio* is the median of ``N`` over the
  seeds, divided by ``budget * d``. The target is met where it is at
  most ``factor``. Seeds are paired: only those both sides ran count.

The table gives, per BBOB function group, the functions meeting the
target and the median evaluation ratio over the group's functions
(``>X``: beyond the batched runs' length).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np

#: BBOB's five function groups
GROUPS = {
    "separable f1-f5": range(1, 6),
    "moderate f6-f9": range(6, 10),
    "ill-conditioned f10-f14": range(10, 15),
    "multimodal f15-f19": range(15, 20),
    "weak structure f20-f24": range(20, 25),
}


def _function(problem):
    return int(problem.lstrip("f").split("_")[0])


def evaluations_to_reach(values, f_opt, quality, floor=1e-8):
    """Evaluations after which the best precision of ``values`` is first at most ``quality`` (inf: never)."""
    precision = np.maximum(np.minimum.accumulate(np.asarray(values, float)) - f_opt, floor)
    hit = np.flatnonzero(precision <= quality)
    return float(hit[0] + 1) if len(hit) else np.inf


def ratios(records, reference="asktell-default", budget=20, floor=1e-8):
    """``{contender: {problem: evaluation ratio}}`` and the longest run of each contender, per evaluations."""
    dims = {r["dim"] for r in records}
    if len(dims) != 1:
        raise ValueError(f"one dimension per table, got {sorted(dims)}")
    d = dims.pop()
    seq_budget = budget * d
    refs, runs, length = {}, defaultdict(dict), defaultdict(int)
    for r in records:
        if r["contender"] == reference and r["budget"] == seq_budget:
            refs.setdefault(r["problem"], {})[r["seed"]] = max(min(r["values"]) - r["f_opt"], floor)
        elif r["contender"] != reference and "prefix_of" not in r:
            runs[(r["contender"], r["problem"])][r["seed"]] = r
            length[r["contender"]] = max(length[r["contender"]], len(r["values"]))
    out = defaultdict(dict)
    for (c, p), by_seed in runs.items():
        seeds = sorted(set(by_seed) & set(refs.get(p, {})))
        if not seeds:
            continue
        quality = np.median([refs[p][s] for s in seeds])
        n = [evaluations_to_reach(by_seed[s]["values"], by_seed[s]["f_opt"], quality, floor) for s in seeds]
        out[c][p] = float(np.median(n)) / seq_budget
    return out, {c: n / seq_budget for c, n in length.items()}


def _cell(values, factor, cap):
    if not values:
        return "-"
    med = float(np.median(values))
    text = f">{cap:.2f}" if not np.isfinite(med) else f"{med:.2f}"
    return f"{sum(v <= factor for v in values)}/{len(values)} ({text})"


def table(records, reference="asktell-default", budget=20, factor=1.3, floor=1e-8, per_function=False):
    """Markdown rows: per contender and group, functions meeting ``factor`` (median evaluation ratio)."""
    by_contender, cap = ratios(records, reference, budget, floor)
    head = " | ".join(GROUPS)
    lines = [f"| contender | {head} | all |", "|---|" + "---|" * (len(GROUPS) + 1)]
    for c in sorted(by_contender):
        groups = defaultdict(list)
        for p, v in by_contender[c].items():
            groups[next(g for g, fs in GROUPS.items() if _function(p) in fs)].append(v)
        cells = [_cell(groups[g], factor, cap[c]) for g in GROUPS]
        cells.append(_cell(list(by_contender[c].values()), factor, cap[c]))
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    if per_function:
        problems = sorted({p for v in by_contender.values() for p in v}, key=_function)
        lines += ["", "| contender | " + " | ".join(f"f{_function(p)}" for p in problems) + " |",
                  "|---|" + "---|" * len(problems)]
        for c in sorted(by_contender):
            row = [by_contender[c].get(p) for p in problems]
            lines.append(f"| {c} | " + " | ".join(
                "-" if v is None else (f">{cap[c]:.1f}" if not np.isfinite(v) else f"{v:.2f}") for v in row) + " |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.batches", description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", help="runs.jsonl files of benchmarks.run")
    p.add_argument("--reference", default="asktell-default")
    p.add_argument("--budget", type=int, default=20, help="the reference's evaluations per dimension")
    p.add_argument("--factor", type=float, default=1.3, help="evaluations the batches may spend, relative")
    p.add_argument("--per-function", action="store_true", help="also the evaluation ratio of every function")
    args = p.parse_args(argv)
    records = []
    for path in args.runs:
        with open(path) as f:
            records += [json.loads(line) for line in f]
    print(table(records, args.reference, args.budget, args.factor, per_function=args.per_function))


if __name__ == "__main__":
    main()
