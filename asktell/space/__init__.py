"""Search spaces: dimensions, `Space`, transformers, specs, the unit cube, method spaces and their JSON form."""

from .space import Categorical, Dimension, Integer, Real, Space, check_dimension
from .spec import dimension_from_spec
from .transformers import (
    CategoricalEncoder,
    Identity,
    LabelEncoder,
    LogN,
    Normalize,
    Pipeline,
    StringEncoder,
    Transformer,
)
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
    "Transformer",
    "Identity",
    "LogN",
    "Normalize",
    "CategoricalEncoder",
    "LabelEncoder",
    "StringEncoder",
    "Pipeline",
    "MethodSpace",
]
