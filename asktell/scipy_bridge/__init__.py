"""SciPy's global optimizers as ask/tell.

- `ScipyAskTell` (`ask_tell`): one scipy optimizer run on a channel, so that
  each point scipy evaluates becomes a trial;
- `HyperScipySampler` (`pool`): several of them pooled over one `Space`, for
  several asks in flight;
- `scipy_minimize` (`minimize`): the `gp_minimize`-shaped front end.

The package is named so that it never shadows `scipy` itself; the old module
paths (`asktell.scipy_asktell`, `asktell.scipy_sampler`,
`asktell.scipy_minimize`) still import.
"""

from .ask_tell import HANDOFFS, SCIPY_METHODS, ScipyAskTell
from .minimize import scipy_minimize
from .pool import HyperScipySampler

__all__ = ["ScipyAskTell", "HyperScipySampler", "scipy_minimize", "SCIPY_METHODS", "HANDOFFS"]
