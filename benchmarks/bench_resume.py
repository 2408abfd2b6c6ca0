"""What reopening a study costs, and how worker processes sharing one scale.

Two measurements, on SQLite files in a temporary folder:

``resume``
    For each registered optimizer, a study with ``--trials`` stored trials
    (mostly initial points, so that building it is quick, and then a few
    model-based ones) is measured in pairs: the CPU time of one ask and tell
    in the running study, and the CPU time of closing it, reopening it with
    `asktell.load_study` and asking and telling once. The table gives the
    median of each and their ratio (the issue's target: at most 2x).
    ``hyper`` and ``hyper-bayes`` fit a model per method at every trial of
    the running study, so building a 1000-trial study of them takes hours
    here: they are stored with 150 trials.

``workers``
    ``--workers`` processes share one study of the default optimizer and
    evaluate a ``--sleep``-second objective (3-D quadratic) until
    ``--trials`` trials are done, against one process doing all of them.
    The table gives trials per wall second and their ratio (target: 3x for
    4 workers), the CPU seconds per trial of asking and telling and how
    many of them hold the study's write lock (counted by wrapping the
    SQLite storage's lock), and the speed-up that lock allows, which does
    not depend on how busy the machine is.

    python -m benchmarks.bench_resume resume [--trials 1000] [--optimizers gp,forest,...] [--repeats 3]
        (every registered optimizer by default; ``gp`` at 1000 trials spends minutes per fit)
    python -m benchmarks.bench_resume workers [--workers 4] [--trials 40] [--sleep 1.0] [--repeats 2]
        [--optimizer NAME]

BLAS threads are pinned to one for every side.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

_SEED = 11
# the hyper optimizers' GP per method fits at every trial: their stored studies are kept smaller
_SMALL = {"hyper": 150, "hyper-bayes": 150}


def _space(optimizer):
    from asktell import Integer, Real

    if optimizer.startswith("hyper"):
        return {"quad": [Real(-2.0, 2.0, name="a"), Real(-2.0, 2.0, name="b")],
                "abs": [Real(-2.0, 2.0, name="a"), Integer(0, 5, name="k")]}
    return [Real(-2.0, 2.0), Real(-2.0, 2.0), Real(-2.0, 2.0)]


def _quadratic(x):
    return float(sum((v - 0.1 * i) ** 2 for i, v in enumerate(x)))


def _by_method(method, **params):
    if method == "quad":
        return (params["a"] - 0.3) ** 2 + params["b"] ** 2
    return abs(params["a"]) + 0.1 * params["k"]


def _value(optimizer, trial):
    if optimizer.startswith("hyper"):
        params = dict(trial.params)
        return _by_method(params.pop("method"), **params)
    return _quadratic(trial.x)


def _kwargs(optimizer, n_trials):
    """Settings that make all but the last few stored trials initial points."""
    if optimizer in ("tpe", "hyper-tpe"):
        return {"n_startup": n_trials - 3}
    if optimizer in ("auto", "gp", "forest", "rf", "et", "gbrt"):
        return {"n_initial_points": n_trials - 3}
    return {}


# ---------------------------------------------------------------- resume
def _cycle(study, optimizer):
    """CPU seconds of one ask and tell."""
    start = time.process_time()
    trial = study.ask()
    study.tell(trial, _value(optimizer, trial))
    return time.process_time() - start


def measure_resume(optimizer, n_trials, repeats, folder):
    """(running ask+tell, reopen+ask+tell) CPU seconds, ``repeats`` pairs each."""
    import asktell

    url = f"sqlite:///{os.path.join(folder, optimizer.replace(':', '_'))}.db"
    study = asktell.create_study("r", url, _space(optimizer), optimizer=optimizer, random_state=_SEED,
                                 optimizer_kwargs=_kwargs(optimizer, n_trials))
    while len(study.trials) < n_trials:
        _cycle(study, optimizer)
    running, reopened = [], []
    _cycle(study, optimizer)  # warm
    for _ in range(repeats):
        running.append(_cycle(study, optimizer))
        study.close()
        start = time.process_time()
        study = asktell.load_study("r", url)
        trial = study.ask()
        study.tell(trial, _value(optimizer, trial))
        reopened.append(time.process_time() - start)
    study.close()
    return running, reopened


# ---------------------------------------------------------------- workers
def _sleepy(x, seconds):
    time.sleep(seconds)
    return _quadratic(x)


def _count_locked_cpu():
    """Add up the CPU seconds this process spends holding the SQLite write lock (instrumentation)."""
    from contextlib import contextmanager

    from asktell.storage.sqlite import SQLiteStorage

    held = [0.0]
    queue = SQLiteStorage._queue

    @contextmanager
    def timed(self):
        with queue(self):
            start = time.thread_time()
            try:
                yield
            finally:
                held[0] += time.thread_time() - start

    SQLiteStorage._queue = timed
    return held


def _worker(url, optimizer, n_trials, seconds, barrier, results):
    import asktell

    held = _count_locked_cpu()
    study = asktell.create_study("w", url, _space(optimizer), optimizer=optimizer, random_state=_SEED,
                                 load_if_exists=True)
    barrier.wait()
    start, cpu, held[0] = time.time(), time.process_time(), 0.0
    study.optimize(_sleepy_objective(seconds), n_trials=n_trials)
    results.put((start, time.time(), time.process_time() - cpu, held[0]))
    study.close()


class _sleepy_objective:  # picklable for the spawned workers
    def __init__(self, seconds):
        self.seconds = seconds

    def __call__(self, x):
        return _sleepy(x, self.seconds)


def measure_workers(optimizer, n_workers, n_trials, seconds, folder, tag):
    """(trials per wall second, busy share, trials finished) of ``n_workers`` processes."""
    import asktell

    url = f"sqlite:///{os.path.join(folder, f'w_{tag}.db')}"
    asktell.create_study("w", url, _space(optimizer), optimizer=optimizer, random_state=_SEED).close()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(n_workers), ctx.Queue()
    per = [n_trials // n_workers + (i < n_trials % n_workers) for i in range(n_workers)]
    procs = [ctx.Process(target=_worker, args=(url, optimizer, k, seconds, barrier, results)) for k in per]
    for p in procs:
        p.start()
    spans = [results.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    wall = max(s[1] for s in spans) - min(s[0] for s in spans)
    study = asktell.load_study("w", url)
    finished = sum(str(t.state) == "COMPLETE" for t in study.trials)
    xs = [tuple(t.x) for t in study.trials]
    study.close()
    if len(set(xs)) != len(xs):
        raise RuntimeError(f"{n_workers} workers evaluated a point twice")
    cpu = sum(s[2] for s in spans) / finished  # CPU seconds of asks, tells and fits per trial
    locked = sum(s[3] for s in spans) / finished  # ... of which the write lock was held
    return finished / wall, cpu, locked, finished


# ---------------------------------------------------------------- main
def _resume_main(args):
    from asktell.study import optimizer_names

    names = args.optimizers.split(",") if args.optimizers else optimizer_names()
    rows = []
    with tempfile.TemporaryDirectory(prefix="asktell-bench-resume-") as folder:
        for name in names:
            n = min(args.trials, _SMALL.get(name, args.trials))
            try:
                running, reopened = measure_resume(name, n, args.repeats, folder)
            except ImportError as exc:
                print(f"{name}: skipped ({exc})", file=sys.stderr)
                continue
            r, o = statistics.median(running), statistics.median(reopened)
            rows.append((name, n, r, o))
            print(f"{name:30s} n={n} running {r:.4f} s  reopened {o:.4f} s  ratio {o / r:.2f}",
                  file=sys.stderr, flush=True)
    print(f"\nReopening a study and asking once, against one ask in the running study "
          f"(CPU seconds, median of {args.repeats})\n")
    print("| optimizer | stored trials | ask+tell, running | reopen+ask+tell | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, n, r, o in rows:
        print(f"| {name} | {n} | {r:.3f} | {o:.3f} | {o / r:.2f}x |")


def _workers_main(args):
    optimizer = args.optimizer or "auto"
    counts = (1, args.workers)
    rates, cpus, locks = ({n: [] for n in counts} for _ in range(3))
    with tempfile.TemporaryDirectory(prefix="asktell-bench-workers-") as folder:
        for rep in range(args.repeats):
            for n in counts if rep % 2 == 0 else counts[::-1]:
                rate, cpu, locked, finished = measure_workers(optimizer, n, args.trials, args.sleep, folder,
                                                              f"{n}_{rep}")
                if finished != args.trials:
                    raise RuntimeError(f"{n} workers finished {finished} of {args.trials} trials")
                rates[n].append(rate)
                cpus[n].append(cpu)
                locks[n].append(locked)
                print(f"rep {rep} workers={n} {rate:.3f} trials/s, CPU per trial {cpu:.3f} s, "
                      f"holding the lock {locked:.3f} s", file=sys.stderr, flush=True)
    one = statistics.median(rates[1])
    print(f"\nWorker processes sharing one SQLite study, optimizer {optimizer!r}, {args.trials} trials, "
          f"{args.sleep:g}-second objective (median of {args.repeats}); the bound is what the write lock "
          "allows: workers x (objective + CPU) / lock time, at most the number of workers\n")
    print("| workers | trials per wall second | speed-up | CPU s per trial | of it holding the lock | bound |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in counts:
        rate, cpu, locked = (statistics.median(v[n]) for v in (rates, cpus, locks))
        bound = min(n, (args.sleep + cpu) / max(locked, 1e-9))
        print(f"| {n} | {rate:.3f} | {rate / one:.2f}x | {cpu:.3f} | {locked:.3f} | {bound:.1f}x |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    resume = sub.add_parser("resume")
    resume.add_argument("--trials", type=int, default=1000)
    resume.add_argument("--optimizers", default=None, help="comma-separated names (default: every registered one)")
    resume.add_argument("--repeats", type=int, default=3)
    workers = sub.add_parser("workers")
    workers.add_argument("--workers", type=int, default=4)
    workers.add_argument("--trials", type=int, default=40)
    workers.add_argument("--sleep", type=float, default=1.0)
    workers.add_argument("--repeats", type=int, default=2)
    workers.add_argument("--optimizer", default=None, help="default: the library's default")
    args = parser.parse_args(argv)
    if args.what == "resume":
        _resume_main(args)
    else:
        _workers_main(args)


if __name__ == "__main__":
    main()
