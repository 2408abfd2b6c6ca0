"""Test functions of scikit-optimize's ``skopt.benchmarks``, and a few more.

Each takes one point (a sequence) and returns a float; ``*_with_time``
variants return ``(value, seconds)`` for the per-second acquisitions.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "bench1", "bench1_with_time", "bench2", "bench3", "bench4", "bench5",
    "branin", "hart6", "ackley", "rosenbrock", "BRANIN_MIN", "HART6_MIN",
]

#: global minimum of `branin` (at three points)
BRANIN_MIN = 0.397887
#: global minimum of `hart6`
HART6_MIN = -3.32237


def bench1(x):
    """A 1-D quadratic, minimum 0 at 0 (bounds ``[(-2.0, 2.0)]``)."""
    return float(np.asarray(x, float)[0] ** 2)


def bench1_with_time(x):
    """`bench1` and a constant evaluation time (2.22 seconds)."""
    return bench1(x), 2.22


def bench2(x):
    """``x**2`` for ``x < 0``, else ``(x - 5)**2 - 5``: minimum -5 at 5 (bounds ``[(-6, 6)]``)."""
    x = float(x[0])
    return x**2 if x < 0 else (x - 5) ** 2 - 5


def bench3(x):
    """``sin(5x) (1 - tanh(x**2))``: minimum about -0.9 near -0.3 (bounds ``[(-2, 2)]``)."""
    x = float(x[0])
    return float(np.sin(5 * x) * (1 - np.tanh(x**2)))


def bench4(x):
    """Categorical-valued objective: the float value of the category (``[["-2", "-1", "0", "1", "2"]]``)."""
    return float(x[0]) ** 2


def bench5(x):
    """Mixed space: ``float(x[0]) ** 2 + x[1] ** 2`` (``[["-2", ..., "2"], (-2, 2)]``)."""
    return float(x[0]) ** 2 + float(x[1]) ** 2


def branin(x, a=1, b=5.1 / (4 * np.pi**2), c=5.0 / np.pi, r=6, s=10, t=1.0 / (8 * np.pi)):
    """Branin-Hoo on ``[-5, 10] x [0, 15]``; minimum `BRANIN_MIN` at ``(-pi, 12.275)``,
    ``(pi, 2.275)`` and ``(9.42478, 2.475)``."""
    x1, x2 = float(x[0]), float(x[1])
    return float(a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * np.cos(x1) + s)


_HART6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_HART6_A = np.array([
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
])
_HART6_P = 1e-4 * np.array([
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
])


def hart6(x, alpha=_HART6_ALPHA, P=_HART6_P, A=_HART6_A):
    """Hartmann-6 on ``[0, 1]^6``; minimum `HART6_MIN`."""
    x = np.asarray(x, dtype=float)
    return float(-np.sum(alpha * np.exp(-np.sum(A * (x - P) ** 2, axis=1))))


def ackley(x, a=20.0, b=0.2, c=2 * np.pi):
    """Ackley in any dimension (usually ``[-32.768, 32.768]^d``); minimum 0 at 0."""
    x = np.asarray(x, dtype=float)
    d = len(x)
    return float(-a * np.exp(-b * np.sqrt(np.sum(x * x) / d)) - np.exp(np.sum(np.cos(c * x)) / d) + a + np.e)


def rosenbrock(x):
    """Rosenbrock in any dimension (usually ``[-5, 10]^d``); minimum 0 at ``(1, ..., 1)``."""
    x = np.asarray(x, dtype=float)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))
