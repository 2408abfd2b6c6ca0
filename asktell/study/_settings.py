"""Creating a study, and opening one: what is stored, and that what is given matches it.

A study stores its space, its optimizer's settings (a registered name with
its keyword arguments, or the class of an instance), the seed and the
direction. A process that opens the study again gives either nothing (the
stored choices are used) or the same choices; anything else is a
`ValueError` naming the stored and the given value.
"""

from __future__ import annotations

import numbers
import os

from ..space import MethodSpace, Space
from ..storage import (
    DuplicatedStudyError,
    StudyNotFoundError,
    is_method_space_dict,
    same_space,
    space_from_dict,
    space_to_dict,
)
from ..utils import _check_random_state
from ._registry import (
    DEFAULT_HYPER_OPTIMIZER,
    DEFAULT_OPTIMIZER,
    canonical,
    factory_for,
    optimizer_names,
    searches_method_space,
)
from ._values import finite, jsonable

DIRECTIONS = ("minimize", "maximize")


def check_options(name, direction, heartbeat_interval, grace_period, max_retries, optimizer_kwargs):
    """Check `Study`'s arguments before anything is opened; returns the study's name (made when None)."""
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
    for param, value in (("heartbeat_interval", heartbeat_interval), ("grace_period", grace_period)):
        if not finite(value) or value <= 0:
            raise ValueError(f"{param} must be a positive number, got {value!r}")
    if grace_period <= heartbeat_interval:
        raise ValueError(
            f"grace_period ({grace_period!r}) must exceed heartbeat_interval ({heartbeat_interval!r}), "
            "or live workers would be taken for lost"
        )
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a non-negative int, got {max_retries!r}")
    if optimizer_kwargs is not None and not isinstance(optimizer_kwargs, dict):
        raise TypeError(f"optimizer_kwargs must be a dict or None, got {optimizer_kwargs!r}")
    if name is None:
        name = f"study-{os.urandom(4).hex()}"
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty str, got {name!r}")
    return name


def seed(random_state):
    """An int seed that can be stored (a RandomState gives one of its draws)."""
    if random_state is None:
        return int.from_bytes(os.urandom(4), "little") >> 1
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(_check_random_state(random_state).randint(2**31 - 1))


def is_method_space(space):
    """Whether ``space`` is a method space (a `MethodSpace` or its stored dict)."""
    return isinstance(space, MethodSpace) or is_method_space_dict(space)


def searched_space(space, method_space):
    """``space`` as the study searches it: a `MethodSpace` for a hyper optimizer, else as given."""
    if not method_space:
        if is_method_space(space):
            raise ValueError(
                "space is a method space, which only a hyper optimizer searches: "
                f"pass one of {[n for n in optimizer_names() if searches_method_space(n)]}"
            )
        return space
    if isinstance(space, MethodSpace):
        return space
    if is_method_space_dict(space):
        return space_from_dict(space)
    if isinstance(space, dict):
        return MethodSpace(space)
    raise TypeError(
        "space: a hyper optimizer searches a method space {method: space} (or a MethodSpace), "
        f"got {space!r}; on a plain space use 'auto', 'tpe', 'cmaes', 'random' or 'gp'"
    )


def open_record(storage, name, space, optimizer, random_state, optimizer_kwargs, load_if_exists, direction):
    """The stored record of study ``name``: created from the arguments, or loaded and checked against them."""
    try:
        record = storage.get_study(name)
    except StudyNotFoundError:
        record = None
    if record is not None:
        if not load_if_exists:
            raise DuplicatedStudyError(
                f"a study named {name!r} exists already in {storage.url!r} "
                "(pass load_if_exists=True to continue it)"
            )
        check_matches(storage, record, space, optimizer, random_state, optimizer_kwargs, direction)
        return record
    if space is None:
        raise ValueError(
            f"a space is needed to create study {name!r} (it is not in {storage.url!r} yet): "
            "pass space= (a list of dimensions, a Space, or {method: space} for a hyper optimizer)"
        )
    if optimizer is None:
        optimizer = DEFAULT_HYPER_OPTIMIZER if is_method_space(space) else DEFAULT_OPTIMIZER
    space = searched_space(space, searches_method_space(optimizer))
    space_dict = space_to_dict(space)
    settings = optimizer_settings(space_dict, optimizer, random_state, optimizer_kwargs)
    try:
        return storage.create_study(name, space_dict, settings, {"direction": direction or "minimize"})
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        record = storage.get_study(name)  # another process created it meanwhile
        check_matches(storage, record, space, optimizer, random_state, optimizer_kwargs, direction)
        return record


def optimizer_settings(space_dict, optimizer, random_state, optimizer_kwargs):
    """What is stored of the optimizer: ``{"name", "kwargs", "random_state"}`` or ``{"class", "random_state"}``."""
    drawn = seed(random_state)
    if isinstance(optimizer, str):
        factory_for(optimizer)  # unknown names fail before anything is stored
        kwargs = jsonable(optimizer_kwargs or {})
        if kwargs != (optimizer_kwargs or {}):
            raise TypeError(f"optimizer_kwargs must hold JSON values to be stored, got {optimizer_kwargs!r}")
        return {"name": canonical(optimizer), "kwargs": kwargs, "random_state": drawn}
    if optimizer_kwargs:
        raise ValueError("optimizer_kwargs applies to a named optimizer, not to an instance")
    if not all(callable(getattr(optimizer, m, None)) for m in ("ask_trial", "tell_trial", "fail_trial")):
        raise TypeError(
            "optimizer must be a name or an object with ask_trial/tell_trial/fail_trial "
            f"(asktell.protocol.AskTellOptimizer), got {optimizer!r}"
        )
    searched = getattr(optimizer, "space", None)
    if isinstance(searched, MethodSpace) and not same_space(space_to_dict(searched), space_dict):
        raise ValueError(
            f"the optimizer searches {searched!r}, not the study's space {space_from_dict(space_dict)!r}"
        )
    if isinstance(searched, Space) and searched.bounds != space_from_dict(space_dict).bounds:
        raise ValueError(
            f"the optimizer searches {searched!r}, not the study's space {space_from_dict(space_dict)!r}"
        )
    cls = type(optimizer)
    return {
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "random_state": getattr(optimizer, "random_state", None)
        if isinstance(getattr(optimizer, "random_state", None), int)
        else None,
    }


def check_matches(storage, record, space, optimizer, random_state, optimizer_kwargs, direction=None):
    """Raise `ValueError` where a given choice differs from what study ``record`` stores."""
    where = f"study {record.name!r} in {storage.url!r}"
    stored_direction = record.info.get("direction", "minimize")
    if direction is not None and direction != stored_direction:
        raise ValueError(f"{where} was created with direction={stored_direction!r}, not {direction!r}")
    if space is not None:
        try:
            given = space_to_dict(searched_space(space, is_method_space_dict(record.space)))
        except (TypeError, ValueError):
            given = None  # the other kind of space (a method space or not)
        if given is None or not same_space(given, record.space):
            stored = space_from_dict(record.space)
            raise ValueError(f"{where} was created with another space: stored {stored!r}, given {space!r}")
    stored = record.optimizer
    if isinstance(optimizer, str) and stored.get("name") != canonical(optimizer):
        was = stored.get("name") or stored.get("class")
        raise ValueError(f"{where} was created with optimizer {was!r}, not {optimizer!r}")
    if optimizer is None and "name" not in stored:
        raise ValueError(
            f"{where} was created with an optimizer instance of {stored.get('class')}; "
            "pass a fresh one as optimizer= to open it"
        )
    if optimizer is not None and not isinstance(optimizer, str):
        cls = type(optimizer)
        if stored.get("class") != f"{cls.__module__}:{cls.__qualname__}":
            was = stored.get("name") or stored.get("class")
            raise ValueError(f"{where} was created with optimizer {was!r}, not a {cls.__qualname__}")
    if optimizer_kwargs is not None and "name" in stored and jsonable(optimizer_kwargs) != stored["kwargs"]:
        raise ValueError(f"{where} was created with optimizer_kwargs {stored['kwargs']!r}, not {optimizer_kwargs!r}")
    if random_state is not None and stored.get("random_state") is not None:
        if isinstance(random_state, numbers.Integral) and int(random_state) != stored["random_state"]:
            raise ValueError(
                f"{where} was created with random_state={stored['random_state']}, not {random_state}"
            )
