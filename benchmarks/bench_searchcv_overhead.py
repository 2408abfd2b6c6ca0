"""BayesSearchCV's optimizer overhead as CPU time: its share of the search, paired seeds.

The wall-time overhead of ``bench_searchcv`` (wall time less the seconds of
the fits) swells with the machine's load. Here the optimizer's own CPU time
(``ask_trial`` + ``tell_trial`` of the asktell optimizer, by process time)
is divided by the whole search's CPU time, on ``bench_searchcv``'s three
tasks at 50 candidates, ``cv=3``, BLAS pinned to one thread. ``--baseline``
runs the search without its refit schedule (`asktell.searchcv._cheap_refits`),
i.e. the default strategy exactly as `asktell.minimize` sets it up, so that
the two runs give paired figures (the same seeds, tasks and folds).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        nice -n 10 .venv/bin/python -m benchmarks.bench_searchcv_overhead --seeds 5 [--baseline]

prints one JSON line per run: best CV score after 20 and 50 candidates,
the search's CPU seconds and the optimizer's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import bench_searchcv  # noqa: E402


def _timed(spent, method):
    def wrapper(self, *args, **kwargs):
        started = time.process_time()
        try:
            return method(self, *args, **kwargs)
        finally:
            spent[0] += time.process_time() - started
    return wrapper


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=50)
    parser.add_argument("--tasks", nargs="+", default=list(bench_searchcv.TASKS))
    parser.add_argument("--baseline", action="store_true", help="the default strategy's own refit schedule")
    args = parser.parse_args(argv)

    import asktell.searchcv as searchcv
    from asktell import BayesSearchCV
    from asktell.optimizer import Optimizer

    spent = [0.0]
    Optimizer.ask_trial = _timed(spent, Optimizer.ask_trial)
    Optimizer.tell_trial = _timed(spent, Optimizer.tell_trial)
    if args.baseline:
        searchcv._cheap_refits = lambda optimizer: optimizer
    warnings.simplefilter("ignore")
    for seed in range(args.seeds):
        for task in args.tasks:
            est, space, X, y, _, _ = bench_searchcv._task(task, seed)
            spent[0] = 0.0
            search = BayesSearchCV(est, bench_searchcv._dimensions(space, "asktell"), n_iter=args.n_iter,
                                   cv=3, random_state=seed)
            started = time.process_time()
            search.fit(X, y)
            cpu = time.process_time() - started
            scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
            print(json.dumps({"task": task, "seed": seed, "baseline": args.baseline,
                              "b20": float(np.nanmax(scores[:20])), "b50": float(np.nanmax(scores)),
                              "cpu": cpu, "opt": spent[0]}), flush=True)


if __name__ == "__main__":
    main()
