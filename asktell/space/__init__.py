"""Search spaces: dimensions, `Space`, transforms, specs and the unit cube."""

from .space import Categorical, Dimension, Integer, Real, Space, check_dimension
from .spec import dimension_from_spec
from .unit_cube import UnitCube

__all__ = [
    "Dimension",
    "Real",
    "Integer",
    "Categorical",
    "Space",
    "check_dimension",
    "dimension_from_spec",
    "UnitCube",
]
