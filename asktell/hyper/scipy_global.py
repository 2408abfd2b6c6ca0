"""SciPy's global optimizers per method, through `asktell.HyperScipySampler`.

Each method's unit cube is searched by a pool of scipy optimizers
(``differential_evolution`` by default; ``dual_annealing``, ``direct``,
``shgo``) whose control flow is inverted into ask/tell by background
threads. `ScipyOptLib.cleanup` stops every thread; the samplers' own
finalizers stop them too if an optlib is dropped without cleanup.
"""

from __future__ import annotations

from .optlib import MethodSampler, PerMethodOptLib, register_optlib

__all__ = ["ScipyOptLib"]


class _ScipySampler(MethodSampler):
    def __init__(self, space, random_state, method, n_workers, exponential_param_power, **scipy_opts):
        from ..scipy_bridge import HyperScipySampler

        self.sampler = HyperScipySampler(
            space,
            method=method,
            n_workers=n_workers,
            exponential_param_power=exponential_param_power,
            random_state=random_state,
            **scipy_opts,
        )

    def ask(self):
        number, params = self.sampler.ask()
        return number, dict(params)

    def tell(self, token, score):
        self.sampler.tell(token, score)

    def fail(self, token):
        self.sampler.fail_trial(token, "failed or scored inf")

    def stop(self):
        self.sampler.stop()


class ScipyOptLib(PerMethodOptLib):
    """A pool of scipy global optimizers for each method's parameters, methods by LCB.

    Options
    -------
    method : {"differential_evolution", "dual_annealing", "direct", "shgo"}
        The scipy optimizer.
    n_workers : int
        Optimizers per method started at once; the pool grows by itself
        when every worker waits on settings still out.
    exponential_param_power : float or None
        See `asktell.space.UnitCube`.
    **scipy_opts
        Keyword arguments of the scipy function (``popsize``, ``maxiter``, ...).
    """

    def _make_sampler(
        self,
        space,
        random_state,
        optimizer,
        *,
        method="differential_evolution",
        n_workers=1,
        exponential_param_power=None,
        **scipy_opts,
    ):
        return _ScipySampler(space, random_state, method, n_workers, exponential_param_power, **scipy_opts)


register_optlib("scipy", ScipyOptLib)
