"""Storage bookkeeping speed: asktell studies against Optuna's RDB storage.

Trials per second with a 0-second objective, so that what is measured is
the storage round trips of asking and telling (plus a random sampler on
both sides), on one SQLite file and on one PostgreSQL database, with 1, 4
and 8 worker processes sharing a study. Each run gets a fresh database;
the two libraries alternate run by run so that the load of a shared
machine hits both alike, and the table reports medians and their ratio.

    python -m benchmarks.bench_storage [--workers 1,4,8] [--trials 240] [--repeats 3]
        [--backends sqlite,postgresql] [--postgresql URL]

Without ``--postgresql`` a throwaway server is started from Debian's
binaries (as the tests do) on 127.0.0.1 and stopped at the end. Needs
optuna (``pip install optuna``); it is not a dependency of asktell.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import multiprocessing as mp
import os
import pwd
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# "asktell-full": the same SQLite file synced at every commit (synchronous=FULL),
# the durability of Optuna's SQLite default; asktell's default syncs at checkpoints
LIBS = {"sqlite": ("asktell", "asktell-full", "optuna"), "postgresql": ("asktell", "optuna")}


# ---------------------------------------------------------------- workers
def _objective_point(a, b, c):
    return a * a + b * b + c * c


def _open(lib, url, name, seed):
    if lib.startswith("asktell"):
        import asktell

        if lib == "asktell-full":
            url += "?synchronous=FULL"
        space = [asktell.Real(-2.0, 2.0, name="a"), asktell.Real(-2.0, 2.0, name="b"),
                 asktell.Real(-2.0, 2.0, name="c")]
        return asktell.create_study(name, url, space, optimizer="random", random_state=0, load_if_exists=True)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(study_name=name, storage=url, load_if_exists=True,
                               sampler=optuna.samplers.RandomSampler(seed=seed))


def _run(lib, study, n_trials):
    if lib.startswith("asktell"):
        study.optimize(lambda x: _objective_point(*x), n_trials=n_trials)
        return
    study.optimize(
        lambda t: _objective_point(t.suggest_float("a", -2, 2), t.suggest_float("b", -2, 2),
                                   t.suggest_float("c", -2, 2)),
        n_trials=n_trials,
    )


def _worker(lib, url, name, n_trials, seed, barrier, results):
    study = _open(lib, url, name, seed)
    barrier.wait()
    start = time.time()
    try:
        _run(lib, study, n_trials)
        results.put((start, time.time(), None))
    except Exception as exc:  # noqa: BLE001 - reported in the table
        results.put((start, time.time(), f"{type(exc).__name__}: {exc}"))


def _count_finished(lib, url, name):
    study = _open(lib, url, name, 0)
    if lib.startswith("asktell"):
        n = sum(str(t.state) == "COMPLETE" for t in study.trials)
        study.close()
        return n
    import optuna

    return len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))


def measure(lib, url, n_workers, n_trials):
    """Trials per second of ``n_workers`` processes finishing ``n_trials`` in all."""
    name = f"bench-{lib}"
    _open(lib, url, name, 0)  # created once, before the workers load it
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(n_workers), ctx.Queue()
    per = [n_trials // n_workers + (i < n_trials % n_workers) for i in range(n_workers)]
    procs = [ctx.Process(target=_worker, args=(lib, url, name, k, i, barrier, results)) for i, k in enumerate(per)]
    for p in procs:
        p.start()
    spans = [results.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
    errors = [e for _, _, e in spans if e]
    wall = max(s[1] for s in spans) - min(s[0] for s in spans)
    finished = _count_finished(lib, url, name)
    return finished / wall, finished, errors


# ---------------------------------------------------------------- databases
@contextlib.contextmanager
def _postgres_server():
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not folders:
        raise SystemExit("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)")
    folder = folders[-1]
    root = tempfile.mkdtemp(prefix="asktell-bench-pg-")
    run_as = {}
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        run_as = {"user": entry.pw_uid, "group": entry.pw_gid}
        os.chown(root, entry.pw_uid, entry.pw_gid)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = os.path.join(root, "data")

    def pg(*args):
        subprocess.run([os.path.join(folder, args[0]), *args[1:]], cwd=root, check=True,
                       capture_output=True, **run_as)

    pg("initdb", "-D", data, "-U", "bench", "--auth=trust", "--no-sync")
    # durable settings (fsync on), as a real deployment would run
    pg("pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-w", "-o",
       f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} -c max_connections=100",
       "start")
    try:
        yield f"postgresql+psycopg://bench@127.0.0.1:{port}/postgres"
    finally:
        pg("pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _fresh_database(backend, server_url, tag):
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="asktell-bench-")
        try:
            yield f"sqlite:///{folder}/{tag}.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import sqlalchemy as sa

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {tag}"))
        conn.execute(sa.text(f"CREATE DATABASE {tag}"))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{tag}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {tag} WITH (FORCE)"))
        admin.dispose()


# ---------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,4,8")
    parser.add_argument("--trials", type=int, default=240, help="trials per run, all workers together")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgresql", default=None, metavar="URL", help="a server to use (default: start one)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    workers = [int(w) for w in args.workers.split(",")]
    backends = args.backends.split(",")
    import optuna  # noqa: F401 - fail early when the peer is missing

    with contextlib.ExitStack() as stack:
        server = None
        if "postgresql" in backends:
            server = args.postgresql or stack.enter_context(_postgres_server())
        rates = {}
        errors = []
        for rep in range(args.repeats):
            for backend in backends:
                for n in workers:
                    libs = LIBS[backend]
                    order = libs[rep % len(libs):] + libs[:rep % len(libs)]  # rotate who goes first
                    for lib in order:
                        with _fresh_database(backend, server, f"b_{lib}_{n}_{rep}") as url:
                            rate, finished, errs = measure(lib, url, n, args.trials)
                        rates.setdefault((backend, n, lib), []).append(rate)
                        errors += [f"{backend} {n} {lib}: {e}" for e in errs]
                        if finished != args.trials:
                            errors.append(f"{backend} {n} {lib}: {finished} of {args.trials} trials finished")
                        print(f"rep {rep} {backend:10s} workers={n} {lib:8s} {rate:8.1f} trials/s",
                              file=sys.stderr, flush=True)
    print(f"\nTrials per second (median of {args.repeats}), {args.trials} trials per run, 0-second objective, "
          "random samplers\n")
    print("| storage | workers | asktell | asktell, sync every commit | optuna | asktell / optuna "
          "| asktell sync every commit / optuna |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for backend in backends:
        for n in workers:
            med = {lib: statistics.median(rates[(backend, n, lib)]) for lib in LIBS[backend]}
            a, o, f = med["asktell"], med["optuna"], med.get("asktell-full")
            full = ("", "") if f is None else (f"{f:.0f}", f"{f / o:.1f}x")
            print(f"| {backend} | {n} | {a:.0f} | {full[0]} | {o:.0f} | {a / o:.1f}x | {full[1]} |")
    if errors:
        print("\nErrors:\n" + "\n".join(f"- {e}" for e in errors))


if __name__ == "__main__":
    main()
