"""Kept import path: `HyperScipySampler` lives in `asktell.scipy_bridge.pool`."""

from .scipy_bridge.pool import HyperScipySampler

__all__ = ["HyperScipySampler"]
