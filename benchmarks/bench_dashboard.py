"""What a watching dashboard costs a running study (issue 19).

Worker processes run one SQLite study for a fixed window of wall time, with
and without a `asktell.dashboard.Dashboard` serving it to a client that
polls as an open study page does (every ``--refresh`` seconds: the trials
changed since the last poll; when there are some, the study's summary, the
first page of the trial table and the importances). Runs alternate (paired, the first of each pair
switching sides) on fresh database files; the throughput is the trials
completed inside the window. Reported: the median ratio of throughput with
over without, a Wilcoxon signed-rank test over the pairs, and the
dashboard process's CPU time as a share of the workers' (a figure that
the machine's other load does not move).

    nice -n 10 python -m benchmarks.bench_dashboard              # 4 pairs of 20 s, 2 workers
    nice -n 10 python -m benchmarks.bench_dashboard --pairs 8 --seconds 40
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

STUDY = "watched"
def _objective(x):
    # a few milliseconds of arithmetic: a cheap objective, so that storage and
    # optimizer dominate and a dashboard's reads weigh as much as they can
    total = 0.0
    for i in range(20_000):
        total += (x[0] - 0.3) ** 2 + 1e-9 * i
    return total / 20_000 + sum(v * v for v in x[1:])


def _ready():
    """Say this process is ready; return the start time the parent then sends."""
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    time.sleep(max(0.0, start - time.time()))


def _worker(url, seconds):
    from asktell.study import load_study

    study = load_study(STUDY, url)
    _ready()
    cpu = time.process_time()
    study.optimize(_objective, timeout=seconds)
    study.close()
    print(json.dumps({"cpu": time.process_time() - cpu}))


def _client(base, refresh, stop):
    """Poll as an open study page does."""
    def get(path):
        with urllib.request.urlopen(base + path, timeout=60) as response:
            return json.loads(response.read())

    get(f"api/study?name={STUDY}")
    cursor = get(f"api/points?name={STUDY}")["cursor"]
    get(f"api/trials?name={STUDY}")
    while not stop.wait(refresh):
        points = get(f"api/points?name={STUDY}&since={cursor}")
        if points["cursor"] != cursor:
            cursor = points["cursor"]
            get(f"api/study?name={STUDY}")
            get(f"api/trials?name={STUDY}")
            get(f"api/importances?name={STUDY}")


def _server(url, seconds, refresh):
    from asktell.dashboard import Dashboard

    with Dashboard(url, port=0, refresh=refresh) as board:
        _ready()
        stop = threading.Event()
        client = threading.Thread(target=_client, args=(board.url, refresh, stop))
        cpu = time.process_time()
        client.start()
        time.sleep(seconds)
        stop.set()
        client.join()
        # the client's own share is small (a few JSON parses a poll); counted with the server
        print(json.dumps({"cpu": time.process_time() - cpu}))


def _run(watched, workers, seconds, refresh, folder):
    from asktell.space import Real
    from asktell.study import create_study

    path = os.path.join(folder, f"run-{time.time_ns()}.db")
    url = f"sqlite:///{path}"
    create_study(STUDY, url, [Real(-1, 1)] * 4, optimizer="random", random_state=0).close()
    me = [sys.executable, "-m", "benchmarks.bench_dashboard"]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    procs = [subprocess.Popen(me + ["--worker", url, str(seconds)], **pipes) for _ in range(workers)]
    if watched:
        procs.append(subprocess.Popen(me + ["--server", url, str(seconds), str(refresh)], **pipes))
    for proc in procs:  # all have imported asktell and opened the study: start together
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("a benchmark process failed to start")
    start = time.time() + 1.0
    for proc in procs:
        proc.stdin.write(f"{start}\n")
        proc.stdin.flush()
    outputs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    if any(p.returncode for p in procs):
        raise RuntimeError("a benchmark process failed")
    conn = sqlite3.connect(path)
    done = conn.execute(
        "SELECT COUNT(*) FROM asktell_trials WHERE state = 'COMPLETE' AND completed BETWEEN ? AND ?",
        (start, start + seconds),
    ).fetchone()[0]
    conn.close()
    worker_cpu = sum(o["cpu"] for o in outputs[:workers])
    server_cpu = outputs[workers]["cpu"] if watched else 0.0
    return done / seconds, server_cpu / worker_cpu, server_cpu / seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--refresh", type=float, default=2.0)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--server", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args.worker[0], float(args.worker[1]))
    if args.server:
        return _server(args.server[0], float(args.server[1]), float(args.server[2]))

    import numpy as np
    from scipy.stats import wilcoxon

    ratios, shares, cores = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for pair in range(args.pairs):
            rates = {}
            for watched in ((False, True) if pair % 2 == 0 else (True, False)):
                rates[watched], share, core = _run(watched, args.workers, args.seconds, args.refresh, folder)
                if watched:
                    shares.append(share)
                    cores.append(core)
            ratios.append(rates[True] / rates[False])
            print(f"pair {pair}: {rates[False]:.1f} trials/s alone, {rates[True]:.1f} watched "
                  f"(ratio {ratios[-1]:.3f}); dashboard CPU {100 * shares[-1]:.2f} % of the workers', "
                  f"{100 * cores[-1]:.2f} % of one core", flush=True)
    p = wilcoxon(np.log(ratios)).pvalue if len(ratios) >= 2 else float("nan")
    print(f"throughput watched / alone: median {np.median(ratios):.3f} (min {min(ratios):.3f}, "
          f"max {max(ratios):.3f}; Wilcoxon p = {p:.2f}, {len(ratios)} pairs); dashboard CPU (median) "
          f"{100 * np.median(shares):.2f} % of the workers', {100 * np.median(cores):.2f} % of one core; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
