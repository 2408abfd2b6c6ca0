"""The trial-level ask/tell protocol every asktell optimizer speaks.

Drivers (`base_minimize`, ``HyperOptimizer.run``, ``Study.optimize``) are
loops over ``ask_trial`` / evaluate / ``tell_trial``; they never look at how
an optimizer decides, and optimizers never see how evaluation is done.

Contract
--------
* ``ask_trial()`` may be called several times before any ``tell_trial``
  (parallel pre-dispatch); each call returns a new `Trial` with the next
  number. The optimizer knows the trials still pending.
* ``tell_trial(trial, value)`` may arrive in any order. ``trial`` is the
  `Trial` or its number. ``value`` is a float, or ``(value, seconds)`` for
  cost-aware acquisitions.
* ``fail_trial(trial, error=None)`` ends a trial whose evaluation failed:
  it is no longer pending and never corrupts the model.
* Telling an unknown or already finished trial raises ``ValueError``.
* ``trials`` lists every trial asked, in number order.
"""

from __future__ import annotations

__all__ = ["AskTellOptimizer"]


class AskTellOptimizer:
    """Abstract base of optimizers that speak the trial protocol."""

    #: the `asktell.space.Space` searched
    space = None

    def ask_trial(self):
        """Propose the next point as a new RUNNING `Trial`."""
        raise NotImplementedError

    def tell_trial(self, trial, value):
        """Record the objective ``value`` of ``trial`` (a `Trial` or its number)."""
        raise NotImplementedError

    def fail_trial(self, trial, error=None):
        """Record that evaluating ``trial`` failed (``error``: text or exception)."""
        raise NotImplementedError

    @property
    def trials(self):
        """All trials asked so far, in number order."""
        raise NotImplementedError
