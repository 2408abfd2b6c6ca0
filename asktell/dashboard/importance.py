"""The parameters of a stored study, and how much each one matters.

`parameters` reads a stored space (`asktell.storage.space_to_dict`'s form)
into the axes the dashboard draws: a method space contributes a
``method`` axis and the union of its methods' parameters. `importances`
fits a random forest to the completed trials, ``value ~ parameters``, and
returns its impurity-based (mean decrease in impurity) importances: one
fit of a scikit-learn model, cheap enough to follow a running study,
where permutation importances would cost a prediction pass per parameter
and repeat.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["parameters", "importances"]

#: trials a forest is fitted on at most (a seeded sample beyond), which keeps a fit under a second
MAX_SAMPLES = 1000


def _axis(dim, name):
    kind = str(dim.get("type", "")).lower()
    if kind == "categorical":
        return {"name": name, "kind": "categorical", "categories": list(dim.get("categories", []))}
    return {
        "name": name,
        "kind": "integer" if kind == "integer" else "real",
        "low": dim.get("low"),
        "high": dim.get("high"),
        "log": str(dim.get("prior", "uniform")).startswith("log"),
    }


def parameters(space):
    """The study's parameters as axes: name, kind, bounds or categories, log scale.

    Parameters
    ----------
    space : dict
        A stored space: ``{"dimensions": [...]}`` or, for the
        hyper-optimizer, ``{"methods": {method: [...]}}``.

    Returns
    -------
    list of dict
        One per parameter, in the space's order; for a method space
        ``method`` first, then each method's parameters (a name two methods
        share appears once, with ``methods`` listing who has it).
    """
    if "methods" in space:
        axes = [{"name": "method", "kind": "categorical", "categories": list(space["methods"])}]
        seen = {}
        for method, dims in space["methods"].items():
            for i, dim in enumerate(dims or []):
                name = dim.get("name") or f"X_{i}"
                if name in seen:
                    seen[name]["methods"].append(method)
                    continue
                axis = dict(_axis(dim, name), methods=[method])
                seen[name] = axis
                axes.append(axis)
        return axes
    return [_axis(dim, dim.get("name") or f"X_{i}") for i, dim in enumerate(space.get("dimensions", []))]


def _encode(axis, value):
    """A parameter value as a number for the forest; NaN when absent or not understood."""
    if value is None:
        return math.nan
    if axis["kind"] == "categorical":
        try:
            return float(axis["categories"].index(value))
        except ValueError:
            return math.nan
    try:
        value = float(value)
    except (TypeError, ValueError):
        return math.nan
    if axis.get("log") and value > 0:
        return math.log10(value)
    return value


def importances(axes, params, values, random_state=0):
    """Random-forest importances of ``axes`` for ``values``.

    Parameters
    ----------
    axes : list of dict
        From `parameters`.
    params : list of dict
        Each completed trial's parameters.
    values : list of float
        Their objective values.
    random_state : int
        Seed of the sample and the forest (same data, same importances).

    Returns
    -------
    dict
        ``{"importances": {name: share}, "n_trials": fitted on, "model": ...}``,
        shares summing to 1, largest first; ``importances`` is empty, with a
        ``reason``, when there is too little to fit (fewer than 4 trials, or
        no parameter that varies).
    """
    from sklearn.ensemble import RandomForestRegressor

    names = [a["name"] for a in axes]
    result = {"importances": {}, "n_trials": len(values), "model": "RandomForestRegressor, impurity importances"}
    if len(values) < 4:
        result["reason"] = f"needs 4 completed trials, has {len(values)}"
        return result
    rng = np.random.RandomState(random_state)
    rows = np.arange(len(values))
    if len(rows) > MAX_SAMPLES:
        rows = np.sort(rng.choice(rows, MAX_SAMPLES, replace=False))
        result["n_trials"] = MAX_SAMPLES
    X = np.array([[_encode(a, params[i].get(a["name"])) for a in axes] for i in rows], dtype=float)
    y = np.asarray(values, dtype=float)[rows]
    varies = [j for j in range(X.shape[1]) if len(np.unique(X[:, j][~np.isnan(X[:, j])])) > 1]
    if not varies or np.ptp(y) == 0:
        result["reason"] = "no parameter or no value varies"
        return result
    forest = RandomForestRegressor(
        n_estimators=32, min_samples_leaf=2, max_features=1.0, random_state=rng, n_jobs=1
    ).fit(X[:, varies], y)
    shares = dict.fromkeys(names, 0.0)
    for j, share in zip(varies, forest.feature_importances_):
        shares[names[j]] = float(share)
    result["importances"] = dict(sorted(shares.items(), key=lambda kv: -kv[1]))
    return result
