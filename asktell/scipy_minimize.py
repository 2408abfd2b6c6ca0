"""Kept import path: `scipy_minimize` lives in `asktell.scipy_bridge.minimize`."""

from .scipy_bridge.minimize import scipy_minimize

__all__ = ["scipy_minimize"]
