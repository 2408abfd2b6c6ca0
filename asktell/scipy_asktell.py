"""Kept import path: `ScipyAskTell` lives in `asktell.scipy_bridge.ask_tell`."""

from .scipy_bridge.ask_tell import (  # noqa: F401
    FIRST_PENALTY,
    HANDOFFS,
    SCIPY_METHODS,
    ScipyAskTell,
    default_handoff,
    seed_keyword,
)

__all__ = ["ScipyAskTell", "SCIPY_METHODS", "HANDOFFS"]
