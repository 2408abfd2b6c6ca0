"""Durable studies: a named optimization whose every trial is stored.

A `Study` couples a storage (memory, an SQLite file, PostgreSQL) with an
optimizer of the trial protocol. Every change goes to storage first; the
study's optimizer is then brought up to date by replaying the stored asks
and tells in commit order (`asktell.study._sync`). So any number of
processes, on one machine or many, can work on one study: each one, holding
the study's lock, catches up with what the others asked and told, then
asks; no two are handed the same trial, and a study reopened after a crash
continues exactly where it stopped. A trial whose worker died is failed
and queued for the next worker to run again; a value that arrives late is
kept.

A study over the multi-method hyper-optimizer (``optimizer="hyper"``,
``"hyper-random"``, ...; `asktell.hyper.HyperAskTell`) searches a
`asktell.hyper.MethodSpace`: its trials' params are
``{"method": method, **params}`` and `Study.optimize` calls
``func(method, **params)``, as `HyperOptimizer.run` does.

The package, one module per concern (`Study` is a thin facade over them):

``_registry``
    the optimizers a study can be given by name (`register_optimizer`).
``_settings``
    creating a study and checking that a reopened one matches.
``_sync``
    catching up with stored trials: replay, state restore.
``_recovery``
    workers, heartbeats, and trials whose worker was lost.
``_ask_tell``
    asks and tells, stored first.
``_optimize``
    `Study.optimize` on the one run loop (`asktell._loop`).
``_adopt``
    enqueued and imported trials.
``_views``
    the best trial, records, DataFrame, `OptimizeResult`, export.
"""

from ._registry import optimizer_names, register_optimizer
from ._study import Study, create_study, delete_study, get_all_study_summaries, load_study

__all__ = [
    "Study",
    "create_study",
    "load_study",
    "delete_study",
    "get_all_study_summaries",
    "register_optimizer",
    "optimizer_names",
]
