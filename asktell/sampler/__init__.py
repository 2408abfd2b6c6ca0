"""Initial-point generators: random, Sobol, Halton, Hammersley, LHS and grid.

One module per design, laid out as scikit-optimize's ``skopt.sampler``.

Each has ``generate(dimensions, n_samples, random_state=None)``; the
factory `cook_initial_point_generator` builds one by name.
"""

from .base import InitialPointGenerator, Random
from .grid import Grid
from .lhs import Lhs
from .halton import Halton
from .hammersly import Hammersly
from .sobol import Sobol

__all__ = [
    "InitialPointGenerator",
    "Random",
    "Sobol",
    "Halton",
    "Hammersly",
    "Lhs",
    "Grid",
    "cook_initial_point_generator",
    "GENERATORS",
]

GENERATORS = {
    "random": Random,
    "sobol": Sobol,
    "halton": Halton,
    "hammersly": Hammersly,
    "hammersley": Hammersly,
    "lhs": Lhs,
    "grid": Grid,
}


def cook_initial_point_generator(generator, **kwargs):
    """An `InitialPointGenerator` from a name (``"sobol"``, ...) or an instance.

    ``kwargs`` go to the class's constructor when a name is given.
    """
    if isinstance(generator, InitialPointGenerator):
        if kwargs:
            raise ValueError("keyword arguments only go with a generator given by name")
        return generator
    if generator is None:
        generator = "random"
    if not isinstance(generator, str) or generator.lower() not in GENERATORS:
        names = sorted(set(GENERATORS) - {"hammersley"})
        raise ValueError(
            f"initial_point_generator must be one of {names} or an "
            f"InitialPointGenerator, got {generator!r}"
        )
    return GENERATORS[generator.lower()](**kwargs)
