"""The default optimizer: ``asktell.minimize`` chooses its strategy itself.

Users who do not want to pick a method call ``asktell.minimize(func,
dimensions, n_calls)``. It is Bayesian optimization tuned for what the
COCO BBOB benchmark (``benchmarks/``, issue 6) rewards at small budgets
(10 to 20 evaluations per dimension):

* **Few initial points** (``max(5, d + 1)``, a scrambled Sobol design):
  at 20 evaluations in 2-D, every point spent on the design is a point
  not spent where the model says the optimum is; in a prototype five
  beat the ten that scikit-optimize and Optuna spend.
* **A Gaussian process** (`asktell.learning.GaussianProcessRegressor`,
  Matern-5/2 with one length scale per input, learned noise) with the
  dimension-scaled length-scale prior of Hvarfner et al. 2024 ("Vanilla
  Bayesian optimization performs great in high dimensions"): log-normal
  with location ``sqrt(2) + log(d) / 2`` and scale ``sqrt(3)``. The prior
  grows with the dimension, so that the model does not explain a handful
  of points in 5 or 10 dimensions with tiny length scales (which makes
  the acquisition explore blindly). We fit the maximum a posteriori
  length scales in log coordinates, where that prior's mode sits at
  ``location - scale**2``.
* **Output warping** (Yeo-Johnson, its power fitted by maximum
  likelihood): benchmark and real objectives span orders of magnitude,
  and a few huge values otherwise flatten the model where the small
  values are. The warp is monotone, so the order of the points and the
  incumbent are kept.
* **Warm refits**: from 50 points on, the GP's hyperparameters are
  searched from the last fit's, one start instead of two, and afresh at
  every 16th point. Fitting was half the time per trial in 10-D; this
  cuts the time per trial by 20-30 % in 5-D and 10-D at the same quality
  (paired BBOB runs in ``benchmarks/RESULTS.md``).
* **log expected improvement** (Ament et al. 2023): EI underflows to
  zero away from the incumbent, leaving flat regions for the acquisition
  optimizer; its logarithm keeps a slope.
* **Candidates**: a scrambled Sobol set over the whole space plus
  Gaussian perturbations (scales log-uniform between 1e-3 and 0.2 of the
  range) around the best points told; the best candidates then start an
  L-BFGS polish of the acquisition. The local candidates let the
  acquisition find the narrow improvements near the incumbent that a
  uniform set misses once the model is sharp.

Integer and categorical dimensions go through `asktell.space`: the GP
sees integers normalized to ``[0, 1]`` (rounded back when proposed) and
categories as codes compared by an overlap kernel; candidates are drawn
in `asktell.space.UnitCube`, which covers every integer and category.
Hyperparameter spaces get three more things:

* **Ordered choices**: a categorical of three or more numbers (a batch
  size or a learning rate written as a list of choices) is seen by the
  GP as the choice's rank in ``[0, 1]``, a continuous input of the
  Matern kernel, so that 64 tells the model about 32 and 128; other
  categoricals keep the overlap kernel.
* **Small finite spaces** (at most 2048 configurations) are searched
  exactly: the candidates are every configuration not yet evaluated or
  pending, so no evaluation repeats one; once all are tried the space is
  exhausted and `asktell.minimize` stops.
* **One-change neighbours**: the candidates also hold every
  configuration that differs from one of the five best points told in
  one discrete dimension of at most 16 values (`_neighbours`), the
  local search that a table rewards: one hyperparameter changed at a
  time around the best configurations, which random and Sobol
  candidates in a space of tens of thousands of configurations seldom
  hit.
* **Cheaper refits**: with an integer or categorical dimension, from 20
  points on (50 on real spaces) fits start from the last hyperparameters
  and search them at every 4th point only (`WarmRefit`'s ``start`` and
  ``search_every``; afresh at every 16th), the other fits condition on
  the new point with the last ones; and candidates are encoded for the
  GP without building point lists. Without any real dimension, where
  the neighbours do the local search, the searches are sparser still
  (warm at every 8th point, afresh at every 32nd) and the candidates
  fewer (256 Sobol and 128 perturbed points). The fit was three
  quarters of the time per trial on the tabular suite; these cut the
  time per trial at 100 trials from about 25 to 11 ms at the same
  regret (``benchmarks/RESULTS.md``). On all-real spaces the default
  fits exactly as before.

Proposals are reproducible (`asktell.Optimizer`'s per-trial seeds).

Where it stands (``benchmarks/RESULTS.md``, section "BBOB suite"): first
of seven on BBOB in 2-D and 5-D at 10*d and 20*d evaluations (five
seeds) and in 10-D at 10*d and 20*d (three seeds), at 0.56 to 0.76 times
Optuna GPSampler's time per trial. In 5-D and 10-D it leads by being
near the top on most functions rather than by winning most. It loses
most on the multimodal and ill-conditioned functions, where it settles
in a local basin; on the 10-D ellipsoid two runs in three stalled with
coordinates the model treats as flat left on a face of the box, which
the probes of `AutoOptimizer` address. Past 20 evaluations per dimension
(at least 40) on all-real spaces it hands over to an evolution strategy
with restarts (`asktell._cma`): see `AutoOptimizer`.
"""

from __future__ import annotations

import itertools
import numbers
import warnings

import numpy as np
from scipy.stats import qmc
from sklearn.base import clone

from . import _batch
from ._cma import CMAPhase, handoff_at
from .callbacks import VerboseCallback, check_callback
from .learning import GaussianProcessRegressor
from .optimizer import DEFAULT_MODEL_QUEUE_SIZE, Optimizer
from .optimizer.smbo import _check_func, _check_x0_y0, _run
from .space import Categorical, Integer, Real, Space, UnitCube
from .utils import plain, predict_objective

__all__ = ["AutoOptimizer", "SobolLocalCandidates", "WarmRefit", "minimize"]

_N_CANDIDATES = 1024  # Sobol candidates per ask (a power of two keeps Sobol balanced)
_N_CENTRES = 5  # best points the local candidates perturb
_LOCAL_SCALES = (1e-3, 0.2)  # range of the perturbations' scales, in units of the cube
_FRESH_FIT_RESTARTS = 1  # random starts of a fresh hyperparameter search, beside the prior median
_WARM_FIT_FROM = 50  # points told from which the GP refits warm, from its last hyperparameters
_FRESH_FIT_EVERY = 16  # ... except at every 16th point
_SEARCH_EVERY = 4  # ... and between, hyperparameters searched (warm) at every 4th point only
_DISCRETE_WARM_FROM = 20  # with an integer or categorical dimension, warm (and sparser) fits from 20 points on
_MIN_RANKED = 3  # numeric categoricals with this many choices or more are modelled as ordered
_TABLE_LIMIT = 4096  # integers with at most this many values are encoded through a lookup table
_ENUMERATE_LIMIT = 2048  # finite spaces this small are searched over every configuration not yet tried
_NEIGHBOUR_VALUES = 16  # discrete dimensions with at most this many values: one-change neighbours are candidates
_DISCRETE_CANDIDATES = 256  # Sobol candidates (and half as many perturbed) on spaces without a real dimension
_DISCRETE_FRESH_EVERY = 32  # ... where fits search afresh at every 32nd point
_DISCRETE_SEARCH_EVERY = 8  # ... and warm at every 8th
_PROBE_EVERY = 5  # every 5th proposal may probe a coordinate the model treats as flat ...
_PROBE_LENGTH_SCALE = 2.0  # ... one whose length scale exceeds twice the box
_PROBES_PER_COORDINATE = 4  # ... at most four times each
_MAX_FIT_POINTS = 256  # past this, the GP is fitted on a subset (cost per trial bounded)
_SUBSET_SEARCH_EVERY = 4  # ... whose hyperparameters are searched at every 4th point
_SUBSET_STREAM = (1 << 30) + 7  # seed-sequence key of the subset draws
_CMA_STREAM = (1 << 30) + 11  # seed-sequence key of the evolution strategy's samples and restarts
_CMA_ATTEMPTS = 20  # samples tried for a proposal not yet asked before a uniform point
_BATCH_STRATEGY = "mix"  # how points are proposed while others are pending (benchmarks/RESULTS.md, "Batches")


def _length_scale_prior(n_dims):
    """(mean, std) of the log length scales: Hvarfner et al.'s prior, its mode in log space."""
    loc, scale = np.sqrt(2.0) + 0.5 * np.log(max(n_dims, 1)), np.sqrt(3.0)
    return (float(loc - scale**2), float(scale))


def _default_initial_points(n_dims):
    return max(5, n_dims + 1)


class SobolLocalCandidates:
    """The default's candidates: a scrambled Sobol set plus perturbations of the best points told.

    A `candidates` hook of `asktell.Optimizer`: called as
    ``candidates(optimizer, rng)``, it returns ``optimizer.n_points`` Sobol
    points of the space's unit cube and, once points are told, as many
    Gaussian perturbations (scales log-uniform in ``scales``, in units of
    the cube) of the ``n_centres`` best points told, half of them around
    the incumbent. Integer and categorical dimensions go through
    `asktell.space.UnitCube`, so every integer and category is covered.

    Parameters
    ----------
    n_centres : int
        Best points told that the local candidates perturb.
    scales : (float, float)
        Range of the perturbations' standard deviations.
    """

    def __init__(self, n_centres: int = _N_CENTRES, scales: tuple[float, float] = _LOCAL_SCALES):
        self.n_centres = n_centres
        self.scales = scales
        self._cube = (None, None)  # (space, its UnitCube)
        self._encode = None  # cube points -> the space's transformed rows (`_cube_encoder`)
        self._tables = None  # per dimension, the transformed rows of its values (`_value_tables`)
        self._grid = None  # (points, transformed rows) of a small finite space (`_enumeration`)

    def __call__(self, optimizer: Optimizer, rng: np.random.RandomState) -> np.ndarray:
        space = optimizer.space
        if self._cube[0] is not space:
            self._cube = (space, UnitCube(space))
            self._tables = _value_tables(space)
            self._encode = _cube_encoder(space, self._cube[1], self._tables)
            self._grid = _enumeration(optimizer)
        if self._grid is not None:
            untried = _untried(optimizer, *self._grid)
            if untried is not None:
                return untried
        cube = self._cube[1]
        # for reals the GP's normalized coordinates are the cube's: no mapping needed
        all_real = all(isinstance(d, Real) for d in space.dimensions)
        d = cube.n_dims
        # without a real dimension the neighbours search locally: fewer Sobol and perturbed points
        n = optimizer.n_points if any(isinstance(dim, Real) for dim in space.dimensions) \
            else min(optimizer.n_points, _DISCRETE_CANDIDATES)
        sobol = qmc.Sobol(d, scramble=True, seed=int(rng.randint(2**31 - 1))).random(n)
        parts = [sobol]
        if optimizer.yi:
            best = np.argsort(np.asarray(optimizer.yi, dtype=float), kind="stable")[: self.n_centres]
            told = [optimizer.Xi[i] for i in best]
            centres = space.transform(told) if all_real else cube.from_points(told)
            k = n // 2
            # half around the incumbent, half around the runners-up
            which = np.where(rng.uniform(size=k) < 0.5, 0, rng.randint(len(centres), size=k))
            scale = np.exp(rng.uniform(*np.log(self.scales), size=(k, 1)))
            parts.append(np.clip(centres[which] + scale * rng.normal(size=(k, d)), 0.0, 1.0))
        U = np.vstack(parts)
        if all_real:
            return U
        rows = self._encode(U)
        if optimizer.yi:
            rows = np.vstack([rows, _neighbours(space.transform(told), self._tables)])
        return rows


class WarmRefit:
    """The default's refit policy: from ``start`` points on, search the GP's hyperparameters warm.

    A `refit_policy` hook of `asktell.Optimizer`. A fit costs its starts
    times ~25 likelihood evaluations of O(n^3). One more point moves the
    optimum little, so from ``start`` points told one search from the
    last fit's hyperparameters (``theta_start``) replaces the fresh
    search's ``1 + restarts`` starts, except at every ``every``-th point,
    so that the hyperparameters do not stay in an old basin.

    Parameters
    ----------
    start : int
        Points told from which fits are warm.
    every : int
        Fits at multiples of it search afresh.
    restarts : int
        Random starts of a fresh search, beside the prior median.
    search_every : int
        Between fresh searches, warm fits search the hyperparameters only
        at multiples of it; the others keep the last fit's and only
        condition on the data (one factorization instead of ~25). 1 (the
        default): a search at every point. `AutoOptimizer` uses 4 on
        spaces with an integer or categorical dimension, where at 100
        points it cuts the fitting time about fourfold.
    """

    def __init__(self, start: int = _WARM_FIT_FROM, every: int = _FRESH_FIT_EVERY, restarts: int = _FRESH_FIT_RESTARTS,
                 search_every: int = 1):
        self.start = start
        self.every = every
        self.restarts = restarts
        self.search_every = search_every

    def __call__(self, n_told: int, last_model) -> dict:
        last = getattr(last_model, "theta_", None)
        warm = last is not None and n_told >= self.start and n_told % self.every != 0
        search = not warm or n_told % self.search_every == 0
        return {"theta_start": last if warm else None, "n_restarts_optimizer": 0 if warm else self.restarts,
                "optimizer": "L-BFGS-B" if search else None}


class AutoOptimizer(Optimizer):
    """The default strategy of `asktell.minimize` as an ask/tell optimizer.

    An `asktell.Optimizer` (skopt's ``ask``/``tell`` and the trial protocol)
    set up with the default's parts, all public: a Gaussian process with
    the dimension-scaled length-scale prior and learned noise, output
    warping, log expected improvement optimized by L-BFGS from
    `SobolLocalCandidates`, a scrambled Sobol initial design, and the
    `WarmRefit` policy. See the module docstring for why each part is there.

    Four more parts serve batches and larger budgets:

    * **Batches** (``ask(n_points=k)``, or several asks in flight) take
      the pending points into the model by a *Kriging believer* while
      fewer than four are pending: each pending point is told the GP's
      own posterior mean there. The mean is unchanged and the variance
      around the pending points collapses, so the acquisition itself
      draws the next point away from them, without the pessimism of a
      constant lie (scikit-optimize's ``"cl_min"``, ``"cl_mean"``,
      ``"cl_max"``, still accepted). Past four pending points a joint
      Thompson draw of that model over the candidates picks the point,
      which spreads larger batches (``strategy="mix"``, the default;
      `asktell._batch`).
    * **Probes of flat coordinates** (`_flat_probe`): every 5th proposal
      may redraw, at the incumbent, a real coordinate whose length scale
      says the model has never seen its effect.
    * **A bounded fit** past 256 points told (`_fit_subset`): the time per
      trial stops growing with the points told.
    * **A hand-off to IPOP-CMA-ES** (`asktell._cma.CMAPhase`) on all-real
      spaces once ``max(20 * d, 40)`` points are told: the evolution
      strategy starts at the best point, its step size and shape taken
      from the best points told, and restarts at uniform points with a
      doubled population when it converges. No GP is fitted after it, so
      a trial then costs microseconds; the first ``20 * d`` proposals are
      the Bayesian optimization's as before (``benchmarks/RESULTS.md``,
      "Larger budgets", for why and where it stands).

    Parameters
    ----------
    dimensions : list, dict or Space
        The search space (anything `asktell.Space` accepts).
    n_initial_points : int or None
        Points of the initial Sobol design (points told up front count);
        None: ``max(5, d + 1)`` for ``d`` dimensions.
    random_state : int, RandomState or None
        The same seed and the same tells give the same proposals.

    Examples
    --------
    >>> opt = AutoOptimizer([(-2.0, 2.0), (-2.0, 2.0)], random_state=0)
    >>> for _ in range(8):
    ...     x = opt.ask()
    ...     res = opt.tell(x, (x[0] - 0.3) ** 2 + x[1] ** 2)
    >>> len(res.x_iters)
    8
    """

    def __init__(self, dimensions, n_initial_points: int | None = None, random_state=None):
        space = Space(dimensions)
        n_dims = len(space.dimensions)
        if n_initial_points is None:
            n_initial_points = _default_initial_points(n_dims)
        gp = GaussianProcessRegressor(
            noise="gaussian", normalize_y=True, n_restarts_optimizer=_FRESH_FIT_RESTARTS,
            length_scale_prior=_length_scale_prior(n_dims),
        )
        super().__init__(
            space, base_estimator=gp, n_initial_points=n_initial_points,
            initial_point_generator="sobol", acq_func="LogEI", acq_optimizer="lbfgs",
            random_state=random_state, acq_func_kwargs={"xi": 0.0},
            acq_optimizer_kwargs={"n_points": _N_CANDIDATES, "n_restarts_optimizer": 5},
            candidates=SobolLocalCandidates(),
            refit_policy=_refit_policy(space),
        )
        _rank_ordered_choices(self.space, self.base_estimator_)
        self.specs = {"args": {"dimensions": dimensions, "n_initial_points": n_initial_points,
                               "random_state": random_state}, "function": "AutoOptimizer"}
        self._probes = {}  # real coordinate -> probes proposed along it
        # points told from which all-real spaces are searched by the evolution strategy (`_cma_phase`)
        self._handoff_n = handoff_at(n_dims) if _all_real(self.space) else None
        self._phase, self._phase_seen = None, 0  # the CMAPhase, and the points told it has seen

    _strategies = Optimizer._strategies + ("kb",) + _batch.STRATEGIES

    def ask(self, n_points=None, strategy=_BATCH_STRATEGY):
        """One point, or a batch of ``n_points`` distinct points (pending until told).

        ``strategy`` chooses a point while others are pending: ``"mix"``
        (the default: ``"kb"`` while fewer than four points are pending,
        ``"ts"`` past that), ``"kb"`` (the model is told its own
        posterior mean there), ``"lp"`` (local penalization), ``"ts"``
        (Thompson draws; the last three in `asktell._batch`) or a
        constant lie (``"cl_min"``, ``"cl_mean"``, ``"cl_max"``).
        """
        return super().ask(n_points=n_points, strategy=strategy)

    def ask_trial(self, strategy=_BATCH_STRATEGY, repeat=False):
        """Propose a point as a RUNNING `Trial` (None once exhausted); ``strategy`` as in `ask`."""
        return super().ask_trial(strategy=strategy, repeat=repeat)

    def get_result(self):
        """The `OptimizeResult` of everything told, with the model's recommendation.

        Beside scikit-optimize's fields (``x``, ``fun``: the best value
        observed), it holds ``x_mean``, the evaluated point of lowest
        posterior mean, and ``fun_mean``, that mean in the objective's
        units. With a noisy objective the best value observed is often a
        lucky draw: the model, which averages the neighbours of every
        point, ranks the points by their estimated true values instead.
        Before the first fit (during the initial design), and after the
        hand-off to the evolution strategy (no model is fitted then), they
        are ``x`` and ``fun``.
        """
        res = super().get_result()
        res.x_mean, res.fun_mean = _mean_recommendation(self, res)
        return res

    def _lie_model(self, strategy):
        """The model told, at every pending point, its own mean (``"kb"``) or a constant lie."""
        if strategy != "kb" or not hasattr(self._model, "refit_fixed"):
            return super()._lie_model("cl_min" if strategy == "kb" else strategy)
        # the points the model was conditioned on (all told, or its subset past _MAX_FIT_POINTS)
        pending = self.space.transform([t.x for t in self._book.pending])
        X = np.vstack([self._model.X_train_, pending])
        y = np.concatenate([self._model.y_train_, self._model.predict(pending)])
        return self._model.refit_fixed(X, y), y

    def copy(self, random_state=None):
        """An independent copy (see `asktell.Optimizer.copy`); the evolution strategy is rebuilt from its tells."""
        other = super().copy(random_state)
        other._probes = dict(self._probes)
        other._phase, other._phase_seen = None, 0
        return other

    def _handed_off(self):
        return self._handoff_n is not None and len(self.yi) >= self._handoff_n

    def _fit(self):
        if self._handed_off():
            return  # the evolution strategy needs no model: the time per trial stays flat
        if len(self.yi) <= _MAX_FIT_POINTS:
            super()._fit()
        else:
            self._fit_subset()

    def _fit_subset(self):
        """Fit on `_MAX_FIT_POINTS` of the told points: the best half, and a seeded draw of the rest.

        A fit and every prediction cost O(n^3) and O(n^2) in the points
        fitted, so past a few hundred points the time per trial would
        grow without bound. The best points carry where the optimum is
        (the acquisition's incumbent among them); the drawn rest keeps
        the model's picture of the whole space. The warp is fitted on
        every value told. The hyperparameters are searched (warm, by the
        refit policy) at every `_SUBSET_SEARCH_EVERY`-th point only; in
        between the model is conditioned on the new subset with the last
        ones (one factorization).
        """
        n = len(self.yi)
        warp = self._target_warp(self.yi)
        targets = self._model_targets(self.yi, warp)
        rows = self._subset_rows(targets)
        X = self.space.transform([self.Xi[i] for i in rows])
        if n % _SUBSET_SEARCH_EVERY and hasattr(self._model, "refit_fixed"):
            est = self._model.refit_fixed(X, targets[rows])
        else:
            self.base_estimator_.set_params(**self.refit_policy(n, self._model))
            est = clone(self.base_estimator_)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(X, targets[rows])
        est.target_warp_ = warp
        self.models.append(est)
        limit = DEFAULT_MODEL_QUEUE_SIZE if self.max_model_queue_size is None else self.max_model_queue_size
        while len(self.models) > limit:
            self.models.pop(0)
        self._model, self._model_n = est, n

    def _subset_rows(self, targets):
        """The told points `_fit_subset` fits on: the best half and a draw seeded by their number."""
        order = np.argsort(targets, kind="stable")
        keep = _MAX_FIT_POINTS // 2
        rest = self._derive(_SUBSET_STREAM, len(targets)).choice(order[keep:], _MAX_FIT_POINTS - keep,
                                                                  replace=False)
        return np.sort(np.concatenate([order[:keep], rest]))

    def state_dict(self):
        """`Optimizer.state_dict`, plus what the default's proposals depend on besides.

        ``"probes"``: the flat-coordinate probes proposed so far
        (`_flat_probe`). ``"cma"`` and ``"cma_seen"``: once handed off, the
        evolution strategy's state and the points told it has taken in. ``"y_scale"``: past `_MAX_FIT_POINTS` points, the
        subset model is mostly conditioned with the scaling of the targets
        of the last searched one (`_fit_subset`), which its data alone do
        not give.
        """
        state = super().state_dict()
        if self._phase is not None:
            state["cma"] = self._phase.state_dict()
            state["cma_seen"] = self._phase_seen
        if self._probes:
            state["probes"] = [[j, count] for j, count in sorted(self._probes.items())]
        if "theta" in state and len(self.yi) > _MAX_FIT_POINTS:
            state["y_scale"] = [float(self._model.y_mean_), float(self._model.y_std_)]
        return state

    def load_state(self, state):
        """Restore `state_dict` (see `Optimizer.load_state`); past `_MAX_FIT_POINTS` the subset model.

        Once handed off to the evolution strategy there is no model to rebuild.

        Raises ``ValueError`` for a malformed state or one saved with
        another number of points told.
        """
        if not isinstance(state, dict):
            raise ValueError(f"state must be a dict from state_dict(), got {state!r}")
        try:
            probes = {int(j): int(count) for j, count in state.get("probes", [])}
        except (TypeError, ValueError):
            raise ValueError(f"state['probes'] must be [coordinate, count] pairs, got {state['probes']!r}") from None
        scale = state.get("y_scale")
        if self._handed_off():
            # the evolution strategy proposes, from the points told alone (`_cma_phase`): no model;
            # its state is restored where stored, else rebuilt from the tells at the next ask
            self._check_told(state)
            if "cma" in state:
                seen = state.get("cma_seen")
                if not isinstance(seen, int) or not self._handoff_n <= seen <= len(self.yi):
                    raise ValueError(f"state['cma_seen'] must count points told past the hand-off, got {seen!r}")
                self._phase = CMAPhase.from_state(state["cma"], self._derive, _CMA_STREAM)
                self._phase_seen = seen
        elif len(self.yi) <= _MAX_FIT_POINTS or scale is None or "theta" not in state:
            super().load_state(state)
        else:
            self._load_subset(state, scale)
        self._probes = probes

    def _check_told(self, state):
        if state.get("n_told") != len(self.yi):
            raise ValueError(
                f"state was saved with {state.get('n_told')!r} points told; this optimizer was told {len(self.yi)}"
            )

    def _load_subset(self, state, scale):
        """The subset model `_fit_subset` had: its rows, conditioned with the stored theta and scaling."""
        self._check_told(state)
        if not (isinstance(scale, list) and len(scale) == 2 and all(isinstance(v, (int, float)) for v in scale)
                and scale[1] > 0):
            raise ValueError(f"state['y_scale'] must be [mean, positive std], got {scale!r}")
        warp = self._target_warp(self.yi)
        targets = self._model_targets(self.yi, warp)
        rows = self._subset_rows(targets)
        X = self.space.transform([self.Xi[i] for i in rows])
        est = clone(self.base_estimator_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit_theta(X, targets[rows], state["theta"])
            est.y_mean_, est.y_std_ = float(scale[0]), float(scale[1])
            est = est.refit_fixed(X, targets[rows])
        est.target_warp_ = warp
        self._use_model(est, targets)

    def _propose(self, number, strategy):
        if self._handed_off():
            return self._cma_point(number)
        probe = self._flat_probe(number)
        if probe is not None:
            return probe
        n_told, n_pending = len(self.yi), len(self._book.pending_numbers)
        if strategy == "mix":
            strategy = "kb" if n_pending < _batch.MIX_BELIEVED else "ts"
        if strategy in _batch.STRATEGIES and n_pending and n_told and n_told + n_pending >= self.n_initial_points_:
            if self._model_n != n_told:
                self._fit()
            return _batch.propose(self, number, strategy)
        return super()._propose(number, strategy)

    def _cma_phase(self):
        """The evolution strategy (`asktell._cma.CMAPhase`), brought up to date with the points told.

        It is built from the first `_handoff_n` points told (centred on the
        best, shaped by the best ones), and each later point told joins it
        in the order told; so its state is a function of the tells alone,
        and a replay rebuilds it.
        """
        if self._phase is None:
            n = self._handoff_n
            self._phase = CMAPhase(self.space.transform(self.Xi[:n]), np.asarray(self.yi[:n], dtype=float),
                                   self._derive, _CMA_STREAM)
            self._phase_seen = n
        if self._phase_seen < len(self.yi):
            U = self.space.transform(self.Xi[self._phase_seen:])
            for u, value in zip(U, self.yi[self._phase_seen:]):
                self._phase.tell(u, value)
            self._phase_seen = len(self.yi)
        return self._phase

    def _cma_point(self, number):
        """A sample of the evolution strategy (from trial ``number``'s stream) not yet asked."""
        phase = self._cma_phase()
        for attempt in range(_CMA_ATTEMPTS):
            u = phase.sample(self._derive(_CMA_STREAM, number, attempt))
            x = plain(self.space.inverse_transform(u[None, :])[0])
            if self._acceptable(x):
                return x
        return self._random_new(self._derive(number))

    def _flat_probe(self, number):
        """The incumbent with one coordinate the model treats as flat redrawn, or None.

        A length scale above twice the box says the data never showed the
        model that coordinate's effect: the acquisition then does not care
        where it goes, and the L-BFGS polish leaves it where the first
        good points put it, often on a face of the box (the 10-D
        ellipsoid stalled at 1e4 so). Every `_PROBE_EVERY`-th proposal
        from ``n_initial_points + d`` points on, the flattest real
        coordinate not yet probed `_PROBES_PER_COORDINATE` times is
        redrawn uniformly at the best point told: the probe either
        improves on it or shows the model the coordinate's effect. A
        coordinate that really does not matter costs four evaluations.
        The probe counts live in the optimizer, so a replay by
        `add_trial` does not restore them.
        """
        n_busy = len(self.yi) + len(self._book.pending)
        start = self.n_initial_points_ + len(self.space.dimensions)
        if n_busy < start or (n_busy - start) % _PROBE_EVERY or not self.yi:
            return None
        if self._model_n != len(self.yi):
            self._fit()
        length_scales = getattr(self._model, "length_scale_", None)
        if length_scales is None:
            return None
        flat, column = [], 0
        for j, dim in enumerate(self.space.dimensions):
            if isinstance(dim, Real) and length_scales[column] > _PROBE_LENGTH_SCALE \
                    and self._probes.get(j, 0) < _PROBES_PER_COORDINATE:
                flat.append((self._probes.get(j, 0), -length_scales[column], j))
            column += dim.transformed_size
        if not flat:
            return None
        j = min(flat)[2]
        rng = self._derive(number, 1)
        x = list(self.Xi[int(np.argmin(np.asarray(self.yi, dtype=float)))])
        x[j] = self.space.dimensions[j].inverse_transform([rng.uniform()])[0]
        x = list(self.space.inverse_transform(self.space.transform([x]))[0])
        if not self._acceptable(x):
            return None
        self._probes[j] = self._probes.get(j, 0) + 1
        return x


def _mean_recommendation(optimizer, res):
    """(point, posterior mean) of the evaluated point of lowest posterior mean, else ``(res.x, res.fun)``."""
    ys = np.asarray(optimizer.yi, dtype=float)
    if optimizer._model is None or ys.ndim != 1 or optimizer._handed_off():
        return res.x, res.fun  # no model yet, or none since the hand-off to the evolution strategy
    rows = np.flatnonzero(np.isfinite(ys))
    mean = predict_objective(optimizer._model, optimizer.space.transform([optimizer.Xi[i] for i in rows]))
    best = int(np.argmin(mean))
    return list(res.x_iters[rows[best]]), float(mean[best])


def _all_real(space):
    """Whether every dimension is real.

    The sparser hyperparameter searches (`WarmRefit`'s ``search_every``)
    were measured on the tabular suite only; on real spaces the default
    keeps a search at every point, the set-up of its BBOB results.
    """
    return all(isinstance(d, Real) for d in space.dimensions)


def _refit_policy(space):
    """The default's `WarmRefit`: as set up for BBOB on real spaces, sparser searches otherwise."""
    if _all_real(space):
        return WarmRefit()
    if any(isinstance(d, Real) for d in space.dimensions):
        return WarmRefit(start=_DISCRETE_WARM_FROM, search_every=_SEARCH_EVERY)
    return WarmRefit(start=_DISCRETE_WARM_FROM, every=_DISCRETE_FRESH_EVERY, search_every=_DISCRETE_SEARCH_EVERY)


def _values(dim):
    """Every value of a discrete dimension."""
    if isinstance(dim, Categorical):
        return list(dim.categories)
    return list(range(int(dim.low), int(dim.high) + 1))


def _enumeration(optimizer):
    """(every configuration, their transformed rows) of a small finite space, or None.

    In a space of at most `_ENUMERATE_LIMIT` configurations the
    acquisition is maximized exactly over the configurations not yet
    evaluated or pending (`_untried`), so no proposal is spent on one
    already tried; `asktell.Optimizer` reports the space exhausted once
    all are.
    """
    n = optimizer._n_distinct
    if n is None or n > _ENUMERATE_LIMIT or not optimizer.avoid_duplicates:
        return None
    points = [list(p) for p in itertools.product(*(_values(d) for d in optimizer.space.dimensions))]
    return points, optimizer.space.transform(points)


def _untried(optimizer, points, rows):
    """The rows of the configurations not yet asked (None once all are)."""
    fresh = [i for i, p in enumerate(points) if optimizer._key(p) not in optimizer._used]
    return rows[fresh] if fresh else None


def _rank_ordered_choices(space, gp):
    """Model categoricals of ordered numbers (3+ choices) as ordered: the GP sees their ranks.

    Users write a batch size or a learning rate as a list of choices;
    an overlap kernel then learns nothing about 64 from 32 and 128. With
    the ``"rank"`` transform (`asktell.space.Categorical`) the column holds
    the choice's rank in ``[0, 1]`` and the GP's Matern kernel treats it as
    a continuous input; ``gp.categorical_dims`` keeps the other
    categoricals, which stay compared by overlap. ``space`` is the
    optimizer's own (normalized) copy, changed in place.
    """
    ranked = [
        isinstance(d, Categorical) and len(d.categories) >= _MIN_RANKED
        and all(isinstance(c, numbers.Real) and not isinstance(c, (bool, np.bool_)) for c in d.categories)
        for d in space.dimensions
    ]
    if not any(ranked):
        return
    cat_cols, start = [], 0
    for dim, rank in zip(space.dimensions, ranked):
        if rank:
            dim.set_transformer("rank")
        elif isinstance(dim, Categorical):
            cat_cols.append(start)
        start += dim.transformed_size
    gp.set_params(categorical_dims=cat_cols or None)


def _value_tables(space):
    """Per dimension: the transformed rows of every value (categoricals, integers up to `_TABLE_LIMIT`), else None."""
    tables = []
    for dim in space.dimensions:
        if isinstance(dim, Categorical):
            tables.append(np.asarray(dim.transform(list(dim.categories)), dtype=float).reshape(len(dim.categories), -1))
        elif isinstance(dim, Integer) and dim.high - dim.low < _TABLE_LIMIT:
            values = list(range(int(dim.low), int(dim.high) + 1))
            tables.append(np.asarray(dim.transform(values), dtype=float).reshape(len(values), -1))
        else:
            tables.append(None)
    return tables


def _neighbours(rows, tables):
    """Every one-change neighbour of ``rows`` (transformed points) along the small discrete dimensions.

    ``tables`` are `_value_tables`; a dimension of at most
    `_NEIGHBOUR_VALUES` values is set to each of them in turn, the rest of
    the point kept. The rows themselves are among the neighbours (their
    own value); the optimizer skips points already tried.
    """
    out, start = [], 0
    for table in tables:
        width = 1 if table is None else table.shape[1]
        if table is not None and len(table) <= _NEIGHBOUR_VALUES:
            block = np.repeat(rows, len(table), axis=0)
            block[:, start : start + width] = np.tile(table, (len(rows), 1))
            out.append(block)
        start += width
    return np.vstack(out) if out else rows[:0]


def _cube_encoder(space, cube, tables):
    """``encode(U)``: the GP's coordinates of cube points ``U``, without building point lists.

    The candidates of a proposal are ~1500 cube points; mapping them to
    points of the space and back through each dimension's checks took
    half the default's time per trial on mixed and categorical spaces.
    Categoricals and integers (up to `_TABLE_LIMIT` values) go through a
    table of their encoded values (``tables``, `_value_tables`), reals
    through their transform.
    """

    def encode(U):
        cols = []
        for dim, table, col in zip(space.dimensions, tables, cube.to_columns(U)):
            if table is None:
                cols.append(np.asarray(dim.transform(col.tolist()), dtype=float).reshape(len(col), -1))
            else:
                cols.append(table[col - (int(dim.low) if isinstance(dim, Integer) else 0)])
        return np.hstack(cols)

    return encode


def minimize(
    func,
    dimensions,
    n_calls=100,
    *,
    x0=None,
    y0=None,
    random_state=None,
    callback=None,
    verbose=False,
    n_initial_points=None,
    on_error="raise",
    n_jobs=1,
    executor=None,
    progress=False,
    recommend="best",
):
    """Minimize ``func`` over ``dimensions`` in ``n_calls`` calls; the method is chosen for you.

    Bayesian optimization with a Gaussian process, output warping, log
    expected improvement and local candidates (see the module docstring
    of `asktell.auto` for what each part does and why). It serves real,
    integer, categorical and mixed spaces.

    Parameters
    ----------
    func : callable
        ``func(x) -> float`` for a point ``x`` (a list).
    dimensions : list, dict or Space
        The search space (anything `asktell.Space` accepts).
    n_calls : int
        Calls to ``func`` in all, including ``x0`` when ``y0`` is not given.
    x0 : list, list of lists or None
        Points to evaluate (or, with ``y0``, already evaluated) first.
    y0 : float, list or None
        Values at ``x0``; those points then cost no call.
    random_state : int, RandomState or None
        The same seed gives the same sequence of points.
    callback : callable or list of callables
        ``callback(result)`` after each call; True stops the run.
    verbose : bool
        Print each call.
    n_initial_points : int or None
        Points of the initial Sobol design after ``x0``; None: ``max(5, d +
        1)`` less the points of ``x0``.
    on_error : {"raise", "record"}
        What an objective that raises or returns NaN/inf does: stop the
        run (default) or count as a failed call and go on.
    n_jobs : int
        Points evaluated at once (asked as one batch, `AutoOptimizer.ask_trials`);
        with more than one and no ``executor``, in a thread pool.
    executor : concurrent.futures.Executor, dask.distributed.Client or None
        Evaluate ``func`` there (``n_jobs`` defaults to its worker count).
    progress : bool
        Show a progress bar (extra ``progress``).
    recommend : {"best", "mean"}
        What ``x`` and ``fun`` report. ``"best"`` (the default, as
        scikit-optimize): the point of lowest observed value and that
        value. ``"mean"``: the evaluated point of lowest posterior mean
        (``x_mean``) and the model's mean there (``fun_mean``), the better
        choice for a noisy objective, where the lowest value observed is
        often a lucky draw (``benchmarks/RESULTS.md``, "Tabular
        hyperparameter search", noisy tables). Both are in the result
        either way; ``recommended`` says which ``x`` is.

    Returns
    -------
    OptimizeResult
        As `asktell.gp_minimize`: ``x``, ``fun``, ``func_vals``,
        ``x_iters``, ``models``, ``space``, ``specs``, ``random_state``,
        ``failed``; and ``x_mean``, ``fun_mean`` (`AutoOptimizer.get_result`)
        and ``recommended`` (``recommend``'s value).
    """
    specs = {"args": dict(locals()), "function": "minimize"}
    if recommend not in ("best", "mean"):
        raise ValueError(f"recommend must be 'best' or 'mean', got {recommend!r}")
    _check_func(func, on_error)
    if isinstance(n_calls, bool) or not isinstance(n_calls, numbers.Integral) or n_calls < 1:
        raise ValueError(f"n_calls must be a positive integer, got {n_calls!r}")
    if n_initial_points is not None and (
        isinstance(n_initial_points, bool) or not isinstance(n_initial_points, numbers.Integral)
        or n_initial_points < 0
    ):
        raise ValueError(f"n_initial_points must be a non-negative integer or None, got {n_initial_points!r}")
    space = Space(dimensions)
    x0, y0 = _check_x0_y0(x0, y0, space)
    n_x0_calls = len(x0) if y0 is None else 0
    if n_calls < n_x0_calls:
        raise ValueError(f"n_calls={n_calls} is smaller than the {n_x0_calls} points of x0 to evaluate")
    if n_initial_points is None:
        n_initial_points = max(_default_initial_points(len(space.dimensions)) - len(x0), 0)
    n_initial_points = min(n_initial_points, n_calls - n_x0_calls)
    if n_initial_points == 0 and not x0:
        raise ValueError("n_initial_points must be > 0 when no x0 is given")
    optimizer = AutoOptimizer(space, n_initial_points + len(x0), random_state=random_state)
    callbacks = check_callback(callback)
    if verbose:
        callbacks.append(VerboseCallback(n_total=n_calls, n_init=n_x0_calls, n_random=n_initial_points))
    res = _run(optimizer, func, n_calls, x0, y0, callbacks, on_error, specs,
               n_jobs=None if executor is not None and n_jobs == 1 else n_jobs, executor=executor,
               progress=progress, repeat=False)
    if recommend == "mean":
        res.x, res.fun = res.x_mean, res.fun_mean
    res.recommended = recommend
    return res
