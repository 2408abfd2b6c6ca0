"""The default's CPU time per trial as the points told grow (the bounded fit past 256 points).

    nice python -m benchmarks.bench_large_budget --dims 5,10 --told 250,1000 --trials 20

For each dimension and number of points told, an `asktell.AutoOptimizer`
is told that many points of a weighted sphere at once (uniform over the
box), then runs ``--trials`` sequential ask/tell steps; the process CPU
time per step is reported (not wall time: the machine is shared). With
``--unbounded`` the GP is fitted on every point told, as before the
subset fit, for the ratio.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import asktell.auto as auto  # noqa: E402


def seconds_per_trial(d, told, trials, seed=0):
    """CPU seconds per ask/tell step of the default after ``told`` points in ``d`` dimensions."""
    rng = np.random.RandomState(seed)
    weights = np.arange(1, d + 1)

    def f(x):
        return float(np.sum(weights * (np.asarray(x) - 1.0) ** 2))

    opt = auto.AutoOptimizer([(-5.0, 5.0)] * d, random_state=seed)
    X = rng.uniform(-5, 5, size=(told, d)).tolist()
    opt.tell(X, [f(x) for x in X])
    start = time.process_time()
    for _ in range(trials):
        x = opt.ask()
        opt.tell(x, f(x))
    return (time.process_time() - start) / trials


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_large_budget", description=__doc__.split("\n\n")[0])
    p.add_argument("--dims", default="5,10")
    p.add_argument("--told", default="250,1000")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--unbounded", action="store_true", help="fit on every point (the previous default)")
    args = p.parse_args(argv)
    if args.unbounded:
        auto._MAX_FIT_POINTS = 10**9
    print("| d | points told | CPU s per trial |\n|---|---|---|")
    for d in map(int, args.dims.split(",")):
        for told in map(int, args.told.split(",")):
            print(f"| {d} | {told} | {seconds_per_trial(d, told, args.trials):.3f} |", flush=True)


if __name__ == "__main__":
    main()
