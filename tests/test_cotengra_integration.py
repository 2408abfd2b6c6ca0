"""asktell's optlibs inside cotengra.HyperOptimizer, serial and parallel."""

import math
import multiprocessing
import random
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

ctg = pytest.importorskip("cotengra", reason="needs the 'cotengra' extra (pip install asktell[cotengra])")

from asktell.hyper import list_optlibs  # noqa: E402
from asktell.integrations.cotengra import register  # noqa: E402

NAMES = [f"asktell-{n}" for n in list_optlibs()]
METHODS = ["greedy", "random-greedy"]  # "labels" starts cotengra's own process pool


@pytest.fixture(scope="module")
def equation():
    inputs, output, _, size_dict = ctg.utils.rand_equation(24, 3, seed=0, d_min=2, d_max=3)
    return inputs, output, size_dict


@pytest.fixture(scope="module", autouse=True)
def registered():
    return register()


def _search(equation, optlib, repeats=12, **kwargs):
    kwargs.setdefault("parallel", False)
    opt = ctg.HyperOptimizer(methods=METHODS, optlib=optlib, max_repeats=repeats, reconf_opts=None, **kwargs)
    tree = opt.search(*equation)
    return opt, tree


def test_register_names_every_optlib(registered):
    from cotengra.hyperoptimizers.hyper import _OPTLIB_FNS

    assert registered == NAMES
    assert {"asktell-random", "asktell-cmaes"} <= set(registered)
    for name in registered:
        assert _OPTLIB_FNS[name].__module__.startswith("asktell.hyper")


@pytest.mark.parametrize("optlib", NAMES)
def test_cotengra_runs_each_optlib_unchanged(equation, optlib, no_thread_leak):
    opt, tree = _search(equation, optlib, random_state=0)
    assert len(opt.scores) == 12
    assert tree.is_complete()
    assert set(opt.method_choices) <= set(METHODS) and len(set(opt.method_choices)) == 2
    # the best tree is the best trial's, and it beats the median trial
    assert math.log2(tree.contraction_cost()) <= sorted(map(math.log2, opt.costs_flops))[6] + 1e-9
    # every setting asked was reported back: nothing left in flight
    assert sum(opt._optimizer.selector.in_flight) == 0


def test_seeded_search_is_reproducible(equation):
    def search():
        # cotengra's greedy paths draw from the global generators: seed them too, or the
        # scores (and with them the selector's choices) differ from run to run
        random.seed(0)
        np.random.seed(0)
        return _search(equation, "asktell-cmaes", random_state=3)

    a, _ = search()
    b, _ = search()
    assert a.method_choices == b.method_choices and a.param_choices == b.param_choices


def test_trial_times_feed_cost_aware_selection(equation):
    opt, _ = _search(equation, "asktell-random", random_state=0, cost_aware=True)
    durations = opt._optimizer.selector.mean_durations
    assert all(d is not None and d >= 0 for d in durations)


def test_parallel_thread_pool(equation, no_thread_leak):
    with ThreadPoolExecutor(2) as pool:
        opt, tree = _search(equation, "asktell-cmaes", repeats=10, parallel=pool, random_state=0)
    assert len(opt.scores) == 10 and tree.is_complete()
    assert opt.pre_dispatch >= 2
    assert sum(opt._optimizer.selector.in_flight) == 0


def test_parallel_process_pool(equation):
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        opt, tree = _search(equation, "asktell-random", repeats=10, parallel=pool, random_state=0)
    assert len(opt.scores) == 10 and tree.is_complete()
    assert sum(opt._optimizer.selector.in_flight) == 0


def test_missing_cotengra_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cotengra", None)
    monkeypatch.setitem(sys.modules, "cotengra.hyperoptimizers", None)
    with pytest.raises(ImportError, match=r"'cotengra' extra: pip install asktell\[cotengra\]"):
        register()


def test_registered_optlibs_score_methods_by_mean_and_spread():
    # contraction paths keep the selector scores that measured best there (RESULTS, hyper-optimizer)
    from cotengra.hyperoptimizers import hyper

    for name in register():
        assert hyper._OPTLIB_DEFAULTS[name]["method_standardize"] is True
