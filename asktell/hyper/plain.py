"""One optlib's parameter strategy on a plain search space: `SpaceAskTell`.

The optlibs of the hyper-optimizer search each method's parameters with a
`MethodSampler` (Parzen estimators for ``"tpe"``, CMA-ES for ``"cmaes"``,
designs for ``"random"``, ...). Over a plain `Space` there is one "method"
and no method to select, so `SpaceAskTell` drives that sampler alone and
speaks the trial protocol (`asktell.protocol`): it is what a study's
``optimizer="tpe"`` or ``"cmaes"`` builds.
"""

from __future__ import annotations


from ..protocol import AskTellOptimizer, TrialBook
from ..utils import _check_random_state
from ..space import Space
from ..trial import Trial
from .optlib import PerMethodOptLib, get_optlib, make_optlib

__all__ = ["SpaceAskTell"]

_ONLY = "space"  # the one method of the optlib


class SpaceAskTell(AskTellOptimizer):
    """Ask/tell over a `Space` with the parameter strategy of an optlib.

    Parameters
    ----------
    space : Space, list or dict
        The search space (cotengra-style spec dicts included).
    optlib : str
        A registered optlib built on `PerMethodOptLib`: ``"tpe"``,
        ``"cmaes"`` (extra ``cmaes``), ``"random"``, ``"bayes"``, ``"scipy"``.
    random_state : int, RandomState or None
        Seeds the strategy: the same seed and tells give the same trials.
    **options
        The optlib's own options (``gamma`` of ``"tpe"``, ``sigma`` of
        ``"cmaes"``, ...).

    Notes
    -----
    A NaN or infinite value fails its trial; the strategy is told the
    failure, never the number (CMA-ES, which ranks a whole population,
    sees the worst finite value told instead).
    """

    def __init__(self, space, optlib: str = "tpe", random_state=None, **options):
        self.space = space if isinstance(space, Space) else Space(space)
        self.optlib = optlib
        self.random_state = random_state
        self.options = dict(options)
        if not issubclass(get_optlib(optlib)[0], PerMethodOptLib):
            raise ValueError(f"optlib {optlib!r} has no per-method strategy to run on a plain space")
        seed = int(_check_random_state(random_state).randint(2**31 - 1))
        # one method, so the optlib's selector has nothing to choose: its sampler does the work
        self.optlib_ = make_optlib(optlib, [_ONLY], {_ONLY: self.space}, random_state=seed, **options)
        self.sampler_ = self.optlib_.samplers[_ONLY]
        self._book = TrialBook()
        self._tokens = {}  # trial number -> the sampler's token

    def ask_trial(self) -> Trial:
        """The strategy's next point as a RUNNING `Trial`."""
        token, params = self.sampler_.ask()
        x = self.space.from_params(params)
        trial = self._book.open(x, self.space.to_params(x))
        self._tokens[trial.number] = token
        return trial

    def tell_trial(self, trial, value) -> Trial:
        """End ``trial`` with ``value`` (a float or ``(value, seconds)``; NaN/inf fail it)."""
        trial, told = self._book.end(trial, value)
        token = self._tokens.pop(trial.number)
        if told.finite:
            self.sampler_.tell(token, told.value)
        else:
            self.sampler_.fail(token)
        return trial

    def fail_trial(self, trial, error=None) -> Trial:
        """End ``trial`` as failed; the strategy is told it failed."""
        trial = self._book.fail(self._book.pending_trial(trial), error)
        self.sampler_.fail(self._tokens.pop(trial.number))
        return trial

    @property
    def trials(self) -> list[Trial]:
        """Every trial asked, in number order."""
        return self._book.trials

    def stop(self) -> None:
        """Stop the strategy's threads (the ``"scipy"`` optlib has some)."""
        self.optlib_.cleanup()

    def __repr__(self):
        return f"SpaceAskTell({self.space!r}, optlib={self.optlib!r}, trials={len(self._book)})"
