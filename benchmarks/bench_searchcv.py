"""Hyperparameter search: asktell.BayesSearchCV against its peers, in one run.

Contenders, each with its defaults and the same space, ``cv`` and seed:

* ``asktell``: `asktell.BayesSearchCV` (the default strategy);
* ``skopt``: scikit-optimize 0.10.2's ``BayesSearchCV`` (GP, ``gp_hedge``);
* ``optuna``: optuna-integration's ``OptunaSearchCV`` (TPE);
* ``random``: scikit-learn's ``RandomizedSearchCV``;
* ``halving``: scikit-learn's ``HalvingRandomSearchCV`` with ``n_candidates``
  set to the budget (it fits them on growing subsets of the samples, so it
  spends fewer sample-fits than the others at the same budget).

Tasks (scikit-learn's bundled datasets, ``cv=3``, a stratified 25 % held out):

* ``svc-digits``: ``SVC`` (RBF) on 500 digits, ``C`` and ``gamma`` log-uniform;
* ``hgb-cancer``: ``HistGradientBoostingClassifier`` (30 trees) on breast cancer,
  learning rate (log), leaves, minimum leaf size, L2 (log);
* ``pipe-diabetes``: ``PolynomialFeatures -> StandardScaler -> SelectKBest -> Ridge``
  on diabetes (R^2): degree, interactions only, k, alpha (log).

Measured per run: the best mean CV score after 20 and 50 candidates
(``--budgets``), wall time, and the search's own overhead: wall time minus
the seconds spent in ``fit`` and ``score`` of the cross-validation and the
refit (what the search adds: its model, candidate choice, bookkeeping).
Every contender runs sequentially (``n_jobs=1``), BLAS pinned to one thread.

The 20-candidate figure of the sequential searches is the 20-candidate
prefix of their 50-candidate run: none of them uses the budget except to
count (asktell's and skopt's optimizers and Optuna's TPE draw their initial
points independently of it; ``RandomizedSearchCV`` draws its candidates one
after another from one generator). Halving is run once per budget.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        nice -n 10 .venv/bin/python -m benchmarks.bench_searchcv

stores each run in ``benchmarks/searchcv_data/`` (runs already there are
kept, so an interrupted command continues) and prints the table;
``--workers N`` shares the runs among N processes (on an idle machine, one
per core: every search runs sequentially); ``--report`` only prints the
table; ``--full`` runs 10 seeds and budgets 20, 50 and 100.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

OUT = Path(__file__).parent / "searchcv_data"
CONTENDERS = ("asktell", "skopt", "optuna", "random", "halving")


# ------------------------------------------------------------------ tasks
def _task(name, seed):
    """``(estimator, space, X_train, y_train, X_test, y_test)``; space as {name: (kind, low, high[, log]) | list}."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
    from sklearn.model_selection import train_test_split

    if name == "svc-digits":
        from sklearn.svm import SVC

        X, y = load_digits(return_X_y=True)
        X, y = X[:500] / 16.0, y[:500]
        est = SVC()
        space = {"C": ("real", 1e-3, 1e3, True), "gamma": ("real", 1e-5, 1.0, True)}
    elif name == "hgb-cancer":
        from sklearn.ensemble import HistGradientBoostingClassifier

        X, y = load_breast_cancer(return_X_y=True)
        est = HistGradientBoostingClassifier(max_iter=30, early_stopping=False, random_state=0)
        space = {
            "learning_rate": ("real", 1e-3, 1.0, True),
            "max_leaf_nodes": ("int", 2, 64, False),
            "min_samples_leaf": ("int", 1, 60, False),
            "l2_regularization": ("real", 1e-6, 10.0, True),
        }
    elif name == "pipe-diabetes":
        from sklearn.feature_selection import SelectKBest, f_regression
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import PolynomialFeatures, StandardScaler

        X, y = load_diabetes(return_X_y=True)
        est = Pipeline([
            ("poly", PolynomialFeatures(include_bias=False)),
            ("scale", StandardScaler()),
            ("select", SelectKBest(f_regression)),
            ("ridge", Ridge()),
        ])
        space = {
            "poly__degree": ("int", 1, 3, False),
            "poly__interaction_only": [False, True],
            "select__k": ("int", 2, 10, False),
            "ridge__alpha": ("real", 1e-4, 1e4, True),
        }
    else:
        raise ValueError(f"unknown task {name!r}")
    stratify = y if name != "pipe-diabetes" else None
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)
    return est, space, X_tr, y_tr, X_te, y_te


TASKS = ("svc-digits", "hgb-cancer", "pipe-diabetes")


def _dimensions(space, module):
    """The task's space as ``module.space`` dimensions (asktell's or scikit-optimize's: same names)."""
    import importlib

    dims = importlib.import_module(f"{module}.space")
    out = {}
    for k, v in space.items():
        if isinstance(v, list):
            out[k] = dims.Categorical(v)
        else:
            kind, lo, hi, log = v
            cls = dims.Real if kind == "real" else dims.Integer
            out[k] = cls(lo, hi, prior="log-uniform" if log else "uniform")
    return out


def _scipy_space(space):
    out = {}
    for k, v in space.items():
        if isinstance(v, list):
            out[k] = v
        else:
            kind, lo, hi, log = v
            if kind == "int":
                out[k] = stats.randint(lo, hi + 1)  # log-int spaces are not used here
            else:
                out[k] = stats.loguniform(lo, hi) if log else stats.uniform(lo, hi - lo)
    return out


def _optuna_space(space):
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out = {}
    for k, v in space.items():
        if isinstance(v, list):
            out[k] = CategoricalDistribution(v)
        else:
            kind, lo, hi, log = v
            out[k] = FloatDistribution(lo, hi, log=log) if kind == "real" else IntDistribution(lo, hi, log=log)
    return out


# ------------------------------------------------------------------ one run
def _fit_seconds_sklearn(search, n_splits):
    """Seconds in fit+score of every candidate and split (from cv_results_) plus the refit."""
    res = search.cv_results_
    spent = n_splits * (np.nansum(res["mean_fit_time"]) + np.nansum(res["mean_score_time"]))
    return float(spent + getattr(search, "refit_time_", 0.0))


def run_one(contender, task, seed, budget, cv=3):
    """One search; returns best CV score per prefix, test score, wall and overhead seconds."""
    est, space, X, y, X_te, y_te = _task(task, seed)
    t0 = time.perf_counter()
    if contender == "asktell":
        from asktell import BayesSearchCV

        search = BayesSearchCV(est, _dimensions(space, "asktell"), n_iter=budget, cv=cv, random_state=seed)
    elif contender == "skopt":
        from skopt import BayesSearchCV as SkoptSearch

        search = SkoptSearch(est, _dimensions(space, "skopt"), n_iter=budget, cv=cv, random_state=seed)
    elif contender == "random":
        from sklearn.model_selection import RandomizedSearchCV

        search = RandomizedSearchCV(est, _scipy_space(space), n_iter=budget, cv=cv, random_state=seed)
    elif contender == "halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        search = HalvingRandomSearchCV(est, _scipy_space(space), n_candidates=budget, cv=cv, random_state=seed)
    elif contender == "optuna":
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        search = OptunaSearchCV(
            est, _optuna_space(space), n_trials=budget, cv=cv, random_state=seed,
            study=optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed)),
        )
    else:
        raise ValueError(contender)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    wall = time.perf_counter() - t0
    if contender == "optuna":
        trials = [t for t in search.trials_ if t.value is not None]
        scores = [t.value for t in search.trials_]
        spent = sum(cv * (t.user_attrs["mean_fit_time"] + t.user_attrs["mean_score_time"]) for t in trials)
        spent += getattr(search, "refit_time_", 0.0)
    else:
        scores = list(np.asarray(search.cv_results_["mean_test_score"], dtype=float))
        spent = _fit_seconds_sklearn(search, search.n_splits_)
    if contender == "halving":
        # its best is chosen in the last round, on the most samples; earlier rounds' scores are on fewer
        best = float(search.best_score_)
    else:
        best = float(np.nanmax(scores))
    prefix = {str(b): float(np.nanmax(scores[:b])) for b in (20, 50, 100)
              if b <= len(scores) and contender != "halving"}
    return {
        "contender": contender, "task": task, "seed": seed, "budget": budget, "best": best, "prefix": prefix,
        "test": float(search.score(X_te, y_te)), "wall": wall, "overhead": max(wall - spent, 0.0),
        "n_scores": len(scores),
    }


# ------------------------------------------------------------------ report
def _table(runs, budgets, seeds, contenders=CONTENDERS):
    """Mean best CV score per task and budget over the seeds every contender has (paired), and costs."""
    lines = []
    head = "| task | budget | seeds | " + " | ".join(contenders) + " | asktell rank | asktell - best peer (paired Wilcoxon p) |"
    lines += [head, "|" + "---|" * (len(contenders) + 5)]
    by = {}
    for r in runs:
        by[(r["task"], r["contender"], r["budget"], r["seed"])] = r
    big = max(budgets)

    def score(task, c, b, seed):
        if c == "halving":  # run at each budget; its best is chosen in its last round
            r = by.get((task, c, b, seed))
            return r["best"] if r else np.nan
        r = by.get((task, c, big, seed))  # the prefix of the largest budget's run
        return r["prefix"].get(str(b), np.nan) if r else np.nan

    for task in TASKS:
        for b in budgets:
            vals = {c: np.array([score(task, c, b, s) for s in seeds]) for c in contenders}
            common = np.all([np.isfinite(v) for v in vals.values()], axis=0)
            if not common.any():
                continue
            means = {c: float(np.mean(v[common])) for c, v in vals.items()}
            order = sorted(means.values(), reverse=True)
            rank = order.index(means["asktell"]) + 1
            peers = {c: m for c, m in means.items() if c != "asktell"}
            best_peer = max(peers, key=peers.get)
            diff = vals["asktell"][common] - vals[best_peer][common]
            pval = stats.wilcoxon(diff).pvalue if len(diff) >= 5 and np.any(diff != 0) else float("nan")
            cells = " | ".join(f"{means[c]:.4f}" for c in contenders)
            lines.append(f"| {task} | {b} | {int(common.sum())} | {cells} | {rank} | "
                         f"{best_peer}: {np.mean(diff):+.4f} (p={pval:.2f}) |")
    lines.append("")
    lines.append(f"| contender | runs at {big} | overhead / wall (median) | overhead / asktell's (median of paired ratios) "
                 "| wall / asktell's (median of paired ratios) |")
    lines.append("|---|---|---|---|---|")
    for c in contenders:
        rs = [r for r in runs if r["contender"] == c and r["budget"] == big]
        if not rs:
            continue
        share = np.median([r["overhead"] / r["wall"] for r in rs])
        walls, overheads = [], []
        for r in rs:
            mine = by.get((r["task"], "asktell", big, r["seed"]))
            if mine:
                walls.append(r["wall"] / mine["wall"])
                overheads.append(r["overhead"] / mine["overhead"])
        lines.append(f"| {c} | {len(rs)} | {share:.1%} | {np.median(overheads):.2f} | {np.median(walls):.2f} |")
    return "\n".join(lines)


def _load_runs(folder):
    runs = []
    for path in sorted(folder.glob("*.json")):  # one file per worker
        runs += json.loads(path.read_text())
    return runs


def _claim(folder, key):
    """True when this worker takes the run ``key`` (a marker file, made atomically, says who has it)."""
    marker = folder / "claims" / ("-".join(map(str, key)) + ".claim")
    marker.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budgets", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS))
    parser.add_argument("--contenders", nargs="+", default=list(CONTENDERS))
    parser.add_argument("--full", action="store_true", help="10 seeds, budgets 20 50 100")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes sharing the runs (each takes the next unclaimed run)")
    parser.add_argument("--out", default=str(OUT), help="folder of the runs (one JSON file per worker)")
    parser.add_argument("--report", action="store_true", help="only print the table of the runs in --out")
    args = parser.parse_args(argv)
    if args.full:
        args.seeds, args.budgets = 10, [20, 50, 100]
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.seeds))
    if not args.report:
        big = max(args.budgets)
        queue = []
        for seed in seeds:
            for task in args.tasks:
                # the contenders take turns going first, so that machine load drifts evenly
                order = list(args.contenders)
                k = (seed + TASKS.index(task)) % len(order)
                for c in order[k:] + order[:k]:
                    queue += [(c, task, seed, b) for b in (args.budgets if c == "halving" else [big])]
        for stale in (folder / "claims").glob("*.claim"):  # claims of runs a killed command left unfinished
            stale.unlink()
        if args.workers > 1:
            import multiprocessing

            with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
                pool.starmap(_work, [(queue, folder, w) for w in range(args.workers)])
        else:
            _work(queue, folder, 0)
    runs = _load_runs(folder)
    ok = [r for r in runs if "error" not in r and r["seed"] in seeds]
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    for r in runs:
        if "error" in r:
            print("FAILED:", r["contender"], r["task"], r["seed"], r["error"])
    print(_table(ok, args.budgets, seeds, tuple(args.contenders)))


def _work(queue, folder, worker):
    """Run every run of ``queue`` not stored or claimed yet; results go to ``runs-<worker>.json``."""
    out = folder / f"runs-{worker}-{os.getpid()}.json"
    mine = []
    done = {(r["contender"], r["task"], r["seed"], r["budget"]) for r in _load_runs(folder)}
    for key in queue:
        if key in done or not _claim(folder, key):
            continue
        c, task, seed, b = key
        try:
            r = run_one(c, task, seed, b)
        except Exception as exc:  # a peer that fails on today's scikit-learn is reported
            r = {"contender": c, "task": task, "seed": seed, "budget": b, "error": f"{type(exc).__name__}: {exc}"}
        mine.append(r)
        out.write_text(json.dumps(mine, indent=1))
        print(json.dumps({k: v for k, v in r.items() if k != "prefix"}), flush=True)


if __name__ == "__main__":
    main()
