"""What a study stores of a value: JSON, the objective's result read by the protocol's parser."""

from __future__ import annotations

import json
import math
import numbers

from ..protocol import parse_value, plain, split_score
from ..trial import TrialState
from ._sync import STATE_KEY

#: fields of a trial's info that the study writes (a dict result may not set them)
STUDY_INFO = frozenset(
    {"worker", "attempts", "datetime_start", "datetime_complete", "duration", "requeued",
     "error", "eval_seconds", "late_results", "user_attrs", "enqueued", "imported", "lost", STATE_KEY}
)


def jsonable(obj):
    """``obj`` made of JSON values (numpy scalars unwrapped, other objects as repr)."""
    try:
        return json.loads(json.dumps(obj, default=plain, allow_nan=False))
    except (TypeError, ValueError):
        if isinstance(obj, dict):
            return {str(k): jsonable(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [jsonable(v) for v in obj]
        return repr(obj)


def finite(value):
    """Whether ``value`` is a finite real number (not a bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def split_result(value, number):
    """``(score, extras)`` of a dict result (what a `HyperOptimizer` objective may return), checked for a study."""
    try:
        score, extras = split_score(value)
    except TypeError as exc:
        raise TypeError(f"trial {number}: {exc}") from None
    extras = jsonable({str(k): v for k, v in extras.items()})
    clash = sorted(STUDY_INFO & set(extras))
    if clash:
        raise TypeError(f"trial {number}: the objective's result fields {clash} are the study's own; rename them")
    return score, extras


def check_value(value, number):
    """``(state, value, told, error)`` for what an objective returned (`asktell.protocol.parse_value`).

    A float, or ``(value, seconds)`` for cost-aware acquisitions. NaN and
    infinities fail the trial (the optimizer is told it failed, never a
    number that would wreck its model).
    """
    try:
        told = parse_value(value)
    except (TypeError, ValueError):
        hint = " (did it forget to return its value?)" if value is None else ""
        raise TypeError(
            f"trial {number}: the objective returned {value!r}{hint}; it must return a float, "
            "or (value, seconds) for cost-aware optimizers"
        ) from None
    if not told.finite:
        return TrialState.FAIL, None, None, told.error
    if told.seconds is None:
        return TrialState.COMPLETE, told.value, told.value, None
    return TrialState.COMPLETE, told.value, [told.value, told.seconds], None


def for_optimizer(told, direction):
    """What the optimizer is told for the objective's ``told``: negated when maximizing."""
    if told is None or direction == "minimize":
        return told
    if isinstance(told, list):
        return [-told[0], told[1]]
    return -told
