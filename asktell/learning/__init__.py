"""Surrogate models (scikit-optimize's ``skopt.learning``)."""

from .forest import ExtraTreesRegressor, RandomForestRegressor
from .gaussian_process import GaussianProcessRegressor
from .gbrt import GradientBoostingQuantileRegressor

__all__ = [
    "GaussianProcessRegressor",
    "RandomForestRegressor",
    "ExtraTreesRegressor",
    "GradientBoostingQuantileRegressor",
]
