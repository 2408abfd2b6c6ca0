"""The method space as one searched object: a method, then that method's parameters.

`method_spaces` turns the forms users write (``{method: Space, spec dict,
list or {}}``) into ``{method: Space or None}``; `MethodSpace` holds that
result so that what searches one `Space` (a `asktell.Study`, its storage,
the command line) can search a method space too. A point of a method space
is ``[method, *values]`` and its params are ``{"method": method, **params}``,
so a stored trial says which method it ran without a second column.
"""

from __future__ import annotations

from .space import Space

__all__ = ["MethodSpace", "method_spaces", "METHOD_KEY", "call_method"]

#: the params key that holds the method
METHOD_KEY = "method"


def call_method(func, params):
    """``func(method, **rest)`` for a method-space trial's params ``{"method": method, **rest}``.

    A module-level function, so that it travels to process pools and Dask.
    """
    params = dict(params)
    return func(params.pop(METHOD_KEY), **params)


def method_spaces(methods, space=None):
    """``{method: Space or None}`` from methods and their spaces.

    Parameters
    ----------
    methods : sequence of str or dict
        Method names, or directly the method space ``{method: space}``.
    space : dict or None
        ``{method: space}``; each space is a `Space`, a dict of
        dimension-likes (cotengra spec dicts included) or a list of them.
        An empty dict or list (or None) means a method without parameters.
        Methods not in ``methods`` are ignored.
    """
    if isinstance(methods, dict):
        if space is not None:
            raise ValueError("give the method space either as methods or as space, not both")
        methods, space = list(methods), methods
    if isinstance(methods, str) or not hasattr(methods, "__iter__"):
        raise TypeError(f"methods must be a sequence of method names, got {methods!r}")
    methods = list(methods)
    if not methods:
        raise ValueError("methods must not be empty")
    for m in methods:
        if not isinstance(m, str):
            raise TypeError(f"method names must be str, got {m!r} in methods={methods!r}")
    if len(set(methods)) != len(methods):
        raise ValueError(f"methods must be distinct, got {methods!r}")
    if not isinstance(space, dict):
        raise TypeError(f"space must be a dict {{method: space}}, got {space!r}")
    out = {}
    for m in methods:
        if m not in space:
            raise ValueError(f"space has no entry for method {m!r}; it has {sorted(space)}")
        out[m] = _as_space(m, space[m])
    return out


def _as_space(method, spec):
    if spec is None or (isinstance(spec, (dict, list, tuple)) and len(spec) == 0):
        return None
    try:
        return spec if isinstance(spec, Space) else Space(spec)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"space of method {method!r}: {exc}") from exc


class MethodSpace:
    """A conditional search space: a method name, and the parameters of that method.

    Parameters
    ----------
    methods : sequence of str, dict or MethodSpace
        The method names, or the method space ``{method: space}`` itself
        (as `HyperOptimizer` takes them).
    space : dict or None
        ``{method: space}`` when ``methods`` are names; each space a
        `asktell.space.Space`, a dict of dimension-likes (cotengra spec
        dicts included) or a list; ``{}`` for a method without parameters.

    Notes
    -----
    The order of the methods is part of the space: the method selector
    draws its noise in that order, so the same seed replays the same
    trials only over the same order.
    """

    def __init__(self, methods, space=None):
        if isinstance(methods, MethodSpace):
            if space is not None:
                raise ValueError("give the method space either as methods or as space, not both")
            spaces = dict(methods.spaces)
        else:
            spaces = method_spaces(methods, space)
        for method, method_space in spaces.items():
            if method_space is not None and METHOD_KEY in method_space.dimension_names:
                raise ValueError(
                    f"space of method {method!r} has a dimension named {METHOD_KEY!r}, "
                    "which a method-space trial's params use for the method; rename it"
                )
        #: ``{method: Space or None}`` (None: a method without parameters)
        self.spaces = spaces

    @property
    def methods(self):
        """The method names, in order."""
        return list(self.spaces)

    def space_of(self, method):
        """The `Space` of ``method`` (None when it has no parameters)."""
        try:
            return self.spaces[method]
        except (KeyError, TypeError):
            raise ValueError(f"unknown method {method!r}: the method space has {self.methods}") from None

    def to_params(self, point):
        """A point ``[method, *values]`` as ``{"method": method, **params}``."""
        if isinstance(point, (str, bytes)) or not hasattr(point, "__len__") or len(point) == 0:
            raise ValueError(f"a method-space point is [method, *values], got {point!r}")
        method, values = point[0], list(point[1:])
        space = self.space_of(method)
        n_dims = 0 if space is None else space.n_dims
        if len(values) != n_dims:
            raise ValueError(
                f"a point of method {method!r} has {n_dims} values after the method, got {len(values)}: {point!r}"
            )
        return {METHOD_KEY: method, **({} if space is None else space.to_params(values))}

    def from_params(self, params):
        """``{"method": method, **params}`` as the point ``[method, *values]``."""
        if not isinstance(params, dict) or METHOD_KEY not in params:
            raise ValueError(f"params of a method-space trial need a {METHOD_KEY!r} key, got {params!r}")
        method = params[METHOD_KEY]
        space = self.space_of(method)
        rest = {k: v for k, v in params.items() if k != METHOD_KEY}
        if space is None:
            if rest:
                raise ValueError(f"method {method!r} has no parameters, got {sorted(rest)}")
            return [method]
        unknown = sorted(set(rest) - set(space.dimension_names))
        if unknown:
            raise ValueError(f"method {method!r} has no parameters {unknown}; it has {space.dimension_names}")
        return [method, *space.from_params(rest)]

    def __eq__(self, other):
        return isinstance(other, MethodSpace) and list(self.spaces.items()) == list(other.spaces.items())

    __hash__ = None

    def __repr__(self):
        inner = ", ".join(f"{m!r}: {s!r}" for m, s in self.spaces.items())
        return f"MethodSpace({{{inner}}})"
