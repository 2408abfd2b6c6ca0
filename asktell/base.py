"""The trial-level ask/tell protocol (kept for its import path; see `asktell.protocol`)."""

from __future__ import annotations

from .protocol import AskTellOptimizer

__all__ = ["AskTellOptimizer"]
