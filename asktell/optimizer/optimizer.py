"""The Bayesian ask/tell `Optimizer` (scikit-optimize's ``skopt.Optimizer``).

Underneath it speaks the trial protocol of `asktell.protocol`: every point
asked becomes a numbered `Trial` that stays *pending* until told or
failed. Pending points enter the model as constant lies, so several asks
in flight get distinct points, and no point already evaluated, failed or
pending is ever proposed again. The point API (``ask``/``tell`` of lists)
is a layer over the trials.

Replayability
-------------
A proposal is a deterministic function of the base seed, the points told
(in order), the pending points and the number of the trial asked: each
ask draws its randomness from ``SeedSequence([seed, number])`` and each
model fit from ``SeedSequence([seed, n_told])``, never from one stream
advanced by every call. A fresh optimizer with the same ``random_state``
that is told the same finished trials one by one (`add_trial`, or
``tell`` with ``fit=True``) and whose `next_trial_number` is set proposes
exactly the point the uninterrupted one would. What earlier fits leave
behind (the ``gp_hedge`` gains, a GP's hyperparameters that the next
search starts from) is `Optimizer.state_dict`: told the same trials with
``fit=False`` and given that state by `Optimizer.load_state`, a fresh
optimizer gets there with one fit (a stored study reopens this way).
"""

from __future__ import annotations

import copy as _copy
import math
import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.multioutput import MultiOutputRegressor
from sklearn.utils import check_random_state

from ..acquisition import ACQUISITION_FUNCTIONS, NO_GRADIENT_ACQUISITIONS, _minimize_acquisition
from ..protocol import AskTellOptimizer, TrialBook, parse_value
from ..sampler import cook_initial_point_generator
from ..space import Categorical, Real, Space
from ..learning.warping import TargetWarp
from ..trial import Trial, TrialState
from ..utils import (
    _check_random_state,
    _is_regressor,
    _continuous_columns,
    _transformed_box,
    cook_estimator,
    create_result,
    has_gradients,
    is_2Dlistlike,
    is_listlike,
    normalize_dimensions,
    plain,
)

__all__ = ["Optimizer", "DEFAULT_MODEL_QUEUE_SIZE"]

#: models kept in ``Optimizer.models`` when ``model_queue_size=None``
DEFAULT_MODEL_QUEUE_SIZE = 20
_HEDGE = ("EI", "LCB", "PI")
_STRATEGIES = ("cl_min", "cl_mean", "cl_max")
_FIT_STREAM = 1 << 30  # seed-sequence key of model fits, apart from trial numbers
_INIT_STREAM = (1 << 30) + 1
_KEEP_RANKED = 64  # points of each hedge ranking kept for later asks
_N_BEST = 5  # told points whose neighbourhoods the acquisition's candidates sample


class _RepeatedPointWarning(RuntimeWarning, UserWarning):
    """A point proposed again: a RuntimeWarning, and the UserWarning scikit-optimize gave."""


class _ToldValueError(ValueError, TypeError):
    """A told value of the wrong form: a ValueError, and the TypeError scikit-optimize raised."""


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_value(value, param="y"):
    """A finite float, or a clear ValueError naming ``param`` (the point API's check)."""
    if isinstance(value, (list, tuple)):
        raise ValueError(f"{param} must be a scalar (the objective returns one number), got {value!r}")
    try:
        value = parse_value(value, param).value
    except TypeError:
        raise ValueError(f"{param} must be a finite number, got {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(
            f"{param} must be finite, got {value!r} (tell_trial() records a NaN or infinite "
            "value as a failed trial)"
        )
    return value


class Optimizer(AskTellOptimizer):
    """Sequential model-based optimization, ask/tell style.

    Parameters
    ----------
    dimensions : list, dict or Space
        The search space (anything `asktell.space.Space` accepts).
    base_estimator : {"GP", "RF", "ET", "GBRT", "DUMMY"} or regressor
        Surrogate model. A regressor must accept ``predict(X, return_std=True)``.
        ``"DUMMY"`` (or None) samples at random.
    n_random_starts : int or None
        Deprecated alias of ``n_initial_points`` (warns).
    n_initial_points : int
        Points from ``initial_point_generator`` before the model is used;
        every point told counts, so points told up front replace them.
    initial_point_generator : str or InitialPointGenerator
        ``"random"``, ``"sobol"``, ``"halton"``, ``"hammersly"``, ``"lhs"``, ``"grid"``.
    n_jobs : int
        Jobs of the estimator (where it has ``n_jobs``).
    acq_func : {"gp_hedge", "EI", "LCB", "PI", "EIps", "PIps", "LogEI"}
        Acquisition. ``gp_hedge`` picks among EI, LCB and PI by a softmax
        of their gains (``eta`` in ``acq_func_kwargs``). ``*ps`` divide by
        the expected time; told values are then ``(value, seconds)``.
    acq_optimizer : {"auto", "sampling", "lbfgs"}
        ``"sampling"`` evaluates the acquisition at ``n_points`` random
        points; ``"lbfgs"`` also runs L-BFGS-B from the
        ``n_restarts_optimizer`` best of them (all in one vectorized call);
        ``"auto"`` picks ``"lbfgs"`` when the model gives gradients.
    random_state : int, RandomState or None
        Seed. The same seed and the same tells give the same proposals.
    model_queue_size : int or None
        How many fitted models `models` keeps, the latest last. None keeps
        the last `DEFAULT_MODEL_QUEUE_SIZE` (20), so long runs do not hold
        every model in memory; pass ``math.inf`` to keep all.
    space_constraint : callable or None
        ``space_constraint(x) -> bool``: only points where it is True are
        proposed (acquisition by sampling then).
    acq_func_kwargs : dict or None
        ``xi`` (EI, PI; default 0.01), ``kappa`` (LCB; default 1.96 or
        ``"inf"``), ``eta`` (gp_hedge; default 1.0).
    acq_optimizer_kwargs : dict or None
        ``n_points`` (default 10000), ``n_restarts_optimizer`` (default 5),
        ``n_jobs`` (accepted as skopt did; the L-BFGS starts run as one vectorized
        problem, so the points proposed never depend on it).
    avoid_duplicates : bool
        True (default): never propose a point already evaluated, failed or
        pending; the next best distinct point is taken instead. False lets
        the acquisition's optimum through even when it repeats a point.
    candidates : callable or None
        Where the acquisition is looked at: ``candidates(optimizer, rng)``
        returns an array of points of the transformed space
        (``optimizer.space.transform``), one per row, drawn with the
        ``RandomState`` ``rng`` (a function of the seed and the trial
        number, which keeps proposals reproducible). The best of them are
        proposed, or start L-BFGS with ``acq_optimizer="lbfgs"``. None:
        ``n_points`` samples of the priors, a tenth of them perturbing the
        best points told (`asktell.AutoOptimizer` passes its Sobol set).
    refit_policy : callable or None
        How the model is refitted: before every fit
        ``refit_policy(n_told, last_model)`` returns parameters set on the
        estimator (``last_model`` is the previous fit, or None), e.g. to
        start a GP's hyperparameter search at the last fit's
        (`asktell.learning.GaussianProcessRegressor`'s ``theta_start``).
        None: every fit starts afresh.

    Attributes
    ----------
    Xi, yi : list
        Points told and their values, in the order told.
    models : list
        The latest fitted surrogates.
    space : Space
        The search space (dimensions copied and, for a GP, normalized).
    trials : list of Trial
        Every trial, in number order.
    """

    #: the lies ``ask`` accepts for pending points (a subclass may add its own)
    _strategies = _STRATEGIES

    def __init__(
        self,
        dimensions,
        base_estimator="gp",
        n_random_starts=None,
        n_initial_points=10,
        initial_point_generator="random",
        n_jobs=1,
        acq_func="gp_hedge",
        acq_optimizer="auto",
        random_state=None,
        model_queue_size=None,
        space_constraint=None,
        acq_func_kwargs=None,
        acq_optimizer_kwargs=None,
        avoid_duplicates=True,
        candidates=None,
        refit_policy=None,
    ):
        args = dict(locals())
        del args["self"]
        self.specs = {"args": args, "function": "Optimizer"}

        if acq_func not in ACQUISITION_FUNCTIONS:
            raise ValueError(f"acq_func must be one of {list(ACQUISITION_FUNCTIONS)}, got {acq_func!r}")
        self.acq_func = acq_func
        if n_random_starts is not None:
            warnings.warn(
                "n_random_starts is deprecated and overrides n_initial_points; use n_initial_points",
                DeprecationWarning, stacklevel=2,
            )
            n_initial_points = n_random_starts
        if not _is_int(n_initial_points) or n_initial_points < 0:
            raise ValueError(f"n_initial_points must be an integer >= 0, got {n_initial_points!r}")
        self.n_initial_points_ = int(n_initial_points)
        if not (model_queue_size is None or model_queue_size == math.inf
                or (_is_int(model_queue_size) and model_queue_size > 0)):
            raise ValueError(f"model_queue_size must be a positive integer, math.inf or None, got {model_queue_size!r}")
        self.max_model_queue_size = model_queue_size
        if space_constraint is not None and not callable(space_constraint):
            raise ValueError(f"space_constraint must be callable or None, got {space_constraint!r}")
        self.space_constraint = space_constraint
        self.avoid_duplicates = bool(avoid_duplicates)
        for name, hook in (("candidates", candidates), ("refit_policy", refit_policy)):
            if hook is not None and not callable(hook):
                raise ValueError(f"{name} must be callable or None, got {hook!r}")
        self.candidates = candidates
        self.refit_policy = refit_policy

        self.acq_func_kwargs = dict(acq_func_kwargs or {})
        self._check_acq_func_kwargs()
        self.eta = float(self.acq_func_kwargs.get("eta", 1.0))
        self.acq_optimizer_kwargs = dict(acq_optimizer_kwargs or {})
        self.n_points = self.acq_optimizer_kwargs.get("n_points", 10000)
        self.n_restarts_optimizer = self.acq_optimizer_kwargs.get("n_restarts_optimizer", 5)
        self.n_jobs = self.acq_optimizer_kwargs.get("n_jobs", 1)
        for name, value, low in (("n_points", self.n_points, 1), ("n_restarts_optimizer", self.n_restarts_optimizer, 0)):
            if not _is_int(value) or value < low:
                raise ValueError(f"acq_optimizer_kwargs[{name!r}] must be an integer >= {low}, got {value!r}")
        if not _is_int(self.n_jobs) or self.n_jobs == 0 or self.n_jobs < -1:
            raise ValueError(f"acq_optimizer_kwargs['n_jobs'] must be a positive integer or -1, got {self.n_jobs!r}")

        self.rng = _check_random_state(random_state)
        self._seed = int(random_state) if _is_int(random_state) else int(self.rng.randint(0, 2**31 - 1))

        # the space: dimensions copied; a Gaussian process sees them normalized
        space = Space(dimensions)
        if space_constraint is None and space.constraint is not None:
            self.space_constraint = space_constraint = space.constraint  # Space(..., constraint=)
        estimator = base_estimator
        if estimator is None or (isinstance(estimator, str) and estimator.upper() == "DUMMY"):
            estimator = None
        elif isinstance(estimator, str):
            space = Space(normalize_dimensions(space.dimensions) if estimator.upper() == "GP"
                          else _copy.deepcopy(space.dimensions))
            estimator = cook_estimator(
                estimator, space=space, random_state=int(self._derive(_INIT_STREAM).randint(2**31 - 1)),
                n_jobs=n_jobs,
            )
        elif _is_regressor(estimator):
            estimator = clone(estimator)
            if _is_gp(estimator):
                space = Space(normalize_dimensions(space.dimensions))
                if getattr(estimator, "categorical_dims", "absent") is None and space.is_partly_categorical:
                    estimator.set_params(categorical_dims=_categorical_columns(space))
            else:
                space = Space(_copy.deepcopy(space.dimensions))
        else:
            raise ValueError(f"base_estimator must be 'GP', 'RF', 'ET', 'GBRT', 'DUMMY' or a regressor, got {base_estimator!r}")
        if estimator is not None and estimator.get_params().get("random_state", 0) is None:
            # a seeded model makes each fit a function of the data
            estimator.set_params(random_state=int(self._derive(_INIT_STREAM, 2).randint(2**31 - 1)))
        if estimator is not None and self.acq_func.endswith("ps") and not isinstance(estimator, MultiOutputRegressor):
            estimator = MultiOutputRegressor(estimator)
        self.base_estimator_ = estimator
        self.space = space
        space.constraint = space_constraint

        if acq_optimizer not in ("auto", "sampling", "lbfgs"):
            raise ValueError(f"acq_optimizer must be 'auto', 'sampling' or 'lbfgs', got {acq_optimizer!r}")
        grads = estimator is not None and has_gradients(estimator)
        if acq_optimizer == "auto":
            acq_optimizer = "lbfgs" if grads and acq_func not in NO_GRADIENT_ACQUISITIONS else "sampling"
        if space_constraint is not None:
            acq_optimizer = "sampling"
        if acq_optimizer == "lbfgs" and estimator is not None and not grads:
            raise ValueError(
                f"acq_optimizer='lbfgs' needs a model with gradients; {type(estimator).__name__} "
                "has none: it should run with acq_optimizer='sampling'"
            )
        self.acq_optimizer = acq_optimizer

        self._initial_point_generator = cook_initial_point_generator(initial_point_generator)
        self._initial_samples = self._initial_point_generator.generate(
            self.space.dimensions, self.n_initial_points_, random_state=self._derive(_INIT_STREAM, 1)
        )
        self._n_distinct = _n_distinct(self.space) if space_constraint is None else None
        self._cont_cols = _continuous_columns(self.space)
        self._box = np.array(_transformed_box(self.space), dtype=float)

        self.models = []
        self.Xi, self.yi = [], []
        self._book = TrialBook()
        self._used = {}  # point key -> trial number (told, failed or pending)
        self._model = None  # fitted on all told points
        self._model_n = -1
        if self.acq_func == "gp_hedge":
            self.gains_ = np.zeros(len(_HEDGE))
        self._next_xs = None  # per hedge acquisition: ranked points of the latest fit

    # ------------------------------------------------------------ helpers
    def _check_acq_func_kwargs(self):
        from ..acquisition import _check_kwargs, _finite_number

        _check_kwargs(self.acq_func_kwargs)
        eta = self.acq_func_kwargs.get("eta", 1.0)
        if not _finite_number(eta):
            raise ValueError(f"acq_func_kwargs['eta'] must be a finite number, got {eta!r}")

    def _derive(self, *key):
        """A RandomState that depends on the base seed and ``key`` only."""
        seq = np.random.SeedSequence([self._seed, *key])
        return np.random.RandomState(seq.generate_state(4))

    def _key(self, x):
        key = []
        for dim, value in zip(self.space.dimensions, x):
            if isinstance(dim, Categorical):
                key.append(dim.index(value))
            else:
                low, high = float(dim.low), float(dim.high)
                key.append(int(round((float(value) - low) / (high - low) * 1e9)))
        return tuple(key)

    @property
    def _n_initial_points(self):
        """Initial points still to come (scikit-optimize's counter)."""
        return self.n_initial_points_ - len(self.yi)

    @property
    def _per_second(self):
        return self.acq_func.endswith("ps")

    # ------------------------------------------------------------ trial protocol
    @property
    def trials(self):
        """Every trial, in number order."""
        return self._book.trials

    @property
    def pending(self):
        """The trials asked and not yet told or failed, in number order."""
        return self._book.pending

    @property
    def next_trial_number(self):
        """Number the next asked trial gets; settable (for replay) to any unused number."""
        return self._book.next_number

    @next_trial_number.setter
    def next_trial_number(self, number):
        self._book.next_number = number

    @property
    def exhausted(self):
        """True when every point of a finite space was asked (with ``avoid_duplicates``)."""
        return self.avoid_duplicates and self._n_distinct is not None and len(self._used) >= self._n_distinct

    def ask_trial(self, strategy="cl_min", repeat=False):
        """Propose a point as a new RUNNING `Trial` (pending until told); None once `exhausted`.

        ``strategy`` ("cl_min", "cl_mean", "cl_max") sets the lie given to
        the model for other pending points. ``repeat=True``: once the space
        is exhausted, propose a point already asked (with a warning)
        instead of None, as scikit-optimize's ``ask`` does.
        """
        if strategy not in self._strategies:
            raise ValueError(f"strategy must be one of {list(self._strategies)}, got {strategy!r}")
        if self.exhausted:
            if not repeat:
                return None
            warnings.warn(
                "the objective has been evaluated at every point of the space or they are "
                "pending (the space is exhausted); proposing a repeated point",
                _RepeatedPointWarning, stacklevel=2,
            )
            x = self._sample(1, self._derive(self.next_trial_number))[0]
            return self._book.open(x, self.space.to_params(x))
        x = self._propose(self._book.next_number, strategy)
        trial = self._book.open(x, self.space.to_params(x))
        self._used.setdefault(self._key(trial.x), trial.number)
        return trial

    def tell_trial(self, trial_or_number, value, fit=True):
        """Record the value of a pending trial; ``value`` is a float or ``(value, seconds)``.

        A NaN or infinite value fails the trial (`asktell.protocol`): the
        model never sees it and its point is never proposed again.
        """
        trial = self._book.pending_trial(trial_or_number)
        told = parse_value(value)
        if not told.finite:
            return self.fail_trial(trial, told.error)
        y = self.check_value(value)
        self._complete(trial, y, value)
        self._after_tell(fit)
        return trial

    def fail_trial(self, trial_or_number, error=None):
        """End a pending trial as failed: the model never sees it, it is never re-proposed."""
        return self._book.fail(self._book.pending_trial(trial_or_number), error)

    def add_trial(self, trial, fit=True):
        """Register a trial made elsewhere (a stored study being replayed) under its own number.

        A COMPLETE trial is told (``trial.value``, and ``trial.info["seconds"]``
        for ``*ps`` acquisitions), a FAIL one is remembered as failed, a
        RUNNING one becomes pending. `next_trial_number` moves past it.
        """
        if not isinstance(trial, Trial):
            raise TypeError(f"trial must be a Trial, got {trial!r}")
        if not _is_int(trial.number) or trial.number < 0 or trial.number in self._book:
            raise ValueError(f"trial number {trial.number!r} is invalid or already used")
        self.space.check_point(list(trial.x), param="trial.x")
        trial = Trial(number=int(trial.number), x=plain(list(trial.x)), params=self.space.to_params(list(trial.x)),
                      state=TrialState(trial.state), value=trial.value, info=dict(trial.info))
        value = None
        if trial.state is TrialState.COMPLETE:
            value = (trial.value, trial.info["seconds"]) if self._per_second else trial.value
            y = self.check_value(value)
        pending_state = trial.state
        trial.state = TrialState.RUNNING
        self._book.add(trial)
        self._used.setdefault(self._key(trial.x), trial.number)
        if pending_state is TrialState.COMPLETE:
            self._complete(trial, y, value)
            self._after_tell(fit)
        elif pending_state is TrialState.FAIL:
            self.fail_trial(trial, trial.info.get("error"))
        return trial

    def add_trials(self, trials, fit=True):
        """`add_trial` for many finished trials at once (a stored study brought up to date).

        The same checks and the same state as adding them one by one with
        ``fit=False``, then at most one fit (``fit``), in a fraction of the
        time: the space is validated point by point without rebuilding
        each trial twice. Returns the trials as registered.
        """
        trials = list(trials)
        names = self.space.dimension_names
        added = []
        for trial in trials:
            if not isinstance(trial, Trial):
                raise TypeError(f"trial must be a Trial, got {trial!r}")
            number = trial.number
            if not _is_int(number) or number < 0 or number in self._book:
                raise ValueError(f"trial number {number!r} is invalid or already used")
            x = list(trial.x)
            self.space.check_point(x, param="trial.x")
            state = TrialState(trial.state)
            x = plain(x)
            record = Trial(number=int(number), x=x, params=dict(zip(names, x)), state=TrialState.RUNNING,
                           value=trial.value, info=dict(trial.info))
            if state is TrialState.COMPLETE:
                value = (trial.value, trial.info["seconds"]) if self._per_second else trial.value
                y = self.check_value(value)
                self._book.add(record)
                self._used.setdefault(self._key(x), record.number)
                self._complete(record, y, value)
            else:
                self._book.add(record)
                self._used.setdefault(self._key(x), record.number)
                if state is TrialState.FAIL:
                    self.fail_trial(record, record.info.get("error"))
            added.append(record)
        if trials:
            self._after_tell(fit)
        return added

    def check_value(self, value, param="y"):
        """The model's target for a value told: a float, or ``[value, log(seconds)]`` with ``*ps``.

        Raises ``ValueError`` naming ``param`` when ``value`` is not a
        finite number (or not ``(value, seconds)`` with positive seconds
        for a ``*ps`` acquisition). Nothing is recorded.
        """
        if self._per_second:
            if not (is_listlike(value) and len(value) == 2):
                raise _ToldValueError(f"{param} must be (value, seconds) with acq_func={self.acq_func!r}, got {value!r}")
            seconds = _check_value(value[1], f"{param} seconds")
            if seconds <= 0:
                raise ValueError(f"{param}: seconds must be positive, got {seconds!r}")
            return [_check_value(value[0], param), math.log(seconds)]
        if isinstance(value, tuple) and len(value) == 2:
            value = value[0]  # an objective's (value, seconds) where seconds are not modelled
        return _check_value(value, param)

    def _complete(self, trial, y, value):
        told = parse_value(value)
        self._book.complete(trial, told._replace(value=y[0] if self._per_second else y))
        self.Xi.append(list(trial.x))
        self.yi.append(y)

    def _after_tell(self, fit):
        if fit and self.base_estimator_ is not None and self.yi and self._n_initial_points <= 0:
            self._fit()

    # ------------------------------------------------------------ model
    def _fit(self):
        if self.refit_policy is not None:
            self.base_estimator_.set_params(**self.refit_policy(len(self.yi), self._model))
        est = clone(self.base_estimator_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warp = self._target_warp(self.yi)
            targets = self._model_targets(self.yi, warp)
            est.fit(self.space.transform(self.Xi), targets)
        est.target_warp_ = warp  # predictions back in the objective's units
        if self.acq_func == "gp_hedge" and self._next_xs is not None:
            self.gains_ -= est.predict(np.vstack([r[0] for r in self._next_xs]))
        self._use_model(est, targets)

    def _use_model(self, est, targets):
        """Make ``est`` (fitted on every told point) the model proposals come from."""
        self.models.append(est)
        limit = DEFAULT_MODEL_QUEUE_SIZE if self.max_model_queue_size is None else self.max_model_queue_size
        while len(self.models) > limit:
            self.models.pop(0)
        self._model, self._model_n = est, len(self.yi)
        if self.acq_func == "gp_hedge":
            rng = self._derive(_FIT_STREAM, len(self.yi))
            rankings = self._rank(est, list(_HEDGE), self._y_opt(targets), rng)
            self._next_xs = [r[:_KEEP_RANKED] for r in rankings]

    # ------------------------------------------------------------ state
    def state_dict(self):
        """What the proposals depend on beyond the trials told, as JSON values.

        A model fit depends on the data alone, except for what earlier fits
        leave behind: the ``gp_hedge`` gains (summed over every fit) and, for
        the built-in GP, the hyperparameters a warm-started search begins
        from. `load_state` restores them into an optimizer told the same
        trials, which then proposes exactly what this one would, after one
        fit instead of a fit per trial told. A study stores this with each
        told trial.

        Returns
        -------
        dict
            ``"n_told"``; ``"gains"`` with ``gp_hedge``; ``"theta"``, the
            current GP's hyperparameters, where the model is the built-in GP.
        """
        state = {"n_told": len(self.yi)}
        if self.acq_func == "gp_hedge":
            state["gains"] = [float(g) for g in self.gains_]
        if self._model is not None and self._model_n == len(self.yi) and _fits_theta(self._model):
            state["theta"] = [float(t) for t in self._model.theta_]
        return state

    def load_state(self, state):
        """Restore `state_dict` after the same trials were told with ``fit=False``: one fit.

        The model is rebuilt from the stored hyperparameters where there are
        some (one Cholesky factorization, no search), else fitted on the
        data; the hedge's gains are set, not updated by this fit.

        Raises
        ------
        ValueError
            When ``state`` is malformed or was saved with another number of
            points told.
        """
        if not isinstance(state, dict) or not _is_int(state.get("n_told")):
            raise ValueError(f"state must be a dict from state_dict(), got {state!r}")
        if state["n_told"] != len(self.yi):
            raise ValueError(
                f"state was saved with {state['n_told']} points told; this optimizer was told {len(self.yi)}"
            )
        if self.acq_func == "gp_hedge" and "gains" in state:
            gains = np.asarray(state["gains"], dtype=float)
            if gains.shape != self.gains_.shape or not np.all(np.isfinite(gains)):
                raise ValueError(f"state['gains'] must be {len(_HEDGE)} finite floats, got {state['gains']!r}")
            self.gains_ = gains
        if self.base_estimator_ is None or not self.yi or self._n_initial_points > 0:
            return  # no model yet (as after a tell)
        theta = state.get("theta")
        if (theta is None or not _fits_theta(self.base_estimator_)) and self.refit_policy is not None:
            self.base_estimator_.set_params(**self.refit_policy(len(self.yi), None))  # a fresh search
        est = clone(self.base_estimator_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warp = self._target_warp(self.yi)
            targets = self._model_targets(self.yi, warp)
            X = self.space.transform(self.Xi)
            if theta is not None and _fits_theta(est):
                est.fit_theta(X, targets, theta)
            else:
                est.fit(X, targets)
        est.target_warp_ = warp
        self._use_model(est, targets)

    def _target_warp(self, ys):
        """How told values are warped for the model: Yeo-Johnson for a GP, else not at all.

        A GP fitted on heavy-tailed values (Rosenbrock spans 0 to 1e6) is
        flattened by the few huge ones; the monotone warp keeps the order
        and the incumbent (`asktell.learning.TargetWarp`).
        """
        ys = np.asarray(ys, dtype=float)
        return TargetWarp.fit(ys[:, 0] if ys.ndim == 2 else ys) if _is_gp(self.base_estimator_) else TargetWarp()

    def _model_targets(self, ys, warp=None):
        """The targets the model is fitted on: told values through ``warp`` (default `_target_warp`)."""
        ys = np.asarray(ys, dtype=float)
        warp = self._target_warp(ys) if warp is None else warp
        if ys.ndim == 2:  # (value, log time): only the value is warped
            return np.column_stack([warp.transform(ys[:, 0]), ys[:, 1]])
        return warp.transform(ys)

    def _y_opt(self, ys):
        ys = np.asarray(ys, dtype=float)
        return float(np.min(ys[:, 0] if ys.ndim == 2 else ys))

    def _lie_model(self, strategy):
        """The model with every pending point told a constant lie."""
        ys = self._model_targets(self.yi)
        lie = {"cl_min": np.min, "cl_mean": np.mean, "cl_max": np.max}[strategy](ys, axis=0)
        pending = [t.x for t in self._book.pending]
        X = self.space.transform(self.Xi + pending)
        y = np.concatenate([ys, np.repeat(lie[None] if ys.ndim == 2 else [lie], len(pending), axis=0)])
        if hasattr(self._model, "refit_fixed") and self._model.kernel is None:
            return self._model.refit_fixed(X, y), y
        est = clone(self.base_estimator_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
        return est, y

    def _candidates(self, rng):
        """``n_points`` points of the transformed space: random, and some near the best told.

        Uniform samples almost never fall close enough to the incumbent to
        see the acquisition's fine structure there (in 2-D, a 1 % box around
        it holds 1 in 10**4 of them), so a tenth of the points perturb the
        best told points at scales from 10 % down to 0.1 % of the box
        (continuous columns only). It changes where the acquisition is
        looked at, never the acquisition. The local points come last: a
        tree model's acquisition is piecewise constant, and among tied
        candidates the first wins, which must be a uniform one (as in
        scikit-optimize), not a neighbour of a point already told (on
        skopt's bench3 test, 10 calls, RF and ET lost 31 and 29 of 60 seeds
        so against skopt's 20 and 24; uniform first: 26 and 26).
        """
        n = self.n_points
        n_local = n // 10 if (self.space_constraint is None and self.yi and len(self._cont_cols)) else 0
        if self.space_constraint is None and all(d.transform_ == "normalize" for d in self.space.dimensions):
            cols = []
            for dim in self.space.dimensions:
                if isinstance(dim, Real):
                    cols.append(rng.uniform(size=n))
                else:
                    cols.append(np.asarray(dim.transform(dim.rvs(n, random_state=rng)), float).reshape(n))
            cand = np.column_stack(cols)
        else:
            cand = self.space.transform(self._sample(n, rng))
        if n_local:
            ys = np.asarray(self.yi, dtype=float)
            ys = ys[:, 0] if ys.ndim == 2 else ys
            best = np.argsort(ys, kind="stable")[:_N_BEST]
            centres = self.space.transform([self.Xi[i] for i in best])
            local = centres[rng.randint(len(centres), size=n_local)]
            cols = self._cont_cols
            width = (self._box[cols, 1] - self._box[cols, 0]) * 10.0 ** rng.uniform(-3, -1, size=(n_local, 1))
            local[:, cols] = np.clip(local[:, cols] + width * rng.normal(size=(n_local, len(cols))),
                                     self._box[cols, 0], self._box[cols, 1])
            cand = np.vstack([cand[n_local:], local])
        return cand

    def _sample(self, n, rng):
        """``n`` points from the priors that satisfy ``space_constraint``."""
        if self.space_constraint is None:
            return self.space.rvs(n, random_state=rng)
        points = []
        for _ in range(100):
            points += [p for p in self.space.rvs(max(n, 16), random_state=rng) if self.space_constraint(p)]
            if len(points) >= n:
                return points[:n]
        if not points:
            raise ValueError("space_constraint rejected every sampled point")
        return points

    def _rank(self, model, acq_funcs, y_opt, rng):
        candidates = self._candidates(rng) if self.candidates is None else self.candidates(self, rng)
        return _minimize_acquisition(
            candidates, model, y_opt, acq_funcs, self.acq_func_kwargs,
            method=self.acq_optimizer, n_restarts=self.n_restarts_optimizer,
            cont_cols=self._cont_cols, bounds=self._box,
            random_state=rng,
        )

    # ------------------------------------------------------------ proposals
    def _propose(self, number, strategy):
        rng = self._derive(number)
        n_busy = len(self.yi) + len(self._book.pending_numbers)
        # the initial design is n_initial_points long, pending points included: scikit-optimize's
        # ask(n_points) counted each lie told to its copy, and parallel workers waste no extra
        # random points waiting for the design's values
        if self.base_estimator_ is None or not self.yi or n_busy < self.n_initial_points_:
            return self._initial_point(rng)
        if self._model_n != len(self.yi):
            self._fit()
        if n_busy > len(self.yi):
            model, ys = self._lie_model(strategy)
        else:
            model, ys = self._model, self._model_targets(self.yi)
        y_opt = self._y_opt(ys)
        if self.acq_func == "gp_hedge":
            logits = self.eta * (self.gains_ - np.max(self.gains_))
            probs = np.exp(logits) / np.sum(np.exp(logits))
            choice = int(np.argmax(rng.multinomial(1, probs)))
            if n_busy == len(self.yi) and self._next_xs is not None:
                order = [choice] + [i for i in range(len(_HEDGE)) if i != choice]
                x = self._first_new(np.vstack([self._next_xs[i] for i in order]), rng, fallback=False)
                if x is not None:
                    return x
            ranked = self._rank(model, [_HEDGE[choice]], y_opt, rng)[0]
        else:
            ranked = self._rank(model, [self.acq_func], y_opt, rng)[0]
        return self._first_new(ranked, rng)

    def _initial_point(self, rng):
        index = len(self._book)
        if index < len(self._initial_samples):
            x = list(self._initial_samples[index])
            if self._acceptable(x):
                return x
        return self._random_new(rng)

    def _acceptable(self, x):
        if self.space_constraint is not None and not self.space_constraint(x):
            return False
        return not self.avoid_duplicates or self._key(x) not in self._used

    def _random_new(self, rng, attempts=20):
        for _ in range(attempts):
            for x in self._sample(64, rng):
                if self._acceptable(x):
                    return x
        warnings.warn(
            "the objective has been evaluated at every point tried, or it is pending (is the "
            "space exhausted?); proposing a repeated point", _RepeatedPointWarning, stacklevel=3,
        )
        return self._sample(1, rng)[0]

    def _first_new(self, ranked, rng, fallback=True, batch=64):
        """The best-ranked point (transformed rows) that may be proposed."""
        for start in range(0, len(ranked), batch):
            for x in self.space.inverse_transform(ranked[start : start + batch]):
                x = plain(x)
                if self._acceptable(x):
                    return x
        return self._random_new(rng) if fallback else None

    # ------------------------------------------------------------ skopt point API
    def ask(self, n_points=None, strategy="cl_min"):
        """Points to evaluate next: one point, or a list of ``n_points``.

        Each point asked is pending until told, so repeated calls give
        distinct points (parallel evaluation). ``strategy`` is the
        constant-liar lie for pending points: ``"cl_min"``, ``"cl_mean"``
        or ``"cl_max"`` of the values told.
        """
        if strategy not in self._strategies:
            raise ValueError(f"strategy must be one of {list(self._strategies)}, got {strategy!r}")
        if n_points is None:
            return list(self.ask_trial(strategy, repeat=True).x)
        if not _is_int(n_points) or n_points <= 0:
            raise ValueError(f"n_points must be a positive integer or None, got {n_points!r}")
        return [list(t.x) for t in self.ask_trials(n_points, strategy, repeat=True)]

    def ask_trials(self, n, strategy="cl_min", repeat=False):
        """Up to ``n`` trials at once, pending until told (fewer once `exhausted`, unless ``repeat``).

        The batch of ``ask(n_points)``: each point is proposed with the
        points before it pending (``strategy``'s constant lie).
        """
        return super().ask_trials(n, strategy=strategy, repeat=repeat)

    def tell(self, x, y, fit=True):
        """Record the value ``y`` of the point ``x`` (or lists of both); returns the result.

        A point matching a pending trial completes it; any other point is
        recorded as a new trial. Everything is checked before anything is
        recorded: a bad point or value raises ``ValueError`` and leaves the
        optimizer as it was.
        """
        points, values = self._check_tell(x, y)
        ys = [self.check_value(v, "y" if len(values) == 1 else f"y[{i}]") for i, v in enumerate(values)]
        pending_by_key = {}
        for t in self._book.pending:
            pending_by_key.setdefault(self._key(t.x), []).append(t)
        for point, y_i, value in zip(points, ys, values):
            matches = pending_by_key.get(self._key(point))
            if matches:
                trial = matches.pop(0)
            else:
                trial = self._book.open(point, self.space.to_params(point))
                self._used.setdefault(self._key(trial.x), trial.number)
            self._complete(trial, y_i, value)
        self._after_tell(fit)
        return self.get_result()

    def _check_tell(self, x, y):
        if is_2Dlistlike(x):
            points = [plain(list(p)) for p in x]
        elif is_listlike(x):
            points = [plain(list(x))]
        else:
            raise ValueError(f"x must be a point (a list) or a list of points, got {x!r}")
        for i, p in enumerate(points):
            self.space.check_point(p, param="x" if len(points) == 1 else f"x[{i}]")
        if len(points) == 1 and not is_2Dlistlike(x):
            return points, [y]
        if not is_listlike(y) or len(y) != len(points):
            raise ValueError(f"y must be a list of {len(points)} values for {len(points)} points, got {y!r}")
        return points, list(y)

    def run(self, func, n_iter=1):
        """Ask, evaluate ``func`` and tell, ``n_iter`` times; returns the result."""
        for _ in range(n_iter):
            x = self.ask()
            self.tell(x, func(x))
        return self.get_result()

    def get_result(self):
        """The `OptimizeResult` of everything told so far."""
        if not self.yi:
            raise ValueError("no point has been told yet")
        res = create_result(self.Xi, self.yi, self.space, self.rng, specs=self.specs, models=self.models)
        res.failed = [t.x for t in self.trials if t.state is TrialState.FAIL]
        return res

    def update_next(self):
        """Recompute the hedge's proposals (after parameters were changed by hand)."""
        if self._model is not None and self.acq_func == "gp_hedge":
            rng = self._derive(_FIT_STREAM, len(self.yi))
            rankings = self._rank(self._model, list(_HEDGE), self._y_opt(self._model_targets(self.yi)), rng)
            self._next_xs = [r[:_KEEP_RANKED] for r in rankings]

    def copy(self, random_state=None):
        """An independent copy with the same trials and model state.

        ``random_state`` reseeds the copy; None keeps the seed, so the copy
        proposes what the original would.
        """
        other = _copy.copy(self)
        other.Xi, other.yi = [list(x) for x in self.Xi], [_copy.copy(y) for y in self.yi]
        other._book = self._book.copy()
        other._used = dict(self._used)
        other.models = list(self.models)
        if hasattr(self, "gains_"):
            other.gains_ = self.gains_.copy()
        if random_state is not None:
            other.rng = check_random_state(random_state)
            other._seed = int(random_state) if _is_int(random_state) else int(other.rng.randint(0, 2**31 - 1))
        return other

    def __repr__(self):
        est = "DUMMY" if self.base_estimator_ is None else type(self.base_estimator_).__name__
        return f"Optimizer(base_estimator={est}, acq_func={self.acq_func!r}, n_told={len(self.yi)}, n_pending={len(self._book.pending_numbers)})"


def _is_gp(estimator):
    from sklearn.gaussian_process import GaussianProcessRegressor as SkGPR

    from ..learning import GaussianProcessRegressor

    return isinstance(estimator, (GaussianProcessRegressor, SkGPR))


def _fits_theta(model):
    """Whether ``model`` can be rebuilt from its ``theta_`` (the built-in GP's own kernel)."""
    return callable(getattr(model, "fit_theta", None)) and getattr(model, "kernel", "") is None


def _n_distinct(space):
    """How many distinct points a space of integers and categories has (None with a real)."""
    n = 1
    for dim in space.dimensions:
        if isinstance(dim, Categorical):
            n *= len(dim.categories)
        elif isinstance(dim, Real):
            return None
        else:
            n *= int(dim.high) - int(dim.low) + 1
    return n


def _categorical_columns(space):
    cols, start = [], 0
    for dim in space.dimensions:
        if isinstance(dim, Categorical):
            cols.append(start)
        start += dim.transformed_size
    return cols


