"""Which method to try next: a lower-confidence-bound bandit over methods.

Every method is tried once; after that the method minimising

    best_m - sqrt(2 * exploration * ln(total) / count_m) - temperature * g_m

is picked, where ``best_m`` is the lowest score the method has reached,
``count_m`` how often it was picked, ``total`` the sum of the counts and
``g_m = -ln(-ln(u))`` a Gumbel draw (``u`` uniform on ``(0, 1)``). With
``exploration=0`` this is the Gumbel-max trick: method ``m`` is picked with
probability proportional to ``exp(-best_m / temperature)``.

Four extensions over that formula:

* **asks in flight count**: ``count_m`` includes the picks not yet told,
  so trials pre-dispatched to a pool spread over the methods instead of
  all going to the one that looks best now; a method whose first result
  has not arrived yet is left out until it has one;
* **scale-free scores**: with ``standardize="rank"`` (the default)
  ``best_m`` is replaced by the normal score of its rank among every
  score told, ``Phi^-1((r + 1/2) / (n + 1))`` for a mid-rank ``r``
  (0 for the lowest) among ``n`` scores, so ``exploration`` and
  ``temperature`` are in units of a standard normal whatever the
  objective's units, and a method whose only trial was unlucky sits at
  most about ``Phi^-1(n / (n + 1))`` above the best instead of at the
  objective's worst (which, in raw units, no Gumbel draw overturns: the
  method is never tried again). ``standardize=True`` replaces
  ``best_m`` by ``(best_m - mean) / std`` over the scores told, where
  one outlier still widens the spread; ``False`` keeps the raw scores
  (the DESIGN formula as written);
* **retired methods** (`retire`): a method whose space is exhausted (an
  optlib retires it once every point of a finite space was tried) is
  no longer picked, unless every method is retired;
* **cost-aware selection** (``cost_aware=True``): once every method has
  a timed result, methods are ranked by expected improvement per second,
  as ``EIps`` ranks points: each method's scores are modelled as normal,
  the expected improvement of one more trial below the best score so far
  is divided by the method's mean duration, and the method maximising
  ``ln(rate_m) + temperature * g_m`` is picked (at ``temperature=1``
  each method is picked with probability proportional to its rate).
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from scipy.special import ndtr, ndtri
from sklearn.utils import check_random_state

from ..utils import _check_number

__all__ = ["LCBSelector"]


class LCBSelector:
    """Lower-confidence-bound selection among methods, seeded.

    Parameters
    ----------
    methods : sequence of str
        The methods to choose from (distinct).
    exploration : float
        Weight of the count-based exploration bonus.
    temperature : float
        Scale of the Gumbel noise (0: deterministic).
    seed : int, RandomState or None
        Seed of the noise.
    standardize : {"rank", True, False}
        How the best scores are made scale-free: ``"rank"`` (normal
        scores of their ranks among all scores told; the default), True
        (``(best - mean) / std``) or False (raw scores).
    cost_aware : bool
        Rank methods by expected improvement per second once durations are
        known (see the module docstring).

    Notes
    -----
    After the warm-up each `ask` draws one uniform number per eligible
    method, in the order of ``methods``, from ``numpy.random.RandomState``.
    """

    def __init__(
        self,
        methods,
        exploration=1.0,
        temperature=1.0,
        seed=None,
        standardize="rank",
        cost_aware=False,
    ):
        if isinstance(methods, str) or not hasattr(methods, "__iter__"):
            raise TypeError(f"methods must be a sequence of names, got {methods!r}")
        methods = tuple(methods)
        if not methods:
            raise ValueError("methods must not be empty")
        if len(set(methods)) != len(methods):
            raise ValueError(f"methods must be distinct, got {list(methods)!r}")
        self.methods = methods
        self.exploration = float(_check_number("exploration", exploration, 0.0))
        self.temperature = float(_check_number("temperature", temperature, 0.0))
        if standardize not in ("rank", True, False):
            raise ValueError(f"standardize must be 'rank', True or False, got {standardize!r}")
        self.standardize = standardize
        self.cost_aware = bool(cost_aware)
        self.seed = seed
        self._rng = check_random_state(seed)
        self._index = {m: i for i, m in enumerate(methods)}
        n = len(methods)
        self.told = [0] * n
        self.in_flight = [0] * n
        self.best = [math.inf] * n
        self.retired = [False] * n
        self._all = _Moments()  # every finite score told
        self._sorted = []  # ... and the same scores in order, for their ranks
        self._scores = [_Moments() for _ in range(n)]
        self._durations = [_Moments() for _ in range(n)]

    # ------------------------------------------------------------ bookkeeping
    @property
    def counts(self):
        """Picks per method: results told plus asks still in flight."""
        return [t + f for t, f in zip(self.told, self.in_flight)]

    @property
    def mean_durations(self):
        """Mean seconds of each method's timed trials (None before any)."""
        return [d.mean if d.n else None for d in self._durations]

    def _i(self, method):
        try:
            return self._index[method]
        except KeyError:
            raise ValueError(f"unknown method {method!r}; methods are {list(self.methods)}") from None

    def tell(self, method, score, duration=None):
        """Record the ``score`` (lower is better) of one trial of ``method``.

        A NaN score counts as ``inf``, a failed trial. ``duration`` is the
        trial's seconds, used by cost-aware selection.
        """
        i = self._i(method)
        score = float(score)
        if math.isnan(score):
            score = math.inf
        if self.in_flight[i] > 0:
            self.in_flight[i] -= 1
        self.told[i] += 1
        self.best[i] = min(self.best[i], score)
        if math.isfinite(score):
            self._scores[i].add(score)
            self._all.add(score)
            bisect.insort(self._sorted, score)
        if duration is not None:
            duration = float(duration)
            if math.isfinite(duration) and duration >= 0:
                self._durations[i].add(duration)

    def retire(self, method):
        """Stop picking ``method`` (its space is exhausted) while any other method is not retired."""
        self.retired[self._i(method)] = True

    def adopt(self, method):
        """Count one ask of ``method`` made elsewhere (in flight until told), without choosing."""
        self.in_flight[self._i(method)] += 1

    def cancel(self, method):
        """Forget one ask of ``method`` that will never be told."""
        i = self._i(method)
        if self.in_flight[i] > 0:
            self.in_flight[i] -= 1

    # ------------------------------------------------------------ choice
    def ask(self):
        """The method to try next (counted as in flight until told or cancelled)."""
        i = self._choose()
        self.in_flight[i] += 1
        return self.methods[i]

    def _choose(self):
        counts = self.counts
        active = [i for i, r in enumerate(self.retired) if not r] or list(range(len(self.methods)))
        for i in active:
            if counts[i] == 0:
                return i
        scored = [i for i in active if self.told[i] > 0]
        if not scored:
            # every method is in flight, none told: spread evenly
            return min(active, key=lambda i: counts[i])
        if self.cost_aware and all(self._durations[i].n for i in scored):
            choice = self._choose_by_rate(scored)
            if choice is not None:
                return choice
        return self._choose_by_lcb(scored, counts)

    def _gumbel(self):
        u = self._rng.random_sample()
        while u <= 0.0:
            u = self._rng.random_sample()
        return -math.log(-math.log(u))

    def _choose_by_lcb(self, scored, counts):
        best = [self.best[i] for i in scored]
        if self.standardize == "rank":
            best = self._rank_scores(best)
        elif self.standardize:
            best = self._standardized(best)
        total = sum(counts)
        lcbs = []
        for i, b in zip(scored, best):
            bonus = math.sqrt(2.0 * self.exploration * math.log(total) / counts[i])
            lcbs.append(b - bonus - self.temperature * self._gumbel())
        return scored[_argmin(lcbs)]

    def _rank_scores(self, best):
        """Normal scores of the mid-ranks of ``best`` among the scores told (inf: the worst)."""
        n = len(self._sorted)
        out = []
        for b in best:
            below = bisect.bisect_left(self._sorted, b)
            rank = (below + bisect.bisect_right(self._sorted, b)) / 2.0 if math.isfinite(b) else n
            out.append(float(ndtri((rank + 0.5) / (n + 1.0))))
        return out

    def _standardized(self, best):
        if self._all.n < 2:
            return best
        std = math.sqrt(self._all.var)
        if not std > 0:
            return best
        return [(b - self._all.mean) / std for b in best]

    def _choose_by_rate(self, scored):
        """Pick by expected improvement per second; None when no rate is positive."""
        if not self._all.n:
            return None
        incumbent = min(self.best)
        pooled_var = self._all.var
        keys = []
        for i in scored:
            scores = self._scores[i]
            gumbel = self._gumbel()
            if not scores.n:
                keys.append(-math.inf)
                continue
            n = scores.n
            # shrink the method's spread towards the pooled one while it has few results
            var = ((n - 1) * scores.var + pooled_var) / n
            sigma = math.sqrt(var * (1.0 + 1.0 / n))
            rate = _expected_improvement(incumbent, scores.mean, sigma) / max(self._durations[i].mean, 1e-9)
            keys.append(math.log(rate) + self.temperature * gumbel if rate > 0 else -math.inf)
        if all(k == -math.inf for k in keys):
            return None
        return scored[int(np.argmax(keys))]

    def __repr__(self):
        return (
            f"LCBSelector(methods={list(self.methods)!r}, exploration={self.exploration!r}, "
            f"temperature={self.temperature!r}, standardize={self.standardize!r}, "
            f"cost_aware={self.cost_aware!r})"
        )


class _Moments:
    """Count, mean and variance of a stream of numbers (Welford), O(1) per value."""

    __slots__ = ("n", "mean", "_m2")

    def __init__(self):
        self.n, self.mean, self._m2 = 0, 0.0, 0.0

    def add(self, x):
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (x - self.mean)

    @property
    def var(self):
        """Population variance (0 before two values)."""
        return self._m2 / self.n if self.n > 1 else 0.0


def _argmin(values):
    best = 0
    for i, v in enumerate(values):
        if v < values[best]:
            best = i
    return best


def _expected_improvement(incumbent, mean, sigma):
    """E[max(0, incumbent - X)] for X ~ N(mean, sigma^2)."""
    if not sigma > 0:
        return max(0.0, incumbent - mean)
    z = (incumbent - mean) / sigma
    return sigma * (z * float(ndtr(z)) + math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi))
