"""Shared fixtures."""

import os
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


# ---------------------------------------------------------------- PostgreSQL
# The storage tests run against a real PostgreSQL server: a throwaway one,
# started here from the binaries `make test` installs (Debian's packages),
# with its data directory in a temporary folder, listening on loopback
# only, and stopped when the session ends.


def _postgres_bin():
    import glob
    import shutil

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [
        int(s) if s.isdigit() else 0 for s in p.split("/")[-2].split(".")
    ])
    for folder in reversed(candidates):
        if all(os.path.exists(os.path.join(folder, exe)) for exe in ("initdb", "pg_ctl")):
            return folder
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    return os.path.dirname(initdb) if initdb and pg_ctl else None


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgresql_url():
    """URL of a throwaway PostgreSQL server on 127.0.0.1 (skips where none can run)."""
    import pwd
    import shutil
    import subprocess
    import tempfile

    pytest.importorskip("sqlalchemy", reason="PostgreSQL storage needs the 'storage' extra")
    pytest.importorskip("psycopg", reason="PostgreSQL storage needs the 'storage' extra")
    folder = _postgres_bin()
    if folder is None:
        pytest.skip("PostgreSQL is not installed here (make test installs it from Debian's packages)")
    run_as = {}
    root = tempfile.mkdtemp(prefix="asktell-pg-")
    if os.geteuid() == 0:  # initdb refuses to run as root
        for user in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(user)
            except KeyError:
                continue
            run_as = {"user": entry.pw_uid, "group": entry.pw_gid}
            os.chown(root, entry.pw_uid, entry.pw_gid)
            break
    os.chmod(root, 0o700)
    data, port = os.path.join(root, "data"), _free_port()

    def pg(*args):
        return subprocess.run(
            [os.path.join(folder, args[0]), *args[1:]],
            cwd=root, capture_output=True, text=True, timeout=120, **run_as,
        )

    done = pg("initdb", "-D", data, "-U", "asktell", "--auth=trust", "-E", "UTF8", "--no-sync")
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"initdb failed: {done.stderr.strip()}")
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    started = pg("pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-w", "-t", "60", "-o", options, "start")
    if started.returncode != 0:
        log = open(os.path.join(root, "log")).read() if os.path.exists(os.path.join(root, "log")) else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {started.stderr.strip()} {log[-2000:]}")
    try:
        yield f"postgresql://asktell@127.0.0.1:{port}/postgres"
    finally:
        pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- slow tests
def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (minutes each)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a bigger variant of a default test; runs with --run-slow")


def pytest_collection_modifyitems(config, items):
    """Leave the slow variants out of the default run (deselected, not skipped: nothing is missing)."""
    if config.getoption("--run-slow"):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]
