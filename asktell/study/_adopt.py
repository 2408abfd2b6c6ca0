"""Trials a study's optimizer did not propose: enqueued points and imported results.

Only an optimizer that adopts trials (``add_trial``, replayed by
`StateReplay`) can take them; the others (scipy's, the hyper-optimizer)
follow their own proposals, and are refused with a `ValueError`.
"""

from __future__ import annotations

import csv
import json
import math
import os
import time

from ..space import Categorical, Integer, MethodSpace, Real
from ..trial import TrialState
from ._sync import StateReplay, absorb, sync
from ._values import for_optimizer, plain
from ._views import file_format


def _adopting(study, txn, what):
    """Sync, and check that the optimizer adopts trials it did not propose; the next trial number."""
    sync(study, txn)
    if not isinstance(study._replay, StateReplay):
        raise ValueError(
            f"{what} adds trials the optimizer did not propose, which "
            f"{type(study._replay.optimizer).__name__} (optimizer "
            f"{study.optimizer_settings.get('name') or study.optimizer_settings.get('class')!r}) cannot "
            "take; use an optimizer that adopts trials (add_trial), such as 'gp', 'forest' or 'random'"
        )
    next_number = getattr(study._replay.optimizer, "next_trial_number", 0)
    return max(max(study._trials, default=-1) + 1, next_number)


def _point(study, params, what):
    """``params`` (a dict by dimension name) as a point of the study's space."""
    space = study.space
    if not isinstance(params, dict):
        raise TypeError(f"{what}: params must be a dict {{name: value}}, got {params!r}")
    unknown = sorted(set(params) - set(space.dimension_names))
    if unknown:
        raise ValueError(
            f"{what}: params {params!r} name {unknown}, which are not dimensions of the space "
            f"{space.dimension_names}"
        )
    try:
        x = [plain(v) for v in space.from_params(params)]
    except ValueError as exc:
        raise ValueError(f"{what}: params {params!r}: {exc}") from None
    space.check_point(x, param=f"{what}: params")
    return x


def enqueue_trial(study, params):
    """`Study.enqueue_trial`: store a waiting trial at ``params``; its number."""
    if isinstance(study.space, MethodSpace):
        raise ValueError("enqueue_trial: a study over a method space takes no enqueued trials")
    x = _point(study, params, "enqueue_trial")
    with study._mutex:
        now = time.time()
        with study.storage.transaction(study.study_id) as txn:
            before = study._seen
            number = _adopting(study, txn, "enqueue_trial")
            txn.add(number, x, study.space.to_params(x), study._worker, now, {"enqueued": True})
            txn.requeue(number, "enqueued: waits for the next ask", now, started=False)
            absorb(study, txn.trials(before))
    return number


def import_trials(study, source, format):
    """`Study.import_trials`: add the finished rows of ``source`` as COMPLETE trials; their numbers."""
    if isinstance(study.space, MethodSpace):
        raise ValueError("import_trials: a study over a method space takes no imported trials")
    if isinstance(source, (str, os.PathLike)):
        rows = _read_records(source, file_format(source, format, "import_trials"))
        origin = os.fspath(source)
    else:
        rows, origin = list(source), "records"
    points = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TypeError(f"import_trials: row {i} must be a dict, got {row!r}")
        state = row.get("state") or "COMPLETE"
        value = row.get("value")
        if state != "COMPLETE" or value in (None, ""):
            continue
        what = f"import_trials: row {i} of {origin}"
        params = {n: _param_value(dim, row.get(f"params_{n}"), f"{what}, params_{n}")
                  for n, dim in zip(study.space.dimension_names, study.space.dimensions)}
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: value must be a number, got {value!r}") from None
        if not math.isfinite(value):
            continue
        points.append((_point(study, params, what), value))
    numbers_added = []
    with study._mutex:
        now = time.time()
        with study.storage.transaction(study.study_id) as txn:
            before = study._seen
            number = _adopting(study, txn, "import_trials")
            for x, value in points:
                stored = txn.add(number, x, study.space.to_params(x), study._worker, now, {"imported": origin})
                txn.finish(number, TrialState.COMPLETE, value, for_optimizer(value, study.direction),
                           dict(stored.info), now)
                numbers_added.append(number)
                number += 1
            absorb(study, txn.trials(before))
    return numbers_added


def _read_records(path, format):
    with open(path, encoding="utf-8", newline="") as fh:
        if format == "csv":
            return list(csv.DictReader(fh))
        try:
            rows = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"import_trials: {os.fspath(path)!r} is not valid JSON ({exc})") from None
    if not isinstance(rows, list):
        raise ValueError(f"import_trials: {os.fspath(path)!r} must hold a list of records, got {type(rows).__name__}")
    return rows


def _param_value(dim, value, what):
    """A parameter read from a file (CSV gives text) as ``dim``'s own type."""
    if value is None or value == "":
        raise ValueError(f"{what} is missing")
    if not isinstance(value, str):
        return value
    try:
        if isinstance(dim, Integer):
            return int(float(value)) if float(value).is_integer() else float(value)
        if isinstance(dim, Real):
            return float(value)
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if isinstance(dim, Categorical):
        for category in dim.categories:
            if str(category) == value:
                return category
    return value
