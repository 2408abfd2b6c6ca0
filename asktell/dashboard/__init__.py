"""A live web dashboard over the studies of a storage (the ``dashboard`` extra).

``asktell dashboard --storage sqlite:///study.db`` (or `Dashboard`) serves,
on http://127.0.0.1:8080/ by default, the list of studies (optimizer, trials
by state, best value, last activity) and a page per study: the convergence
history, parallel coordinates, a slice per parameter, random-forest
importances, method shares over time for hyper-optimizer studies, and a
sortable, filterable, paginated trial table with each trial's error text.
The pages poll for changed trials, so they follow workers as they run.
The dashboard only reads: its database connections are read-only.
"""

from .server import Dashboard

__all__ = ["Dashboard", "serve"]


def serve(storage: str, host: str = "127.0.0.1", port: int = 8080, refresh: float = 2.0,
          quiet: bool = True) -> None:
    """Serve the dashboard of ``storage`` until Ctrl-C (see `Dashboard` for the parameters)."""
    board = Dashboard(storage, host=host, port=port, refresh=refresh, quiet=quiet)
    print(f"asktell dashboard of {storage} at {board.url} (Ctrl-C to stop)", flush=True)
    board.serve_forever()
