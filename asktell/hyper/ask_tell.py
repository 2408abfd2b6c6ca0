"""The hyper-optimizer as an optimizer of the trial protocol (`asktell.protocol`).

`HyperOptimizer` drives an optlib itself; `HyperAskTell` hands the same
optlib to whatever drives trials instead: a `asktell.Study` (stored,
resumed, shared by workers) or a user's own loop. Each trial is one
setting of the optlib: ``params`` are ``{"method": method, **params}``
and ``x`` is ``[method, *values]`` (see `MethodSpace`).

With the same ``random_state`` the optlib is seeded as `HyperOptimizer`
seeds it for its first `HyperOptimizer.run`, so a serial loop of
``ask_trial`` / ``tell_trial`` makes the trials a serial ``run`` makes.
Its state depends only on the sequence of asks and tells, which is what
lets a study replay it.
"""

from __future__ import annotations

import math
import weakref


from ..protocol import AskTellOptimizer, TrialBook, plain
from ..utils import _check_random_state
from ..trial import Trial
from ..space.method_space import METHOD_KEY, MethodSpace
from .optlib import accepts_option, make_optlib

__all__ = ["HyperAskTell"]


class HyperAskTell(AskTellOptimizer):
    """Ask/tell over methods and their parameters, one optlib setting per trial.

    Parameters
    ----------
    methods : sequence of str, dict or MethodSpace
        The method names, or the method space ``{method: space}`` itself.
    space : dict or None
        ``{method: space}`` when ``methods`` are names.
    optlib : str, HyperOptLib class or instance
        The strategy (``"auto"``, the default: an `asktell.AutoOptimizer` per
        method; ``"bayes"``, ``"tpe"``, ``"random"``, ``"scipy"``, ``"cmaes"``,
        or any name given to `register_optlib`).
    random_state : int, RandomState or None
        Seeds the optlib (as `HyperOptimizer` does for its first run).
    driver : object or None
        What the optlib's ``setup`` is given as ``optimizer``: the driver
        whose ``pre_dispatch`` it may read (`HyperOptimizer.run` passes
        itself). None: asks simply come one at a time.
    **optlib_opts
        Options of the optlib's ``setup``.

    Attributes
    ----------
    space : MethodSpace
        What is searched.
    optlib_ : HyperOptLib
        The set-up optlib; `close` cleans it up (and stops the threads of
        the ``"scipy"`` optlib). Dropping the object cleans it up too.

    Notes
    -----
    A value told as ``(value, seconds)`` gives the selector the trial's
    duration (what ``cost_aware=True`` ranks methods by); a NaN or
    infinite value fails the trial, as in `HyperOptimizer`.
    """

    def __init__(self, methods, space=None, optlib="auto", random_state=None, *, driver=None, **optlib_opts):
        self.space = MethodSpace(methods, space)
        self.optlib = optlib
        self.random_state = random_state
        self.optlib_opts = dict(optlib_opts)
        opts = dict(optlib_opts)
        if accepts_option(optlib, "random_state"):
            opts.setdefault("random_state", int(_check_random_state(random_state).randint(2**31 - 1)))
        optlib_space = {m: (s if s is not None else {}) for m, s in self.space.spaces.items()}
        self.optlib_ = make_optlib(optlib, self.space.methods, optlib_space, optimizer=driver, **opts)
        self._finalizer = weakref.finalize(self, self.optlib_.cleanup)
        self._book = TrialBook()
        self._settings = {}  # number -> the optlib's setting, until told

    # ------------------------------------------------------------ protocol
    def ask_trial(self):
        """The optlib's next setting as a RUNNING `Trial`."""
        if not self._finalizer.alive:
            raise RuntimeError("this HyperAskTell is closed; its optlib was cleaned up")
        setting = self.optlib_.get_setting()
        method = setting[METHOD_KEY]
        params = {k: plain(v) for k, v in dict(setting["params"]).items()}
        params = {METHOD_KEY: method, **params}
        x = self.space.from_params(params)  # in the order of the method's dimensions
        trial = self._book.open(x, self.space.to_params(x))
        self._settings[trial.number] = setting
        return trial

    def tell_trial(self, trial, value, fit=True):
        """Report ``value`` (a float or ``(value, seconds)``) of ``trial`` to the optlib.

        ``fit=False`` (an optlib that adopts trials): the method's model is
        updated later, by `load_state` or the next tell that fits.
        """
        asked, told = self._book.end(self._pending(trial), value)
        if told.seconds is not None:
            asked.info["duration"] = told.seconds
        later = {} if fit else {"fit": False}
        self.optlib_.report_result(self._settings.pop(asked.number), asked,
                                   told.value if told.finite else math.inf, **later)
        return asked

    def fail_trial(self, trial, error=None):
        """Report ``trial`` as failed (the optlib sees an infinite score)."""
        asked = self._book.fail(self._pending(trial), error)
        self.optlib_.report_result(self._settings.pop(asked.number), asked, math.inf)
        return asked

    @property
    def trials(self):
        """Every trial asked, in number order."""
        return self._book.trials

    # ------------------------------------------------------------ adopting (a study's replay)
    #: a tell after the last stored state fits the method's model, as it did when first told
    fits_each_tell = True

    @property
    def adopts_trials(self):
        """Whether `add_trial` works: the optlib adopts settings (a `PerMethodOptLib`)."""
        return callable(getattr(self.optlib_, "adopt_setting", None))

    def add_trial(self, trial, fit=True):
        """Register a trial asked before (a stored study brought up to date) under its own number.

        Trials are added in the order they were asked. The selector picks
        again (cheap); the method's sampler registers the params without
        proposing where its proposals depend only on what it was told
        (``"bayes"``, ``"auto"``), else asks again and checks. A COMPLETE
        trial is then told (``fit=False``: without the model's update, left
        to `load_state`), a FAIL one failed.
        """
        if not isinstance(trial, Trial):
            raise TypeError(f"trial must be a Trial, got {trial!r}")
        if not self.adopts_trials:
            raise TypeError(f"optlib {self.optlib!r} does not adopt trials: replay its asks instead")
        x = list(trial.x)
        params = self.space.to_params(x)
        record = Trial(number=trial.number, x=x, params=params, info=dict(trial.info))
        method_params = {k: v for k, v in params.items() if k != METHOD_KEY}
        setting = self.optlib_.adopt_setting(params[METHOD_KEY], method_params)
        self._book.add(record)
        self._settings[record.number] = setting
        if trial.state == "COMPLETE":
            seconds = record.info.pop("seconds", None)
            self.tell_trial(record.number, trial.value if seconds is None else (trial.value, seconds), fit=fit)
        elif trial.state == "FAIL":
            self.fail_trial(record.number, trial.info.get("error"))
        return record

    def state_dict(self):
        """What proposals depend on beyond the trials told (the methods' models' states), as JSON values."""
        state_dict = getattr(self.optlib_, "state_dict", None)
        return {"methods": state_dict() if callable(state_dict) else {}}

    def load_state(self, state):
        """Restore `state_dict` after the same trials were added with ``fit=False``: one fit per method."""
        if not isinstance(state, dict) or not isinstance(state.get("methods"), dict):
            raise ValueError(f"state must be a dict from state_dict(), got {state!r}")
        load = getattr(self.optlib_, "load_state", None)
        if callable(load):
            load(state["methods"])

    def close(self):
        """Clean up the optlib (stops its threads); asking afterwards raises."""
        self._finalizer()

    # ------------------------------------------------------------ helpers
    def _pending(self, trial):
        asked = self._book.pending_trial(trial)
        number = asked.number
        if isinstance(trial, Trial):
            told = trial.params.get(METHOD_KEY, asked.params[METHOD_KEY])
            self.space.space_of(told)  # an unknown method is named as such
            if told != asked.params[METHOD_KEY]:
                raise ValueError(
                    f"trial {number} was asked for method {asked.params[METHOD_KEY]!r}, "
                    f"told with params of method {told!r}"
                )
        return asked

    def __repr__(self):
        return (
            f"HyperAskTell(methods={self.space.methods!r}, optlib={self.optlib!r}, "
            f"random_state={self.random_state!r}, trials={len(self._book)})"
        )
