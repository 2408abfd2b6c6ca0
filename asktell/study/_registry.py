"""The optimizers a study can be given by name, and what each name builds.

A study stores its optimizer as a name (or ``"module:factory"``), keyword
arguments and a seed, so that every process, and every resume, builds the
same one. `register_optimizer` adds names; the built-in ones are skopt's
Bayesian optimizers, the default strategy, TPE and CMA-ES on a plain
space, scipy's global optimizers and the hyper-optimizer over a method
space.
"""

from __future__ import annotations

from .._imports import load_object
from ..auto import AutoOptimizer
from ..hyper import HyperAskTell, SpaceAskTell
from ..optimizer import Optimizer
from ..scipy_bridge import HyperScipySampler
from ..space import MethodSpace

__all__ = ["register_optimizer", "optimizer_names"]

_OPTIMIZERS = {}

#: what a new study over a plain space, and over a method space, is given
DEFAULT_OPTIMIZER = "auto"
DEFAULT_HYPER_OPTIMIZER = "hyper"


def register_optimizer(name, factory, replace=False):
    """Make ``factory(space, random_state=seed, **kwargs)`` available by ``name``.

    Names are case-insensitive (``"GP"`` is ``"gp"``). Studies store the
    name, the keyword arguments and the seed, so that every process (and
    every resume) builds the same optimizer. A factory whose
    ``method_space`` attribute is true is given a
    `asktell.hyper.MethodSpace` instead of a `Space` (as ``"hyper"`` is).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"optimizer name must be a non-empty str, got {name!r}")
    if not callable(factory):
        raise TypeError(f"factory must be callable, got {factory!r}")
    if name.lower() in _OPTIMIZERS and not replace:
        raise ValueError(f"an optimizer named {name!r} is registered already (pass replace=True)")
    _OPTIMIZERS[name.lower()] = factory


def optimizer_names():
    """Names accepted by ``optimizer=`` (and ``asktell run --optimizer``)."""
    return sorted(_OPTIMIZERS)


def factory_for(name):
    """The factory ``name`` (registered, or ``"module:factory"``) stands for."""
    if name.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[name.lower()]
    if ":" in name:
        factory = load_object(name, "optimizer")
        if not callable(factory):
            raise TypeError(f"optimizer {name!r} is not callable")
        return factory
    raise ValueError(
        f"unknown optimizer {name!r}: choose one of {optimizer_names()} "
        "or give module:factory, or an optimizer instance"
    )


def canonical(name):
    """A registered name as stored (lower case); a ``module:factory`` path as given."""
    return name.lower() if name.lower() in _OPTIMIZERS else name


def searches_method_space(optimizer):
    """Whether ``optimizer`` (a name or an instance) searches a `MethodSpace`."""
    if isinstance(optimizer, str):
        return bool(getattr(factory_for(optimizer), "method_space", False))
    return isinstance(getattr(optimizer, "space", None), MethodSpace)


# ------------------------------------------------------------------ the built-in names
def _bayesian(base_estimator):
    def make(space, random_state=None, **kwargs):
        return Optimizer(space, base_estimator=base_estimator, random_state=random_state, **kwargs)

    make.__doc__ = f"asktell.Optimizer with base_estimator={base_estimator!r}"
    return make


for _name, _estimator in (
    ("gp", "GP"),
    ("forest", "RF"),
    ("rf", "RF"),
    ("et", "ET"),
    ("gbrt", "GBRT"),
    ("random", "dummy"),
    ("dummy", "dummy"),
):
    register_optimizer(_name, _bayesian(_estimator))


def _auto(space, random_state=None, **kwargs):
    return AutoOptimizer(space, random_state=random_state, **kwargs)


_auto.__doc__ = "asktell.AutoOptimizer, the default strategy of asktell.minimize"
register_optimizer("auto", _auto)


def _plain(optlib):
    def make(space, random_state=None, **kwargs):
        return SpaceAskTell(space, optlib, random_state=random_state, **kwargs)

    make.__doc__ = f"asktell.hyper.SpaceAskTell with optlib={optlib!r}: its strategy on a plain space"
    return make


for _optlib in ("tpe", "cmaes"):
    register_optimizer(_optlib, _plain(_optlib))


def _scipy(method):
    def make(space, random_state=None, **kwargs):
        return HyperScipySampler(space, method=method, random_state=random_state, **kwargs)

    make.__doc__ = f"asktell.HyperScipySampler with method={method!r}"
    return make


for _name, _method in (
    ("scipy-de", "differential_evolution"),
    ("scipy-da", "dual_annealing"),
    ("scipy-direct", "direct"),
    ("scipy-shgo", "shgo"),
):
    register_optimizer(_name, _scipy(_method))


def _hyper(optlib):
    def make(space, random_state=None, **kwargs):
        if optlib is not None:
            kwargs["optlib"] = optlib
        return HyperAskTell(space, random_state=random_state, **kwargs)

    make.method_space = True  # the study's space is a MethodSpace
    make.__doc__ = (
        f"asktell.hyper.HyperAskTell with optlib={optlib!r}"
        if optlib is not None
        else "asktell.hyper.HyperAskTell (optlib 'auto' unless optimizer_kwargs give 'optlib')"
    )
    return make


register_optimizer("hyper", _hyper(None))
for _optlib in ("auto", "bayes", "tpe", "random", "scipy", "cmaes"):
    register_optimizer(f"hyper-{_optlib}", _hyper(_optlib))
