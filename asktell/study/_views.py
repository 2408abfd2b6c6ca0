"""What a study shows of its trials: the best one, flat records, a DataFrame, skopt's result, files.

The command line (``asktell best``, ``asktell export``) and the dashboard
read stored studies through the same functions (`best_of`, `records_text`).
"""

from __future__ import annotations

import csv
import io
import json
import os

import numpy as np
from scipy.optimize import OptimizeResult

from ..space import Space
from ..storage import space_from_dict, space_to_dict
from ..trial import TrialState
from ._sync import refresh


def trials(study):
    """Every trial of ``study`` (all workers'), in number order."""
    with study._mutex:
        refresh(study)
        return [study._trials[n].to_trial() for n in sorted(study._trials)]


def best_of(complete, direction):
    """The best of COMPLETE trials for ``direction`` (the first one among ties)."""
    sign = -1.0 if direction == "maximize" else 1.0
    return min(complete, key=lambda t: (sign * t.value, t.number))


def best_complete(study):
    """``(best, complete)``: `Study.best_trial` and every COMPLETE trial, in number order."""
    complete = [t for t in trials(study) if t.state is TrialState.COMPLETE]
    if not complete:
        raise ValueError(f"study {study.name!r} has no complete trial yet")
    return best_of(complete, study.direction), complete


def records(trial_list):
    """`Study.trials_records` of ``trial_list``: one flat dict per trial, every row with the same keys."""
    names = list(dict.fromkeys(k for t in trial_list for k in t.params))
    attrs = list(dict.fromkeys(k for t in trial_list for k in t.info.get("user_attrs", {})))
    fixed = ("datetime_start", "datetime_complete", "duration", "worker", "attempts", "error")
    extras = sorted({k for t in trial_list for k in t.info} - set(fixed) - {"user_attrs"})
    rows = []
    for t in trial_list:
        row = {"number": t.number, "state": str(t.state), "value": t.value}
        row.update({f"params_{k}": t.params.get(k) for k in names})
        for key in fixed:
            field = t.info.get(key)
            row[key] = field.isoformat() if hasattr(field, "isoformat") else field
        user_attrs = t.info.get("user_attrs", {})
        row.update({f"user_attrs_{k}": user_attrs.get(k) for k in attrs})
        row.update({k if k not in row else f"info_{k}": t.info.get(k) for k in extras})
        rows.append(row)
    return rows


def trials_dataframe(study):
    """`Study.trials_dataframe`: the records as a pandas DataFrame, datetimes parsed."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "trials_dataframe needs pandas: pip install 'asktell[pandas]' "
            "(trials_records gives the same rows without it)"
        ) from None
    frame = pd.DataFrame(records(trials(study)))
    for key in ("datetime_start", "datetime_complete"):
        if key in frame:
            frame[key] = pd.to_datetime(frame[key])
    return frame


def result(study):
    """`Study.result`: the complete trials as the `OptimizeResult` `gp_minimize` returns."""
    best, complete = best_complete(study)
    replay = study._replay
    models = list(getattr(replay.optimizer, "models", []) or []) if replay else []
    # the models read points through the optimizer's transforms (normalize, onehot...)
    searched = getattr(replay.optimizer, "space", None) if models else None
    searched = searched if isinstance(searched, Space) else study.space
    return OptimizeResult(
        x=list(best.x),
        fun=best.value,
        func_vals=np.array([t.value for t in complete]),
        x_iters=[list(t.x) for t in complete],
        models=models,
        space=space_from_dict(space_to_dict(searched)),
        random_state=study.random_state,
        specs={
            "args": {"study": study.name, "storage": study.storage.url, "optimizer": study.optimizer_settings},
            "function": "Study.optimize",
        },
        trials=trials(study),
    )


def file_format(path, format, what):
    """``format``, or the one ``path``'s suffix names: ``"csv"`` or ``"json"``."""
    if format is None:
        format = os.path.splitext(os.fspath(path))[1].lstrip(".").lower()
    if format not in ("csv", "json"):
        raise ValueError(f"{what}: format must be 'csv' or 'json' (or a .csv/.json file), got {format!r} for {path!r}")
    return format


def records_text(records, format):
    """Trial records (`Study.trials_records`) as CSV or JSON text."""
    if format == "json":
        return json.dumps(records, indent=2, default=str) + "\n"
    buf = io.StringIO()
    fields = list(records[0]) if records else ["number", "state", "value"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in records:
        writer.writerow({k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in row.items()})
    return buf.getvalue()


def export_trials(study, path, format):
    """`Study.export_trials`."""
    format = file_format(path, format, "export_trials")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(records_text(records(trials(study)), format))
