"""Surrogate models (scikit-optimize's ``skopt.learning``).

``__all__`` lists the surrogate models, as skopt's does (code that walks it
to try every surrogate keeps working); `TargetWarp`, the monotone warp of
told values the optimizer fits a GP on, is importable here too.
"""

from .forest import ExtraTreesRegressor, RandomForestRegressor
from .gaussian_process import GaussianProcessRegressor
from .gbrt import GradientBoostingQuantileRegressor
from .warping import TargetWarp  # noqa: F401  (public here, but not a surrogate)

__all__ = [
    "GaussianProcessRegressor",
    "RandomForestRegressor",
    "ExtraTreesRegressor",
    "GradientBoostingQuantileRegressor",
]
