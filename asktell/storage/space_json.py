"""Space serialization, now `asktell.space.serialize`; this path is kept for old imports."""

from ..space.serialize import (
    FORMAT_VERSION,
    is_method_space_dict,
    load_space_file,
    same_space,
    space_from_dict,
    space_from_json,
    space_to_dict,
    space_to_json,
)

__all__ = [
    "space_to_dict",
    "space_from_dict",
    "space_to_json",
    "space_from_json",
    "load_space_file",
    "same_space",
    "is_method_space_dict",
    "FORMAT_VERSION",
]
