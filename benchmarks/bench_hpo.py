"""Tabular hyperparameter benchmark (issue 18): the default against Optuna, SMAC3 and the rest.

    python -m benchmarks.bench_hpo --out results/hpo            # the default run (see --help)
    python -m benchmarks.bench_hpo --full --out results/hpo     # every problem, both noise variants, 5 seeds
    python -m benchmarks.bench_hpo --report results/hpo/runs.jsonl [--baseline OTHER.jsonl]

Problems are `benchmarks.hpo_problems`' tables (exact optimum by
enumeration). Every contender runs ``--budget`` evaluations per (problem,
seed); the smaller ``--checkpoints`` are prefixes of that run (every
contender here proposes the same points whatever its budget). Runs are
interleaved per seed and problem, each contender one after the other in
an order rotated by seed, so load on the machine falls on all alike; BLAS
threads are pinned to one. Each run records the values seen, the mean
(true) value of every configuration evaluated, the configuration each
contender recommends at each checkpoint (its ``result.x`` where it
returns one, else the best value observed) and the optimizer's CPU
seconds before each evaluation.

Regret at budget ``b``: noiseless, the best true value among the first
``b`` evaluations minus the optimum; noisy, the true value of the
configuration recommended at ``b`` minus the optimum.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from .contenders import CONTENDERS, BudgetExhausted, Recorder, _skopt_dims  # noqa: E402
from .hpo_problems import HPO_PROBLEMS, SPACES, HPOProblem, hpo_specs  # noqa: E402
from .run import _execute  # noqa: E402


class _CPURecorder(Recorder):
    """Counts evaluations and the optimizer's CPU seconds (process time) before each."""

    clock = staticmethod(time.process_time)


# ----------------------------------------------------------------- contenders that recommend
def _asktell_minimizer(function_name):
    def run(f, dims, budget, seed, checkpoints):
        import asktell

        recs = {}

        def keep(result):
            n = len(result.func_vals)
            if n in checkpoints:
                recs[n] = list(result.x)
                if "x_mean" in result:  # the default's recommendation by the model's mean
                    recs[f"mean{n}"] = list(result.x_mean)

        getattr(asktell, function_name)(
            f, _skopt_dims(dims, asktell.space), n_calls=budget, random_state=seed, callback=keep
        )
        return recs

    return run


def asktell_tpe(f, dims, budget, seed, checkpoints):
    """The hyper-optimizer's multivariate Parzen sampler (``"tpe"`` optlib) on the plain space."""
    import asktell
    from asktell.hyper.tpe import TPEOptLib

    space = asktell.Space([d for d in _skopt_dims(dims, asktell.space)])
    for i, d in enumerate(space.dimensions):
        if not isinstance(d, asktell.space.Dimension):
            continue
        d.name = f"x{i}"
    sampler = TPEOptLib()._make_sampler(space, seed, None)
    names = [d.name for d in space.dimensions]
    for _ in range(budget):
        token, params = sampler.ask()
        sampler.tell(token, f([params[n] for n in names]))
    return {}


def smac3(f, dims, budget, seed, checkpoints):
    """SMAC3's hyperparameter-optimization facade (random forest, deterministic objective)."""
    from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer
    from smac import HyperparameterOptimizationFacade, Scenario
    from smac.runhistory.dataclasses import TrialValue

    cs = ConfigurationSpace(seed=seed)
    labels = {}
    for i, (kind, *args) in enumerate(dims):
        log = len(args) > 2 and args[2] == "log"
        if kind == "real":
            cs.add(Float(f"x{i}", (float(args[0]), float(args[1])), log=log))
        elif kind == "int":
            cs.add(Integer(f"x{i}", (int(args[0]), int(args[1])), log=log))
        else:
            labels[i] = {str(k): k for k in args[0]}
            cs.add(Categorical(f"x{i}", list(labels[i])))
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Scenario(cs, deterministic=True, n_trials=budget, seed=seed, output_directory=Path(tmp))
        opt = HyperparameterOptimizationFacade(
            scenario, lambda config, seed=0: 0.0, overwrite=True, logging_level=40
        )
        for _ in range(budget):
            info = opt.ask()
            cfg = info.config
            x = [labels[i][cfg[f"x{i}"]] if i in labels else cfg[f"x{i}"] for i in range(len(dims))]
            opt.tell(info, TrialValue(cost=f(x)))
    return {}


def _plain(name):
    def run(f, dims, budget, seed, checkpoints):
        CONTENDERS[name](f, dims, budget, seed)
        return {}

    return run


HPO_CONTENDERS = {
    "asktell-default": _asktell_minimizer("minimize"),
    "asktell-gp": _asktell_minimizer("gp_minimize"),
    "asktell-tpe": asktell_tpe,
    "optuna-tpe": _plain("optuna-tpe"),
    "optuna-gp": _plain("optuna-gp"),
    "optuna-cmaes": _plain("optuna-cmaes"),
    "smac3": smac3,
    "random": _plain("random"),
}
#: modules a contender imports, loaded before its clock starts
_MODULES = {
    "optuna-tpe": ["optuna"], "optuna-gp": ["optuna", "torch"], "optuna-cmaes": ["optuna", "cmaes"],
    "smac3": ["smac", "ConfigSpace"],
}
#: the default run leaves out the two peers that cost 10-60x the rest per trial (--full runs them)
SLOW_CONTENDERS = ("optuna-gp", "smac3")
DEFAULT_CONTENDERS = tuple(c for c in HPO_CONTENDERS if c not in SLOW_CONTENDERS)
DEFAULT_PROBLEMS = tuple(HPO_PROBLEMS)


def _task(contender, spec, budget, seed, checkpoints):
    import importlib

    for module in _MODULES.get(contender, ["asktell"]):
        importlib.import_module(module)
    problem = HPOProblem(spec, seed)
    recorder = _CPURecorder(problem, budget)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            recs = HPO_CONTENDERS[contender](recorder, problem.dims, budget, seed, set(checkpoints))
        except BudgetExhausted:
            recs = {}
    total = time.process_time() - recorder.started
    true = [float(problem.means[i]) for i in problem.visited]
    rec_true = {k: problem.true_value(x) for k, x in recs.items() if isinstance(k, str)}
    for b in checkpoints:
        n = min(b, len(recorder.values))
        if not n:
            continue
        if b in recs:
            rec_true[b] = problem.true_value(recs[b])
        else:  # the best observed configuration
            rec_true[b] = true[int(np.argmin(recorder.values[:n]))]
    return {
        "contender": contender,
        "problem": spec.name,
        "space": spec.space,
        "noisy": spec.noisy,
        "label": spec.label,
        "seed": seed,
        "budget": budget,
        "f_opt": problem.f_opt,
        "f_median": problem.f_median,
        "n_configs": problem.n_configs,
        "values": recorder.values,
        "true": true,
        "rec_true": {str(b): v for b, v in rec_true.items()},
        "own_recommendation": sorted(b for b in recs if isinstance(b, int)),
        "n_distinct": len(set(problem.visited)),
        "opt_cpu_cumulative": recorder.opt_seconds,
        "opt_cpu_total": max(total - recorder.eval_seconds, 0.0),
    }


MEAN_SUFFIX = " (mean)"


def with_mean_recommendations(records):
    """``records`` plus, for each noisy run that recorded one, its recommendation by the model's mean.

    The extra record is the same run under the name ``CONTENDER (mean)``,
    its recommendation at each checkpoint the evaluated configuration of
    lowest posterior mean (`asktell.AutoOptimizer.get_result`'s ``x_mean``)
    instead of the best value observed.
    """
    out = list(records)
    for r in records:
        means = {k[4:]: v for k, v in r["rec_true"].items() if k.startswith("mean")}
        if r["noisy"] and means:
            out.append(dict(r, contender=r["contender"] + MEAN_SUFFIX, rec_true=means))
    return out


def regret(record, budget):
    """Regret of a run at ``budget`` (see the module docstring)."""
    if record["noisy"]:
        return float(record["rec_true"][str(budget)]) - record["f_opt"]
    return float(min(record["true"][:budget])) - record["f_opt"]


def cpu_per_trial(record, budget):
    cum = record["opt_cpu_cumulative"]
    if budget >= len(cum):
        return record["opt_cpu_total"] / max(len(cum), 1)
    return cum[budget] / budget


# ----------------------------------------------------------------- report
def _sign_test(a, b):
    """(wins of a, losses of a, two-sided sign-test p) over paired regrets (ties dropped)."""
    from scipy.stats import binomtest

    wins = int(np.sum(np.asarray(a) < np.asarray(b)))
    losses = int(np.sum(np.asarray(a) > np.asarray(b)))
    p = binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
    return wins, losses, float(p)


def _fmt(x):
    return "0" if x <= 1e-12 else f"{x:.2e}"  # below 1e-12: the optimum (means differ by round-off)


def markdown(records, checkpoints, reference="asktell-default", tpe="optuna-tpe", command=""):
    """Median regrets per problem, win shares against TPE and all, CPU time ratios."""
    by = defaultdict(dict)  # (label, budget) -> contender -> [regret per seed]
    seeds = defaultdict(dict)
    for r in records:
        for b in checkpoints:
            if len(r["values"]) >= b:
                by[(r["label"], b)].setdefault(r["contender"], []).append(regret(r, b))
                seeds[(r["label"], b)].setdefault(r["contender"], []).append(r["seed"])
    contenders = sorted({r["contender"] for r in records}, key=lambda c: (c != reference, c))
    labels = sorted({r["label"] for r in records})
    lines = [f"Command: `{command}`", ""] if command else []
    lines += [
        f"Regret: the mean of the configuration's stored runs minus the table's best (0: optimum found); "
        f"median over seeds. Bold: the lowest median. Wins: problems where {reference}'s median regret is "
        "strictly below the other's, ties (both equal) counted apart; \"every peer\" leaves out its own earlier "
        "versions (names starting with its own).", "",
    ]
    summary_rows = []
    for b in checkpoints:
        for noisy in (False, True):
            labs = [lab for lab in labels if lab.endswith("/noisy") == noisy and (lab, b) in by]
            if not labs:
                continue
            lines += [f"### {b} evaluations, {'noisy (one run per call)' if noisy else 'noiseless (mean of runs)'}", ""]
            lines += ["| problem | " + " | ".join(contenders) + " |", "|" + "---|" * (len(contenders) + 1)]
            beats = defaultdict(lambda: [0, 0, 0])  # contender -> [ref below, tie, ref above]
            best_all = [0, 0]
            for lab in labs:
                med = {c: float(np.median(v)) if np.median(v) > 1e-12 else 0.0 for c, v in by[(lab, b)].items()}
                low = min(med.values())
                cells = []
                for c in contenders:
                    if c not in med:
                        cells.append("-")
                        continue
                    text = _fmt(med[c])
                    cells.append(f"**{text}**" if med[c] <= low else text)
                lines.append(f"| {lab} | " + " | ".join(cells) + " |")
                if reference in med:
                    others = [c for c in med if c != reference]
                    for c in others:
                        k = 0 if med[reference] < med[c] else (1 if med[reference] == med[c] else 2)
                        beats[c][k] += 1
                    peers = [c for c in others if not c.startswith(reference)]  # not its own earlier version
                    best_all[0] += all(med[reference] < med[c] for c in peers)
                    best_all[1] += 1
            lines.append("")
            if reference in contenders and best_all[1]:
                parts = [f"{c} {w}/{t}/{l_}" for c, (w, t, l_) in sorted(beats.items())]
                lines += [
                    f"{reference} below / tied with / above: " + ", ".join(parts) + f". Below every peer "
                    f"on {best_all[0]}/{best_all[1]} problems.", "",
                ]
                summary_rows.append((b, noisy, beats.get(tpe, [0, 0, 0]), best_all))
    if summary_rows:
        lines += ["### Summary", "", f"| evaluations | noise | {reference} below {tpe} | below every peer |",
                  "|---|---|---|---|"]
        for b, noisy, (w, t, l_), (ba, n) in summary_rows:
            lines.append(f"| {b} | {'noisy' if noisy else 'noiseless'} | {w}/{w + t + l_} ({t} tied) | {ba}/{n} |")
        lines.append("")
    # CPU time per trial: median over runs, and the median of run-by-run ratios to TPE's (same problem, seed)
    lines += [f"### Optimizer CPU time per trial (median over runs; in brackets the median over problems and seeds "
              f"of the ratio to {tpe}'s on the same problem and seed)", ""]
    lines += ["| contender | " + " | ".join(f"{b} evaluations" for b in checkpoints) + " |",
              "|" + "---|" * (len(checkpoints) + 1)]
    ref_runs = {(r["label"], r["seed"]): r for r in records if r["contender"] == tpe}
    for c in (c for c in contenders if not c.endswith(MEAN_SUFFIX)):  # (mean): the same runs
        cells = []
        for b in checkpoints:
            mine = [r for r in records if r["contender"] == c]
            med = float(np.median([cpu_per_trial(r, b) for r in mine]))
            ratios = [cpu_per_trial(r, b) / cpu_per_trial(ref_runs[(r["label"], r["seed"])], b)
                      for r in mine if (r["label"], r["seed"]) in ref_runs]
            cells.append(f"{med * 1e3:.1f} ms" + (f" ({np.median(ratios):.1f}x)" if ratios else ""))
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines) + "\n"


def paired(records_a, records_b, checkpoints):
    """Sign test and Wilcoxon of run-by-run regrets, A against B on the same (problem, seed)."""
    from scipy.stats import wilcoxon

    index = {(r["label"], r["seed"]): r for r in records_b}
    lines = ["| evaluations | noise | A lower | B lower | ties | sign p | Wilcoxon p |", "|---|---|---|---|---|---|---|"]
    for b in checkpoints:
        for noisy in (False, True):
            a, bb = [], []
            for r in records_a:
                other = index.get((r["label"], r["seed"]))
                if r["noisy"] == noisy and other is not None and len(r["values"]) >= b and len(other["values"]) >= b:
                    # scale-free: regrets over the table's median regret
                    scale = max(r["f_median"] - r["f_opt"], 1e-12)
                    a.append(regret(r, b) / scale)
                    bb.append(regret(other, b) / scale)
            if not a:
                continue
            w, l_, p = _sign_test(a, bb)
            diff = np.asarray(a) - np.asarray(bb)
            pw = float(wilcoxon(diff).pvalue) if np.any(diff != 0) else 1.0
            lines.append(f"| {b} | {'noisy' if noisy else 'noiseless'} | {w} | {l_} | {len(a) - w - l_} | {p:.3g} | {pw:.3g} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- runner
def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_hpo", description=__doc__.split("\n\n")[0])
    p.add_argument("--problems", default=",".join(DEFAULT_PROBLEMS), help=f"from {list(HPO_PROBLEMS)}")
    p.add_argument("--spaces", default=",".join(SPACES), help="cat, ord or both")
    p.add_argument("--noisy", choices=["no", "yes", "both"], default="no", help="the one-run-per-call variant")
    p.add_argument("--seeds", type=int, default=None, help="seeds to run (default 3); with --report, only these")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--checkpoints", default="40,100")
    p.add_argument("--contenders", default=None,
                   help=f"from {list(HPO_CONTENDERS)} (default: all but {', '.join(SLOW_CONTENDERS)}); "
                        "with --report, only these (and their ' (mean)' recommendations)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument(
        "--full", action="store_true",
        help=f"every contender (also {', '.join(SLOW_CONTENDERS)}), both noise variants, 5 seeds: several hours",
    )
    p.add_argument("--out", default="results/hpo")
    p.add_argument("--report", default=None, help="only write the report of this runs.jsonl")
    p.add_argument("--baseline", default=None, help="with --report: a runs.jsonl of asktell-default to pair against")
    return p.parse_args(argv)


def _load(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def main(argv=None):
    args = parse_args(argv)
    checkpoints = [int(c) for c in args.checkpoints.split(",")]
    command = "python -m benchmarks.bench_hpo " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.report:
        records = _load(args.report)
        if args.contenders is not None:
            records = [r for r in records if r["contender"] in args.contenders.split(",")]
        if args.seeds is not None:
            records = [r for r in records if args.first_seed <= r["seed"] < args.first_seed + args.seeds]
        records = with_mean_recommendations(records)
        text = markdown(records, checkpoints, command=command)
        for a, b in (("asktell-default", "asktell-default-before"), ("asktell-default" + MEAN_SUFFIX, "asktell-default")):
            mine = [r for r in records if r["contender"] == a]
            other = [r for r in records if r["contender"] == b]
            if mine and other:
                text += f"\n### {a} (A) against {b} (B), paired by problem and seed\n\n" + paired(mine, other, checkpoints)
        if args.baseline:
            base = [r for r in _load(args.baseline) if r["contender"] == "asktell-default"]
            mine = [r for r in records if r["contender"] == "asktell-default"]
            text += "\n### asktell-default (A) against the baseline's (B), paired by problem and seed\n\n"
            text += paired(mine, base, checkpoints)
        print(text)
        return
    if args.full:
        args.noisy, args.seeds, args.contenders = "both", 5, ",".join(HPO_CONTENDERS)
    args.seeds = 3 if args.seeds is None else args.seeds
    args.contenders = ",".join(DEFAULT_CONTENDERS) if args.contenders is None else args.contenders
    contenders = [c for c in args.contenders.split(",") if c]
    unknown = sorted(set(contenders) - set(HPO_CONTENDERS))
    if unknown:
        sys.exit(f"unknown contenders {unknown}; choose from {list(HPO_CONTENDERS)}")
    noisy = {"no": (False,), "yes": (True,), "both": (False, True)}[args.noisy]
    specs = hpo_specs([p for p in args.problems.split(",") if p], args.spaces.split(","), noisy)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = out / "runs.jsonl"
    records = _load(log) if log.exists() else []
    done = {(r["contender"], r["label"], r["seed"]) for r in records}
    tasks = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for spec in specs:
            k = seed % len(contenders)
            for c in contenders[k:] + contenders[:k]:  # order rotated by seed
                if (c, spec.label, seed) not in done:
                    tasks.append((c, spec, args.budget, seed, checkpoints))
    print(f"{len(tasks)} runs to do ({len(done)} already in {log})", flush=True)
    start = time.time()
    with open(log, "a") as fh:
        for i, rec in enumerate(_execute(tasks, args.jobs, _task), 1):
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            records.append(rec)
            if i % 20 == 0 or i == len(tasks):
                print(f"  {i}/{len(tasks)} runs, {time.time() - start:.0f} s", flush=True)
    text = markdown(with_mean_recommendations(records), checkpoints, command=command)
    (out / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
