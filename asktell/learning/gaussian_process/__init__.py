"""Gaussian-process surrogate (scikit-optimize's ``skopt.learning.gaussian_process``)."""

from . import kernels
from .gpr import GaussianProcessRegressor

__all__ = ["GaussianProcessRegressor", "kernels"]
