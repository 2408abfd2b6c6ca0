"""asktell's scikit-optimize drop-in against scikit-optimize 0.10.2, in one run.

Sample efficiency: ``gp_minimize`` of both libraries with their defaults
(``gp_hedge``, ``acq_optimizer="auto"``, ``n_initial_points=10``) on
Branin, Hartmann-6, 10-D Ackley and 10-D Rosenbrock, ``--calls`` calls,
``--seeds`` seeds (the same seed for both), the two libraries alternating
which runs first. The table gives, per problem, the median over seeds of
the best value after 50 and after 100 calls, and on how many seeds asktell
is at least as good. The 50-call figure is the 50-call prefix of the
100-call run: neither library's ``gp_minimize`` uses ``n_calls`` except to
count the loop (both draw their 10 initial points and seed their models
independently of it), so the prefix is exactly the run a 50-call budget
makes; ``--check-prefix`` reruns one problem with 50 calls and asserts it.

Overhead: seconds the optimizer spends per iteration (``ask`` + ``tell``,
the objective excluded) once ``n`` points are told, for ``n`` in
``--sizes``: each library's ``Optimizer`` (GP, ``gp_hedge``, auto) is told
``n`` random points of the problem in one batch, then ``--reps``
ask/evaluate/tell iterations are timed without the evaluation. Reported
as the median seconds of each and the ratio skopt / asktell (how many
times less asktell spends).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        nice -n 10 .venv/bin/python -m benchmarks.bench_skopt

(``make bench-skopt``). One process; BLAS pinned to one thread for both.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import asktell  # noqa: E402
from asktell.benchmarks import ackley, branin, hart6, rosenbrock  # noqa: E402

# name -> (objective, bounds, known minimum)
PROBLEMS = {
    "branin": (branin, [(-5.0, 10.0), (0.0, 15.0)], 0.397887),
    "hart6": (hart6, [(0.0, 1.0)] * 6, -3.32237),
    "ackley10": (ackley, [(-32.768, 32.768)] * 10, 0.0),
    "rosenbrock10": (rosenbrock, [(-5.0, 10.0)] * 10, 0.0),
}


def _skopt():
    try:
        import skopt
    except ImportError as exc:  # pragma: no cover - a set-up problem
        raise SystemExit("scikit-optimize is missing: pip install -r benchmarks/requirements.txt") from exc
    return skopt


def _libraries():
    return {"asktell": asktell, "skopt": _skopt()}


def _run(lib, problem, n_calls, seed):
    func, bounds, _ = PROBLEMS[problem]
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = lib.gp_minimize(func, bounds, n_calls=n_calls, n_initial_points=10, random_state=seed)
    seconds = time.process_time() - started
    return [float(v) for v in res.func_vals], [[float(v) for v in x] for x in res.x_iters], seconds


def bench_quality(problems, seeds, n_calls, budgets):
    libs = _libraries()
    runs = {p: {name: [] for name in libs} for p in problems}
    for problem in problems:
        for seed in range(seeds):
            order = list(libs) if seed % 2 == 0 else list(libs)[::-1]
            for name in order:
                vals, _, seconds = _run(libs[name], problem, n_calls, seed)
                best = {b: min(vals[:b]) for b in budgets}
                runs[problem][name].append({"seed": seed, "best": best, "seconds": seconds})
                print(f"  {problem:13s} seed {seed} {name:8s} " + " ".join(
                    f"best@{b}={best[b]:.5g}" for b in budgets) + f" ({seconds:.0f} s CPU)", flush=True)
    return runs


def check_prefix(problem, n_calls, budget, seed=0):
    """A run with ``budget`` calls is the first ``budget`` calls of one with ``n_calls``."""
    for name, lib in _libraries().items():
        long_vals, long_x, _ = _run(lib, problem, n_calls, seed)
        short_vals, short_x, _ = _run(lib, problem, budget, seed)
        same = short_x == long_x[:budget] and short_vals == long_vals[:budget]
        print(f"  prefix check {name}: {budget}-call run == first {budget} calls of the {n_calls}-call run: {same}")
        if not same:
            raise SystemExit(f"{name}: the {budget}-call run is not a prefix; report separate runs")


def _overhead_one(lib, problem, n, reps, seed=0):
    func, bounds, _ = PROBLEMS[problem]
    rng = np.random.RandomState(seed)
    lo, hi = np.array(bounds).T
    X = (lo + (hi - lo) * rng.uniform(size=(n, len(bounds)))).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = lib.Optimizer(bounds, "GP", acq_func="gp_hedge", acq_optimizer="auto",
                            n_initial_points=10, random_state=seed)
        opt.tell(X, [func(x) for x in X])
        times = []
        for _ in range(reps):
            t0 = time.process_time()
            x = opt.ask()
            t1 = time.process_time()
            y = func(x)
            t2 = time.process_time()
            opt.tell(x, y)
            t3 = time.process_time()
            times.append((t1 - t0) + (t3 - t2))
    return statistics.median(times)


def bench_overhead(problems, sizes, reps):
    libs = _libraries()
    rows = []
    for problem in problems:
        for i, n in enumerate(sizes):
            order = list(libs) if i % 2 == 0 else list(libs)[::-1]
            secs = {name: _overhead_one(libs[name], problem, n, reps) for name in order}
            rows.append({"problem": problem, "n": n, **secs, "ratio": secs["skopt"] / secs["asktell"]})
            print(f"  overhead {problem} n={n}: asktell {secs['asktell']:.3f} s, skopt {secs['skopt']:.3f} s, "
                  f"skopt/asktell {rows[-1]['ratio']:.1f}x", flush=True)
    return rows


def _quality_table(runs, budgets):
    lines = ["| problem (min) | calls | asktell median best | skopt median best | asktell <= skopt (seeds) |"
             " CPU s per run asktell / skopt |",
             "|---|---:|---:|---:|---:|---:|"]
    summary = {}
    for problem, by_lib in runs.items():
        for b in budgets:
            a = [r["best"][b] for r in by_lib["asktell"]]
            s = [r["best"][b] for r in by_lib["skopt"]]
            ma, ms = statistics.median(a), statistics.median(s)
            wins = sum(x <= y for x, y in zip(a, s))
            cpu = ""
            if b == max(budgets):
                ta = statistics.median(r["seconds"] for r in by_lib["asktell"])
                ts = statistics.median(r["seconds"] for r in by_lib["skopt"])
                cpu = f"{ta:.0f} / {ts:.0f}"
            lines.append(f"| {problem} ({PROBLEMS[problem][2]:g}) | {b} | {ma:.5g} | {ms:.5g} | "
                         f"{wins}/{len(a)} | {cpu} |")
            summary[(problem, b)] = (ma, ms)
    verdicts = [("better" if ma < ms else "tie" if ma == ms else "WORSE") for ma, ms in summary.values()]
    lines.append("")
    lines.append(f"asktell's median is better in {verdicts.count('better')}, tied in {verdicts.count('tie')} "
                 f"and worse in {verdicts.count('WORSE')} of {len(verdicts)} (problem, calls) cells.")
    return "\n".join(lines)


def _overhead_table(rows):
    lines = ["| problem | told points | asktell s/iter | skopt s/iter | skopt / asktell |",
             "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['problem']} | {r['n']} | {r['asktell']:.3f} | {r['skopt']:.3f} | {r['ratio']:.1f}x |")
    return "\n".join(lines)


def report(path):
    """The tables of a saved run (the JSON that ``--out`` wrote)."""
    with open(path) as fh:
        out = json.load(fh)
    if "overhead" in out:
        print(_overhead_table(out["overhead"]))
        print()
    if "quality" in out:
        runs = {p: {lib: [dict(r, best={int(b): v for b, v in r["best"].items()}) for r in rs]
                    for lib, rs in by_lib.items()} for p, by_lib in out["quality"].items()}
        budgets = sorted(next(iter(next(iter(runs.values())).values()))[0]["best"])
        print(_quality_table(runs, budgets))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--budgets", default="50,100")
    parser.add_argument("--sizes", default="10,25,50,100,200")
    parser.add_argument("--overhead-problems", default="hart6,ackley10")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--check-prefix", default="branin", help="problem of the prefix check ('' skips it)")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--out", default="results/bench_skopt.json")
    parser.add_argument("--report", metavar="JSON", help="print the tables of a run saved with --out; run nothing")
    args = parser.parse_args(argv)
    if args.report:
        return report(args.report)
    problems = [p for p in args.problems.split(",") if p]
    budgets = [int(b) for b in args.budgets.split(",")]
    skopt = _skopt()
    print(f"asktell {asktell.__version__}, scikit-optimize {skopt.__version__}, numpy {np.__version__}, "
          f"BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}", flush=True)
    out = {}
    if not args.skip_overhead:
        sizes = [int(s) for s in args.sizes.split(",")]
        rows = bench_overhead(args.overhead_problems.split(","), sizes, args.reps)
        out["overhead"] = rows
    if args.check_prefix and not args.skip_quality:
        check_prefix(args.check_prefix, args.calls, min(budgets))
    if not args.skip_quality:
        runs = bench_quality(problems, args.seeds, args.calls, budgets)
        out["quality"] = {p: {lib: rs for lib, rs in v.items()} for p, v in runs.items()}
    print()
    if "overhead" in out:
        print("Overhead per iteration (ask + tell, objective excluded; CPU seconds, median of "
              f"{args.reps}):\n")
        print(_overhead_table(out["overhead"]))
        print()
    if "quality" in out:
        print(f"Best value reached, median of {args.seeds} seeds:\n")
        print(_quality_table(runs, budgets))
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as fh:
            json.dump(out, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
