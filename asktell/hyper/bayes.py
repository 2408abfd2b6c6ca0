"""Bayesian optimization per method: one asktell `Optimizer` for each.

Each method's parameters are searched by its own surrogate-model
optimizer over the method's `Space` (``"bayes"``: scikit-optimize's
defaults, GP with ``gp_hedge``; ``"auto"``: `asktell.AutoOptimizer`, the
default strategy of `asktell.minimize`); settings handed out and not yet
reported are that optimizer's pending trials (constant liar), so
pre-dispatched settings of one method differ. Failed trials are failed
there too: the model never sees them. Best where trials are expensive:
a model fit per result costs tens to hundreds of milliseconds.
"""

from __future__ import annotations

from ..trial import Trial
from .optlib import MethodSampler, PerMethodOptLib, register_optlib

__all__ = ["BayesOptLib", "AutoOptLib"]


class _BayesSampler(MethodSampler):
    """One method's `asktell.Optimizer`; a restored state is applied when the method is next used.

    A reopened study restores every method's state, but asks one method
    next: its model is rebuilt then, the others' when their turn comes.
    """

    def __init__(self, optimizer, strategy):
        self.optimizer = optimizer
        self.strategy = strategy
        self._state = None  # a state to load before the optimizer is next used

    def _restored(self):
        state, self._state = self._state, None
        if state is not None:
            try:
                self.optimizer.load_state(state)
            except ValueError:  # a malformed state: the next ask fits on the data instead
                pass
        return self.optimizer

    def ask(self):
        # a method's finite space spent: repeat points rather than stop the whole search
        trial = self._restored().ask_trial(strategy=self.strategy, repeat=True)
        return trial.number, dict(trial.params)

    def tell(self, token, score):
        self._restored().tell_trial(token, score)

    def tell_later(self, token, score):
        self._restored().tell_trial(token, score, fit=False)

    def adopt(self, params):
        # the optimizer's proposals depend only on what it was told: register, do not propose
        space = self.optimizer.space
        trial = Trial(number=self.optimizer.next_trial_number, x=space.from_params(params))
        return self.optimizer.add_trial(trial).number

    def state_dict(self):
        return self._state if self._state is not None else self.optimizer.state_dict()

    def load_state(self, state):
        if not isinstance(state, dict) or state.get("n_told") != len(self.optimizer.yi):
            raise ValueError(
                f"state must be a dict from state_dict() saved with {len(self.optimizer.yi)} points told, "
                f"got {state!r}"
            )
        self._state = state

    def fail(self, token):
        self._restored().fail_trial(token, "failed or scored inf")


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
        from ..optimizer import Optimizer

        optimizer = Optimizer(
            space,
            random_state=random_state,
            base_estimator=base_estimator,
            n_initial_points=n_initial_points,
            initial_point_generator=initial_point_generator,
            acq_func=acq_func,
            acq_optimizer=acq_optimizer,
            acq_func_kwargs=acq_func_kwargs,
            acq_optimizer_kwargs=acq_optimizer_kwargs,
        )
        return _BayesSampler(optimizer, strategy)


class AutoOptLib(PerMethodOptLib):
    """An `asktell.AutoOptimizer` (the default strategy) for each method's parameters, methods by LCB.

    Options: ``n_initial_points`` of `asktell.AutoOptimizer` (None: its
    own rule) and ``strategy``, what the model is told at pending
    settings (``"kb"``, its own mean, the default's batch strategy; or a
    constant lie, ``"cl_min"``, ``"cl_mean"``, ``"cl_max"``).
    """

    def _make_sampler(self, space, random_state, optimizer, *, n_initial_points=None, strategy="kb"):
        from ..auto import AutoOptimizer

        return _BayesSampler(AutoOptimizer(space, n_initial_points, random_state=random_state), strategy)


register_optlib("bayes", BayesOptLib)
register_optlib("auto", AutoOptLib)
