"""The minimize functions of scikit-optimize (kept at this path; they live in `asktell.optimizer.smbo`)."""

from .optimizer.smbo import base_minimize, dummy_minimize, forest_minimize, gbrt_minimize, gp_minimize

__all__ = ["base_minimize", "gp_minimize", "forest_minimize", "gbrt_minimize", "dummy_minimize"]
