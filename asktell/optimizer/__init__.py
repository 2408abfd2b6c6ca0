"""scikit-optimize's ``skopt.optimizer``: the ask/tell `Optimizer` and the minimize functions.

`Optimizer` (module ``optimizer``) proposes points; the minimize functions
(module ``smbo``; also importable as `asktell.smbo`) run it through the
one run loop. Both keep scikit-optimize's import paths
(``asktell.optimizer.Optimizer``, ``asktell.optimizer.gp_minimize``).
"""

from .optimizer import DEFAULT_MODEL_QUEUE_SIZE, Optimizer
from .smbo import base_minimize, dummy_minimize, forest_minimize, gbrt_minimize, gp_minimize

__all__ = [
    "Optimizer",
    "DEFAULT_MODEL_QUEUE_SIZE",
    "base_minimize",
    "gp_minimize",
    "forest_minimize",
    "gbrt_minimize",
    "dummy_minimize",
]
