"""Shared fixtures."""

import threading
import time

import pytest


@pytest.fixture
def no_thread_leak():
    """Fail the test when it leaves threads running that it did not find."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"
