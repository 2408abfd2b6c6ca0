"""Who runs a trial, whether it still does, and the heartbeat that says so.

A worker is one process, named ``host:pid:token``: ``host`` is the host
name and the kernel's boot id (two machines that share a name, or one
machine after a reboot, are not taken for the same), the token tells a
process from a later one that reuses its pid. A trial's worker is lost
when, on this machine, its process is gone, or, anywhere, when its
heartbeat is older than the grace period.

A study fails and requeues the running trials of lost workers (`recover`)
before it asks, keeps a `Heartbeat` while it has trials running (`beat`),
and hands back the trials a run of its own cannot finish (`release_trial`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
import warnings
from functools import partial

from ..trial import TrialState
from ._sync import absorb, close_optimizer

__all__ = ["worker_id", "worker_lost", "Heartbeat"]

_TOKEN = {}


def _boot_id():
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip().replace("-", "")[:8]
    except OSError:
        return None


_BOOT = _boot_id()


def _host():
    name = socket.gethostname().replace(":", "_")
    return f"{name}/{_BOOT}" if _BOOT else name


def worker_id():
    """This process's worker name (new after a fork)."""
    pid = os.getpid()
    if pid not in _TOKEN:
        _TOKEN.clear()
        _TOKEN[pid] = uuid.uuid4().hex[:12]
    return f"{_host()}:{pid}:{_TOKEN[pid]}"


def _parse(worker):
    try:
        host, pid, token = worker.rsplit(":", 2)
        return host, int(pid), token
    except (AttributeError, ValueError):
        return None


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: gone
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def worker_lost(worker, heartbeat, now, grace_period):
    """Why the trial's ``worker`` is lost, or None while it may still be working."""
    parsed = _parse(worker)
    if parsed is not None and parsed[0] == _host():
        _, pid, token = parsed
        if pid == os.getpid():
            if worker != worker_id():
                return f"worker {worker} is gone (its process id now belongs to another process)"
        elif not _process_alive(pid):
            return f"worker {worker} is gone (process {pid} no longer runs)"
    if heartbeat is None or now - heartbeat > grace_period:
        age = "no heartbeat" if heartbeat is None else f"last heartbeat {now - heartbeat:.1f} s ago"
        return f"worker {worker} is lost ({age}; grace period {grace_period:g} s)"
    return None


class Heartbeat:
    """A daemon thread refreshing the heartbeat of this process's running trials.

    ``beat`` is called every ``interval`` seconds until `stop`; a failing
    beat (the database briefly unreachable) warns and tries again.
    ``on_exit`` runs in the thread as it ends (to close its connection).
    """

    def __init__(self, beat, interval, name="asktell-heartbeat", on_exit=None):
        self._beat = beat
        self._on_exit = on_exit
        self.interval = float(interval)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while not self._stop.wait(self.interval):
                try:
                    self._beat()
                except Exception as exc:  # noqa: BLE001 - keep beating through outages
                    warnings.warn(f"heartbeat failed, will retry: {exc}", RuntimeWarning, stacklevel=1)
        finally:
            if self._on_exit is not None:
                self._on_exit()

    @property
    def alive(self):
        return self._thread.is_alive()

    def stop(self):
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


# ------------------------------------------------------------------ a study's lost workers
def recover(study, txn, now):
    """Fail and requeue the running trials whose worker is lost; return how many."""
    lost = 0
    for number, worker, heartbeat in txn.running():
        if worker == study._worker and number in study._own:
            continue
        reason = worker_lost(worker, heartbeat, now, study.grace_period)
        if reason is not None:
            lose(study, txn, number, reason, now)
            lost += 1
    return lost


def lose(study, txn, number, reason, now, started=True):
    """Requeue trial ``number`` to run again, or fail it for good after ``max_retries`` attempts."""
    stored = txn.get(number)
    if not started:
        txn.requeue(number, reason, now, started=False)
    elif stored.attempts > study.max_retries:
        info = dict(stored.info, error=f"{reason}; given up after {stored.attempts} attempts")
        txn.finish(number, TrialState.FAIL, None, None, info, now)
    else:
        txn.requeue(number, reason, now)


def release_trial(study, number, reason, started=True):
    """Our evaluation of ``number`` was lost or interrupted: queue it to run again."""
    with study._mutex:
        now = time.time()
        with study.storage.transaction(study.study_id) as txn:
            before = study._seen
            stored = txn.get(number)
            if stored.state is TrialState.RUNNING and stored.worker == study._worker:
                lose(study, txn, number, reason, now, started)
            absorb(study, txn.trials(before))
        study._own.discard(number)
        beat(study)


def beat(study):
    """Run the heartbeat while ``study`` has trials running (or `Study.optimize` runs), else stop it."""
    resources = study._resources
    if (study._own or study._optimizing) and resources["heartbeat"] is None:
        pulse = partial(_pulse, study.storage, study.study_id, study._worker)
        resources["heartbeat"] = Heartbeat(pulse, study.heartbeat_interval, on_exit=study.storage.release_thread)
    elif not (study._own or study._optimizing) and resources["heartbeat"] is not None:
        heartbeat, resources["heartbeat"] = resources["heartbeat"], None
        heartbeat.stop()


def _pulse(storage, study_id, worker):
    storage.heartbeat(study_id, worker, time.time())


def release(resources):
    """Stop a study's heartbeat and optimizer and close the storage it owns (its finalizer)."""
    heartbeat = resources.get("heartbeat")
    if heartbeat is not None:
        heartbeat.stop()
    optimizer = resources.get("optimizer")
    if optimizer is not None:
        close_optimizer(optimizer)
    storage = resources.get("storage")
    if storage is not None:
        storage.close()
