"""Bayesian optimization per method: one asktell `Optimizer` for each.

Each method's parameters are searched by its own surrogate-model
optimizer over the method's `Space`; settings handed out and not yet
reported are that optimizer's pending trials (constant liar), so
pre-dispatched settings of one method differ. Failed trials are failed
there too: the model never sees them. Best where trials are expensive:
a model fit per result costs tens to hundreds of milliseconds.
"""

from __future__ import annotations

from .optlib import MethodSampler, PerMethodOptLib, register_optlib

__all__ = ["BayesOptLib"]


class _BayesSampler(MethodSampler):
    def __init__(self, space, random_state, strategy, **optimizer_kwargs):
        from ..optimizer import Optimizer

        self.optimizer = Optimizer(space, random_state=random_state, **optimizer_kwargs)
        self.strategy = strategy

    def ask(self):
        trial = self.optimizer.ask_trial(strategy=self.strategy)
        return trial.number, dict(trial.params)

    def tell(self, token, score):
        self.optimizer.tell_trial(token, score)

    def fail(self, token):
        self.optimizer.fail_trial(token, "failed or scored inf")


class BayesOptLib(PerMethodOptLib):
    """A `asktell.Optimizer` for each method's parameters, methods by LCB.

    Options are those of `asktell.Optimizer` (scikit-optimize's defaults),
    plus ``strategy``, the constant-liar strategy for pending settings
    (``"cl_min"``, ``"cl_mean"``, ``"cl_max"``).
    """

    def _make_sampler(
        self,
        space,
        random_state,
        optimizer,
        *,
        base_estimator="GP",
        n_initial_points=10,
        initial_point_generator="random",
        acq_func="gp_hedge",
        acq_optimizer="auto",
        acq_func_kwargs=None,
        acq_optimizer_kwargs=None,
        strategy="cl_min",
    ):
        return _BayesSampler(
            space,
            random_state,
            strategy,
            base_estimator=base_estimator,
            n_initial_points=n_initial_points,
            initial_point_generator=initial_point_generator,
            acq_func=acq_func,
            acq_optimizer=acq_optimizer,
            acq_func_kwargs=acq_func_kwargs,
            acq_optimizer_kwargs=acq_optimizer_kwargs,
        )


register_optlib("bayes", BayesOptLib)
