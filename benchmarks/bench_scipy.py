"""Benchmark of the scipy bridge: hand-off overhead and a quality check.

Overhead: the time of an ask/tell loop over a trivial objective (a sum of
squares) divided by the time of scipy calling the same objective itself
(per evaluation), for each method, about ``--evals`` evaluations each. The loops run
interleaved with scipy in every repeat (in alternating order), so load
from other processes hits all sides alike:

* ``ask/tell``: ``x = opt.ask(); opt.tell(f(x))``, one point per hand-off;
* ``batch``: ``opt.ask_batch()`` then ``tell_trial`` for each point: one
  hand-off per batch where scipy posts batches (DE ``updating="deferred"``
  and shgo), the same as ``ask/tell`` elsewhere;

each with ``handoff="thread"`` (scipy in a thread, two locks) and
``handoff="greenlet"`` (the 'fast' extra); and

* ``scipy_minimize``: the whole driver (greenlet hand-off), mapping each
  point through the unit cube of a `Space` and recording the result.

Each cell is the extra time per evaluation over scipy's own and, in
parentheses, the ratio of the times per evaluation.

Quality: on COCO BBOB functions, ``scipy_minimize`` with a budget of
``n_calls`` evaluations against scipy called directly on the same bounds
with the same budget and seed, interleaved per instance: the best
``f - f_opt`` each reaches and how many of the precision targets
``10**k`` (k = 2 .. -8) each hits. It is the same algorithm (scipy searches
the unit cube instead of the box, which only rescales DE, DIRECT and
shgo's sampling), so this is a check, not a race.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python -m benchmarks.bench_scipy
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.optimize  # noqa: E402

from asktell import ScipyAskTell, scipy_minimize  # noqa: E402

TARGETS = [10.0**k for k in range(2, -9, -1)]


def trivial(x):
    return float(np.dot(x, x))


def overhead_cases(evals):
    """(label, method, dim, kwargs) giving about ``evals`` evaluations each."""
    d = 4
    generations = evals // (15 * d) - 1
    de = dict(maxiter=generations, tol=0, rng=0, polish=False)
    return [
        ("differential_evolution", "differential_evolution", d, de),
        ("differential_evolution deferred", "differential_evolution", d, dict(de, updating="deferred")),
        ("dual_annealing", "dual_annealing", d, dict(maxfun=evals, rng=0)),
        ("direct", "direct", d, dict(maxfun=evals, maxiter=10**6, eps=0, vol_tol=0, len_tol=0)),
        # shgo costs ~0.5 ms per point itself; 2-d keeps its triangulation small
        ("shgo (sobol)", "shgo", 2, dict(n=evals // 2, iters=1, sampling_method="sobol")),
    ]


def _scipy(method, bounds, kwargs):
    count = [0]

    def f(x):
        count[0] += 1
        return trivial(x)

    started = time.perf_counter()
    getattr(scipy.optimize, method)(f, bounds, **kwargs)
    return time.perf_counter() - started, count[0]


def _ask_tell(method, bounds, kwargs, handoff):
    n, started = 0, time.perf_counter()
    with ScipyAskTell(method, bounds, handoff=handoff, **kwargs) as opt:
        while (x := opt.ask()) is not None:
            opt.tell(trivial(x))
            n += 1
    return time.perf_counter() - started, n


def _batch(method, bounds, kwargs, handoff):
    n, started = 0, time.perf_counter()
    with ScipyAskTell(method, bounds, handoff=handoff, **kwargs) as opt:
        while trials := opt.ask_batch():
            for t in trials:
                opt.tell_trial(t, trivial(np.asarray(t.x)))
            n += len(trials)
    return time.perf_counter() - started, n


def _minimize(method, bounds, kwargs, handoff):
    kwargs = dict(kwargs)
    seed = kwargs.pop("rng", None)
    started = time.perf_counter()
    res = scipy_minimize(trivial, bounds, method, n_calls=10**9, random_state=seed, handoff=handoff, **kwargs)
    return time.perf_counter() - started, len(res.func_vals)


LOOPS = {
    "thread ask/tell": (_ask_tell, "thread"),
    "thread batch": (_batch, "thread"),
    "greenlet ask/tell": (_ask_tell, "greenlet"),
    "greenlet batch": (_batch, "greenlet"),
    "scipy_minimize": (_minimize, "greenlet"),
}


def bench_overhead(evals, repeats):
    rows = []
    for label, method, d, kwargs in overhead_cases(evals):
        bounds = [(-5.0, 5.0)] * d
        ratios = {name: [] for name in LOOPS}
        extra_us = {name: [] for name in LOOPS}
        scipy_us = []
        for r in range(repeats):
            order = list(LOOPS) if r % 2 == 0 else list(LOOPS)[::-1]
            t_scipy, n = _scipy(method, bounds, kwargs)
            scipy_us.append(t_scipy / n * 1e6)
            for name in order:
                loop, handoff = LOOPS[name]
                t, m = loop(method, bounds, kwargs, handoff)
                # the same run, except scipy_minimize's shgo, whose local searches see the unit cube
                assert m == n or name == "scipy_minimize", (label, name, m, n)
                ratios[name].append((t / m) / (t_scipy / n))
                extra_us[name].append(t / m * 1e6 - scipy_us[-1])
        rows.append(
            (label, n, statistics.median(scipy_us))
            + tuple((statistics.median(extra_us[k]), statistics.median(ratios[k])) for k in LOOPS)
        )
        print(_overhead_line(rows[-1]), flush=True)
    return rows


_OVERHEAD_HEAD = (
    "| method | evals | scipy us/eval | "
    + " | ".join(f"{name} +us/eval (ratio)" for name in LOOPS)
    + " |\n|---|---:|---:|"
    + "---:|" * len(LOOPS)
)


def _overhead_line(row):
    label, n, base, *loops = row
    cells = " | ".join(f"{extra:.1f} ({ratio:.2f})" for extra, ratio in loops)
    return f"| {label} | {n} | {base:.1f} | {cells} |"


# ---------------------------------------------------------------- quality
class _Budget(Exception):
    pass


def quality_kwargs(method, seed, budget):
    if method == "differential_evolution":
        return dict(rng=seed)
    if method == "dual_annealing":
        return dict(rng=seed, maxfun=budget)
    if method == "direct":
        return dict(maxfun=budget)
    return dict(n=128, iters=4, sampling_method="sobol")


def _scipy_best(problem, method, dim, seed, budget):
    best = [np.inf, 0]

    def f(x):
        if best[1] >= budget:
            raise _Budget
        best[1] += 1
        value = problem(x)
        best[0] = min(best[0], value)
        return value

    bounds = list(zip(problem.lower, problem.upper))
    try:
        getattr(scipy.optimize, method)(f, bounds, **quality_kwargs(method, seed, budget))
    except _Budget:
        pass
    return best[0]


def _minimize_best(problem, method, dim, seed, budget):
    kwargs = quality_kwargs(method, seed, budget)
    kwargs.pop("rng", None)
    bounds = [(float(lo), float(hi)) for lo, hi in zip(problem.lower, problem.upper)]
    return scipy_minimize(problem, bounds, method, n_calls=budget, random_state=seed, **kwargs).fun


def bench_quality(functions, dim, instances, budget_per_dim, methods):
    from benchmarks.problems import BBOB_NAMES, ProblemSpec, make_problem

    budget = budget_per_dim * dim
    rows = []
    for method in methods:
        hits = {"scipy": 0, "scipy_minimize": 0}
        gaps = {"scipy": [], "scipy_minimize": []}
        same = 0
        for function in functions:
            for instance in instances:
                problem = make_problem(ProblemSpec("bbob", function, dim, instance))
                seed = instance
                sides = [("scipy", _scipy_best), ("scipy_minimize", _minimize_best)]
                if instance % 2 == 0:
                    sides.reverse()
                found = {}
                for name, run in sides:
                    gap = max(run(problem, method, dim, seed, budget) - problem.f_opt, 0.0)
                    found[name] = gap
                    gaps[name].append(gap)
                    hits[name] += sum(gap <= t for t in TARGETS)
                a, b = (sum(found[k] <= t for t in TARGETS) for k in ("scipy", "scipy_minimize"))
                same += a == b
        n_runs = len(functions) * len(instances)
        rows.append(
            (
                method, n_runs, budget,
                hits["scipy"] / (n_runs * len(TARGETS)), hits["scipy_minimize"] / (n_runs * len(TARGETS)),
                statistics.median(gaps["scipy"]), statistics.median(gaps["scipy_minimize"]), same,
            )
        )
        print(_quality_line(rows[-1]), flush=True)
    names = ", ".join(f"f{f} {BBOB_NAMES[f]}" for f in functions)
    return rows, names


_QUALITY_HEAD = (
    "| method | runs | budget | targets hit: scipy | targets hit: scipy_minimize "
    "| median f-fopt: scipy | median f-fopt: scipy_minimize | runs hitting the same targets |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|"
)


def _quality_line(row):
    method, runs, budget, hs, hm, gs, gm, same = row
    return f"| {method} | {runs} | {budget} | {hs:.0%} | {hm:.0%} | {gs:.3g} | {gm:.3g} | {same}/{runs} |"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evals", type=int, default=10_000, help="evaluations per overhead run")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats per method")
    parser.add_argument("--dim", type=int, default=5, help="BBOB dimension")
    parser.add_argument("--functions", default="1,8,15,21", help="BBOB function ids")
    parser.add_argument("--instances", type=int, default=3, help="BBOB instances (= seeds)")
    parser.add_argument("--budget", type=int, default=200, help="evaluations per dimension")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args(argv)

    print(f"scipy {scipy.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs\n")
    print(f"## Overhead (about {args.evals} evaluations, median of {args.repeats} interleaved repeats)\n")
    print(_OVERHEAD_HEAD)
    bench_overhead(args.evals, args.repeats)
    if args.skip_quality:
        return
    functions = [int(f) for f in args.functions.split(",")]
    print(f"\n## Quality (BBOB {args.dim}-d, {args.instances} instances, {args.budget}*d evaluations)\n")
    print(_QUALITY_HEAD)
    _, names = bench_quality(
        functions, args.dim, range(1, args.instances + 1), args.budget,
        ["differential_evolution", "dual_annealing", "direct", "shgo"],
    )
    print(f"\nfunctions: {names}")


if __name__ == "__main__":
    main()
