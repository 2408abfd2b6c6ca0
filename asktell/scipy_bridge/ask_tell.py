"""SciPy's global optimizers as ask/tell, by inverting their control flow.

`scipy.optimize.differential_evolution`, ``dual_annealing``, ``direct`` and
``shgo`` call the objective themselves. `ScipyAskTell` runs one of them in a
daemon thread and hands it an objective that posts the candidate to the
caller and blocks until the caller tells its value, so the caller decides
where and when each point is evaluated (a cluster, another process, a
durable study).

The hand-off is a pair of plain locks (one per direction): a round trip is
two thread switches and nothing else, which keeps the overhead per
evaluation in the tens of microseconds. Where scipy evaluates many points
at once (``differential_evolution`` with ``updating="deferred"``, ``shgo``
without constraints) a map-like ``workers`` callable posts the whole batch,
so one hand-off serves a whole generation and its points can be evaluated
in parallel and told in any order.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import threading
import weakref
from collections import deque

import numpy as np

from ..protocol import AskTellOptimizer, TrialBook

__all__ = ["ScipyAskTell", "SCIPY_METHODS", "HANDOFFS"]

#: The scipy global optimizers that `ScipyAskTell` drives.
SCIPY_METHODS = ("differential_evolution", "dual_annealing", "direct", "shgo")

#: What scipy sees for a non-finite or failed score before any finite one was told.
FIRST_PENALTY = 1e10


class _StopOptimization(BaseException):
    """Raised inside the objective to abort scipy on `ScipyAskTell.stop`.

    A `BaseException`, because scipy swallows ``Exception`` raised by the
    objective in places (``shgo`` turns it into ``inf``).
    """


def scipy_function(method):
    """The scipy function implementing ``method`` (a name of `SCIPY_METHODS`)."""
    if method not in SCIPY_METHODS:
        raise ValueError(f"method must be one of {SCIPY_METHODS}, got {method!r}")
    import scipy.optimize

    return getattr(scipy.optimize, method)


def seed_keyword(method):
    """The keyword ``method`` takes its seed by (``rng`` since scipy 1.15, else ``seed``).

    None for the deterministic methods (``direct``, ``shgo``).
    """
    params = inspect.signature(scipy_function(method)).parameters
    for name in ("rng", "seed"):
        if name in params:
            return name
    return None


def _batches_of(method, kwargs):
    """Whether scipy would evaluate batches through a map-like ``workers``."""
    if method == "differential_evolution":
        return kwargs.get("updating", "immediate") == "deferred"
    if method == "shgo":
        # with constraints shgo also maps the constraint functions through workers
        return "workers" in inspect.signature(scipy_function("shgo")).parameters and not kwargs.get(
            "constraints"
        )
    return False


def _early_sampling(sampling_method, n, channel, bounds):
    """shgo's ``sampling_method`` and ``n``, changed to ask the sampled points at once.

    shgo samples its points, triangulates them (seconds to minutes in 8 or
    more dimensions) and only then evaluates them. The returned sampling
    callable draws the same points and, on the first iteration, asks them
    before handing them to shgo and keeps their scores, which shgo's
    evaluation then finds. (Later iterations discard part of what they
    draw, so their points are asked when shgo evaluates them.)
    """
    from scipy.stats import qmc

    if sampling_method == "sobol":
        # what shgo does for "sobol": an unscrambled sequence, n rounded up to a power of two
        n = 2 ** math.ceil(math.log2(n or 100))
        make = lambda d: qmc.Sobol(d, scramble=False, seed=0)  # noqa: E731
    elif sampling_method == "halton":
        make = lambda d: qmc.Halton(d, scramble=True, seed=0)  # noqa: E731
    elif callable(sampling_method):
        make = None
    else:  # simplicial sampling makes its points while it triangulates
        return sampling_method, n
    low = [lo for lo, _ in bounds]
    span = [hi - lo for lo, hi in bounds]
    engine = None
    calls = 0

    def sample(n_points, d):
        nonlocal engine, calls
        calls += 1
        if make is None:
            unit = np.asarray(sampling_method(n_points, d), dtype=float)
        else:
            engine = engine or make(d)
            unit = engine.random(n_points)
        if calls > 1:
            return unit
        points = unit.copy()
        for i in range(d):  # the same arithmetic as shgo's scaling to the bounds
            points[:, i] = points[:, i] * span[i] + low[i]
        points = [np.array(p) for p in points]
        channel.known.update(zip((p.tobytes() for p in points), channel.scores_of(points)))
        return unit

    return sample, n


class _Channel:
    """State shared by the caller and scipy's run; never refers to its owner.

    The run side calls `exchange` (through `objective` or `map`), which
    posts a batch and waits for its scores; the caller side `take`s what
    was posted, writes the scores and `answer`s. Subclasses say how the two
    sides take turns: `_ThreadChannel` (a thread, a pair of locks) or
    `_GreenletChannel` (a greenlet, no thread at all).
    """

    def __init__(self):
        self.batch = None  # list of candidate arrays (run -> caller)
        self.scores = None  # list of floats (caller -> run)
        self.preloaded = deque()  # scores of a mapped batch, consumed by `objective`
        self.known = {}  # point bytes -> score told before scipy evaluates it (early sampling)
        self.stored = None  # a `StoredScores` answering scipy in its own run while it replays a study
        self.stopping = False
        self.finished = False  # set when scipy returned or raised
        self.result = None
        self.error = None
        # caller side
        self.posted = False  # a posted batch was taken and is not fully told
        self.ended = False  # the end was taken

    # ---------------------------------------------------------------- run side
    def exchange(self, xs):
        """Post ``xs`` and wait until their scores are told."""
        if self.stopping:
            raise _StopOptimization
        self.batch = xs
        self._wait_for_scores()
        if self.stopping:
            raise _StopOptimization
        return self.scores

    def objective(self, x, *args):
        """What scipy calls: one point, answered by the caller."""
        if self.preloaded:
            return self.preloaded.popleft()
        x = np.array(x, dtype=float)
        if self.known:
            score = self.known.pop(x.tobytes(), None)
            if score is not None:
                return score
        return self.scores_of([x])[0]

    def scores_of(self, xs):
        """The scores of ``xs``: those `stored` knows at once, the rest asked of the caller."""
        if self.stored is None:
            return self.exchange(xs)
        scores = [self.stored(x) for x in xs]
        missing = [i for i, score in enumerate(scores) if score is None]
        if missing:
            self.stored = None  # the stored trials ran out: the caller answers from here on
            for i, score in zip(missing, self.exchange([xs[i] for i in missing])):
                scores[i] = score
        return scores

    def map(self, func, iterable):
        """What scipy calls as ``workers``: a whole batch, answered by the caller.

        ``func`` is scipy's wrapper of `objective`; it is still called once
        per point (in order) so that scipy's bookkeeping runs unchanged, and
        `objective` answers from the scores told for the batch.
        """
        xs = [np.array(x, dtype=float) for x in iterable]
        if not xs:
            return []
        if self.known:
            scores = [self.known.pop(x.tobytes(), None) for x in xs]
            missing = [i for i, score in enumerate(scores) if score is None]
            if missing:
                for i, score in zip(missing, self.scores_of([xs[i] for i in missing])):
                    scores[i] = score
            self.preloaded.extend(scores)
        else:
            self.preloaded.extend(self.scores_of(xs))
        out = [func(x) for x in xs]
        if self.preloaded:
            self.preloaded.clear()
            raise RuntimeError("scipy's workers map did not evaluate the objective once per point")
        return out

    def run(self, function, bounds, kwargs):
        try:
            self.result = function(self.objective, bounds, **kwargs)
        except _StopOptimization:
            pass
        except BaseException as exc:  # reaches the caller from ask()
            self.error = exc
        finally:
            self.finished = True
            self._ended()


def penalty_for(penalty, best, worst):
    """What scipy is given for a failed point (see `ScipyAskTell`'s ``penalty``)."""
    if penalty is not None:
        return float(penalty)
    if math.isinf(worst):
        return FIRST_PENALTY
    return worst + max(1.0, worst - best)


class StoredScores:
    """Answers a scipy run from a study's stored trials, in the run's own thread or greenlet.

    A resumed run must be given the values it was given before to retrace
    its steps; handing each point to the caller and back costs a thread
    switch per point. Instead scipy's objective calls this first: ``find(x)``
    gives what is known of the point (an object with ``failed``,
    ``value`` and ``tags``, the `HyperScipySampler` cache entry), or None,
    and the first point it does not know ends the replay (the caller
    answers from then on). Failed points get the penalty of a failed tell,
    from the values given so far, as `ScipyAskTell` would give it.

    Parameters
    ----------
    find : callable
        ``find(x) -> entry or None`` for a point ``x`` of scipy's box.
    penalty : float or None
        As `ScipyAskTell`'s ``penalty``.
    tag : hashable
        The run's tag; `own` becomes True when a point's entry carries it.
    """

    def __init__(self, find, penalty, tag):
        self.find = find
        self.penalty = penalty
        self.tag = tag
        self.best = math.inf
        self.worst = -math.inf
        self.own = False  # a point the run itself had evaluated was replayed
        self.missed = False

    def __call__(self, x):
        entry = self.find(x)
        if entry is None:
            self.missed = True
            return None
        if self.tag in entry.tags:
            self.own = True
        if entry.failed:
            return penalty_for(self.penalty, self.best, self.worst)
        self.best = min(self.best, entry.value)
        self.worst = max(self.worst, entry.value)
        return entry.value


class _ThreadChannel(_Channel):
    """scipy runs in a daemon thread; ``ready`` and ``told`` locks pass the turn.

    ``ready`` is released by the thread when it posted a batch or ended;
    ``told`` by the caller when every point of the batch is told (or on
    stop). Fields written by one side are read by the other only after the
    matching release, so nothing else needs synchronising.
    """

    def __init__(self):
        super().__init__()
        self.ready = threading.Lock()
        self.ready.acquire()
        self.told = threading.Lock()
        self.told.acquire()

    def _wait_for_scores(self):
        self.ready.release()
        self.told.acquire()

    def _ended(self):
        self.ready.release()

    def start(self, owner, function, bounds, kwargs):
        thread = threading.Thread(
            target=self.run, args=(function, bounds, kwargs), name=f"asktell-scipy-{owner.method}", daemon=True
        )
        finalizer = weakref.finalize(owner, _stop_thread, self, thread)
        thread.start()
        return finalizer

    def take(self, block):
        return self.ready.acquire(block)

    def answer(self):
        self.told.release()


def _stop_thread(channel, thread):
    """Stop scipy's thread and wait for it (the finalizer of `ScipyAskTell`)."""
    channel.stopping = True
    if threading.current_thread() is thread:
        # garbage collection ran inside the scipy thread: it stops at its next evaluation
        return
    if not channel.ended:
        if not channel.posted:
            channel.ready.acquire()  # the next post, or the end
            channel.posted = not channel.finished
        if channel.posted:
            channel.posted = False
            channel.answer()
        channel.ended = True
    thread.join()


class _GreenletChannel(_Channel):
    """scipy runs in a greenlet of the caller's thread: a turn is a switch (~1 us).

    No thread is started, so none can leak, and the operating system's
    scheduler never sits between ask and tell; the optimizer must then be
    used from the thread that first asked. The greenlet's frames refer to
    the channel, a cycle the garbage collector cannot see through, so the
    owner's finalizer unwinds it.
    """

    def __init__(self):
        super().__init__()
        self.greenlet = None
        self.args = None

    def _wait_for_scores(self):
        self.greenlet.parent.switch()

    def _ended(self):
        pass  # the greenlet returns to its parent

    def start(self, owner, function, bounds, kwargs):
        import greenlet

        self.greenlet = greenlet.greenlet(self.run)
        self.args = (function, bounds, kwargs)
        return weakref.finalize(owner, self._stop)

    def take(self, block):
        args, self.args = self.args or (), None
        self.greenlet.switch(*args)
        return True

    def answer(self):
        pass  # the next take resumes scipy

    def _stop(self):
        import greenlet

        self.stopping = True
        suspended, self.greenlet = self.greenlet, None
        if suspended:  # started and not dead
            try:
                suspended.throw(_StopOptimization)
            except greenlet.error:
                pass  # collected in another thread: greenlet unwinds it in its own
        self.ended = True


#: How the caller and scipy take turns (see `ScipyAskTell`'s ``handoff``).
HANDOFFS = ("thread", "greenlet")


def _channel(handoff):
    if handoff == "thread":
        return _ThreadChannel()
    if handoff == "greenlet":
        if importlib.util.find_spec("greenlet") is None:
            raise ImportError("handoff='greenlet' needs the 'fast' extra: pip install asktell[fast]")
        return _GreenletChannel()
    raise ValueError(f"handoff must be one of {HANDOFFS}, got {handoff!r}")


def default_handoff():
    """``"greenlet"`` when greenlet is installed (the 'fast' extra), else ``"thread"``."""
    return "thread" if importlib.util.find_spec("greenlet") is None else "greenlet"


class ScipyAskTell(AskTellOptimizer):
    """One scipy global optimizer, driven by ask/tell.

    Parameters
    ----------
    method : {"differential_evolution", "dual_annealing", "direct", "shgo"}
        The scipy optimizer.
    bounds : list of (float, float) or scipy.optimize.Bounds
        The box searched; points asked lie in it.
    penalty : float or None
        What scipy sees instead of a non-finite score (NaN, +-inf) or a
        failed trial, since scipy needs a number for every point it asked;
        the trial itself reads FAIL, the value told in its
        ``info["error"]`` (the rule of `asktell.protocol`). None (default):
        the worst finite score told so far plus the spread of the scores
        told (at least 1.0), or `FIRST_PENALTY` before any finite score.
    early_sampling : bool
        ``shgo`` with QMC sampling (``"sobol"``, ``"halton"`` or a callable)
        only: ask the first iteration's sampled points as one batch as soon
        as they are drawn, before shgo triangulates them, so the first point
        comes at once even in many dimensions. The points and values scipy
        works with are unchanged; the order they are asked in differs from
        scipy's own evaluation order, and the few sampled points shgo's
        triangulation leaves out are asked too.
    handoff : {"thread", "greenlet"}
        How the caller and scipy take turns. ``"thread"``: scipy runs in a
        daemon thread (it computes its next point while the caller
        evaluates; ask and tell may come from any thread, one at a time).
        ``"greenlet"`` (the 'fast' extra): scipy runs in a greenlet of the
        caller's thread, a turn costs about a microsecond and no thread is
        started; every ask and tell must come from that thread.
    **kwargs
        Forwarded to the scipy function (``maxiter``, ``rng``, ``popsize``,
        ``callback``, ...). ``workers`` is set here: ``differential_evolution``
        with ``updating="deferred"`` and ``shgo`` without constraints get a
        map-like callable that posts whole batches.

    Attributes
    ----------
    done : bool
        True once scipy finished, failed or was stopped.
    result : scipy.optimize.OptimizeResult or None
        scipy's own result, once it finished.

    Notes
    -----
    ``ask()`` may be called again before ``tell`` only while scipy has
    unasked points of a batch; asking while it waits for every point it
    posted is an error (it could never answer). An exception raised inside
    scipy (bad keywords, a failing callback) is raised from ``ask()``.
    Use it as a context manager, or call `stop`; dropping it also stops
    the thread.

    Examples
    --------
    >>> opt = ScipyAskTell("dual_annealing", [(-5, 5)] * 2, maxfun=50, rng=0)
    >>> with opt:
    ...     while (x := opt.ask()) is not None:
    ...         opt.tell(float((x ** 2).sum()))
    >>> opt.result.fun < 1e-3
    True
    """

    def __init__(self, method, bounds, *, penalty=None, early_sampling=False, handoff="thread", **kwargs):
        self._function = scipy_function(method)
        self.method = method
        self.bounds = self._check_bounds(bounds)
        if penalty is not None and not (isinstance(penalty, (int, float)) and math.isfinite(penalty)):
            raise ValueError(f"penalty must be a finite number or None, got {penalty!r}")
        self.penalty = penalty
        self.early_sampling = bool(early_sampling)
        if "workers" in kwargs:
            raise ValueError(
                f"workers={kwargs['workers']!r}: ScipyAskTell sets scipy's workers itself; "
                "evaluate the points asked in parallel instead"
            )
        if kwargs.get("vectorized"):
            raise ValueError(
                "vectorized=True: ScipyAskTell hands points one by one; use "
                "updating='deferred' to get whole generations as batch asks"
            )
        self.kwargs = dict(kwargs)
        self.batches = _batches_of(method, kwargs)
        self.result = None
        self.handoff = handoff
        self._channel = _channel(handoff)
        self._finalizer = None
        self._book = TrialBook()
        self._pending = {}  # trial number -> index in the posted batch
        self._asked = 0  # points of the posted batch asked
        self._untold = 0  # points of the posted batch not told
        self._best = math.inf
        self._worst = -math.inf
        self._stored = None

    @staticmethod
    def _check_bounds(bounds):
        if hasattr(bounds, "lb") and hasattr(bounds, "ub"):  # scipy.optimize.Bounds
            bounds = list(zip(np.broadcast_to(bounds.lb, np.shape(bounds.ub)), bounds.ub))
        try:
            array = np.asarray(bounds, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"bounds must be a list of (low, high) pairs, got {bounds!r}") from None
        if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
            raise ValueError(f"bounds must be a list of (low, high) pairs, got {bounds!r}")
        if not np.all(np.isfinite(array)) or np.any(array[:, 0] > array[:, 1]):
            raise ValueError(f"bounds must be finite with low <= high, got {bounds!r}")
        return [(float(lo), float(hi)) for lo, hi in array]

    # ---------------------------------------------------------------- life cycle
    @property
    def done(self):
        return self._channel.ended

    def start(self):
        """Start scipy (`ask` starts it when needed)."""
        if self._finalizer is not None:
            return self
        kwargs = dict(self.kwargs)
        if self.batches:
            kwargs["workers"] = self._channel.map
            if self.early_sampling and self.method == "shgo":
                sampling, n = _early_sampling(
                    kwargs.get("sampling_method", "simplicial"), kwargs.get("n"), self._channel, self.bounds
                )
                kwargs["sampling_method"] = sampling
                if n is not None:
                    kwargs["n"] = n
        self._finalizer = self._channel.start(self, self._function, self.bounds, kwargs)
        return self

    def replay(self, stored):
        """Answer scipy from ``stored`` (a `StoredScores`) until it meets a point it does not know.

        Call it before the first ask: the run retraces its steps without a
        hand-off per point, then asks as usual. Returns ``self``.
        """
        if self._finalizer is not None:
            raise RuntimeError("replay() must come before the run starts (before the first ask)")
        self._stored = self._channel.stored = stored
        return self

    def stop(self):
        """Abort scipy (if it runs) and join its thread. Pending trials stay RUNNING."""
        if self._finalizer is not None:
            self._finalizer()
        self._channel.ended = True
        self._pending.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ---------------------------------------------------------------- asking
    def _take(self, block):
        """Take what the thread posted (a batch or the end); False when nothing is there."""
        channel = self._channel
        if self._finalizer is None:
            if not block:
                return False
            self.start()
        if not channel.take(block):
            return False
        if self._stored is not None:  # the values given by `replay` count as told
            self._best = min(self._best, self._stored.best)
            self._worst = max(self._worst, self._stored.worst)
        if channel.finished:
            channel.ended = True
            self.result = channel.result
        else:
            channel.posted = True
            channel.scores = [None] * len(channel.batch)
            self._asked = 0
            self._untold = len(channel.batch)
        return True

    @property
    def ready(self):
        """True when `ask` returns without waiting (a point is posted, or scipy ended)."""
        channel = self._channel
        if channel.ended:
            return True
        if channel.posted:
            return self._asked < len(channel.batch)
        return self._take(block=False)

    @property
    def waiting(self):
        """True when scipy waits for the values of every point it posted."""
        channel = self._channel
        return channel.posted and not channel.ended and self._asked == len(channel.batch)

    def ask_trial(self):
        """The next point scipy wants, as a RUNNING `Trial`; None once scipy ended."""
        channel = self._channel
        if not channel.posted and not channel.ended:
            self._take(block=True)
        if channel.ended:
            if channel.error is not None:
                raise channel.error
            return None
        batch = channel.batch
        if self._asked == len(batch):
            raise RuntimeError(
                f"scipy waits for the values of the {len(self._pending)} points asked "
                f"(trials {sorted(self._pending)}); tell them before asking again"
            )
        x = batch[self._asked]
        trial = self._book.open(x.tolist())
        self._pending[trial.number] = self._asked
        self._asked += 1
        return trial

    def ask(self):
        """The next point scipy wants (an array in `bounds`), or None once it ended."""
        trial = self.ask_trial()
        if trial is None:
            return None
        return self._channel.batch[self._pending[trial.number]]

    def ask_batch(self, n=None):
        """Every point scipy posted and not yet asked (at most ``n``), as Trials.

        Waits only for the first one; an empty list once scipy ended. For
        ``differential_evolution`` with ``updating="deferred"`` this is a
        whole generation, to evaluate in parallel.
        """
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise ValueError(f"n must be a positive integer or None, got {n!r}")
        first = self.ask_trial()
        if first is None:
            return []
        trials = [first]
        size = len(self._channel.batch)
        while self._asked < size and (n is None or len(trials) < n):
            trials.append(self.ask_trial())
        return trials

    # ---------------------------------------------------------------- telling
    def _penalty(self):
        return penalty_for(self.penalty, self._best, self._worst)

    def _pending_index(self, trial):
        """The pending trial ``trial`` names and its index in the posted batch."""
        record = self._book.pending_trial(trial)
        if record.number not in self._pending:
            raise ValueError(f"trial {record.number} cannot be told: the optimizer has ended")
        return record, self._pending[record.number]

    def _deliver(self, index, score):
        channel = self._channel
        channel.scores[index] = score
        self._untold -= 1
        if self._untold == 0:
            channel.posted = False
            channel.answer()

    def tell_trial(self, trial, value):
        """Give scipy the value of ``trial`` (a `Trial` or its number).

        ``value`` is a float or ``(value, seconds)``. A NaN or infinite
        value fails the trial (`asktell.protocol`); scipy, which needs a
        number for every point, is given the penalty (see the class).
        """
        record, index = self._pending_index(trial)
        record, told = self._book.end(record, value)
        self._pending.pop(record.number)
        if told.finite:
            self._best = min(self._best, told.value)
            self._worst = max(self._worst, told.value)
        self._deliver(index, told.value if told.finite else self._penalty())
        return record

    def fail_trial(self, trial, error=None):
        """End ``trial`` as failed; scipy sees the penalty."""
        record, index = self._pending_index(trial)
        self._book.fail(record, error)
        self._pending.pop(record.number)
        self._deliver(index, self._penalty())
        return record

    def tell(self, score, trial=None):
        """Tell ``score`` for ``trial``, which may be left out when one point is pending."""
        if trial is None:
            if self.done and not self._pending:
                raise ValueError("tell() after the optimizer has ended")
            if len(self._pending) != 1:
                raise ValueError(
                    "tell() without a pending ask"
                    if not self._pending
                    else f"{len(self._pending)} points are pending ({sorted(self._pending)}): "
                    "pass trial= to say which one the score is for"
                )
            trial = next(iter(self._pending))
        self.tell_trial(trial, score)

    @property
    def trials(self):
        """Every trial asked, in number order."""
        return self._book.trials

    @property
    def pending(self):
        """Numbers of the trials asked and not yet told."""
        return sorted(self._pending)

    def __repr__(self):
        state = "done" if self.done else ("running" if self._finalizer is not None else "new")
        return f"ScipyAskTell({self.method!r}, {len(self.bounds)} dims, {state}, {len(self._book)} trials)"
