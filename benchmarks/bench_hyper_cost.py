"""Cost-aware method selection under a time budget (``max_time``).

    nice python -m benchmarks.bench_hyper_cost --seeds 10 --budget 6 --problem rreg100d3

cotengra's ``HyperOptimizer`` with cotengra's default methods (greedy,
fast; kahypar, slow) and no trial limit, stopped by ``max_time`` seconds;
``asktell-cmaes`` with the LCB selector against the same optlib with
``cost_aware=True`` (expected improvement per second), and cotengra's own
cmaes, alternating per seed. Reported: the best log10 flops reached, the
number of trials and the share of them given to kahypar.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from .bench_hyper_cotengra import make_problem  # noqa: E402

CONTENDERS = {
    "asktell-cmaes": ("asktell-cmaes", lambda s: {"random_state": s}),
    "asktell-cmaes-cost": ("asktell-cmaes", lambda s: {"random_state": s, "cost_aware": True}),
    "ctg-cmaes": ("cmaes", lambda s: {"seed": s}),
}


def run_one(contender, problem, seed, budget):
    import cotengra as ctg

    from asktell.integrations.cotengra import register

    register()
    optlib, opts = CONTENDERS[contender]
    random.seed(seed)
    np.random.seed(seed)
    inputs, output, size_dict = make_problem(problem, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = ctg.HyperOptimizer(optlib=optlib, max_repeats=10**6, max_time=budget, parallel=False,
                                 reconf_opts=None, **opts(seed))
        opt.search(inputs, output, size_dict)
    flops = [math.log10(f) for f in opt.costs_flops]
    return min(flops), len(flops), float(np.mean([m != "greedy" for m in opt.method_choices]))


def main(argv=None):
    from scipy.stats import wilcoxon

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problem", default="rreg100d3")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=float, default=6.0, help="max_time in seconds")
    args = parser.parse_args(argv)
    names = list(CONTENDERS)
    out = {n: {} for n in names}
    for seed in range(args.seeds):
        k = seed % len(names)
        for name in names[k:] + names[:k]:
            out[name][seed] = run_one(name, args.problem, seed, args.budget)
            best, n, share = out[name][seed]
            print(f"seed={seed} {name:20s} best={best:.3f} trials={n} kahypar share={share:.2f}", flush=True)
    print(f"\n{args.problem}, max_time={args.budget:g} s, {args.seeds} seeds\n")
    print("| contender | median best log10 flops [q1, q3] | median trials | kahypar share | cost-aware better on | Wilcoxon p (cost-aware lower) |")
    print("|---|---|---|---|---|---|")
    ref = out["asktell-cmaes-cost"]
    for name in names:
        best = np.array([out[name][s][0] for s in sorted(out[name])])
        q1, q3 = np.percentile(best, [25, 75])
        n = np.median([out[name][s][1] for s in out[name]])
        share = np.mean([out[name][s][2] for s in out[name]])
        cmp = p = ""
        if name != "asktell-cmaes-cost":
            a = np.array([ref[s][0] for s in sorted(ref)])
            cmp = f"{int(np.sum(a < best))}/{len(a)}"
            if np.any(a != best):
                p = f"{wilcoxon(a, best, alternative='less').pvalue:.3g}"
        print(f"| {name} | {np.median(best):.3f} [{q1:.3f}, {q3:.3f}] | {n:.0f} | {share:.2f} | {cmp} | {p} |")


if __name__ == "__main__":
    main()
