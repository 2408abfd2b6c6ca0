"""Space serialization, now `asktell.space.serialize`; this path is kept for old imports."""

from ..space import serialize as _serialize
from ..space.serialize import *  # noqa: F403 - every public name of the old module
from ..space.serialize import FORMAT_VERSION  # noqa: F401

__all__ = [*_serialize.__all__, "FORMAT_VERSION"]
