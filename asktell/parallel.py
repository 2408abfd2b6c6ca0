"""Evaluate objectives in this thread, on a `concurrent.futures` executor or on Dask.

Drivers (`Study.optimize`, and any loop over ask / evaluate / tell) see one
small interface, `Evaluator`: ``submit(fn, *args)`` returns a handle,
``wait(handles, timeout)`` returns those done, ``result(handle)`` returns
the value or raises `WorkerLost` when the worker (not the function) failed:
a killed process, a broken pool, a Dask worker gone. Wrap the function with
`capture` so that its own exceptions come back as values and everything
`result` raises is about infrastructure.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time
import traceback

__all__ = [
    "Evaluator",
    "InlineEvaluator",
    "FuturesEvaluator",
    "DaskEvaluator",
    "WorkerLost",
    "Outcome",
    "capture",
    "as_evaluator",
    "resolve_n_jobs",
]


class WorkerLost(RuntimeError):
    """The worker evaluating a function died or became unreachable."""


class Outcome(tuple):
    """What `capture` returns: ``(ok, value, seconds, error)``; picklable.

    When the call raised, ``value`` is the exception and ``error`` its text.
    """

    __slots__ = ()

    def __new__(cls, ok, value, seconds, error=None):
        return super().__new__(cls, (ok, value, seconds, error))

    ok = property(lambda self: self[0])
    value = property(lambda self: self[1])
    seconds = property(lambda self: self[2])
    error = property(lambda self: self[3])

    def __reduce__(self):
        return (Outcome, tuple(self))


def capture(fn, *args):
    """Call ``fn(*args)``; return an `Outcome` whatever it does (but interrupts)."""
    start = time.perf_counter()
    try:
        value = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the driver decides what an error means
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return Outcome(False, exc, time.perf_counter() - start, text)
    return Outcome(True, value, time.perf_counter() - start)


def resolve_n_jobs(n_jobs):
    """``n_jobs`` as a positive count (``-1``: all cores, ``-2``: all but one, ...)."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero int, got {n_jobs!r}")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return n_jobs


class Evaluator:
    """Common interface of the evaluation back-ends."""

    #: how many evaluations can run at once (a sensible default for ``n_jobs``)
    n_workers = 1

    def submit(self, fn, *args):
        raise NotImplementedError

    def wait(self, handles, timeout=None):
        """The handles among ``handles`` that are done, waiting for at least one."""
        raise NotImplementedError

    def result(self, handle):
        """The function's return value; `WorkerLost` when its worker failed."""
        raise NotImplementedError

    def cancel(self, handles):
        for handle in handles:
            handle.cancel()

    def close(self):
        """Release what this evaluator started (never a user's executor or client)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class InlineEvaluator(Evaluator):
    """Run each function at ``submit``, in the calling thread."""

    def submit(self, fn, *args):
        future = cf.Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:
            if not isinstance(exc, Exception):
                raise
            future.set_exception(exc)
        return future

    def wait(self, handles, timeout=None):
        return [h for h in handles if h.done()]

    def result(self, handle):
        return handle.result()


class FuturesEvaluator(Evaluator):
    """Any `concurrent.futures.Executor`.

    Parameters
    ----------
    executor : concurrent.futures.Executor
    own : bool
        True when the evaluator created the executor: it shuts it down on
        `close`, and replaces a process pool that broke (a worker killed)
        instead of failing every later submit.
    factory : callable or None
        Makes a replacement executor when ``own`` and the pool broke.
    """

    def __init__(self, executor, own=False, factory=None):
        self.executor = executor
        self.own = own
        self._factory = factory
        self.n_workers = getattr(executor, "_max_workers", None) or os.cpu_count() or 1

    def submit(self, fn, *args):
        try:
            return self.executor.submit(fn, *args)
        except cf.BrokenExecutor as exc:
            if not (self.own and self._factory):
                raise WorkerLost(f"the executor is broken and cannot take work: {exc}") from exc
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._factory()
            return self.executor.submit(fn, *args)

    def wait(self, handles, timeout=None):
        done, _ = cf.wait(list(handles), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return list(done)

    def result(self, handle):
        try:
            return handle.result()
        except (cf.BrokenExecutor, cf.CancelledError) as exc:
            raise WorkerLost(f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # the result could not come back (say, unpicklable)
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            return Outcome(False, exc, float("nan"), text)

    def close(self):
        if self.own:
            self.executor.shutdown(wait=True, cancel_futures=True)


class DaskEvaluator(Evaluator):
    """A ``dask.distributed.Client``; ``n_workers`` counts the cluster's threads."""

    def __init__(self, client):
        try:
            import distributed
        except ImportError:
            raise ImportError(
                "evaluating on Dask needs the 'dask' extra: pip install asktell[dask]"
            ) from None
        self._distributed = distributed
        self.client = client
        try:
            threads = client.nthreads()
            self.n_workers = max(1, sum(threads.values()))
        except Exception:  # noqa: BLE001 - a client still connecting
            self.n_workers = 1

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def wait(self, handles, timeout=None):
        handles = list(handles)
        try:
            done, _ = self._distributed.wait(handles, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        return list(done)

    def result(self, handle):
        try:
            return handle.result()
        except Exception as exc:  # every error here is the cluster's: functions are wrapped
            raise WorkerLost(f"{type(exc).__name__}: {exc}") from exc

    def cancel(self, handles):
        handles = list(handles)
        if handles:
            self.client.cancel(handles)


def _is_dask_client(obj):
    cls = type(obj)
    return cls.__name__ == "Client" and cls.__module__.startswith("distributed")


def as_evaluator(executor=None, n_jobs=1, processes=False):
    """The `Evaluator` for ``executor`` (and whether the caller owns it).

    ``None`` with ``n_jobs == 1`` evaluates in the calling thread; ``None``
    with more jobs starts a thread pool (a process pool when
    ``processes``), which the evaluator owns and closes.
    """
    if isinstance(executor, Evaluator):
        return executor
    if executor is None:
        n = resolve_n_jobs(n_jobs)
        if n == 1:
            return InlineEvaluator()
        if processes:
            def factory():
                return cf.ProcessPoolExecutor(max_workers=n)
        else:
            def factory():
                return cf.ThreadPoolExecutor(max_workers=n, thread_name_prefix="asktell-eval")
        return FuturesEvaluator(factory(), own=True, factory=factory)
    if isinstance(executor, cf.Executor):
        return FuturesEvaluator(executor)
    if _is_dask_client(executor):
        return DaskEvaluator(executor)
    raise TypeError(
        "executor must be a concurrent.futures.Executor, a dask.distributed.Client or None, "
        f"got {executor!r}"
    )
