"""asktell: ask/tell black-box optimization.

A maintained drop-in for scikit-optimize (``import asktell as skopt``),
SciPy's global optimizers as ask/tell, and a multi-method hyper-optimizer.
"""

from . import sampler, space
from .scipy_bridge import HyperScipySampler, ScipyAskTell
# the kept module path is loaded first, so that the name binds to the function
from .scipy_minimize import scipy_minimize
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

# scikit-optimize's API (``import asktell as skopt``)
from . import acquisition, benchmarks, callbacks, learning, plots, utils
from .smbo import base_minimize, dummy_minimize, forest_minimize, gbrt_minimize, gp_minimize
from .optimizer import Optimizer
from .auto import AutoOptimizer, minimize
from .searchcv import BayesSearchCV
from .utils import dump, expected_minimum, expected_minimum_random_sampling, load, show_versions

# the multi-method hyper-optimizer
from . import hyper
from .hyper import HyperAskTell, HyperOptimizer, LCBSelector, MethodSpace

from ._version import __version__

__all__ = [
    "Categorical",
    "Integer",
    "Real",
    "Space",
    "UnitCube",
    "Trial",
    "TrialState",
    "cook_initial_point_generator",
    "ScipyAskTell",
    "HyperScipySampler",
    "scipy_minimize",
    "Study",
    "create_study",
    "load_study",
    "delete_study",
    "get_all_study_summaries",
    "register_optimizer",
    "optimizer_names",
    "sampler",
    "space",
    "Optimizer",
    "AutoOptimizer",
    "minimize",
    "BayesSearchCV",
    "base_minimize",
    "gp_minimize",
    "forest_minimize",
    "gbrt_minimize",
    "dummy_minimize",
    "dump",
    "load",
    "expected_minimum",
    "expected_minimum_random_sampling",
    "show_versions",
    "acquisition",
    "benchmarks",
    "callbacks",
    "learning",
    "plots",
    "utils",
    "hyper",
    "HyperOptimizer",
    "HyperAskTell",
    "MethodSpace",
    "LCBSelector",
]
