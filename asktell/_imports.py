"""``"package.module:attribute"`` paths to the objects they name.

Studies store a custom optimizer as ``"module:factory"``; the command line
takes objectives (``module:function``) and exception types (``--catch
module:Class``) the same way. Both resolve them here.
"""

from __future__ import annotations

import importlib

__all__ = ["load_object"]


def load_object(path, what):
    """The object ``path`` (``"package.module:attribute"``, dots allowed after the colon) names.

    Parameters
    ----------
    path : str
        ``module:attribute``.
    what : str
        What the path is for; error messages start with it.

    Raises
    ------
    ValueError
        When ``path`` is not written ``module:attribute``, the module cannot
        be imported, or it lacks the attribute.
    """
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ValueError(f"{what} {path!r} must be written module:name")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"{what} {path!r}: cannot import {module_name!r} ({exc})") from None
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what} {path!r}: {module_name!r} has no attribute {attr!r}") from None
    return obj
