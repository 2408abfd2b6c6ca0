"""Batches against the sequential default: evaluations needed for the same median quality.

    python -m benchmarks.batches results/runs.jsonl --reference asktell-default --budget 20 --factor 1.3

Reads the runs of `benchmarks.run` (with ``--batch 4,8 --budget 20,26
--prefix-budgets``). For every batched contender (``NAME@bK[:strategy]``)
and BBOB function, the batched runs' median final precision at
``factor * budget * d`` evaluations is compared with the reference's
median at ``budget * d`` over the seeds both have; the table counts, per
BBOB function group, the functions where the batches reach the
sequential median within that many evaluations. The last column is the
mean log10 ratio of the batched to the sequential median at the same
budget (positive: the batches are behind).
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


def table(records, reference="asktell-default", budget=20, factor=1.3, floor=1e-8):
    """Markdown rows: per batched contender, functions reaching the reference median per group."""
    precision = defaultdict(dict)
    dims = {r["dim"] for r in records}
    if len(dims) != 1:
        raise ValueError(f"one dimension per table, got {sorted(dims)}")
    d = dims.pop()
    for r in records:
        precision[(r["contender"], r["problem"], r["budget"])][r["seed"]] = max(min(r["values"]) - r["f_opt"], floor)
    problems = sorted({r["problem"] for r in records}, key=_function)
    batched = sorted({r["contender"] for r in records if "@b" in r["contender"]})
    seq_budget, batch_budget = budget * d, int(round(factor * budget)) * d
    head = " | ".join(GROUPS)
    lines = [f"| contender | {head} | all | mean log10 ratio at {budget}*d |",
             "|---|" + "---|" * (len(GROUPS) + 2)]
    for c in batched:
        reached, ratios = defaultdict(list), []
        for p in problems:
            seq = precision.get((reference, p, seq_budget), {})
            late = precision.get((c, p, batch_budget), {})
            same = precision.get((c, p, seq_budget), {})
            seeds = sorted(set(seq) & set(late) & set(same))
            if not seeds:
                continue
            ref = np.median([seq[s] for s in seeds])
            group = next(g for g, fs in GROUPS.items() if _function(p) in fs)
            reached[group].append(np.median([late[s] for s in seeds]) <= ref)
            ratios.append(np.log10(np.median([same[s] for s in seeds]) / ref))
        cells = " | ".join(f"{sum(reached[g])}/{len(reached[g])}" if reached[g] else "-" for g in GROUPS)
        total = sum(sum(v) for v in reached.values()), sum(len(v) for v in reached.values())
        lines.append(f"| {c} | {cells} | {total[0]}/{total[1]} | {np.mean(ratios):+.2f} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.batches", description=__doc__.split("\n\n")[0])
    p.add_argument("runs", help="runs.jsonl of benchmarks.run")
    p.add_argument("--reference", default="asktell-default")
    p.add_argument("--budget", type=int, default=20, help="the reference's evaluations per dimension")
    p.add_argument("--factor", type=float, default=1.3, help="evaluations the batches may spend, relative")
    args = p.parse_args(argv)
    with open(args.runs) as f:
        records = [json.loads(line) for line in f]
    print(table(records, args.reference, args.budget, args.factor))


if __name__ == "__main__":
    main()
