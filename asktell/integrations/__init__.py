"""Bridges from asktell to other libraries, each behind its optional extra.

* `asktell.integrations.cotengra`: asktell's optlibs in cotengra's
  ``HyperOptimizer`` (extra ``cotengra``).
"""
