"""``make demo``: the library on one small tuning problem, embedded defaults, no server.

A made-up "validation loss" over a learning rate (log scale), a number of
layers and an activation is minimized six ways: ``asktell.minimize``, the
default that picks its strategy itself; scikit-optimize's ``gp_minimize``
(asktell as a drop-in), the ask/tell ``Optimizer``, SciPy's
differential evolution driven as ask/tell, a durable study on a SQLite file
that is interrupted and resumed, and the multi-method hyper-optimizer
choosing between two model families.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from . import (
    Categorical,
    HyperOptimizer,
    Integer,
    Optimizer,
    Real,
    ScipyAskTell,
    Space,
    create_study,
    gp_minimize,
    load_study,
    minimize,
)

SPACE = Space(
    [
        Real(1e-5, 1e-1, prior="log-uniform", name="learning_rate"),
        Integer(1, 8, name="layers"),
        Categorical(["relu", "gelu", "tanh"], name="activation"),
    ]
)


def validation_loss(x):
    """Smooth, with its optimum at learning_rate = 10**-2.5, 4 layers, "gelu" (loss 0)."""
    lr, layers, act = x
    penalty = {"relu": 0.05, "gelu": 0.0, "tanh": 0.2}[act]
    return float((np.log10(lr) + 2.5) ** 2 + 0.1 * (layers - 4) ** 2 + penalty)


def _plain(value):
    """A value as it reads best: floats to 4 significant digits, containers element-wise."""
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.4g}")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _show(title, fun, x, calls, seconds):
    print(f"{title:<34} best {fun:7.4f} at {_plain(x)}  ({calls} calls, {seconds:.1f} s)")


def _default():
    start = time.perf_counter()
    res = minimize(validation_loss, SPACE, n_calls=25, random_state=0)
    _show("asktell.minimize (the default)", res.fun, res.x, len(res.func_vals), time.perf_counter() - start)


def _drop_in():
    start = time.perf_counter()
    res = gp_minimize(validation_loss, SPACE, n_calls=25, random_state=0)
    _show("gp_minimize (skopt drop-in)", res.fun, res.x, len(res.func_vals), time.perf_counter() - start)


def _ask_tell():
    start = time.perf_counter()
    opt = Optimizer(SPACE, base_estimator="ET", n_initial_points=8, random_state=1)
    for _ in range(5):  # batches of 4 points, as if four workers evaluated them
        points = opt.ask(n_points=4)
        opt.tell(points, [validation_loss(p) for p in points])
    res = opt.get_result()
    _show("Optimizer(ET), ask 4 / tell 4", res.fun, res.x, len(res.func_vals), time.perf_counter() - start)


def _scipy_ask_tell():
    start = time.perf_counter()
    bounds = [(-5.0, -1.0), (1.0, 8.0)]  # log10(lr), layers (rounded below)

    def loss(z):
        return validation_loss([10.0 ** z[0], int(round(z[1])), "gelu"])

    best, calls = np.inf, 0
    with ScipyAskTell("differential_evolution", bounds, seed=0, maxiter=10, popsize=5) as de:
        while (z := de.ask()) is not None:
            value = loss(z)
            de.tell(value)
            best, calls = min(best, value), calls + 1
    lr, layers = 10.0 ** de.result.x[0], int(round(de.result.x[1]))
    _show("differential_evolution, ask/tell", best, [lr, layers, "gelu"], calls, time.perf_counter() - start)


def _durable_study(folder):
    start = time.perf_counter()
    url = f"sqlite:///{os.path.join(folder, 'demo.db')}"
    study = create_study("demo", storage=url, space=SPACE, random_state=0)  # the default, "auto"
    study.optimize(validation_loss, n_trials=12)
    study.close()  # as if the process stopped here; every trial is in the file
    study = load_study("demo", storage=url)
    study.optimize(validation_loss, n_trials=13)
    res = study.result()
    study.close()
    _show("study on SQLite, resumed once", res.fun, res.x, len(res.func_vals), time.perf_counter() - start)


def _hyper():
    start = time.perf_counter()
    spaces = {
        "mlp": {"lr": Real(1e-5, 1e-1, prior="log-uniform"), "layers": Integer(1, 8)},
        "linear": {"lr": Real(1e-5, 1e-1, prior="log-uniform")},
    }

    def loss(method, **params):
        if method == "linear":  # a weaker model family: its best loss is 0.5
            return 0.5 + (np.log10(params["lr"]) + 2.0) ** 2
        return validation_loss([params["lr"], params["layers"], "gelu"])

    opt = HyperOptimizer(spaces, max_trials=40, random_state=0)  # optlib "auto", the default
    method, params, score = opt.run(loss)
    picked = sum(t.info["method"] == "mlp" for t in opt.trials)
    _show("HyperOptimizer (2 methods)", score, [method, params], len(opt.trials), time.perf_counter() - start)
    print(f"{'':<34} the selector gave {picked} of {len(opt.trials)} trials to the better method")


def main():
    print("asktell demo: minimize a validation loss over")
    print(SPACE)
    print()
    _default()
    _drop_in()
    _ask_tell()
    _scipy_ask_tell()
    with tempfile.TemporaryDirectory() as folder:
        _durable_study(folder)
    _hyper()


if __name__ == "__main__":
    main()
