"""The default's phase at larger budgets: IPOP-CMA-ES in the unit cube, handed the GP's best points.

`asktell.AutoOptimizer` hands over, on all-real spaces, from Bayesian
optimization to a covariance matrix adaptation evolution strategy
(Hansen's CMA-ES, with the population doubled at each restart: IPOP) once
`handoff_at` points are told (``benchmarks/RESULTS.md``, "Larger
budgets"). The GP finds the basin in few evaluations; past a few tens
of evaluations per dimension its model (and a proposal's cost) no longer
pays, and an evolution strategy converges in that basin at a constant,
tiny cost per trial.

The state of `CMAPhase` is a function of the points told, in order: the
points up to the hand-off set the first search distribution (centred on
the best point, shaped by the best ones), and every later point told is
a member of the current generation. So a replay of the same tells (a
reopened study, `AutoOptimizer.copy`) gives the same state without
storing it, and points told from elsewhere (a user's own ``tell``) join
the search as injected solutions. Proposals draw their Gaussian sample
from a per-trial random stream, so the same seed and tells give the
same points.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["CMAPhase", "handoff_at"]

_HANDOFF_PER_DIM = 20  # points told per dimension before the hand-off ...
_HANDOFF_MIN = 40  # ... and at least this many
_SHAPE_POINTS = 2  # the first distribution's shape: the best max(10, 2 * d) points ...
_SHAPE_MIN = 10
_SHAPE_IDENTITY = 0.2  # ... their covariance mixed with this share of the identity
_SIGMA_FACTOR = 0.5  # the first step size: half their spread around the best ...
_SIGMA_RANGE = (1e-3, 0.3)  # ... clipped to this range (units of the cube)
_RESTART_SIGMA = 0.2  # step size of a restart at a uniform point
_TOL_X = 1e-12  # restart once every coordinate's step is below this
_TOL_FUN = 1e-12  # ... or the best values of the recent generations span less than this (relative)
_MAX_CONDITION = 1e14  # ... or the covariance is this ill-conditioned


def handoff_at(n_dims: int) -> int:
    """Points told from which the default proposes from the evolution strategy."""
    return max(_HANDOFF_PER_DIM * n_dims, _HANDOFF_MIN)


class CMAPhase:
    """IPOP-CMA-ES over ``[0, 1]^d`` whose state follows the points told.

    Parameters
    ----------
    X : array of shape (n, d)
        The points told before the hand-off, in the unit cube.
    y : array of shape (n,)
        Their values (lower is better).
    derive : callable
        ``derive(*key) -> RandomState``: the optimizer's seeded streams
        (restart points are drawn from ``derive(stream, restart)``).
    stream : int
        The key of this phase's streams.
    """

    def __init__(self, X, y, derive, stream):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        self.d = X.shape[1]
        self._derive, self._stream = derive, stream
        self.restarts = 0
        self.generations = 0  # over all restarts
        order = np.argsort(y, kind="stable")
        mean = X[order[0]]
        top = X[order[: max(_SHAPE_MIN, _SHAPE_POINTS * self.d)]]
        dev = top - mean
        cov = dev.T @ dev / max(len(top) - 1, 1)
        sigma = float(np.clip(_SIGMA_FACTOR * np.sqrt(np.trace(cov) / self.d), *_SIGMA_RANGE))
        shape = cov / max(np.trace(cov) / self.d, 1e-300)
        shape = (1 - _SHAPE_IDENTITY) * shape + _SHAPE_IDENTITY * np.eye(self.d)
        self._start(mean, sigma, shape, 4 + int(3 * math.log(self.d)))
        self.best = float(y[order[0]])

    # ------------------------------------------------------------ state
    def state_dict(self):
        """The strategy's state as JSON values: a reopened study restores it instead of re-telling every point."""
        return {
            "d": self.d, "lam": self.lam, "restarts": self.restarts, "generations": self.generations,
            "local_gen": self._local_gen, "best": self.best, "mean": self.mean.tolist(), "sigma": self.sigma,
            "C": self.C.tolist(), "pc": self.pc.tolist(), "ps": self.ps.tolist(), "history": list(self.history),
            "members": [[value, y.tolist()] for value, y in self.members],
        }

    @classmethod
    def from_state(cls, state, derive, stream):
        """The phase `state_dict` described (the same state, so the same samples and updates).

        Raises ``ValueError`` for a malformed state.
        """
        try:
            phase = cls.__new__(cls)
            phase.d = int(state["d"])
            phase._derive, phase._stream = derive, stream
            phase._start(state["mean"], state["sigma"], state["C"], int(state["lam"]))
            phase.pc = np.array(state["pc"], dtype=float)
            phase.ps = np.array(state["ps"], dtype=float)
            phase.members = [(float(value), np.array(y, dtype=float)) for value, y in state["members"]]
            phase.history = [float(v) for v in state["history"]]
            phase._local_gen = int(state["local_gen"])
            phase.restarts, phase.generations = int(state["restarts"]), int(state["generations"])
            phase.best = float(state["best"])
        except (KeyError, TypeError, ValueError, np.linalg.LinAlgError) as exc:
            raise ValueError(f"state is not a CMAPhase state_dict(): {exc}") from None
        d = phase.d
        if phase.mean.shape != (d,) or phase.C.shape != (d, d) or phase.pc.shape != (d,) or phase.ps.shape != (d,):
            raise ValueError(f"state's arrays do not have the sizes of {d} dimensions")
        return phase

    # ------------------------------------------------------------ set-up
    def _start(self, mean, sigma, cov, popsize):
        d = self.d
        self.lam = popsize
        self.mu = popsize // 2
        w = math.log((popsize + 1) / 2) - np.log(np.arange(1, self.mu + 1))
        self.weights = w / w.sum()
        self.mueff = 1.0 / float(np.sum(self.weights**2))
        self.cc = (4 + self.mueff / d) / (d + 4 + 2 * self.mueff / d)
        self.cs = (self.mueff + 2) / (d + self.mueff + 5)
        self.c1 = 2 / ((d + 1.3) ** 2 + self.mueff)
        self.cmu = min(1 - self.c1, 2 * (self.mueff - 2 + 1 / self.mueff) / ((d + 2) ** 2 + self.mueff))
        self.damps = 1 + 2 * max(0.0, math.sqrt((self.mueff - 1) / (d + 1)) - 1) + self.cs
        self.chi_n = math.sqrt(d) * (1 - 1 / (4 * d) + 1 / (21 * d * d))
        self.mean, self.sigma = np.array(mean, dtype=float), float(sigma)
        self.C = np.array(cov, dtype=float)
        self.pc, self.ps = np.zeros(d), np.zeros(d)
        self.members = []  # (y, value) of the current generation
        self.history = []  # best value of each generation of this run
        self._local_gen = 0
        self._decompose()

    def _decompose(self):
        self.C = (self.C + self.C.T) / 2
        eigvals, self.B = np.linalg.eigh(self.C)
        self.D = np.sqrt(np.maximum(eigvals, 1e-300))

    # ------------------------------------------------------------ ask / tell
    def sample(self, rng):
        """A point of the current search distribution, clipped to the cube."""
        z = rng.normal(size=self.d)
        return np.clip(self.mean + self.sigma * (self.B @ (self.D * z)), 0.0, 1.0)

    def tell(self, x, value):
        """Add a told point (in the cube) to the current generation; update once it is full."""
        y = (np.asarray(x, dtype=float) - self.mean) / self.sigma
        # a point not drawn from this distribution (a clipped sample, a user's point, a sample of an
        # earlier generation told late) counts with its Mahalanobis length capped
        mahal = float(np.linalg.norm((self.B.T @ y) / self.D))
        cap = math.sqrt(self.d) + 2 * self.d / (self.d + 2)
        if mahal > cap:
            y = y * (cap / mahal)
        self.members.append((float(value), y))
        self.best = min(self.best, float(value))
        if len(self.members) >= self.lam:
            self._update()

    def _update(self):
        members = sorted(self.members, key=lambda m: m[0])
        self.members = []
        ys = np.array([m[1] for m in members[: self.mu]])
        y_w = self.weights @ ys
        self.mean = np.clip(self.mean + self.sigma * y_w, 0.0, 1.0)
        inv_sqrt = self.B @ np.diag(1 / self.D) @ self.B.T
        self.ps = (1 - self.cs) * self.ps + math.sqrt(self.cs * (2 - self.cs) * self.mueff) * (inv_sqrt @ y_w)
        self._local_gen += 1
        self.generations += 1
        norm_ps = float(np.linalg.norm(self.ps))
        h_sig = norm_ps / math.sqrt(1 - (1 - self.cs) ** (2 * self._local_gen)) / self.chi_n < 1.4 + 2 / (self.d + 1)
        self.pc = (1 - self.cc) * self.pc + h_sig * math.sqrt(self.cc * (2 - self.cc) * self.mueff) * y_w
        rank_mu = (ys.T * self.weights) @ ys
        decay = 1 - self.c1 - self.cmu + (1 - h_sig) * self.c1 * self.cc * (2 - self.cc)
        self.C = decay * self.C + self.c1 * np.outer(self.pc, self.pc) + self.cmu * rank_mu
        self.sigma = min(self.sigma * math.exp(self.cs / self.damps * (norm_ps / self.chi_n - 1)), 1.0)
        self.history.append(members[0][0])
        self._decompose()
        if self._should_restart():
            self.restarts += 1
            mean = self._derive(self._stream, self.restarts).uniform(size=self.d)
            self._start(mean, _RESTART_SIGMA, np.eye(self.d), 2 * self.lam)

    def _should_restart(self):
        """Hansen's stopping rules: no step left, flat recent values, or a degenerate covariance."""
        if self.sigma * float(np.max(self.D)) < _TOL_X:
            return True
        if self.D.max() ** 2 > _MAX_CONDITION * self.D.min() ** 2:
            return True
        window = 10 + math.ceil(30 * self.d / self.lam)
        if len(self.history) >= window:
            recent = self.history[-window:]
            if max(recent) - min(recent) <= _TOL_FUN * max(1.0, abs(min(recent))):
                return True
        return False
