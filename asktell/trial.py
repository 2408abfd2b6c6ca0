"""The trial: the unit of the ask/tell protocol shared by every optimizer.

A trial is numbered once, when it is asked, and keeps that number for its
whole life, across processes and restarts; storage and executors key on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Trial", "TrialState"]


class TrialState(str, enum.Enum):
    """Life cycle of a trial: asked (``RUNNING``), then told (``COMPLETE``/``FAIL``)."""

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAIL = "FAIL"

    def __str__(self) -> str:
        return self.value


@dataclass
class Trial:
    """One evaluation of the objective.

    Parameters
    ----------
    number : int
        Identifier, unique within an optimizer or study.
    x : list
        The point, in the space's own values (what ``func`` receives).
    params : dict
        The same point by dimension name.
    state : TrialState
        ``RUNNING`` until told.
    value : float or None
        The objective value once ``COMPLETE``.
    info : dict
        Free-form extras: the method of a hyper-optimizer trial, timings,
        the error text of a failed trial, user fields.
    """

    number: int
    x: list
    params: dict = field(default_factory=dict)
    state: TrialState = TrialState.RUNNING
    value: float | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """True once the trial was told (complete or failed)."""
        return self.state is not TrialState.RUNNING
