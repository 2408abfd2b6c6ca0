"""Optlibs: the pluggable strategies of the multi-method hyper-optimizer.

An optlib speaks cotengra's interface (`HyperOptLib`): ``setup`` once,
then ``get_setting`` / ``report_result`` for each trial (several settings
may be out at once, and results come back in any order), and ``cleanup``
at the end. A registry maps names to optlib classes.

asktell's own optlibs share one shape, `PerMethodOptLib`: an
`LCBSelector` picks the method and one `MethodSampler` per method picks
its parameters; a method whose space is finite is retired from the
selector, without a word, once every one of its points was handed
out. A sampler only knows its method's `Space`; box samplers
(`CubeSampler`) all see it through the same `asktell.space.UnitCube`.
"""

from __future__ import annotations

import inspect
import math

from sklearn.utils import check_random_state

from ..optimizer.optimizer import _n_distinct
from ..space import UnitCube
from ..space.method_space import method_spaces
from .selector import LCBSelector

__all__ = [
    "HyperOptLib",
    "PerMethodOptLib",
    "MethodSampler",
    "CubeSampler",
    "register_optlib",
    "get_optlib",
    "list_optlibs",
    "make_optlib",
    "method_spaces",
]


class HyperOptLib:
    """Interface of an optlib (the same as cotengra's).

    ``setup(methods, space, optimizer=None, **opts)``: get ready to search
    ``methods`` whose parameters live in ``space[method]``; ``optimizer``
    is the driver (optlibs may read ``pre_dispatch`` from it).
    ``get_setting()``: ``{"method": str, "params": dict, ...tokens}``.
    ``report_result(setting, trial, score)``: the score (lower is better;
    ``inf`` or NaN for a failed trial) of a setting handed out earlier.
    ``cleanup()``: stop whatever the optlib started.
    """

    def setup(self, methods, space, optimizer=None, **opts):
        raise NotImplementedError

    def get_setting(self):
        raise NotImplementedError

    def report_result(self, setting, trial, score):
        raise NotImplementedError

    def cleanup(self):
        """Release threads and other resources (nothing by default)."""


# ---------------------------------------------------------------- registry
_OPTLIBS = {}


def register_optlib(name, cls, defaults=None):
    """Register the optlib class ``cls`` under ``name``.

    ``defaults`` are options given to ``setup`` unless the caller overrides them.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    if not (isinstance(cls, type) and issubclass(cls, HyperOptLib)):
        raise TypeError(f"cls must be a HyperOptLib subclass, got {cls!r}")
    if defaults is not None and not isinstance(defaults, dict):
        raise TypeError(f"defaults must be a dict or None, got {defaults!r}")
    _OPTLIBS[name] = (cls, dict(defaults or {}))


def list_optlibs():
    """Names of the registered optlibs, sorted."""
    return sorted(_OPTLIBS)


def get_optlib(name):
    """``(cls, defaults)`` of the optlib registered as ``name``."""
    try:
        cls, defaults = _OPTLIBS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optlib {name!r}; registered optlibs: {list_optlibs()}") from None
    return cls, dict(defaults)


def make_optlib(optlib, methods, space, optimizer=None, **opts):
    """A set-up optlib from a registered name, a `HyperOptLib` class or instance.

    ``optimizer`` is handed to ``setup`` (the driver, see `HyperOptLib`);
    ``opts`` are ``setup``'s options.
    """
    defaults = {}
    if isinstance(optlib, str):
        cls, defaults = get_optlib(optlib)
        instance = cls()
    elif isinstance(optlib, type) and issubclass(optlib, HyperOptLib):
        instance = optlib()
    elif isinstance(optlib, HyperOptLib):
        instance = optlib
    else:
        raise TypeError(
            f"optlib must be a registered name, a HyperOptLib class or instance, got {optlib!r}"
        )
    instance.setup(methods, space, optimizer=optimizer, **{**defaults, **opts})
    return instance


def accepts_option(optlib, name):
    """Whether ``optlib``'s ``setup`` (a registered name, class or instance) takes the keyword ``name``."""
    if isinstance(optlib, str):
        optlib = get_optlib(optlib)[0]
    params = inspect.signature(optlib.setup).parameters.values()
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in params)


# ---------------------------------------------------------------- method spaces
# ---------------------------------------------------------------- samplers
class MethodSampler:
    """One method's parameter search, handed out by tokens.

    Subclasses implement ``ask() -> (token, params)``, ``tell(token, score)``
    (a finite score), ``fail(token)`` (the trial failed or scored inf) and,
    when they start threads, ``stop()``.
    """

    def ask(self):
        raise NotImplementedError

    def tell(self, token, score):
        raise NotImplementedError

    def fail(self, token):
        raise NotImplementedError

    def stop(self):
        """Release resources (nothing by default)."""

    def adopt(self, params):
        """Take ``params``, a setting asked of this sampler before (a study brought up to date); its token.

        The default asks again and checks that the proposal is ``params``
        (a sampler drawing from a random stream must draw it again);
        ``ValueError`` when it is not. A sampler whose proposals depend
        only on what it was told registers the setting without proposing.
        """
        token, proposed = self.ask()
        if not _same_params(proposed, params):
            raise ValueError(
                f"{type(self).__name__} proposed {proposed!r} where {params!r} was asked before: it "
                "only takes settings of its own, asked again in the same order with the same seed"
            )
        return token

    def tell_later(self, token, score):
        """`tell`, leaving a model's update to `load_state` (the default: `tell`; nothing to defer)."""
        self.tell(token, score)

    def state_dict(self):
        """What proposals depend on beyond the settings told, as JSON values (None: nothing)."""
        return None

    def load_state(self, state):
        """Restore `state_dict` after the same settings were told with `tell_later`."""


class _NoParams(MethodSampler):
    """The sampler of a method without parameters."""

    def __init__(self):
        self._next = 0

    def ask(self):
        self._next += 1
        return self._next - 1, {}

    def tell(self, token, score):
        pass

    def fail(self, token):
        pass


class CubeSampler(MethodSampler):
    """A sampler that searches the unit cube of its method's space.

    Subclasses implement ``_ask_unit() -> x`` and ``_tell_unit(x, score)``,
    and may override ``_unit(x)``, the cube point of their own coordinates
    ``x`` (the identity by default); failed trials are told
    ``_penalty()``, the worst finite score seen (or ``inf`` before any).

    Parameters
    ----------
    space : Space
    exponential_param_power, categorical
        As in `asktell.space.UnitCube`.
    """

    def __init__(self, space, exponential_param_power=None, categorical="bin"):
        self.cube = UnitCube(space, exponential_param_power=exponential_param_power, categorical=categorical)
        self._pending = {}
        self._next = 0
        self._worst = -math.inf

    def ask(self):
        x = self._ask_unit()
        token = self._next
        self._next += 1
        self._pending[token] = x
        return token, self.cube.to_params(self._unit(x))

    def _unit(self, x):
        return x

    def tell(self, token, score):
        u = self._pop(token)
        self._worst = max(self._worst, score)
        self._tell_unit(u, score)

    def fail(self, token):
        self._tell_unit(self._pop(token), self._penalty())

    def _penalty(self):
        return self._worst if math.isfinite(self._worst) else math.inf

    def _pop(self, token):
        try:
            return self._pending.pop(token)
        except KeyError:
            raise ValueError(f"unknown or already told token {token!r}") from None

    def _ask_unit(self):
        raise NotImplementedError

    def _tell_unit(self, u, score):
        raise NotImplementedError


# ---------------------------------------------------------------- the shared optlib shape
class PerMethodOptLib(HyperOptLib):
    """An `LCBSelector` over methods and one `MethodSampler` per method.

    Subclasses implement ``_make_sampler(space, random_state, optimizer, *, ...)``;
    its keyword-only arguments are the optlib's own options.

    Options of ``setup``
    -------------------
    method_exploration, method_temperature : float
        ``exploration`` and ``temperature`` of the `LCBSelector`.
    method_standardize : {"rank", True, False}
        Scale-free selection (``standardize`` of the `LCBSelector`).
    cost_aware : bool
        Select by expected improvement per second (``cost_aware``).
    random_state : int, RandomState or None
        Seeds the selector and every sampler.
    **options
        The subclass's sampler options.
    """

    def setup(
        self,
        methods,
        space,
        optimizer=None,
        method_exploration=1.0,
        method_temperature=1.0,
        method_standardize="rank",
        cost_aware=False,
        random_state=None,
        **options,
    ):
        spaces = method_spaces(methods, space)
        self._check_options(options)
        rng = check_random_state(random_state)
        self.selector = LCBSelector(
            list(spaces),
            exploration=method_exploration,
            temperature=method_temperature,
            seed=rng.randint(2**31 - 1),
            standardize=method_standardize,
            cost_aware=cost_aware,
        )
        self._sizes = {m: 1 if s is None else _n_distinct(s) for m, s in spaces.items()}
        self._seen = {m: set() for m in spaces}  # distinct params handed out, for finite spaces
        self.samplers = {}
        try:
            for method, method_space in spaces.items():
                seed = rng.randint(2**31 - 1)
                self.samplers[method] = (
                    _NoParams()
                    if method_space is None
                    else self._make_sampler(method_space, seed, optimizer, **options)
                )
        except BaseException:
            self.cleanup()
            raise

    def _check_options(self, options):
        params = inspect.signature(self._make_sampler).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params):
            return  # the sampler passes the rest on (to scipy, say), which checks them
        accepted = sorted(p.name for p in params if p.kind is p.KEYWORD_ONLY)
        unknown = sorted(set(options) - set(accepted))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown options {unknown}; its own options are "
                f"{accepted}, besides those of every PerMethodOptLib"
            )

    def _make_sampler(self, space, random_state, optimizer):
        """The `MethodSampler` of one method (options are keyword-only)."""
        raise NotImplementedError

    def get_setting(self):
        method = self.selector.ask()
        try:
            token, params = self.samplers[method].ask()
        except BaseException:
            self.selector.cancel(method)
            raise
        self._note_handed_out(method, params)
        return {"method": method, "params": params, "params_token": token}

    def _note_handed_out(self, method, params):
        """Retire ``method`` from the selector once every point of its finite space was handed out."""
        size = self._sizes[method]
        if size is None:  # a real dimension: never exhausted
            return
        seen = self._seen[method]
        seen.add(tuple(sorted((k, _hashable(v)) for k, v in params.items())))
        if len(seen) >= size:
            self.selector.retire(method)

    def report_result(self, setting, trial, score, fit=True):
        """Tell the selector and the method's sampler; ``fit=False``: the sampler's `tell_later`."""
        method, token = setting["method"], setting["params_token"]
        score = float(score)
        self.selector.tell(method, score, _duration(trial))
        if not math.isfinite(score):
            self.samplers[method].fail(token)
        elif fit:
            self.samplers[method].tell(token, score)
        else:
            self.samplers[method].tell_later(token, score)

    def adopt_setting(self, method, params):
        """The setting of ``method`` at ``params`` asked before, registered as asked again.

        A study brought up to date adopts its stored trials, in the order
        they were asked, instead of asking: the selector picks again (its
        choice is cheap and draws from its random stream, so it is replayed;
        a trial it would not have picked is counted for ``method`` all the
        same) and the method's sampler adopts the params (`MethodSampler.adopt`).
        """
        chosen = self.selector.ask()
        if chosen != method:
            self.selector.cancel(chosen)
            self.selector.adopt(method)
        try:
            token = self.samplers[method].adopt(dict(params))
        except BaseException:
            self.selector.cancel(method)
            raise
        self._note_handed_out(method, params)
        return {"method": method, "params": dict(params), "params_token": token}

    def state_dict(self):
        """The samplers' `MethodSampler.state_dict` by method (those that have one)."""
        states = {m: s.state_dict() for m, s in self.samplers.items()}
        return {m: state for m, state in states.items() if state is not None}

    def load_state(self, states):
        """Restore `state_dict`: each method's sampler (one model fit each); ValueError for a bad one."""
        if not isinstance(states, dict):
            raise ValueError(f"state must be a dict from state_dict(), got {states!r}")
        error = None
        for method, state in states.items():
            if method in self.samplers:
                try:
                    self.samplers[method].load_state(state)
                except ValueError as exc:  # the others are restored all the same
                    error = error or exc
        if error is not None:
            raise error

    def cleanup(self):
        errors = []
        for sampler in getattr(self, "samplers", {}).values():
            try:
                sampler.stop()
            except Exception as exc:  # stop every sampler, then report
                errors.append(exc)
        if errors:
            raise errors[0]


def _same_params(a, b):
    """Equality of two settings' params, floats up to round-off (a setting read back from storage)."""
    if set(a) != set(b):
        return False
    for key, u in a.items():
        v = b[key]
        u, v = _hashable(u), _hashable(v)
        if u == v:
            continue
        if not (isinstance(u, float) and isinstance(v, (int, float)) and math.isclose(u, v, rel_tol=1e-9)):
            return False
    return True


def _hashable(value):
    """``value`` as a dictionary key (numpy scalars as Python ones)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _duration(trial):
    """Seconds a trial took, from a cotengra trial dict or an asktell `Trial`."""
    if isinstance(trial, dict):
        value = trial.get("time", trial.get("duration"))
    else:
        value = getattr(trial, "info", {}).get("duration")
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
