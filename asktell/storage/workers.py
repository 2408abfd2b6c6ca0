"""Who runs a trial, whether it still does, and the heartbeat that says so.

A worker is one process, named ``host:pid:token``: ``host`` is the host
name and the kernel's boot id (two machines that share a name, or one
machine after a reboot, are not taken for the same), the token tells a
process from a later one that reuses its pid. A trial's worker is lost
when, on this machine, its process is gone, or, anywhere, when its
heartbeat is older than the grace period.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
import warnings

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
