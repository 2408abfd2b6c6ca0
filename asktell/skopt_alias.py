"""Opt-in alias that lets ``import skopt`` code and skopt pickles run on asktell.

Code written for scikit-optimize (``import skopt``, ``from skopt.space import
Real``) and results saved with ``skopt.dump`` name skopt's modules, including
ones asktell lays out differently (``skopt.optimizer.optimizer``,
``skopt.optimizer.gp``, ...). `install` puts an import hook on
``sys.meta_path`` that answers every ``skopt`` and ``skopt.*`` import with a
small proxy module whose attributes are asktell's, so such code and pickles
work without an edit.

The hook never shadows a real scikit-optimize: it is appended *after*
Python's own finders, so it is asked only when no ``skopt`` can be found on
``sys.path``; a real installation always wins. (``install(force=True)``
puts it first instead; that is for running skopt's own test suite against
asktell, not for users.)

To make the alias permanent for an environment without touching any code,
write a ``.pth`` file (the hook is then installed at interpreter start-up,
still only as a fallback)::

    python -m asktell.skopt_alias install-pth     # or: remove-pth, status

This module imports nothing from asktell at import time, so the ``.pth``
start-up cost is one small file; asktell itself is imported on the first
``import skopt``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import sysconfig
import types

__all__ = ["install", "uninstall", "is_installed", "SKOPT_MODULES"]

#: skopt 0.10's module names and the asktell modules whose attributes each
#: one exposes (searched in order). Names not listed fall back to the
#: asktell module of the same dotted path, when there is one.
SKOPT_MODULES: dict[str, tuple[str, ...]] = {
    "skopt": ("asktell",),
    "skopt.acquisition": ("asktell.acquisition",),
    "skopt.benchmarks": ("asktell.benchmarks",),
    "skopt.callbacks": ("asktell.callbacks",),
    "skopt.learning": ("asktell.learning",),
    "skopt.learning.forest": ("asktell.learning.forest",),
    "skopt.learning.gbrt": ("asktell.learning.gbrt",),
    "skopt.learning.gaussian_process": ("asktell.learning.gaussian_process",),
    "skopt.learning.gaussian_process.gpr": ("asktell.learning.gaussian_process.gpr",),
    "skopt.learning.gaussian_process.kernels": (
        "asktell.learning.gaussian_process.kernels",
    ),
    "skopt.optimizer": ("asktell.optimizer",),
    "skopt.optimizer.base": ("asktell.smbo",),
    "skopt.optimizer.dummy": ("asktell.smbo",),
    "skopt.optimizer.forest": ("asktell.smbo",),
    "skopt.optimizer.gbrt": ("asktell.smbo",),
    "skopt.optimizer.gp": ("asktell.smbo",),
    "skopt.optimizer.optimizer": ("asktell.optimizer.optimizer",),
    "skopt.plots": ("asktell.plots",),
    "skopt.sampler": ("asktell.sampler",),
    "skopt.sampler.base": ("asktell.sampler.base",),
    "skopt.sampler.grid": ("asktell.sampler.grid",),
    "skopt.sampler.halton": ("asktell.sampler.halton",),
    "skopt.sampler.hammersly": ("asktell.sampler.hammersly",),
    "skopt.sampler.lhs": ("asktell.sampler.lhs",),
    "skopt.sampler.sobol": ("asktell.sampler.sobol",),
    "skopt.searchcv": ("asktell.searchcv",),
    "skopt.space": ("asktell.space",),
    "skopt.space.space": ("asktell.space.space",),
    "skopt.space.transformers": ("asktell.space.transformers",),
    "skopt.utils": ("asktell.utils",),
}

_PTH_NAME = "asktell-skopt-alias.pth"


def _targets(fullname: str) -> tuple[str, ...]:
    """The asktell modules behind the skopt module ``fullname`` (empty: none)."""
    if fullname in SKOPT_MODULES:
        return SKOPT_MODULES[fullname]
    guess = "asktell" + fullname[len("skopt") :]
    try:
        found = importlib.util.find_spec(guess)
    except (ImportError, ValueError):
        found = None
    return (guess,) if found is not None else ()


class _AliasModule(types.ModuleType):
    """A ``skopt.*`` module whose attributes are those of its asktell modules.

    It is a package (``__path__`` is empty) so every skopt submodule path
    can be imported below it; setting attributes on it never touches asktell.
    """

    def __init__(self, name: str, targets: tuple[str, ...]):
        super().__init__(name)
        self.__path__ = []
        self._asktell_targets = tuple(importlib.import_module(t) for t in targets)
        self.__doc__ = self._asktell_targets[0].__doc__
        public = getattr(self._asktell_targets[0], "__all__", None)
        if public is not None:
            self.__all__ = list(public)

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        child = f"{self.__name__}.{attr}"
        if child in SKOPT_MODULES:
            return importlib.import_module(child)
        for target in self._asktell_targets:
            try:
                return getattr(target, attr)
            except AttributeError:
                continue
        raise AttributeError(
            f"module {self.__name__!r} (asktell's skopt alias) has no attribute {attr!r}"
        )

    def __dir__(self):
        names = set(super().__dir__())
        for target in self._asktell_targets:
            names.update(dir(target))
        return sorted(names)


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, targets: tuple[str, ...]):
        self._targets = targets

    def create_module(self, spec):
        return _AliasModule(spec.name, self._targets)

    def exec_module(self, module):
        return None


class _SkoptAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``skopt`` and ``skopt.*`` to asktell proxies."""

    _asktell_skopt_alias = True  # marker: one finder per process, whichever copy

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "skopt" and not fullname.startswith("skopt."):
            return None
        if fullname != "skopt" and not _is_alias(sys.modules.get("skopt")):
            return None  # below a real scikit-optimize: not ours to answer
        targets = _targets(fullname)
        if not targets:
            return None
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(targets), is_package=True
        )


def _is_alias(module) -> bool:
    """Whether ``module`` is one of this hook's proxies (from any copy of this file)."""
    return type(module).__name__ == "_AliasModule" and hasattr(module, "_asktell_targets")


def _finders() -> list:
    return [f for f in sys.meta_path if getattr(f, "_asktell_skopt_alias", False)]


def is_installed() -> bool:
    """Whether the skopt alias hook is on ``sys.meta_path``."""
    return bool(_finders())


def install(force: bool = False) -> bool:
    """Let ``import skopt`` resolve to asktell when scikit-optimize is absent.

    Parameters
    ----------
    force : bool, default False
        Put the hook before Python's own finders, so that ``skopt`` means
        asktell even where scikit-optimize is installed (and not yet
        imported). Meant for running skopt's test suite against asktell.

    Returns
    -------
    bool
        True if this call installed the hook, False if one was already there
        (a forced call moves it to the front).
    """
    existing = _finders()
    if existing:
        if force:
            for finder in existing:
                sys.meta_path.remove(finder)
            sys.meta_path.insert(0, existing[0])
        return False
    finder = _SkoptAliasFinder()
    if force:
        sys.meta_path.insert(0, finder)
    else:
        sys.meta_path.append(finder)
    return True


def uninstall() -> None:
    """Remove the hook and forget every ``skopt`` module it made."""
    for finder in _finders():
        sys.meta_path.remove(finder)
    for name, module in list(sys.modules.items()):
        if (name == "skopt" or name.startswith("skopt.")) and _is_alias(module):
            del sys.modules[name]


def _site_packages(user: bool) -> str:
    if user:
        import site

        return site.getusersitepackages()
    return sysconfig.get_paths()["purelib"]


def _pth_line() -> str:
    here = os.path.abspath(__file__)
    return (
        "import os, importlib.util as u; p = {here!r}; "
        "s = os.path.exists(p) and u.spec_from_file_location('_asktell_skopt_alias', p); "
        "m = s and u.module_from_spec(s); s and s.loader.exec_module(m); "
        "m and m.install()\n"
    ).format(here=here)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m asktell.skopt_alias",
        description="Make `import skopt` use asktell where scikit-optimize is not "
        "installed (a real scikit-optimize is never shadowed).",
    )
    parser.add_argument("command", choices=["install-pth", "remove-pth", "status"])
    parser.add_argument(
        "--user", action="store_true", help="use the user site-packages directory"
    )
    args = parser.parse_args(argv)
    path = os.path.join(_site_packages(args.user), _PTH_NAME)
    if args.command == "install-pth":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(_pth_line())
        print(f"wrote {path}")
    elif args.command == "remove-pth":
        if os.path.exists(path):
            os.remove(path)
            print(f"removed {path}")
        else:
            print(f"no {path}")
    else:
        print(f"{path}: {'present' if os.path.exists(path) else 'absent'}")
        install()
        import skopt  # noqa: F401  (resolved by whichever finder wins)

        kind = "asktell (alias)" if _is_alias(skopt) else "scikit-optimize"
        print(f"import skopt -> {kind}: {getattr(skopt, '__file__', None) or skopt.__name__}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
