"""A tqdm progress bar for optimization loops: trials done, best value, rate.

tqdm comes with the ``progress`` extra and is imported only when a bar is
asked for.
"""

from __future__ import annotations

import sys

__all__ = ["ProgressBar", "progress_available"]


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            "progress bars need the 'progress' extra: pip install asktell[progress]"
        ) from None

    class _Bar(tqdm):
        # no monitor thread: it would outlive the run (our bars update every trial)
        monitor_interval = 0

    return _Bar


def progress_available():
    """True when tqdm can be imported."""
    try:
        _tqdm()
    except ImportError:
        return False
    return True


class ProgressBar:
    """One bar over a run of ``total`` trials (or of ``timeout`` seconds).

    Parameters
    ----------
    total : int or None
        Trials expected; None when the run is bounded by time only.
    timeout : float or None
        Shown in the bar's description when the run has a time limit.
    desc : str
        Label in front of the bar.
    file : file-like or None
        Where the bar is drawn (standard error by default).
    maximize : bool
        Show the largest value as the best (a study with
        ``direction="maximize"``).
    """

    def __init__(self, total=None, timeout=None, desc="trials", file=None, maximize=False):
        tqdm = _tqdm()
        if timeout is not None:
            desc = f"{desc} (timeout {timeout:g} s)"
        self._bar = tqdm(total=total, desc=desc, unit="trial", file=file or sys.stderr, dynamic_ncols=True)
        self.best = None
        self._sign = -1.0 if maximize else 1.0

    def update(self, value=None, n=1):
        """Count ``n`` finished trials; ``value`` updates the best shown."""
        if value is not None and (self.best is None or self._sign * value < self._sign * self.best):
            self.best = value
            self._bar.set_postfix(best=f"{value:.6g}", refresh=False)
        self._bar.update(n)

    def close(self):
        self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
