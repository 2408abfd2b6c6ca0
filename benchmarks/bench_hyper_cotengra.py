"""Contraction paths: asktell's optlibs against cotengra's own, side by side.

    nice python -m benchmarks.bench_hyper_cotengra --problems rreg100d3,lattice10 \\
        --seeds 20 --trials 128 --out benchmarks/hyper_data/cotengra.jsonl
    python -m benchmarks.bench_hyper_cotengra --report benchmarks/hyper_data/cotengra*.jsonl

Every contender runs ``cotengra.HyperOptimizer`` with cotengra's default
methods (greedy and kahypar), no reconfiguration, serial (``parallel=False``),
``--trials`` trials; the best log10 flops after 64 trials is read from the
same trajectory (every optlib's first 64 settings are those of a 64-trial
run, except cotengra's LHS random whose design depends on the budget).
Per seed and problem the contenders run one after another in an order
rotated per seed, so machine load falls on all alike. The optlib overhead
is the time spent in ``get_setting`` + ``report_result`` (setup apart).
Runs are appended to a JSON-lines file as they finish; a rerun skips them.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def _seeded(key):
    return lambda seed: {key: seed}


#: name -> (cotengra optlib, options as a function of the seed)
CONTENDERS = {
    "ctg-optuna": ("optuna", lambda s: {"sampler_opts": {"seed": s}}),
    "ctg-cmaes": ("cmaes", _seeded("seed")),
    "ctg-nevergrad": ("nevergrad", lambda s: {}),  # seeded through numpy's global state
    "ctg-random": ("random", _seeded("seed")),
    # asktell's optlibs, the selector's scaling stated explicitly (raw: the DESIGN formula as is)
    "asktell-cmaes": ("asktell-cmaes", lambda s: {"random_state": s, "method_standardize": False}),
    "asktell-cmaes-std": ("asktell-cmaes", lambda s: {"random_state": s, "method_standardize": True}),
    "asktell-random": ("asktell-random", lambda s: {"random_state": s, "method_standardize": False}),
    "asktell-random-std": ("asktell-random", lambda s: {"random_state": s, "method_standardize": True}),
    # a GP per method, acquisition by sampling (the default L-BFGS polish costs seconds per trial)
    "asktell-bayes-std": (
        "asktell-bayes",
        lambda s: {"random_state": s, "method_standardize": True, "acq_func": "EI",
                   "acq_optimizer": "sampling", "acq_optimizer_kwargs": {"n_points": 1000}},
    ),
    "asktell-scipy-std": ("asktell-scipy", lambda s: {"random_state": s, "method_standardize": True}),
    "asktell-tpe": ("asktell-tpe", lambda s: {"random_state": s, "method_standardize": False}),
    "asktell-tpe-std": ("asktell-tpe", lambda s: {"random_state": s, "method_standardize": True}),
    # the selector's default: normal scores of ranks
    "asktell-tpe-rank": ("asktell-tpe", lambda s: {"random_state": s, "method_standardize": "rank"}),
}
DEFAULT = ["ctg-optuna", "ctg-cmaes", "ctg-nevergrad", "ctg-random",
           "asktell-cmaes", "asktell-cmaes-std", "asktell-random-std", "asktell-bayes-std"]


def make_problem(name, seed):
    """``(inputs, output, size_dict)`` of a named problem family, for one seed."""
    import cotengra as ctg

    if name == "rreg100d3":
        eq = ctg.utils.rand_equation(100, 3, seed=seed)
    elif name == "rreg200d4":
        eq = ctg.utils.rand_equation(200, 4, seed=seed)
    elif name.startswith("lattice"):
        side = int(name[len("lattice"):])
        eq = ctg.utils.lattice_equation([side, side], d_min=2, d_max=3, seed=seed)
    else:
        raise ValueError(f"unknown problem {name!r}")
    inputs, output, *_, size_dict = eq
    return inputs, output, size_dict


class _Timed:
    """Accumulates the seconds spent in one bound method."""

    def __init__(self, fn):
        self.fn, self.seconds = fn, 0.0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def run_one(contender, problem, seed, trials):
    import cotengra as ctg

    from asktell.integrations.cotengra import register

    register()
    optlib, opts = CONTENDERS[contender]
    random.seed(seed)
    np.random.seed(seed)
    inputs, output, size_dict = make_problem(problem, seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = ctg.HyperOptimizer(
            optlib=optlib, max_repeats=trials, parallel=False, reconf_opts=None, **opts(seed)
        )
        setup = time.perf_counter() - start
        lib = opt._optimizer
        get, report = _Timed(lib.get_setting), _Timed(lib.report_result)
        lib.get_setting, lib.report_result = get, report
        opt.search(inputs, output, size_dict)
    return {
        "contender": contender,
        "problem": problem,
        "seed": seed,
        "trials": trials,
        "log10_flops": [math.log10(f) if f > 0 else float("inf") for f in opt.costs_flops],
        "methods": list(opt.method_choices),
        "trial_seconds": list(opt.times),
        "overhead_seconds": get.seconds + report.seconds,
        "setup_seconds": setup,
        "wall_seconds": time.perf_counter() - start,
    }


def _done(path):
    if not path.exists():
        return set()
    with path.open() as f:
        return {(r["contender"], r["problem"], r["seed"], r["trials"]) for r in map(json.loads, f)}


def run(contenders, problems, seeds, trials, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    done = _done(out)
    for seed in seeds:
        for problem in problems:
            k = seed % len(contenders)
            for contender in contenders[k:] + contenders[:k]:
                if (contender, problem, seed, trials) in done:
                    continue
                record = run_one(contender, problem, seed, trials)
                with out.open("a") as f:
                    f.write(json.dumps(record) + "\n")
                best = min(record["log10_flops"])
                print(f"{problem} seed={seed} {contender:18s} best={best:.3f} "
                      f"overhead={1e3 * record['overhead_seconds'] / trials:.2f} ms/trial "
                      f"wall={record['wall_seconds']:.1f}s", flush=True)


# ---------------------------------------------------------------- overhead
def _replay_score(method, params):
    """A cheap deterministic stand-in for a trial's compressed score."""
    value = 13.0 if method == "kahypar" else 14.0
    for v in params.values():
        if isinstance(v, bool) or isinstance(v, str):
            value += 0.3 * (hash(str(v)) % 3 == 0)
        else:
            value += 0.1 * (math.log10(abs(v) + 1.0) % 1.0)
    return value


def overhead(contenders, trials=128, repeats=3):
    """CPU milliseconds per trial in ``get_setting`` + ``report_result``, replaying cheap scores.

    Every contender sees cotengra's greedy and kahypar spaces; repeats are
    interleaved, and the CPU time (not wall time) of this process is
    counted, so other load on the machine does not enter.
    """
    import cotengra as ctg
    from cotengra.hyperoptimizers.hyper import _OPTLIB_DEFAULTS, _OPTLIB_FNS

    from asktell.integrations.cotengra import register

    register()
    space, methods = ctg.get_hyper_space(), ["greedy", "kahypar"]
    out = {c: [] for c in contenders}
    for rep in range(repeats):
        for contender in contenders:
            optlib, opts = CONTENDERS[contender]
            np.random.seed(rep)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib = _OPTLIB_FNS[optlib]()
                lib.setup(methods, space, **{**_OPTLIB_DEFAULTS[optlib], **opts(rep)})
                start = time.process_time()
                for _ in range(trials):
                    setting = lib.get_setting()
                    lib.report_result(setting, {"time": 0.05}, _replay_score(setting["method"], setting["params"]))
                out[contender].append(1e3 * (time.process_time() - start) / trials)
                lib.cleanup()
    lines = [f"\n#### optlib overhead, CPU ms per trial ({trials} trials, {repeats} interleaved repeats, median)\n",
             "| contender | ms/trial | ratio to ctg-cmaes |", "|---|---|---|"]
    ref = float(np.median(out["ctg-cmaes"])) if "ctg-cmaes" in out else None
    for c in sorted(out, key=lambda c: np.median(out[c])):
        m = float(np.median(out[c]))
        lines.append(f"| {c} | {m:.3f} | {m / ref:.2f} |" if ref else f"| {c} | {m:.3f} | |")
    return "\n".join(lines)


# ---------------------------------------------------------------- report
def load(path):
    with Path(path).open() as f:
        return [json.loads(line) for line in f]


def summarize(records, budgets=(64, 128), reference=None):
    """Markdown tables: per problem and budget, median [quartiles] and paired tests."""
    from scipy.stats import wilcoxon

    lines = []
    problems = sorted({r["problem"] for r in records})
    for problem in problems:
        recs = [r for r in records if r["problem"] == problem]
        contenders = sorted({r["contender"] for r in recs})
        for budget in budgets:
            best = {}
            for r in recs:
                if len(r["log10_flops"]) >= budget:
                    best.setdefault(r["contender"], {})[r["seed"]] = min(r["log10_flops"][:budget])
            if not best:
                continue
            medians = {c: float(np.median(list(v.values()))) for c, v in best.items()}
            ours = [c for c in best if c.startswith("asktell")]
            ref = reference if reference in best else min(ours, key=medians.get, default=None)
            lines.append(f"\n#### {problem}, {budget} trials\n")
            lines.append(f"| contender | seeds | median log10 flops [q1, q3] | {ref} better on | Wilcoxon p ({ref} lower) | overhead ms/trial |")
            lines.append("|---|---|---|---|---|---|")
            for c in sorted(best, key=medians.get):
                vals = np.array(list(best[c].values()))
                q1, q3 = np.percentile(vals, [25, 75])
                over = [1e3 * r["overhead_seconds"] / len(r["log10_flops"]) for r in recs if r["contender"] == c]
                cmp, p = "", ""
                if ref is not None and c != ref:
                    seeds = sorted(set(best[c]) & set(best[ref]))
                    a = np.array([best[ref][s] for s in seeds])
                    b = np.array([best[c][s] for s in seeds])
                    cmp = f"{int(np.sum(a < b))}/{len(seeds)}"
                    if len(seeds) >= 5 and np.any(a != b):
                        p = f"{wilcoxon(a, b, alternative='less').pvalue:.3g}"
                lines.append(
                    f"| {c} | {len(vals)} | {np.median(vals):.3f} [{q1:.3f}, {q3:.3f}] | {cmp} | {p} | {np.median(over):.2f} |"
                )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", default="rreg100d3,lattice10")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=128)
    parser.add_argument("--contenders", default=",".join(DEFAULT))
    parser.add_argument("--out", default="benchmarks/hyper_data/cotengra.jsonl")
    parser.add_argument("--report", metavar="JSONL", nargs="+", help="only print the tables of results files")
    parser.add_argument("--overhead", action="store_true", help="only measure optlib overhead per trial")
    parser.add_argument("--reference", default=None, help="the asktell contender the tests compare (default: best median)")
    args = parser.parse_args(argv)
    if args.report:
        print(summarize([r for path in args.report for r in load(path)], reference=args.reference))
        return
    contenders = args.contenders.split(",")
    unknown = [c for c in contenders if c not in CONTENDERS]
    if unknown:
        sys.exit(f"unknown contenders {unknown}; known: {sorted(CONTENDERS)}")
    if args.overhead:
        print(overhead(contenders, trials=args.trials))
        return
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    run(contenders, args.problems.split(","), seeds, args.trials, Path(args.out))
    print(summarize(load(args.out), reference=args.reference))


if __name__ == "__main__":
    main()
