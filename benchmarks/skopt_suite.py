"""Run scikit-optimize's own test suite against asktell (or against skopt itself).

skopt's tests are not part of asktell: export them from a clone of
scikit-optimize to a scratch folder first (here from the "Prepare 0.10.2"
commit of github.com/holgern/scikit-optimize)::

    python benchmarks/skopt_suite.py export --git-dir PATH/TO/scikit-optimize \
        --commit 328525d --dest /tmp/skopt-tests

then run the same tests twice, with ``skopt`` resolving to asktell (through
`asktell.skopt_alias`, forced ahead of an installed scikit-optimize) and to
the real scikit-optimize 0.10.2::

    python benchmarks/skopt_suite.py run /tmp/skopt-tests --against asktell --json a.json
    python benchmarks/skopt_suite.py run /tmp/skopt-tests --against skopt --json s.json
    python benchmarks/skopt_suite.py compare a.json s.json

``run`` prints the counts of passed / failed / errored / skipped tests and
the files that did not import; ``--json`` also writes every test's outcome.
Arguments after ``--`` go to pytest (e.g. ``-- -k test_space``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter

_MARKERS = ("fast_test", "slow_test", "slow", "serial", "network")
_PRIVATE = "asktell has no counterpart of skopt's private helper"


class _PrivateHelper:
    """Stands in for a private skopt name asktell lacks; using it fails the test.

    Some skopt test files import private helpers at the top (``from
    skopt.space.space import _check_dimension``). Without a stand-in the
    whole file would fail to import; with it, only the tests that use the
    helper fail, and they are reported apart as excused.
    """

    def __init__(self, name):
        self._name = name

    def _fail(self, *args, **kwargs):
        raise NotImplementedError(f"{_PRIVATE} {self._name}")

    __call__ = __getattr__ = __iter__ = _fail


def _stand_in_for_private_names(alias_module_class):
    """Make ``alias_module_class`` answer missing ``_private`` names with `_PrivateHelper`."""
    lookup = alias_module_class.__getattr__

    def __getattr__(self, attr):
        try:
            return lookup(self, attr)
        except AttributeError:
            if attr.startswith("_") and not attr.startswith("__"):
                return _PrivateHelper(f"{self.__name__}.{attr}")
            raise

    alias_module_class.__getattr__ = __getattr__


class _Outcomes:
    """pytest plugin: the outcome of every test and every collection error."""

    def __init__(self):
        self.tests: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.collect_errors: dict[str, str] = {}

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors[report.nodeid] = str(report.longrepr).strip().splitlines()[-1]

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            if report.skipped:
                outcome = "xfailed" if hasattr(report, "wasxfail") else "skipped"
            elif report.failed:
                outcome = "failed" if report.when == "call" else "error"
                text = str(report.longrepr)
                if _PRIVATE in text or re.search(r"object has no attribute '_[a-z]", text):
                    outcome = "excused-private"  # a private helper, or a private method
                lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
                self.messages[report.nodeid] = (lines or text.splitlines() or [""])[0][:300]
            else:
                outcome = "xpassed" if hasattr(report, "wasxfail") else "passed"
            if self.tests.get(report.nodeid) in (None, "passed"):
                self.tests[report.nodeid] = outcome


def _export(args) -> int:
    """Copy the ``tests`` folders of a scikit-optimize commit to ``--dest``."""
    listing = subprocess.run(
        ["git", "--git-dir", args.git_dir, "ls-tree", "-r", "--name-only", args.commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    wanted = [p for p in listing if p.startswith("skopt/") and "/tests/" in p]
    for path in wanted:
        text = subprocess.run(
            ["git", "--git-dir", args.git_dir, "show", f"{args.commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout
        out = os.path.join(args.dest, path[len("skopt/") :])
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as fh:
            fh.write(text)
    print(f"exported {len(wanted)} files to {args.dest}")
    return 0


def _run(args) -> int:
    """Run pytest over ``args.tests`` with ``skopt`` bound as asked."""
    tests = os.path.abspath(args.tests)
    if args.against == "asktell":
        from asktell import skopt_alias

        skopt_alias.install(force=True)
        _stand_in_for_private_names(skopt_alias._AliasModule)
    import skopt

    origin = getattr(skopt, "__file__", None) or "asktell (skopt alias)"
    if args.against == "asktell" and type(skopt).__name__ != "_AliasModule":
        raise SystemExit(f"skopt resolved to {origin}, not to asktell")
    if args.against == "skopt" and type(skopt).__name__ == "_AliasModule":
        raise SystemExit("skopt resolved to asktell; is scikit-optimize installed?")

    import pytest

    with tempfile.TemporaryDirectory() as tmp:
        ini = os.path.join(tmp, "pytest.ini")
        with open(ini, "w") as fh:
            fh.write("[pytest]\nmarkers =\n")
            fh.write("".join(f"    {m}: skopt marker\n" for m in _MARKERS))
        outcomes = _Outcomes()
        start = time.perf_counter()
        pytest.main(
            [
                tests,
                "-c",
                ini,
                "--rootdir",
                tests if os.path.isdir(tests) else os.path.dirname(tests),
                "--import-mode=importlib",
                "--continue-on-collection-errors",
                "-p",
                "no:cacheprovider",
                "-q",
                "--no-header",
                "-W",
                "ignore",
                *args.pytest_args,
            ],
            plugins=[outcomes],
        )
        seconds = time.perf_counter() - start
    counts = Counter(outcomes.tests.values())
    files = {nodeid.split("::")[0] for nodeid in outcomes.tests}
    print(f"\nskopt's tests in {tests} against {args.against} ({origin}), {seconds:.0f} s")
    print(
        f"files: {len(files)} ran, {len(outcomes.collect_errors)} did not import; "
        + ", ".join(f"{k}: {counts[k]}" for k in sorted(counts))
    )
    for nodeid, err in sorted(outcomes.collect_errors.items()):
        print(f"  not imported: {nodeid}: {err}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "against": args.against,
                    "tests": outcomes.tests,
                    "collect_errors": outcomes.collect_errors,
                    "messages": outcomes.messages,
                    "counts": dict(counts),
                    "seconds": seconds,
                },
                fh,
                indent=1,
                sort_keys=True,
            )
    return 0


def _compare(args) -> int:
    """Tests whose outcome differs between two ``run --json`` files."""
    with open(args.first) as fh:
        a = json.load(fh)
    with open(args.second) as fh:
        b = json.load(fh)
    for label, data in ((args.first, a), (args.second, b)):
        print(f"{label} ({data['against']}): {data['counts']}, "
              f"{len(data['collect_errors'])} files not imported")
    names = sorted(set(a["tests"]) | set(b["tests"]))
    for name in names:
        oa, ob = a["tests"].get(name, "-"), b["tests"].get(name, "-")
        if oa != ob:
            print(f"{oa:>8} {ob:>8}  {name}")
            for data in (a, b):
                if name in data.get("messages", {}):
                    print(f"{'':18}{data['against']}: {data['messages'][name]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("export", help="copy skopt's tests out of a git clone")
    exp.add_argument("--git-dir", required=True, help="the clone's .git directory")
    exp.add_argument("--commit", default="328525d", help="default: Prepare 0.10.2")
    exp.add_argument("--dest", required=True)
    run = sub.add_parser("run", help="run the exported tests")
    run.add_argument("tests", help="folder of exported skopt tests (or one test file)")
    run.add_argument("--against", choices=["asktell", "skopt"], default="asktell")
    run.add_argument("--json", help="write every test's outcome here")
    cmp_ = sub.add_parser("compare", help="tests whose outcome differs between two runs")
    cmp_.add_argument("first")
    cmp_.add_argument("second")
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: len(argv) - len(extra) - (1 if "--" in argv else 0)])
    args.pytest_args = extra
    return {"export": _export, "run": _run, "compare": _compare}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
