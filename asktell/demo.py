"""``make demo``: a real optimization with embedded defaults, no server needed."""

from __future__ import annotations

import numpy as np

from . import Categorical, Integer, Real, Space
from .sampler import cook_initial_point_generator


def _objective(x):
    lr, layers, act = x
    # a smooth "validation loss" with a log-scale optimum near lr = 3e-3, 4 layers, "gelu"
    penalty = {"relu": 0.05, "gelu": 0.0, "tanh": 0.2}[act]
    return (np.log10(lr) + 2.5) ** 2 + 0.1 * (layers - 4) ** 2 + penalty


def main():
    space = Space(
        [
            Real(1e-5, 1e-1, prior="log-uniform", name="learning_rate"),
            Integer(1, 8, name="layers"),
            Categorical(["relu", "gelu", "tanh"], name="activation"),
        ]
    )
    print("asktell demo: search space")
    print(space)
    for name in ("random", "sobol", "lhs"):
        points = cook_initial_point_generator(name).generate(space, 32, random_state=0)
        values = [_objective(p) for p in points]
        best = int(np.argmin(values))
        print(f"{name:>7}: best of 32 = {values[best]:.4f} at {space.to_params(points[best])}")


if __name__ == "__main__":
    main()
