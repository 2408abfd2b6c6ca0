"""The ``asktell`` command: run, inspect, plot, export and import stored studies.

    asktell run OBJECTIVE --study NAME --space space.json --n-trials 100
    asktell run OBJECTIVE --study NAME --space '{"x": [0.0, 1.0]}' --n-trials 100
    asktell run OBJECTIVE --study NAME --total-trials 100      # until 100 in all
    asktell studies
    asktell show NAME
    asktell best NAME [--json]
    asktell plot NAME --out convergence.png [--kind convergence|objective|evaluations]
    asktell export NAME --format csv|json [--output FILE]
    asktell import NAME trials.csv                             # a warm start
    asktell delete NAME
    asktell dashboard [--host 127.0.0.1] [--port 8080]

``OBJECTIVE`` is a file or a module and a function in it:
``sub/mymodel.py:objective``, ``sub/mymodel:objective`` (a file, whose
folder is put on ``sys.path`` so that it can import its neighbours) or
``pkg.mod:objective`` (a module importable from the current folder). The
function is called with the point as a list (over a method space:
``function(method, **params)``) and returns a float.

Budget: ``--n-trials N`` is what this run evaluates, also when it resumes a
study that has trials already; ``--total-trials N`` runs until the study
holds N finished trials (counting every worker's), so that the same
command can be repeated after an interruption. ``--timeout`` stops starting
trials after that many seconds. Give one or more of them.

Errors of the objective: by default the first one stops the run (exit
status 1; the failed trial and every finished one are stored) and its
traceback is printed. ``--on-error continue`` records every failed trial
and goes on; ``--catch ValueError --catch mymod:SimError`` goes on past
those exception types only.

Storage: every subcommand takes ``--storage URL``; without it the
environment variable ``ASKTELL_STORAGE``, else ``sqlite:///asktell.db`` in
the current folder. Only ``run`` creates that file; the other commands
report a missing file instead of leaving an empty one behind. (The Python
API keeps a study in memory unless given ``storage=``: pass the same URL to
share studies between a script and this command.)

A mistake in the command (missing study, bad URL, bad space file, unknown
optimizer) is reported in full on standard error, with exit status 2.
"""

from __future__ import annotations

import argparse
import builtins
import importlib.util
import json
import os
import sqlite3
import sys
import time
import traceback

__all__ = ["main"]

DEFAULT_STORAGE = "sqlite:///asktell.db"
#: the environment variable that overrides `DEFAULT_STORAGE`
STORAGE_ENV = "ASKTELL_STORAGE"


class UsageError(Exception):
    """A mistake in what the user asked for: exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _parser():
    from .study import optimizer_names

    parser = _Parser(prog="asktell", description="Durable ask/tell optimization studies.",
                     epilog="asktell COMMAND --help tells more about each command.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    storage = _Parser(add_help=False)
    storage.add_argument("--storage", default=None, metavar="URL",
                         help=f"study storage: sqlite:///file.db or postgresql://... (default: ${STORAGE_ENV}, "
                         f"else {DEFAULT_STORAGE})")

    run = sub.add_parser("run", parents=[storage], help="optimize an objective in a study (resumes it if it exists)")
    run.add_argument("objective", metavar="OBJECTIVE",
                     help="file.py:function, path/to/file:function or package.module:function; called with "
                     "the point as a list (over a method space: function(method, **params)), returns a float")
    run.add_argument("--space", metavar="FILE", help="JSON space file, or the JSON itself (needed to create "
                     'the study); {"methods": {method: space}} for the hyper-optimizer')
    run.add_argument("--study", required=True, metavar="NAME", help="the study's name")
    run.add_argument("--n-trials", type=int, default=None, metavar="N",
                     help="trials this run evaluates (also when the study has trials already)")
    run.add_argument("--total-trials", type=int, default=None, metavar="N",
                     help="run until the study holds N finished trials in all (every worker's)")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="start no trial after this")
    run.add_argument("--optimizer", default=None, metavar="NAME",
                     help=f"one of {', '.join(optimizer_names())} or module:factory (default auto, "
                     "hyper for a method space; a resumed study keeps its own)")
    run.add_argument("--direction", choices=("minimize", "maximize"), default=None,
                     help="look for the smallest (default) or the largest value; stored with the study")
    run.add_argument("--random-state", type=int, default=None, metavar="SEED")
    run.add_argument("--n-jobs", type=int, default=1, metavar="N", help="trials evaluated at once")
    run.add_argument("--executor", choices=("process", "thread"), default="process",
                     help="where parallel trials run when --n-jobs > 1 (default process)")
    run.add_argument("--on-error", choices=("stop", "continue"), default="stop",
                     help="an objective that raises: stop the run (default), or record the failed trial and go on")
    run.add_argument("--catch", action="append", default=[], metavar="EXCEPTION",
                     help="go on past this exception type (ValueError, or module:Class); may be repeated")
    bar = run.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar (default: on a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")

    sub.add_parser("studies", parents=[storage], help="list the stored studies")

    show = sub.add_parser("show", parents=[storage], help="a study's best trial, counts and trials")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--limit", type=int, default=50, metavar="N", help="trials listed (the last N; 0: all)")

    best = sub.add_parser("best", parents=[storage], help="a study's best trial: value and parameters")
    best.add_argument("name", metavar="NAME")
    best.add_argument("--json", action="store_true", help="as JSON: number, value, params")

    plot = sub.add_parser("plot", parents=[storage], help="draw a study to a PNG (or PDF, SVG) file")
    plot.add_argument("name", metavar="NAME")
    plot.add_argument("--out", "-o", required=True, metavar="FILE", help="the image written (e.g. study.png)")
    plot.add_argument("--kind", choices=("convergence", "objective", "evaluations"), default="convergence",
                      help="convergence: the best value after each trial (default); objective: the last "
                      "surrogate model's partial dependence; evaluations: where the trials sampled")

    export = sub.add_parser("export", parents=[storage], help="a study's trials as CSV or JSON")
    export.add_argument("name", metavar="NAME")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")

    imp = sub.add_parser("import", parents=[storage],
                         help="add the finished trials of a CSV or JSON file to a study (a warm start)")
    imp.add_argument("name", metavar="NAME")
    imp.add_argument("file", metavar="FILE", help="what `asktell export` writes, or any table with a value "
                     "column and a params_<name> column per dimension")

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


# ---------------------------------------------------------------- storage
def _url(args):
    return args.storage or os.environ.get(STORAGE_ENV) or DEFAULT_STORAGE


def _missing_file(url):
    """The path of a SQLite storage URL whose file does not exist, else None."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///"):].partition("?")[0]
    if path in ("", ":memory:") or os.path.exists(path):
        return None
    return path


def _existing_storage(args):
    """The storage of a command that reads: never creates a database file."""
    from .storage import StudyNotFoundError, get_storage

    url = _url(args)
    path = _missing_file(url)
    if path is not None:
        name = getattr(args, "name", None)
        what = f"no study named {name!r}" if name is not None else "no studies"
        raise StudyNotFoundError(f"{what} in {url!r}: the file {path!r} does not exist "
                                 f"(asktell run creates it; or give --storage, or set {STORAGE_ENV})")
    return get_storage(url)


# ---------------------------------------------------------------- objective
def _load_objective(spec):
    """``file.py:function``, ``path/to/file:function`` or ``package.module:function``."""
    from ._imports import load_object

    where, sep, attr = spec.rpartition(":")
    if not sep or not where or not attr:
        raise UsageError(f"objective {spec!r} must be written file.py:function or package.module:function")
    if where.endswith(".py") or "/" in where or os.sep in where:
        path = where if where.endswith(".py") else where + ".py"
        if not os.path.isfile(path):
            raise UsageError(f"objective {spec!r}: the file {path!r} does not exist")
        where = _import_file(path, spec)
    elif os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    func = load_object(f"{where}:{attr}", "objective")
    if not callable(func):
        raise UsageError(f"objective {spec!r} is not callable")
    return func


def _import_file(path, spec):
    """Import the file ``path`` as the module named after it; return that name.

    Its folder goes first on ``sys.path``, so that worker processes can
    import the module by name, and the file can import its neighbours.
    """
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    loaded = sys.modules.get(name)
    if loaded is not None:
        if os.path.abspath(getattr(loaded, "__file__", "") or "") == path:
            return name
        raise UsageError(f"objective {spec!r}: a module named {name!r} is imported already "
                         f"({getattr(loaded, '__file__', 'built in')}); rename the file")
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise UsageError(f"objective {spec!r}: importing {path!r} failed:\n{_user_traceback(exc)}") from None
    return name


def _exception_types(names):
    """``--catch`` names (``ValueError``, ``module:Class``, ``module.Class``) as exception classes."""
    from ._imports import load_object

    types = []
    for name in names:
        if ":" not in name and "." in name:
            name = ":".join(name.rsplit(".", 1))
        if ":" in name:
            cls = load_object(name, "--catch")
        else:
            cls = getattr(builtins, name, None)
            if cls is None:
                raise UsageError(f"--catch {name!r} is not a built-in exception; write module:Class for others")
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            raise UsageError(f"--catch {name!r} is not an exception type")
        types.append(cls)
    return tuple(types)


# ---------------------------------------------------------------- commands
def _finished(trials):
    """Trials done for good (complete or failed, not waiting to run again)."""
    return sum(str(t.state) != "RUNNING" and not t.info.get("requeued") for t in trials)


class _UntilTotal:
    """Callback that stops a run once the study holds ``total`` finished trials (every worker's).

    It reads the study at most every ``interval`` seconds; between reads
    the run's own budget, counted from the start, bounds it.
    """

    def __init__(self, total, interval=1.0):
        self.total = total
        self.interval = interval
        self._last = time.monotonic()

    def __call__(self, study, trial):
        now = time.monotonic()
        if now - self._last < self.interval:
            return False
        self._last = now
        return _finished(study.trials) >= self.total


def _run(args, out):
    from .storage import get_storage, load_space_file
    from .study import Study

    for option in ("n_trials", "total_trials"):
        value = getattr(args, option)
        if value is not None and value < 0:
            raise UsageError(f"--{option.replace('_', '-')} must be non-negative, got {value}")
    if args.n_trials is None and args.total_trials is None and args.timeout is None:
        raise UsageError("give --n-trials (this run), --total-trials (in all) or --timeout, or several")
    if args.n_jobs == 0:
        raise UsageError("--n-jobs must not be 0")
    catch = (Exception,) if args.on_error == "continue" else _exception_types(args.catch)
    func = _load_objective(args.objective)
    space = load_space_file(args.space) if args.space else None
    storage = get_storage(_url(args))
    try:
        return _optimize(args, out, Study(args.study, storage, space, args.optimizer, args.random_state,
                                          load_if_exists=True, direction=args.direction), func, catch)
    finally:
        storage.close()


def _optimize(args, out, study, func, catch):
    from .parallel import as_evaluator
    from .progress import progress_available

    before = study.trials
    n_trials, callbacks = args.n_trials, []
    if args.total_trials is not None:
        left = max(0, args.total_trials - _finished(before))
        n_trials = left if n_trials is None else min(n_trials, left)
        callbacks.append(_UntilTotal(args.total_trials))
    progress = args.progress
    if progress is None:
        progress = sys.stderr.isatty() and progress_available()
    executor = None
    if args.n_jobs != 1:
        executor = as_evaluator(None, args.n_jobs, processes=args.executor == "process")
    try:
        study.optimize(func, n_trials=n_trials, timeout=args.timeout, n_jobs=args.n_jobs if args.n_jobs != 1 else None,
                       executor=executor, progress=progress, catch=catch, callbacks=callbacks)
    except KeyboardInterrupt:
        study.close()
        print(f"interrupted: every finished trial is stored, and the interrupted ones run again first; "
              f"run the same command to resume study {study.name!r}", file=sys.stderr)
        return 130
    except Exception as exc:  # the objective's own error: its traceback, and the study is kept
        failed = [t for t in study.trials if str(t.state) == "FAIL" and not t.info.get("requeued")]
        which = f" on trial {failed[-1].number}" if failed else ""
        study.close()
        print(f"asktell: the objective failed{which}; finished trials are stored "
              "(--on-error continue records such failures and goes on):", file=sys.stderr)
        print(_user_traceback(exc), end="", file=sys.stderr)
        return 1
    finally:
        if executor is not None:
            executor.close()
    after = study.trials
    print(f"this run: {len(after) - len(before)} new trials, {_finished(after) - _finished(before)} finished "
          f"(the study had {len(before)})", file=out)
    _summary(study, after, out)
    study.close()
    return 0


def _user_traceback(exc):
    """``exc``'s traceback without asktell's own frames (what the objective did)."""
    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not os.path.abspath(f.filename).startswith(here)]
    lines = traceback.format_exception_only(type(exc), exc)
    if frames:
        lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames), *lines]
    return "".join(lines)


def _best(study, trials):
    from .study._views import best_of as best

    complete = [t for t in trials if str(t.state) == "COMPLETE"]
    return best(complete, study.direction) if complete else None


def _summary(study, trials, out):
    counts = {s: sum(str(t.state) == s for t in trials) for s in ("COMPLETE", "FAIL", "RUNNING")}
    print(f"study {study.name!r}: {counts['COMPLETE']} complete, {counts['FAIL']} failed, "
          f"{counts['RUNNING']} running", file=out)
    best = _best(study, trials)
    if best is not None:
        word = "largest" if study.direction == "maximize" else "best"
        print(f"{word} value {best.value:.10g} (trial {best.number}) at {json.dumps(best.params, default=str)}",
              file=out)


def _studies(args, out):
    from .study import get_all_study_summaries

    url = _url(args)
    if _missing_file(url) is not None:
        print(f"no studies in {url}: the file {_missing_file(url)!r} does not exist", file=out)
        return 0
    rows = get_all_study_summaries(url)
    if not rows:
        print(f"no studies in {url}", file=out)
        return 0
    table = [[r["name"], r["n_complete"], r["n_fail"], r["n_running"],
              "" if r["best_value"] is None else f"{r['best_value']:.6g}", r["direction"]] for r in rows]
    _table(["study", "complete", "failed", "running", "best", "direction"], table, out)
    return 0


def _show(args, out):
    from .storage import space_from_dict

    with _StudyView.open(args) as study:
        trials = study.trials
        _summary(study, trials, out)
        print(f"storage {study.storage.url}; direction {study.direction}; optimizer "
              f"{json.dumps(study.record.optimizer)}", file=out)
        print(f"space {space_from_dict(study.record.space)!r}", file=out)
        records = study.trials_records()
    if args.limit and len(records) > args.limit:
        print(f"(the last {args.limit} of {len(records)} trials)", file=out)
        records = records[-args.limit:]
    if records:
        names = [k for k in records[0] if k.startswith("params_")]
        header = ["number", "state", "value", *[n[len("params_"):] for n in names], "duration", "error"]
        rows = [[r["number"], r["state"], _fmt(r["value"]), *[_fmt(r[n]) for n in names],
                 _fmt(r["duration"]), (r["error"] or "").splitlines()[0] if r["error"] else ""] for r in records]
        _table(header, rows, out)
    return 0


def _best_command(args, out):
    with _StudyView.open(args) as study:
        best = _best(study, study.trials)
    if best is None:
        raise UsageError(f"study {args.name!r} has no complete trial yet")
    if args.json:
        print(json.dumps({"number": best.number, "value": best.value, "params": best.params}, default=str), file=out)
    else:
        print(f"value {best.value:.10g} (trial {best.number})", file=out)
        for name, value in best.params.items():
            print(f"  {name} = {value!r}", file=out)
    return 0


def _plot(args, out):
    from .study import load_study

    try:
        import matplotlib
    except ImportError:
        raise ImportError("asktell plot needs matplotlib: pip install 'asktell[plots]'") from None
    matplotlib.use("Agg")
    from . import plots

    storage = _existing_storage(args)
    study = load_study(args.name, storage)
    try:
        if args.kind == "objective":
            study.optimizer  # noqa: B018 - brings the model up to date with every stored trial
        result = study.result()
        if args.kind == "convergence":
            ax = _convergence(plots, result, study.direction)
            ax.set_title(f"Convergence of study {study.name!r}")
            figure = ax.figure
        elif args.kind == "evaluations":
            figure = plots.plot_evaluations(result).flat[0].figure
        else:
            if not getattr(result, "models", None):
                raise UsageError(f"plot --kind objective needs a surrogate model; study {study.name!r} has none "
                                 f"(optimizer {study.optimizer_settings.get('name')!r}); try --kind evaluations")
            figure = plots.plot_objective(result).flat[0].figure
            if study.direction == "maximize":
                figure.suptitle("the model of -f (the study maximizes f)")
        figure.savefig(args.out, dpi=110, bbox_inches="tight")
    finally:
        study.close()
        storage.close()
    print(f"wrote {args.out}", file=out)
    return 0


def _convergence(plots, result, direction):
    """`plot_convergence` of the study's values; a maximizing study shows its running largest value."""
    if direction == "minimize":
        return plots.plot_convergence(result)
    from matplotlib.ticker import FuncFormatter
    from scipy.optimize import OptimizeResult

    ax = plots.plot_convergence(OptimizeResult(func_vals=-result.func_vals))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{-v:g}"))
    ax.invert_yaxis()
    ax.set_ylabel(r"$\max f(x)$ after $n$ calls")
    return ax


class _StudyView:
    """What the reading commands see of a study, without building its optimizer."""

    def __init__(self, storage, record):
        self.storage = storage
        self.record = record
        self.name = record.name
        self.direction = record.info.get("direction", "minimize")

    @classmethod
    def open(cls, args):
        storage = _existing_storage(args)
        try:
            return cls(storage, storage.get_study(args.name))
        except BaseException:
            storage.close()
            raise

    @property
    def trials(self):
        return [t.to_trial() for t in self.storage.trials(self.record.study_id)]

    def trials_records(self):
        from .study._views import records

        return records(self.trials)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.storage.close()


def _export(args, out):
    from .study._views import records_text

    with _StudyView.open(args) as study:
        text = records_text(study.trials_records(), args.format)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        out.write(text)
    return 0


def _import(args, out):
    from .study import load_study

    storage = _existing_storage(args)
    study = load_study(args.name, storage)
    try:
        added = study.import_trials(args.file)
    finally:
        study.close()
        storage.close()
    print(f"imported {len(added)} finished trials from {args.file} into study {args.name!r}", file=out)
    return 0


def _delete(args, out):
    storage = _existing_storage(args)
    try:
        storage.delete_study(args.name)
    finally:
        storage.close()
    print(f"deleted study {args.name!r} from {storage.url}", file=out)
    return 0


def _dashboard(args, out):
    from .dashboard import serve

    serve(_url(args), host=args.host, port=args.port, refresh=args.refresh, quiet=not args.verbose)
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


_COMMANDS = {"run": _run, "studies": _studies, "show": _show, "best": _best_command, "plot": _plot,
             "export": _export, "import": _import, "delete": _delete, "dashboard": _dashboard}


def main(argv=None, out=None):
    """Entry point of the ``asktell`` console script; returns the exit status."""
    from .storage import DuplicatedStudyError, StudyNotFoundError

    out = out or sys.stdout
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise UsageError(f"give a command: {', '.join(_COMMANDS)} (asktell --help)")
        return _COMMANDS[args.command](args, out)
    except (UsageError, ValueError, TypeError, ImportError, StudyNotFoundError, DuplicatedStudyError,
            sqlite3.Error, OSError) as exc:
        return _fail(exc)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg"):  # database unreachable
            return _fail(exc)
        raise


def _fail(exc):
    """Report a usage error in full (every line of its message); exit status 2."""
    message = str(exc).strip() or type(exc).__name__
    print(f"asktell: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
