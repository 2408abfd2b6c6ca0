"""A search space to JSON and back, so that a stored study can rebuild it.

The format is explicit rather than clever: one dict per dimension with its
class, bounds, prior, base, transform and name; categories must be JSON
values (str, int, float, bool, None) so that they come back equal and of
the same type. Space files for the command line may also be written in
the cotengra spec form, as ``{name: [low, high]}`` (scikit-optimize's
conversion rules), or as people write them: ``"type"`` in any case and by
other names (``"real"``, ``"float"``, ``"int"``, ``"categorical"``,
``"bool"``), ``"log": true``, ``"min"``/``"max"`` for the bounds,
``"choices"``/``"options"``/``"values"`` for the categories, and no
``"type"`` where the bounds or the categories say it.

A method space (`asktell.space.MethodSpace`, what the hyper-optimizer
searches) is ``{"version": 1, "methods": {method: [dimension dicts]}}``,
methods in order, ``[]`` for a method without parameters; its space files
hold ``{"methods": {method: space}}`` with each space in any of the forms
above (``{}`` for no parameters).
"""

from __future__ import annotations

import json
import math

from .method_space import MethodSpace
from .space import Categorical, Integer, Real, Space, check_dimension
from .spec import SPEC_TYPES

__all__ = [
    "space_to_dict",
    "space_from_dict",
    "space_to_json",
    "space_from_json",
    "load_space_file",
    "same_space",
    "is_method_space_dict",
]

FORMAT_VERSION = 1
_CLASSES = ("Real", "Integer", "Categorical")


def _json_category(value, where):
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise TypeError(
        f"{where}: category {value!r} is not a JSON value (str, int, finite float, bool or None); "
        "a stored study cannot keep it"
    )


def _number(value):
    return int(value) if isinstance(value, int) else float(value)


def _dimension_to_dict(dim):
    where = f"dimension {dim.name!r}"
    if isinstance(dim, (Real, Integer)):
        return {
            "type": type(dim).__name__,
            "low": _number(dim.low),
            "high": _number(dim.high),
            "prior": dim.prior,
            "base": _number(dim.base),
            "transform": dim.transform_,
            "name": dim.name,
        }
    if isinstance(dim, Categorical):
        return {
            "type": "Categorical",
            "categories": [_json_category(c, where) for c in dim.categories],
            "prior": None if dim.prior is None else [float(p) for p in dim.prior],
            "transform": dim.transform_,
            "name": dim.name,
        }
    raise TypeError(f"{where}: cannot serialize a {type(dim).__name__}")


def space_to_dict(space):
    """A JSON-ready dict describing ``space`` (a `Space`, a dimension list or a `MethodSpace`)."""
    if isinstance(space, MethodSpace):
        methods = {}
        for method, method_space in space.spaces.items():
            try:
                methods[method] = [] if method_space is None else space_to_dict(method_space)["dimensions"]
            except TypeError as exc:
                raise TypeError(f"method {method!r}: {exc}") from None
        return {"version": FORMAT_VERSION, "methods": methods}
    space = space if isinstance(space, Space) else Space(space)
    return {"version": FORMAT_VERSION, "dimensions": [_dimension_to_dict(d) for d in space]}


def is_method_space_dict(data):
    """Whether ``data`` (a stored space or a space file's content) describes a method space."""
    return isinstance(data, dict) and isinstance(data.get("methods"), dict) and "type" not in data["methods"]


def _method_space_from_dict(data):
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ValueError(f"space format version {version!r} is not supported (expected {FORMAT_VERSION})")
    unknown = sorted(set(data) - {"version", "methods"})
    if unknown:
        raise ValueError(f"a method space has only 'version' and 'methods', got also {unknown}")
    if not data["methods"]:
        raise ValueError("method space: no methods given")
    spaces = {}
    for method, spec in data["methods"].items():
        if spec is None or (isinstance(spec, (dict, list)) and len(spec) == 0):
            spaces[method] = None
            continue
        try:
            spaces[method] = space_from_dict(spec)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"method {method!r}: {exc}") from None
    return MethodSpace(spaces)


#: what people write for ``"type"`` (any case), as the class it means
_TYPE_ALIASES = {
    "real": "Real", "float": "Real", "continuous": "Real", "double": "Real",
    "integer": "Integer", "int": "Integer",
    "categorical": "Categorical", "category": "Categorical", "choice": "Categorical",
    "str": "Categorical", "string": "Categorical", "bool": "Categorical", "boolean": "Categorical",
}
#: other names of a dimension dict's keys
_KEY_ALIASES = {"min": "low", "max": "high", "choices": "categories", "options": "categories",
                "values": "categories"}


def _canonical(spec, where):
    """A dimension dict as people write it (``"type": "real"``, ``"log": true``, ``"min"``,
    ``"choices"``, no type where bounds or categories say it) in the explicit form."""
    if spec.get("type") in SPEC_TYPES:
        return spec
    spec = dict(spec)
    kind = spec.pop("type", None)
    for alias, key in _KEY_ALIASES.items():
        if alias in spec:
            if key in spec:
                raise ValueError(f"{where}: give {key!r} or {alias!r}, not both, in {spec!r}")
            spec[key] = spec.pop(alias)
    if kind in _CLASSES:
        pass
    elif isinstance(kind, str) and kind.lower() in _TYPE_ALIASES:
        if kind.lower() in ("bool", "boolean"):
            spec.setdefault("categories", [False, True])
        kind = _TYPE_ALIASES[kind.lower()]
    elif kind is None and "categories" in spec:
        kind = "Categorical"
    elif kind is None and "low" in spec and "high" in spec:
        bounds = (spec["low"], spec["high"])
        kind = "Integer" if all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) else "Real"
    if "log" in spec:
        log = spec.pop("log")
        if not isinstance(log, bool):
            raise ValueError(f"{where}: 'log' must be true or false, got {log!r}")
        if log and spec.get("prior", "log-uniform") != "log-uniform":
            raise ValueError(f"{where}: 'log': true contradicts 'prior': {spec['prior']!r}")
        if log:
            spec["prior"] = "log-uniform"
    spec["type"] = kind
    return spec


def _dimension_from_dict(spec, name=None, where="space"):
    if not isinstance(spec, dict):
        return check_dimension(spec)
    spec = _canonical(spec, where)
    kind = spec.get("type")
    if kind in SPEC_TYPES:
        return check_dimension(dict(spec, name=spec.get("name", name)))
    if kind not in _CLASSES:
        raise ValueError(
            f"{where}: 'type' must be one of {_CLASSES + SPEC_TYPES} (or real, integer, "
            f"categorical, bool in any case), got {kind!r}"
        )
    known = {"type", "low", "high", "prior", "base", "transform", "name", "categories"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown} in {spec!r}")
    name = spec.get("name", name)
    transform = spec.get("transform")
    if kind == "Categorical":
        if "categories" not in spec:
            raise ValueError(f"{where}: a Categorical needs 'categories', got {spec!r}")
        return Categorical(spec["categories"], prior=spec.get("prior"), transform=transform, name=name)
    missing = [k for k in ("low", "high") if k not in spec]
    if missing:
        raise ValueError(f"{where}: a {kind} needs {missing}, got {spec!r}")
    cls = Real if kind == "Real" else Integer
    return cls(
        spec["low"],
        spec["high"],
        prior=spec.get("prior", "uniform"),
        base=spec.get("base", 10),
        transform=transform,
        name=name,
    )


def space_from_dict(data):
    """Rebuild a `Space` from `space_to_dict`'s output or a space file's content.

    Accepts ``{"dimensions": [...]}``, a list of dimension dicts or
    dimension-likes, or a dict ``{name: dimension}`` whose values are
    dimension dicts, cotengra specs or ``[low, high]`` lists; a
    ``{"methods": {method: space}}`` dict gives a `MethodSpace`.
    """
    if is_method_space_dict(data):
        return _method_space_from_dict(data)
    if isinstance(data, dict) and "dimensions" in data:
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ValueError(f"space format version {version!r} is not supported (expected {FORMAT_VERSION})")
        data = data["dimensions"]
    if isinstance(data, dict):
        if not data:
            raise ValueError("space: no dimensions given")
        dims = [
            _dimension_from_dict(spec, name=str(name), where=f"space[{name!r}]")
            for name, spec in data.items()
        ]
        for (name, _), dim in zip(data.items(), dims):
            if dim.name is None:
                dim.name = str(name)
        return Space(dims)
    if isinstance(data, list):
        return Space([_dimension_from_dict(spec, where=f"space[{i}]") for i, spec in enumerate(data)])
    raise TypeError(f"space must be a dict or a list of dimensions, got {type(data).__name__}")


def space_to_json(space):
    """``space`` as a canonical JSON string."""
    return json.dumps(space_to_dict(space), sort_keys=True, allow_nan=False)


def space_from_json(text):
    """Rebuild a `Space` from a JSON string (see `space_from_dict`)."""
    return space_from_dict(json.loads(text))


def load_space_file(path):
    """Read a space file (JSON), or the JSON itself (a str starting with ``{`` or ``[``).

    Errors name the file (or the text) and what is wrong in it.
    """
    if isinstance(path, str) and path.lstrip().startswith(("{", "[")):
        text, where = path, f"space {path!r}"
    else:
        where = f"space file {str(path)!r}"
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise ValueError(f"{where} does not exist") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not valid JSON: {exc}") from None
    try:
        return space_from_dict(data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def same_space(a, b):
    """True when two serialized spaces describe the same search (transforms aside).

    Transforms are a model's choice (optimizers set them), not part of what
    is searched, so they do not make two spaces differ. Two method spaces
    are the same when they list the same methods, in the same order, with
    the same spaces.
    """
    def strip(dims):
        return [{k: v for k, v in dim.items() if k != "transform"} for dim in dims]

    def search(d):
        if is_method_space_dict(d):
            return ("methods", [(m, strip(dims)) for m, dims in d["methods"].items()])
        return ("dimensions", strip(d["dimensions"]))

    return search(a) == search(b)
