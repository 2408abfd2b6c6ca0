"""Search spaces: dimensions, `Space`, transforms, specs, the unit cube, method spaces and their JSON form."""

from .space import Categorical, Dimension, Integer, Real, Space, check_dimension
from .spec import dimension_from_spec
from .unit_cube import UnitCube
from .method_space import MethodSpace

__all__ = [
    "Dimension",
    "Real",
    "Integer",
    "Categorical",
    "Space",
    "check_dimension",
    "dimension_from_spec",
    "UnitCube",
    "MethodSpace",
]
