"""The optimizers compared, each run the same way: a budget of evaluations, a seed.

A contender is a function ``run(objective, dims, budget, seed)``, ``dims``
the problem's space (`benchmarks.problems.Problem.dims`); the
`Recorder` objective counts evaluations, times them, and stops the run
(by raising `BudgetExhausted`) once the budget is spent, so every contender
gets exactly ``budget`` evaluations however it counts its own.
"""

from __future__ import annotations

import time
import warnings

import numpy as np


class BudgetExhausted(Exception):
    """Raised by the objective once the budget is used."""


class Recorder:
    """Wraps a problem: records values and the time spent inside it (wall-clock ``clock``)."""

    clock = staticmethod(time.perf_counter)

    def __init__(self, problem, budget):
        self.problem, self.budget = problem, budget
        self.values, self.eval_seconds = [], 0.0
        self.started = self.clock()
        #: the optimizer's own seconds before each evaluation (cumulative)
        self.opt_seconds = []

    def __call__(self, x):
        if len(self.values) >= self.budget:
            raise BudgetExhausted
        start = self.clock()
        self.opt_seconds.append(start - self.started - self.eval_seconds)
        y = self.problem(x)
        self.eval_seconds += self.clock() - start
        self.values.append(y)
        return y


# ----------------------------------------------------------------- asktell
def _skopt_dims(dims, space):
    """``dims`` in the dimension classes of ``space`` (asktell.space or skopt.space).

    Reals stay ``(lo, hi)`` tuples, the form the continuous suite has always
    passed, so its runs are unchanged.
    """
    out = []
    for kind, *args in dims:
        log = _is_log(args)
        if kind == "real":
            lo, hi = float(args[0]), float(args[1])
            out.append(space.Real(lo, hi, prior="log-uniform") if log else (lo, hi))
        elif kind == "int":
            out.append(space.Integer(args[0], args[1], prior="log-uniform" if log else "uniform"))
        else:
            out.append(space.Categorical(list(args[0])))
    return out


def _is_log(args):
    """Whether a numeric dimension's arguments ``(lo, hi[, "log"])`` ask for a log scale."""
    return len(args) > 2 and args[2] == "log"


def _reals_only(dims, name):
    if any(kind != "real" for kind, *_ in dims):
        raise ValueError(f"{name} takes real dimensions only")
    return [(lo, hi) for _, lo, hi in dims]


def asktell_gp(f, dims, budget, seed):
    import asktell

    asktell.gp_minimize(f, _skopt_dims(dims, asktell.space), n_calls=budget, random_state=seed)


def asktell_forest(f, dims, budget, seed):
    import asktell

    asktell.forest_minimize(f, _skopt_dims(dims, asktell.space), n_calls=budget, random_state=seed)


def asktell_de(f, dims, budget, seed):
    import asktell

    bounds = _reals_only(dims, "asktell-de")
    asktell.scipy_minimize(f, bounds, method="differential_evolution", n_calls=budget, random_state=seed)


def asktell_default(f, dims, budget, seed):
    import asktell

    asktell.minimize(f, _skopt_dims(dims, asktell.space), n_calls=budget, random_state=seed)


def _default_optimizer(dims, seed):
    """The default strategy as an ask/tell optimizer."""
    import asktell

    return asktell.AutoOptimizer(_skopt_dims(dims, asktell.space), random_state=seed)


#: contenders that ``@bK`` runs in batches of K: a factory of their ask/tell optimizer
BATCHED = {"asktell-default": _default_optimizer}


def _batched(name, k, strategy=None):
    """Run ``name``'s ask/tell optimizer in batches: ``ask(n_points=k)``, evaluate all, tell all."""
    make = BATCHED[name]

    def run(f, dims, budget, seed):
        opt = make(dims, seed)
        kwargs = {} if strategy is None else {"strategy": strategy}
        while True:
            xs = opt.ask(n_points=k, **kwargs)
            opt.tell(xs, [f(x) for x in xs])

    return run


def batched_name(name):
    """``(base, k, strategy)`` of a batched contender's name ``base@bK[:strategy]``, else None."""
    if "@b" not in name:
        return None
    base, _, rest = name.partition("@b")
    k, _, strategy = rest.partition(":")
    if base not in BATCHED or not k.isdigit() or int(k) < 1:
        return None
    return base, int(k), strategy or None


def get_contender(name):
    """The run function of ``name``: a registered contender or a batched one (``asktell-default@b4``)."""
    if name in CONTENDERS:
        return CONTENDERS[name]
    parsed = batched_name(name)
    if parsed is None:
        raise KeyError(name)
    return _batched(*parsed)


# ----------------------------------------------------------------- peers
def skopt_gp(f, dims, budget, seed):
    import skopt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skopt.gp_minimize(f, _skopt_dims(dims, skopt.space), n_calls=budget, random_state=seed)


def _suggest(trial, i, dim):
    kind, *args = dim
    if kind == "real":
        return trial.suggest_float(f"x{i}", args[0], args[1], log=_is_log(args))
    if kind == "int":
        return trial.suggest_int(f"x{i}", args[0], args[1], log=_is_log(args))
    return trial.suggest_categorical(f"x{i}", list(args[0]))


def _optuna(sampler_name):
    def run(f, dims, budget, seed):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        samplers = {
            "tpe": lambda: optuna.samplers.TPESampler(seed=seed),
            "gp": lambda: optuna.samplers.GPSampler(seed=seed),
            "cmaes": lambda: optuna.samplers.CmaEsSampler(seed=seed),
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = optuna.create_study(sampler=samplers[sampler_name]())

            def objective(trial):
                return f([_suggest(trial, i, dim) for i, dim in enumerate(dims)])

            study.optimize(objective, n_trials=budget, catch=())

    return run


def cmaes_ipop(f, dims, budget, seed):
    """The `cmaes` package's CMA-ES with IPOP restarts (population doubled at each restart).

    Each run starts at a uniform point of the box with step size a fifth of
    the range (coordinates scaled to [0, 1]); a run that `should_stop()`
    restarts at a fresh uniform point with twice the population.
    """
    import cmaes

    lo, hi = np.array(_reals_only(dims, "cmaes-ipop"), dtype=float).T
    rng = np.random.RandomState(seed)
    popsize = None
    while True:
        opt = cmaes.CMA(mean=rng.uniform(size=len(lo)), sigma=0.2, bounds=np.array([[0.0, 1.0]] * len(lo)),
                        seed=int(rng.randint(2**31 - 1)), population_size=popsize)
        while not opt.should_stop():
            solutions = []
            for _ in range(opt.population_size):
                u = opt.ask()
                solutions.append((u, f(list(lo + u * (hi - lo)))))
            opt.tell(solutions)
        popsize = 2 * opt.population_size


def _ngopt_numpy2_shim():
    """Let NGOpt's surrogate step fail the way it is built to, under numpy 2.4.

    Nevergrad 1.0.12's ``learn_on_k_best`` calls ``float()`` on a
    one-element array, a TypeError since numpy 2.4, which ends the run.
    Turned into its own ``MetaModelFailure``, NGOpt goes on with its base
    optimizer's proposal (what it does whenever the surrogate fails), so
    NGOpt runs here without its surrogate step (``benchmarks/RESULTS.md``).
    """
    from nevergrad.optimization import metamodel, optimizerlib

    original = metamodel.learn_on_k_best
    if optimizerlib.learn_on_k_best is not original:
        return

    def learn_on_k_best(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        except TypeError as exc:
            raise metamodel.MetaModelFailure(str(exc)) from exc

    optimizerlib.learn_on_k_best = learn_on_k_best


def nevergrad_ngopt(f, dims, budget, seed):
    """Nevergrad's NGOpt (its algorithm selector) over the box, told the budget."""
    import nevergrad as ng

    _ngopt_numpy2_shim()

    lo, hi = np.array(_reals_only(dims, "ngopt"), dtype=float).T
    param = ng.p.Array(init=(lo + hi) / 2).set_bounds(lo, hi)
    param.random_state = np.random.RandomState(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = ng.optimizers.NGOpt(parametrization=param, budget=budget, num_workers=1)
        for _ in range(budget):
            cand = opt.ask()
            opt.tell(cand, f(list(cand.value)))


def random_search(f, dims, budget, seed):
    rng = np.random.RandomState(seed)
    if all(kind == "real" and not _is_log(args) for kind, *args in dims):  # one vector draw: the continuous suite's runs as before
        lo, hi = np.array([d[1:3] for d in dims]).T
        for _ in range(budget):
            f(list(rng.uniform(lo, hi)))
        return

    def draw(kind, *args):
        if kind == "real":
            if _is_log(args):
                return float(np.exp(rng.uniform(np.log(args[0]), np.log(args[1]))))
            return rng.uniform(args[0], args[1])
        if kind == "int":
            if _is_log(args):  # log-uniform over [lo, hi + 1), floored: as Optuna's log int
                return int(min(np.floor(np.exp(rng.uniform(np.log(args[0]), np.log(args[1] + 1)))), args[1]))
            return int(rng.randint(args[0], args[1] + 1))
        labels = list(args[0])
        return labels[rng.randint(len(labels))]

    for _ in range(budget):
        f([draw(*d) for d in dims])


#: modules a contender imports, loaded before its clock starts
_MODULES = {"skopt-gp": ["skopt"], "optuna-tpe": ["optuna"], "optuna-gp": ["optuna", "torch"], "optuna-cmaes": ["optuna", "cmaes"],
            "cmaes-ipop": ["cmaes"], "ngopt": ["nevergrad"]}

CONTENDERS = {
    "asktell-default": asktell_default,
    "asktell-gp": asktell_gp,
    "asktell-forest": asktell_forest,
    "asktell-de": asktell_de,
    "skopt-gp": skopt_gp,
    "optuna-tpe": _optuna("tpe"),
    "optuna-gp": _optuna("gp"),
    "optuna-cmaes": _optuna("cmaes"),
    "cmaes-ipop": cmaes_ipop,
    "ngopt": nevergrad_ngopt,
    "random": random_search,
}

#: contenders whose trajectory does not depend on the budget: the run at the
#: largest budget, cut short, is their run at a smaller one (``--prefix-budgets``)
BUDGET_FREE = frozenset({
    "asktell-default", "asktell-gp", "asktell-forest", "skopt-gp", "optuna-tpe", "optuna-gp",
    "optuna-cmaes", "cmaes-ipop", "random",
})

DEFAULT_CONTENDERS = ("asktell-default", "asktell-gp", "skopt-gp", "optuna-tpe", "optuna-gp", "optuna-cmaes", "random")


def run_contender(name, problem, budget, seed):
    """One run: the values seen, in order, and the optimizer's own seconds per trial."""
    import importlib

    for module in _MODULES.get(name, ["asktell"] if name.startswith("asktell") else []):
        importlib.import_module(module)
    run = get_contender(name)
    recorder = Recorder(problem, budget)
    start = recorder.started
    try:
        run(recorder, problem.dims, budget, seed)
    except BudgetExhausted:
        pass
    total = time.perf_counter() - start
    n = max(len(recorder.values), 1)
    return {
        "values": recorder.values,
        "opt_seconds_per_trial": max(total - recorder.eval_seconds, 0.0) / n,
        "opt_seconds_cumulative": recorder.opt_seconds,
    }


def prefix_record(record, budget):
    """The record of a budget-free contender's run cut to its first ``budget`` evaluations.

    Its time per trial is the optimizer's time before the last kept
    evaluation, per evaluation kept.
    """
    if budget > len(record["values"]):
        raise ValueError(f"budget {budget} exceeds the {len(record['values'])} evaluations of the run")
    out = dict(record, budget=budget, values=record["values"][:budget], prefix_of=record["budget"])
    cumulative = record.get("opt_seconds_cumulative")
    if cumulative:
        out["opt_seconds_cumulative"] = cumulative[:budget]
        out["opt_seconds_per_trial"] = max(cumulative[budget - 1], 0.0) / budget
    return out
