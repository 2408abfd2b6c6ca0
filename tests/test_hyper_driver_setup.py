"""HyperOptimizer.run is HyperAskTell under the one loop: one optlib set-up, the driver handed to it."""

import pytest

from asktell.hyper import HyperAskTell, HyperOptimizer, RandomOptLib, register_optlib
from asktell.hyper.optlib import _OPTLIBS

SPACE = {"a": {"x": (-1.0, 1.0)}, "b": {"x": (0.0, 2.0), "k": (1, 4)}, "c": {}}


def objective(method, x=0.0, k=1):
    return {"a": 0.0, "b": 0.3, "c": 1.0}[method] + (x - 0.2) ** 2 + 0.05 * k


class _SeesTheDriver(RandomOptLib):
    """Random search that keeps what ``setup`` was given as ``optimizer``, and how often it was set up."""

    setups = 0

    def setup(self, methods, space, optimizer=None, **opts):
        type(self).setups += 1
        self.driver = optimizer
        self.pre_dispatch = getattr(optimizer, "pre_dispatch", None)
        super().setup(methods, space, optimizer=optimizer, **opts)


@pytest.fixture
def sees_the_driver():
    register_optlib("sees-the-driver", _SeesTheDriver)
    _SeesTheDriver.setups = 0
    yield _SeesTheDriver
    del _OPTLIBS["sees-the-driver"]


def test_each_run_sets_one_optlib_up_and_hands_it_the_driver(sees_the_driver):
    opt = HyperOptimizer(SPACE, optlib="sees-the-driver", max_trials=4, n_jobs=2, random_state=0)
    opt.run(objective)
    first = opt.optlib_
    assert sees_the_driver.setups == 1
    assert first.driver is opt and first.pre_dispatch == 3
    opt.run(objective)
    assert sees_the_driver.setups == 2 and opt.optlib_ is not first
    assert [t.number for t in opt.trials] == list(range(8))


def test_ask_tell_hands_its_driver_to_the_optlib(sees_the_driver):
    assert HyperAskTell(SPACE, optlib="sees-the-driver").optlib_.driver is None
    marker = object()
    assert HyperAskTell(SPACE, optlib="sees-the-driver", driver=marker).optlib_.driver is marker


@pytest.mark.parametrize("optlib", ["random", "tpe", "cmaes"])
def test_a_serial_run_makes_the_trials_of_a_serial_ask_tell_loop(optlib):
    opt = HyperOptimizer(SPACE, optlib=optlib, max_trials=12, random_state=5)
    opt.run(objective)
    ask_tell = HyperAskTell(SPACE, optlib=optlib, random_state=5)
    made = []
    for _ in range(12):
        trial = ask_tell.ask_trial()
        params = {k: v for k, v in trial.params.items() if k != "method"}
        ask_tell.tell_trial(trial, objective(trial.params["method"], **params))
        made.append((trial.params["method"], params, trial.value))
    ask_tell.close()
    assert [(t.info["method"], t.params, t.value) for t in opt.trials] == made
    assert [t.x for t in opt.trials] == [list(p.values()) for _, p, _ in made]
