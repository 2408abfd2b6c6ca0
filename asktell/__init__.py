"""asktell: ask/tell black-box optimization.

A maintained drop-in for scikit-optimize (``import asktell as skopt``),
SciPy's global optimizers as ask/tell, and a multi-method hyper-optimizer.
"""

from . import sampler, space
from .sampler import cook_initial_point_generator
from .space import Categorical, Integer, Real, Space, UnitCube
from .trial import Trial, TrialState
from .study import (
    Study,
    create_study,
    delete_study,
    get_all_study_summaries,
    load_study,
    optimizer_names,
    register_optimizer,
)

__version__ = "0.1.0"

__all__ = [
    "Categorical",
    "Integer",
    "Real",
    "Space",
    "UnitCube",
    "Trial",
    "TrialState",
    "cook_initial_point_generator",
    "Study",
    "create_study",
    "load_study",
    "delete_study",
    "get_all_study_summaries",
    "register_optimizer",
    "optimizer_names",
    "sampler",
    "space",
]
