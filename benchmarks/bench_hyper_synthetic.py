"""A synthetic 3-method conditional problem: does the selector find the best method?

    nice python -m benchmarks.bench_hyper_synthetic --seeds 20 --trials 100 --gap 1.5 \\
        --png benchmarks/hyper_synthetic.png

Methods (scores minimised, Gaussian noise of 0.02):

* ``branin`` (best, minimum 0): 2 reals, the Branin function / 50;
* ``mixed`` (minimum ``gap``): an integer, a category and a log-scale real;
* ``logreal`` (minimum ``2 * gap``): one log-scale real.

With ``--gap 1.5`` one method is clearly better; with ``--gap 0.3`` the
gaps are small against the spread within a method (several units), the
case where the LCB formula at temperature 1 keeps sampling the worse
methods. Every asktell optlib runs with the raw (``asktell-NAME``),
the standardized (``-std``) and the rank-scored (``-rank``, the default)
selector, next to Optuna's TPE on the same
conditional space (``suggest_categorical`` for the method). Contenders
alternate per seed. The PNG shows the share of trials on the best method
and the median best score against the trial number.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from asktell import Categorical, Integer, Real  # noqa: E402
from asktell.hyper import HyperOptimizer, list_optlibs  # noqa: E402

SPACE = {
    "branin": {"x": Real(-5.0, 10.0), "y": Real(0.0, 15.0)},
    "mixed": {"n": Integer(1, 20), "loss": Categorical(["l1", "l2", "huber"]), "z": Real(1e-4, 1.0, prior="log-uniform")},
    "logreal": {"w": Real(1e-3, 1e3, prior="log-uniform")},
}
BEST_METHOD = "branin"


def _branin(x, y):
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x**2 + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


GAP = [1.5]


def score(method, rng, **p):
    if method == "branin":
        value = (_branin(p["x"], p["y"]) - 0.397887) / 50
    elif method == "mixed":
        value = GAP[0] + ((p["n"] - 7) / 10) ** 2 + {"l1": 0.5, "l2": 0.0, "huber": 0.2}[p["loss"]] + (math.log10(p["z"]) + 2) ** 2 / 4
    else:
        value = 2 * GAP[0] + (math.log10(p["w"]) - 1) ** 2 / 4
    return value + 0.02 * rng.normal()


#: optlib options beyond the selector's (bayes: acquisition by sampling, as in the cotengra benchmark)
OPTIONS = {"bayes": {"acq_func": "EI", "acq_optimizer": "sampling", "acq_optimizer_kwargs": {"n_points": 1000}}}


def run_asktell(optlib, standardize, seed, trials):
    rng = np.random.RandomState(10_000 + seed)
    opt = HyperOptimizer(SPACE, optlib=optlib, max_trials=trials, random_state=seed,
                         method_standardize=standardize, **OPTIONS.get(optlib, {}))
    opt.run(lambda method, **p: score(method, rng, **p))
    return [t.info["method"] for t in opt.trials], [t.value for t in opt.trials]


def run_optuna(seed, trials):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = np.random.RandomState(10_000 + seed)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    methods, values = [], []
    for _ in range(trials):
        trial = study.ask()
        method = trial.suggest_categorical("method", list(SPACE))
        params = {}
        for name, dim in SPACE[method].items():
            key = f"{method}_{name}"
            if isinstance(dim, Categorical):
                params[name] = trial.suggest_categorical(key, list(dim.categories))
            elif isinstance(dim, Integer):
                params[name] = trial.suggest_int(key, dim.low, dim.high)
            else:
                params[name] = trial.suggest_float(key, dim.low, dim.high, log=dim.prior == "log-uniform")
        value = score(method, rng, **params)
        study.tell(trial, value)
        methods.append(method)
        values.append(value)
    return methods, values


def contenders():
    out = {}
    for name in list_optlibs():
        out[f"asktell-{name}"] = (name, False)
        out[f"asktell-{name}-std"] = (name, True)
        out[f"asktell-{name}-rank"] = (name, "rank")
    out["optuna-tpe"] = None
    return out


def run(seeds, trials, names=None):
    table = contenders()
    names = names or list(table)
    results = {n: [] for n in names}
    seconds = {n: 0.0 for n in names}
    for seed in seeds:
        k = seed % len(names)
        for name in names[k:] + names[:k]:
            start = time.perf_counter()
            if table[name] is None:
                results[name].append(run_optuna(seed, trials))
            else:
                results[name].append(run_asktell(*table[name], seed, trials))
            seconds[name] += time.perf_counter() - start
    return results, seconds


def summarize(results, seconds, trials, warmup=20):
    lines = [
        f"| contender | share of trials {warmup + 1}-{trials} on the best method (mean) | "
        "median best score [q1, q3] | runs won by the best method | seconds per run |",
        "|---|---|---|---|---|",
    ]
    rows = []
    for name, runs in results.items():
        share = np.mean([np.mean([m == BEST_METHOD for m in methods[warmup:]]) for methods, _ in runs])
        best = np.array([min(v) for _, v in runs])
        won = np.mean([methods[int(np.argmin(values))] == BEST_METHOD for methods, values in runs])
        q1, q3 = np.percentile(best, [25, 75])
        rows.append((np.median(best), f"| {name} | {share:.2f} | {np.median(best):.4f} [{q1:.4f}, {q3:.4f}] | "
                     f"{won:.2f} | {seconds[name] / len(runs):.2f} |"))
    lines += [r for _, r in sorted(rows)]
    return "\n".join(lines)


def plot(results, trials, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    x = np.arange(1, trials + 1)
    for name, runs in results.items():
        style = "--" if name.endswith(("-std", "-rank")) else ("-" if name.startswith("asktell") else ":")
        on_best = np.array([[m == BEST_METHOD for m in methods] for methods, _ in runs], dtype=float)
        window = 10
        kernel = np.ones(window) / window
        share = np.convolve(on_best.mean(axis=0), kernel, mode="valid")
        ax1.plot(np.arange(window, trials + 1), share, style, label=name)
        best_so_far = np.minimum.accumulate(np.array([v for _, v in runs]), axis=1)
        ax2.plot(x, np.median(best_so_far, axis=0), style, label=name)
    ax1.axhline(1 / 3, color="grey", lw=0.8)
    ax1.set(xlabel="trial", ylabel="share of trials on the best method (10-trial window)", ylim=(0, 1.02),
            title="method selection")
    ax2.set(xlabel="trial", ylabel="median best score so far (noise 0.02)", title="best score")
    ax2.set_yscale("symlog", linthresh=1e-2)
    ax2.legend(fontsize=8)
    fig.suptitle(f"3-method conditional problem, gap {GAP[0]}, {len(next(iter(results.values())))} seeds "
                 "(dashed: standardized selector, dotted: Optuna TPE)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--gap", type=float, default=1.5, help="score gap between the methods' minima")
    parser.add_argument("--contenders", default=None, help="comma-separated subset")
    parser.add_argument("--png", default="benchmarks/hyper_synthetic.png")
    parser.add_argument("--json", default=None, help="also save the raw runs here")
    args = parser.parse_args(argv)
    names = args.contenders.split(",") if args.contenders else None
    GAP[0] = args.gap
    results, seconds = run(list(range(args.seeds)), args.trials, names)
    print(summarize(results, seconds, args.trials))
    if args.json:
        import json

        with open(args.json, "w") as f:
            json.dump({"gap": args.gap, "trials": args.trials, "seconds": seconds, "runs": results}, f)
    if args.png:
        plot(results, args.trials, args.png)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
