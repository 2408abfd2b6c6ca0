"""Every code example of README.md and docs/ runs as written.

A page's ```python blocks run in order in one namespace (a later block may
use what an earlier one defined), in a fresh folder; its ```bash blocks run
there too, line by line, so a page can write a file in Python and use it
from the shell. A plain ``asktell ...`` line runs the command's ``main``
in this process (a subprocess costs seconds of imports); any other line
runs in bash, with ``asktell`` and ``python`` on the PATH. Other blocks
(output, ``make`` commands) are not run. An example that needs an extra
which is not installed skips, naming it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)^```\s*$", re.S | re.M)
RUN = {"python": "python", "bash": "bash", "sh": "bash"}

#: modules of the optional extras: an example that needs an absent one skips
EXTRAS = {
    "pandas": "pandas", "matplotlib": "plots", "sqlalchemy": "storage", "psycopg": "storage",
    "dask": "dask", "distributed": "dask", "tqdm": "progress", "cotengra": "cotengra",
    "cmaes": "cmaes", "greenlet": "fast", "skopt": "dev",
}


def blocks(page):
    """``(language, code, line)`` of the blocks of ``page`` that run."""
    text = page.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        lang = RUN.get(match["lang"])
        if lang is not None:
            yield lang, match["code"], text.count("\n", 0, match.start()) + 1


def test_every_page_is_found_and_has_examples():
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert {"README.md", "docs/guide/skopt.md", "docs/guide/studies.md"} <= names
    # every guide page shows runnable code, but the dashboard's (its README section speaks)
    assert all(list(blocks(p)) for p in PAGES if p.parent.name == "guide" and p.name != "dashboard.md")


def _missing_extra(exc):
    """The extra an ImportError asks for, if it is one of ours."""
    name = (getattr(exc, "name", None) or "").split(".")[0]
    if name in EXTRAS:
        return EXTRAS[name]
    found = re.search(r"asktell\[(\w+)\]", str(exc))
    return found[1] if found else None


def _shim(folder):
    """``asktell`` (this checkout's CLI) and ``python`` (this interpreter) on the PATH."""
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    for name, command in (("asktell", f'"{sys.executable}" -m asktell.cli'), ("python", f'"{sys.executable}"')):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def _shell_lines(code):
    """The commands of a bash block, one per line (comments dropped)."""
    for line in code.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            yield line


def _run_shell(line, cwd, env, where):
    from asktell.cli import main

    if line.startswith("asktell ") and not set(line) & set("|&;<>$`"):
        out = io.StringIO()
        code = main(shlex.split(line)[1:], out=out)
        assert code == 0, f"{where}: `{line}` exited with {code}:\n{out.getvalue()}"
        return
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", line], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{where}: `{line}` failed:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_examples_run(page, tmp_path, monkeypatch, no_thread_leak):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("ASKTELL_STORAGE", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    env = dict(os.environ, PATH=f"{_shim(tmp_path)}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(tmp_path)]))
    namespace = {"__name__": "__example__"}
    for lang, code, line in blocks(page):
        where = f"{page.relative_to(ROOT)}, the block at line {line}"
        if lang == "bash":
            for line in _shell_lines(code):
                _run_shell(line, tmp_path, env, where)
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except ImportError as exc:
            extra = _missing_extra(exc)
            if extra is None:
                raise
            pytest.skip(f"{where} needs the {extra!r} extra, which is not installed ({exc})")
    for value in namespace.values():  # studies and optimizers the page left open
        close = getattr(value, "close", None) if type(value).__module__.startswith("asktell") else None
        if callable(close):
            close()
    for name, module in list(sys.modules.items()):  # objectives the page's commands imported
        if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
            del sys.modules[name]
