"""cotengra-style dimension specs: ``{"type": ..., "min", "max", "options"}``.

``FLOAT`` is a uniform `Real`, ``FLOAT_EXP`` a log-uniform one, ``INT`` an
`Integer`, ``STRING`` a `Categorical` of ``options`` and ``BOOL`` a
`Categorical` of ``(False, True)``.
"""

from __future__ import annotations

from .dimensions import Categorical, Integer, Real

__all__ = ["dimension_from_spec", "SPEC_TYPES"]

SPEC_TYPES = ("FLOAT", "FLOAT_EXP", "INT", "STRING", "BOOL")


def dimension_from_spec(spec, name=None, transform=None):
    """Build a `Dimension` from one spec dict."""
    if not isinstance(spec, dict):
        raise TypeError(f"a dimension spec must be a dict, got {spec!r}")
    name = spec.get("name", name)
    kind = spec.get("type")
    where = f"spec {name!r}" if name is not None else "spec"
    if kind not in SPEC_TYPES:
        raise ValueError(f"{where}: 'type' must be one of {SPEC_TYPES}, got {kind!r}")
    if kind in ("FLOAT", "FLOAT_EXP", "INT"):
        missing = [k for k in ("min", "max") if k not in spec]
        if missing:
            raise ValueError(f"{where}: a {kind} spec needs {missing}, got {spec!r}")
        low, high = spec["min"], spec["max"]
        if kind == "INT":
            return Integer(low, high, transform=transform, name=name)
        prior = "log-uniform" if kind == "FLOAT_EXP" else "uniform"
        return Real(low, high, prior=prior, transform=transform, name=name)
    if kind == "STRING":
        if "options" not in spec:
            raise ValueError(f"{where}: a STRING spec needs 'options', got {spec!r}")
        return Categorical(spec["options"], transform=transform, name=name)
    return Categorical((False, True), transform=transform, name=name)
