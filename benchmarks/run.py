"""Benchmark runner: every contender on every problem, side by side in one run.

    python -m benchmarks.run --suite bbob --dims 2,5 --budget 20 --seeds 5 --out results/

``--budget`` is evaluations per dimension (several, comma separated, run
separately; with ``--prefix-budgets`` the contenders whose trajectory
does not depend on the budget run once, at the largest, and their runs at
the smaller budgets are its prefixes). Runs go to ``OUT/runs.jsonl`` as they finish (a rerun skips
those already there), then ``OUT/report.md`` and PNG plots are written.
Tasks are interleaved (every contender on a problem and seed before the
next) so that load on the machine falls on all contenders alike.

``--batch 4,8`` adds, for each contender that has an ask/tell optimizer
(`benchmarks.contenders.BATCHED`), its runs in batches of 4 and 8
(``asktell-default@b4``: ``ask(n_points=4)``, four evaluations, one
tell); ``asktell-default@b4:cl_min`` names the batch strategy too.
``--workers 4`` adds ``asktell-default@w4``: each problem run as one
SQLite study shared by four worker processes (`benchmarks.workers`).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from pathlib import Path  # noqa: E402

from .contenders import (  # noqa: E402
    BATCHED,
    BUDGET_FREE,
    CONTENDERS,
    DEFAULT_CONTENDERS,
    batched_name,
    prefix_record,
    run_contender,
)
from .problems import BBOB_FUNCTIONS, BBOB_SUITES, bbob_specs, classic_specs, make_problem  # noqa: E402
from .report import write_report  # noqa: E402
from .workers import run_workers, workers_name  # noqa: E402


def _task(contender, spec, budget, seed):
    problem = make_problem(spec)
    workers = workers_name(contender)
    out = run_workers(problem, budget, seed, workers[1]) if workers else run_contender(contender, problem, budget, seed)
    return {
        "contender": contender,
        "suite": spec.suite,
        "problem": spec.label,
        "dim": spec.dim,
        "budget": budget,
        "seed": seed,
        "f_opt": problem.f_opt,
        **out,
    }


def _execute(tasks, jobs, task=_task):
    """Records of ``task(*t)`` as they finish, in worker processes unless ``jobs <= 1``."""
    if jobs <= 1:
        for t in tasks:
            yield task(*t)
        return
    with ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(task, *t) for t in tasks]
        for fut in as_completed(futures):
            yield fut.result()


def _key(r):
    return (r["contender"], r["suite"], r["problem"], r["dim"], r["budget"], r["seed"])


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--suite", choices=[*BBOB_SUITES, "classic"], default="bbob",
        help="bbob: continuous; bbob-cat, bbob-mixed: its functions over categorical / mixed spaces",
    )
    p.add_argument("--dims", default="2,5", help="comma-separated dimensions (bbob suites)")
    p.add_argument("--functions", default=None, help="bbob function ids, e.g. 1-24 or 1,8,15")
    p.add_argument("--budget", default="10,20", help="evaluations per dimension, comma-separated")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--contenders", default=",".join(DEFAULT_CONTENDERS), help=f"from {sorted(CONTENDERS)}")
    p.add_argument(
        "--batch", default=None,
        help=f"batch sizes, e.g. 4,8: also run {sorted(BATCHED)} in batches (NAME@bK)",
    )
    p.add_argument(
        "--workers", default=None,
        help="worker counts, e.g. 4: also run asktell-default as one SQLite study shared by K processes (NAME@wK)",
    )
    p.add_argument("--jobs", type=int, default=2, help="worker processes (1: run in this process)")
    p.add_argument("--out", default="results/")
    p.add_argument(
        "--prefix-budgets", action="store_true",
        help=f"run budget-free contenders ({', '.join(sorted(BUDGET_FREE))}, and batched ones) at the largest budget "
        "only; their smaller-budget runs are its prefixes",
    )
    return p.parse_args(argv)


def _int_list(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        elif part:
            out.append(int(part))
    return out


def main(argv=None):
    args = parse_args(argv)
    contenders = [c for c in args.contenders.split(",") if c]
    if args.batch:
        contenders += [f"{c}@b{k}" for k in _int_list(args.batch) for c in list(contenders) if c in BATCHED]
    if args.workers:
        contenders += [f"asktell-default@w{k}" for k in _int_list(args.workers)]
    unknown = sorted(c for c in set(contenders) - set(CONTENDERS)
                     if batched_name(c) is None and workers_name(c) is None)
    if unknown:
        sys.exit(f"unknown contenders {unknown}; choose from {sorted(CONTENDERS)}")
    if args.suite in BBOB_SUITES:
        functions = _int_list(args.functions) if args.functions else BBOB_FUNCTIONS
        specs = bbob_specs(_int_list(args.dims), functions, suite=args.suite)
    else:
        specs = classic_specs()
    budgets = _int_list(args.budget)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = out / "runs.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    done = {_key(r) for r in records}
    top = max(budgets)

    def derived(c):
        return args.prefix_budgets and (c in BUDGET_FREE or batched_name(c) is not None or workers_name(c) is not None)

    tasks = [
        (c, s, b * s.dim, seed)
        for b in budgets
        for seed in range(args.seeds)
        for s in specs
        for c in contenders
        if (c, s.suite, s.label, s.dim, b * s.dim, seed) not in done and not (derived(c) and b != top)
    ]
    print(f"{len(tasks)} runs to do ({len(done)} already in {log})", flush=True)
    start = time.time()
    with open(log, "a") as fh:
        for i, rec in enumerate(_execute(tasks, args.jobs), 1):
            new = [rec]
            if derived(rec["contender"]):
                new += [prefix_record(rec, b * rec["dim"]) for b in budgets if b != top]
            for r in new:
                if _key(r) not in done:
                    fh.write(json.dumps(r) + "\n")
                    records.append(r)
                    done.add(_key(r))
            fh.flush()
            if i % 20 == 0 or i == len(tasks):
                print(f"  {i}/{len(tasks)} runs, {time.time() - start:.0f} s", flush=True)
    wanted = {(c, s.suite, s.label, s.dim, b * s.dim) for c in contenders for s in specs for b in budgets}
    records = [r for r in records if _key(r)[:5] in wanted and r["seed"] < args.seeds]
    path = write_report(records, out, command="python -m benchmarks.run " + " ".join(argv or sys.argv[1:]))
    print(f"report: {path}")


if __name__ == "__main__":
    main()
