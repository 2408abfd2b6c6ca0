"""asktell's optlibs inside cotengra's contraction-path hyper-optimizer.

After `register`, cotengra finds every asktell optlib under the name
``"asktell-<name>"``, so cotengra code only changes its ``optlib=``::

    import cotengra as ctg
    from asktell.integrations.cotengra import register

    register()
    opt = ctg.HyperOptimizer(optlib="asktell-cmaes", max_repeats=128, parallel=4)

asktell's optlibs speak cotengra's interface natively (``setup(methods,
space, optimizer, **opts)``, ``get_setting``, ``report_result``,
``cleanup``) and read cotengra's ``{method: {param: spec}}`` spaces, so
they are registered as they are, with one default changed: on
contraction paths the method selector scores methods by mean and
spread (``method_standardize=True``) instead of asktell's rank scores,
the setting that measured best there (benchmarks/RESULTS.md,
"Hyper-optimizer"; a ``method_standardize=`` given to
``cotengra.HyperOptimizer`` overrides it). cotengra's trial time (``trial["time"]``)
feeds cost-aware selection (``cost_aware=True``). The optlibs run in the
calling process; with ``parallel=`` only the trials go to the pool.

Needs the ``cotengra`` extra (``pip install asktell[cotengra]``).
"""

from __future__ import annotations

from ..hyper.optlib import get_optlib, list_optlibs

__all__ = ["register", "PREFIX"]

#: prefix of asktell's optlib names in cotengra's registry
PREFIX = "asktell-"


def _cotengra_hyper():
    try:
        from cotengra.hyperoptimizers import hyper
    except ImportError as exc:
        raise ImportError(
            "asktell.integrations.cotengra needs the 'cotengra' extra: pip install asktell[cotengra]"
        ) from exc
    return hyper


def register(prefix=PREFIX):
    """Add asktell's registered optlibs to cotengra's optlib registry.

    Parameters
    ----------
    prefix : str
        Each optlib ``name`` is registered as ``prefix + name``.

    Returns
    -------
    list of str
        The names now usable as ``cotengra.HyperOptimizer(optlib=...)``.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {prefix!r}")
    hyper = _cotengra_hyper()
    names = []
    for name in list_optlibs():
        cls, defaults = get_optlib(name)
        defaults = {"method_standardize": True, **defaults}
        hyper.register_hyper_optlib(prefix + name, cls, defaults=defaults)
        names.append(prefix + name)
    return names
