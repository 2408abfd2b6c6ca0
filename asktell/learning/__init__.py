"""Surrogate models (scikit-optimize's ``skopt.learning``)."""

from .forest import ExtraTreesRegressor, RandomForestRegressor
from .gaussian_process import GaussianProcessRegressor
from .gbrt import GradientBoostingQuantileRegressor
from .warping import TargetWarp

__all__ = [
    "GaussianProcessRegressor",
    "RandomForestRegressor",
    "ExtraTreesRegressor",
    "GradientBoostingQuantileRegressor",
    "TargetWarp",
]
