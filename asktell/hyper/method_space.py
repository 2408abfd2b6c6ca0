"""The method space, now `asktell.space.method_space`; this path is kept for old imports."""

from ..space.method_space import METHOD_KEY, MethodSpace, method_spaces

__all__ = ["MethodSpace", "METHOD_KEY", "method_spaces"]
