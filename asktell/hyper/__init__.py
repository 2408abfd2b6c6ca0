"""The multi-method hyper-optimizer: choose a method *and* its parameters.

An optlib (`HyperOptLib`, cotengra's interface) proposes settings
``{"method", "params"}``; asktell's optlibs pick the method with an
`LCBSelector` and its parameters with one optimizer per method:
``"auto"``, ``"bayes"``, ``"tpe"``, ``"scipy"``, ``"cmaes"`` (extra ``cmaes``) and
``"random"``.
`HyperOptimizer` drives any of them over any executor; `HyperAskTell`
hands one to a trial-protocol driver instead (a `asktell.Study`), over a
`MethodSpace`.
"""

from .ask_tell import HyperAskTell
from .bayes import AutoOptLib, BayesOptLib
from .cma_es import CMAESOptLib
from .driver import HyperBest, HyperOptimizer
from ..space import MethodSpace
from .plain import SpaceAskTell
from .optlib import (
    CubeSampler,
    HyperOptLib,
    MethodSampler,
    PerMethodOptLib,
    get_optlib,
    list_optlibs,
    make_optlib,
    method_spaces,
    register_optlib,
)
from .random_search import RandomOptLib
from .scipy_global import ScipyOptLib
from .selector import LCBSelector
from .tpe import TPEOptLib

__all__ = [
    "HyperOptimizer",
    "HyperBest",
    "HyperAskTell",
    "SpaceAskTell",
    "MethodSpace",
    "HyperOptLib",
    "PerMethodOptLib",
    "MethodSampler",
    "CubeSampler",
    "LCBSelector",
    "RandomOptLib",
    "BayesOptLib",
    "AutoOptLib",
    "ScipyOptLib",
    "CMAESOptLib",
    "TPEOptLib",
    "register_optlib",
    "get_optlib",
    "list_optlibs",
    "make_optlib",
    "method_spaces",
]
