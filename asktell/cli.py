"""The ``asktell`` command: run, list, show, export and delete stored studies.

    asktell run module:function --space space.json --n-trials 100 \\
        --storage sqlite:///study.db --study NAME [--optimizer gp] [--n-jobs 4]
    asktell studies
    asktell show NAME
    asktell export NAME --format csv|json [--output FILE]
    asktell delete NAME
    asktell dashboard [--host 127.0.0.1] [--port 8080]

A space file ``{"methods": {method: space}}`` makes a study over the
hyper-optimizer (``--optimizer hyper``, the default for such a file, or
``hyper-random``, ...), whose objective is called ``function(method, **params)``.

Every subcommand takes ``--storage URL`` (default ``sqlite:///asktell.db``).
A mistake in the command (missing study, bad URL, bad space file, unknown
optimizer) is reported on one line, with exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sqlite3
import sys

__all__ = ["main"]

DEFAULT_STORAGE = "sqlite:///asktell.db"


class UsageError(Exception):
    """A mistake in what the user asked for: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _parser():
    from .study import optimizer_names

    parser = _Parser(prog="asktell", description="Durable ask/tell optimization studies.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    storage = _Parser(add_help=False)
    storage.add_argument("--storage", default=DEFAULT_STORAGE, metavar="URL",
                         help=f"study storage (default {DEFAULT_STORAGE}; or postgresql://...)")

    run = sub.add_parser("run", parents=[storage], help="optimize module:function in a study (resumes it if it exists)")
    run.add_argument("objective", metavar="module:function",
                     help="the objective: called with the point as a list (over a method space: "
                     "function(method, **params)), returns a float")
    run.add_argument("--space", metavar="FILE", help="JSON space file (needed to create the study); "
                     '{"methods": {method: space}} for the hyper-optimizer')
    run.add_argument("--study", required=True, metavar="NAME", help="the study's name")
    run.add_argument("--n-trials", type=int, default=None, metavar="N", help="trials this run evaluates")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="start no trial after this")
    run.add_argument("--optimizer", default=None, metavar="NAME",
                     help=f"one of {', '.join(optimizer_names())} or module:factory (default gp, "
                     "hyper for a method space; a resumed study keeps its own)")
    run.add_argument("--random-state", type=int, default=None, metavar="SEED")
    run.add_argument("--n-jobs", type=int, default=1, metavar="N", help="trials evaluated at once")
    run.add_argument("--executor", choices=("process", "thread"), default="process",
                     help="where parallel trials run when --n-jobs > 1 (default process)")
    bar = run.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar (default: on a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")

    sub.add_parser("studies", parents=[storage], help="list the stored studies")

    show = sub.add_parser("show", parents=[storage], help="a study's best trial, counts and trials")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--limit", type=int, default=50, metavar="N", help="trials listed (the last N; 0: all)")

    export = sub.add_parser("export", parents=[storage], help="a study's trials as CSV or JSON")
    export.add_argument("name", metavar="NAME")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")

    delete = sub.add_parser("delete", parents=[storage], help="remove a study and its trials")
    delete.add_argument("name", metavar="NAME")

    board = sub.add_parser("dashboard", parents=[storage],
                           help="a live, read-only web dashboard of the studies (the 'dashboard' extra)")
    board.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1, this machine only)")
    board.add_argument("--port", type=int, default=8080, help="TCP port (default 8080; 0: any free one)")
    board.add_argument("--refresh", type=float, default=2.0, metavar="SECONDS",
                       help="seconds between the pages' polls for new trials (default 2)")
    board.add_argument("--verbose", action="store_true", help="log every request")
    return parser


# ---------------------------------------------------------------- commands
def _run(args, out):
    from .parallel import as_evaluator
    from .progress import progress_available
    from .storage import get_storage, load_space_file
    from .study import Study, _load_object

    if args.n_trials is not None and args.n_trials < 0:
        raise UsageError(f"--n-trials must be non-negative, got {args.n_trials}")
    if args.n_trials is None and args.timeout is None:
        raise UsageError("give --n-trials or --timeout (or both)")
    if args.n_jobs == 0:
        raise UsageError("--n-jobs must not be 0")
    storage = get_storage(args.storage)
    space = load_space_file(args.space) if args.space else None
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    func = _load_object(args.objective, "objective")
    if not callable(func):
        raise UsageError(f"objective {args.objective!r} is not callable")
    study = Study(args.study, storage, space, args.optimizer, args.random_state, load_if_exists=True)
    progress = args.progress
    if progress is None:
        progress = sys.stderr.isatty() and progress_available()
    executor = None
    if args.n_jobs != 1:
        executor = as_evaluator(None, args.n_jobs, processes=args.executor == "process")
    try:
        study.optimize(func, n_trials=args.n_trials, timeout=args.timeout, n_jobs=args.n_jobs if args.n_jobs != 1 else None,
                       executor=executor, progress=progress)
    except KeyboardInterrupt:
        study.close()
        print(f"interrupted: every finished trial is stored; run the same command to resume study {study.name!r}",
              file=sys.stderr)
        return 130
    except Exception as exc:  # the objective's own error: one line, and the study is kept
        study.close()
        print(f"asktell: the objective failed: {type(exc).__name__}: {exc} (finished trials are stored)",
              file=sys.stderr)
        return 1
    finally:
        if executor is not None:
            executor.close()
    _summary(study, out)
    study.close()
    return 0


def _summary(study, out):
    trials = study.trials
    counts = {s: sum(str(t.state) == s for t in trials) for s in ("COMPLETE", "FAIL", "RUNNING")}
    print(f"study {study.name!r}: {counts['COMPLETE']} complete, {counts['FAIL']} failed, "
          f"{counts['RUNNING']} running", file=out)
    complete = [t for t in trials if str(t.state) == "COMPLETE"]
    if complete:
        best = min(complete, key=lambda t: (t.value, t.number))
        print(f"best value {best.value:.10g} (trial {best.number}) at {json.dumps(best.params, default=str)}", file=out)


def _studies(args, out):
    from .storage import get_storage

    rows = get_storage(args.storage).study_summaries()
    if not rows:
        print(f"no studies in {args.storage}", file=out)
        return 0
    table = [[r["name"], r["n_complete"], r["n_fail"], r["n_running"],
              "" if r["best_value"] is None else f"{r['best_value']:.6g}"] for r in rows]
    _table(["study", "complete", "failed", "running", "best"], table, out)
    return 0


def _show(args, out):
    from .storage import space_from_dict

    study, record = _open_readonly(args)
    _summary(study, out)
    print(f"storage {study.storage.url}; optimizer {json.dumps(record.optimizer)}", file=out)
    print(f"space {space_from_dict(record.space)!r}", file=out)
    records = study.trials_records()
    if args.limit and len(records) > args.limit:
        print(f"(the last {args.limit} of {len(records)} trials)", file=out)
        records = records[-args.limit:]
    if records:
        names = [k for k in records[0] if k.startswith("params_")]
        header = ["number", "state", "value", *[n[len("params_"):] for n in names], "duration", "error"]
        rows = [[r["number"], r["state"], _fmt(r["value"]), *[_fmt(r[n]) for n in names],
                 _fmt(r["duration"]), r["error"] or ""] for r in records]
        _table(header, rows, out)
    return 0


def _open_readonly(args):
    from .storage import get_storage

    storage = get_storage(args.storage)
    record = storage.get_study(args.name)
    return _StudyView(storage, record), record


class _StudyView:
    """What `show` and `export` read of a study, without building its optimizer."""

    def __init__(self, storage, record):
        self.storage = storage
        self.name = record.name
        self._record = record

    @property
    def trials(self):
        return [t.to_trial() for t in self.storage.trials(self._record.study_id)]

    def trials_records(self):
        from .study import Study

        return Study.trials_records(self)


def _export(args, out):
    study, _ = _open_readonly(args)
    records = study.trials_records()
    if args.format == "json":
        text = json.dumps(records, indent=2, default=str) + "\n"
    else:
        buf = io.StringIO()
        fields = list(records[0]) if records else ["number", "state", "value"]
        writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        text = buf.getvalue()
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        out.write(text)
    return 0


def _delete(args, out):
    from .storage import get_storage

    get_storage(args.storage).delete_study(args.name)
    print(f"deleted study {args.name!r} from {args.storage}", file=out)
    return 0


def _dashboard(args, out):
    from .dashboard import serve

    serve(args.storage, host=args.host, port=args.port, refresh=args.refresh, quiet=not args.verbose)
    return 0


# ---------------------------------------------------------------- output
def _fmt(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _table(header, rows, out):
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for i, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)


_COMMANDS = {"run": _run, "studies": _studies, "show": _show, "export": _export, "delete": _delete,
             "dashboard": _dashboard}


def main(argv=None, out=None):
    """Entry point of the ``asktell`` console script; returns the exit status."""
    from .storage import DuplicatedStudyError, StudyNotFoundError

    out = out or sys.stdout
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError("give a command: run, studies, show, export or delete (asktell --help)")
        return _COMMANDS[args.command](args, out)
    except (UsageError, ValueError, TypeError, ImportError, StudyNotFoundError, DuplicatedStudyError,
            sqlite3.Error, OSError) as exc:
        return _fail(exc)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg"):  # database unreachable
            return _fail(exc)
        raise


def _fail(exc):
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    print(f"asktell: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
