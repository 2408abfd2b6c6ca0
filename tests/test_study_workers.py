"""Worker names, the lost-worker rule and the heartbeat thread."""

import os
import threading
import time

import pytest

from asktell.study._recovery import Heartbeat, worker_id, worker_lost


def test_worker_id_names_host_boot_pid_and_token():
    w = worker_id()
    host, pid, token = w.rsplit(":", 2)
    assert int(pid) == os.getpid() and len(token) == 12 and host
    assert worker_id() == w


def test_lost_worker_rule():
    now = time.time()
    me = worker_id()
    host = me.rsplit(":", 2)[0]
    assert worker_lost(me, now, now, 10) is None
    assert "no longer runs" in worker_lost(f"{host}:999999:abc", now, now, 10)
    assert "belongs to another process" in worker_lost(f"{host}:{os.getpid()}:oldtoken", now, now, 10)
    # elsewhere only the heartbeat tells
    assert worker_lost("other-machine/12345678:1:abc", now - 5, now, 10) is None
    assert "last heartbeat 11.0 s ago" in worker_lost("other-machine/12345678:1:abc", now - 11, now, 10)
    assert "no heartbeat" in worker_lost("other-machine:1:abc", None, now, 10)
    # a live local process whose heartbeat stopped is lost too
    assert "grace period" in worker_lost(me, now - 100, now, 10)


def test_heartbeat_beats_until_stopped(no_thread_leak):
    beats, exited = [], threading.Event()
    hb = Heartbeat(lambda: beats.append(time.monotonic()), 0.02, on_exit=exited.set)
    time.sleep(0.2)
    hb.stop()
    assert not hb.alive and exited.is_set()
    assert len(beats) >= 3
    n = len(beats)
    time.sleep(0.05)
    assert len(beats) == n


def test_failing_beat_warns_and_goes_on(no_thread_leak):
    calls = []

    def beat():
        calls.append(1)
        if len(calls) == 1:
            raise OSError("database unreachable")

    with pytest.warns(RuntimeWarning, match="heartbeat failed, will retry: database unreachable"):
        hb = Heartbeat(beat, 0.02)
        time.sleep(0.15)
        hb.stop()
    assert len(calls) >= 2
