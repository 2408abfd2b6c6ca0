"""The dashboard's HTTP server: pages, their JSON, and plotly.js, from the standard library.

A `Dashboard` serves the study list (``/``), a study's page
(``/study?name=...``) and the JSON they poll (``/api/...``) with
`http.server.ThreadingHTTPServer`: a local tool serving one person's
browser needs no framework, and the standard library's server adds no
dependency. plotly.js is served from the installed ``plotly`` package
(the ``dashboard`` extra), so the pages work offline. Every request is
read-only (`asktell.dashboard.reader.StorageReader`); a malformed one gets
a 4xx answer saying why, never a traceback.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from .importance import importances, parameters
from .reader import StorageReader, TrialQuery

__all__ = ["Dashboard"]

#: seconds between a study's importances are refitted while it changes
_IMPORTANCE_EVERY = 30.0
_STATIC = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}


class _HTTPError(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _plotly_js():
    """Path of ``plotly.min.js`` inside the installed plotly package."""
    from importlib.util import find_spec

    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the dashboard needs the 'dashboard' extra (plotly): pip install asktell[dashboard]")
    path = os.path.join(list(spec.submodule_search_locations)[0], "package_data", "plotly.min.js")
    if not os.path.exists(path):
        raise ImportError(f"the installed plotly package has no {path}; reinstall it: pip install asktell[dashboard]")
    return path


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _safe_url(url):
    """``url`` without its password, to show on the pages."""
    head, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    user, _, host = rest.partition("@")
    return f"{head}://{user.split(':', 1)[0]}:***@{host}" if ":" in user else url


class Dashboard:
    """A web dashboard over the studies of one storage.

    Parameters
    ----------
    storage : str
        Storage URL: ``sqlite:///path.db`` or ``postgresql://...``.
    host : str
        Interface to listen on; loopback by default. Any other address
        lets whoever reaches it read the studies (there is no login), so a
        warning is printed.
    port : int
        TCP port; 0 picks a free one (see `url`).
    refresh : float
        Seconds between the pages' polls for new trials.
    quiet : bool
        Log only errors, not every request.

    Examples
    --------
    >>> with Dashboard("sqlite:///study.db", port=0) as board:  # doctest: +SKIP
    ...     print(board.url)
    """

    def __init__(self, storage, host="127.0.0.1", port=8080, refresh=2.0, quiet=True):
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer from 0 to 65535, got {port!r}")
        if isinstance(refresh, bool) or not isinstance(refresh, (int, float)) or not refresh > 0:
            raise ValueError(f"refresh must be a positive number of seconds, got {refresh!r}")
        if not isinstance(host, str) or not host:
            raise ValueError(f"host must be a host name or address, got {host!r}")
        self.storage = storage
        self.host = host
        self.port = port
        self.refresh = refresh
        self.quiet = quiet
        self._plotly = _plotly_js()
        self._reader = StorageReader(storage)
        self._cache = {}
        self._cache_lock = threading.Lock()
        self._thread = None
        if not _is_loopback(host):
            print(
                f"warning: the dashboard listens on {host}: anyone who can reach it can read the "
                "studies (it has no login); use --host 127.0.0.1 to keep it local",
                file=sys.stderr,
            )
        try:
            self._server = _Server((host, port), _Handler, self)
        except OSError as exc:
            self._reader.close()
            raise OSError(f"the dashboard cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    @property
    def url(self):
        """Address of the study list."""
        host, port = self._server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def serve_forever(self):
        """Serve until `stop` (from another thread) or Ctrl-C; then release everything."""
        try:
            self._server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._close()

    def start(self):
        """Serve from a background thread; returns self (stop it with `stop`)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                            name="asktell-dashboard", daemon=True)
            self._thread.start()
        return self

    def stop(self):
        """Stop serving, wait for the requests in progress, close the connections."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._close()

    def _close(self):
        self._server.server_close()
        self._reader.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------ answers
    def _study(self, params):
        name = _one(params, "name", required=True)
        try:
            return self._reader.study(name)
        except KeyError:
            raise _HTTPError(404, f"no study named {name!r} in {_safe_url(self.storage)}") from None

    def api_studies(self, params):
        _known(params, ())
        return {"storage": _safe_url(self.storage), "refresh": self.refresh, "studies": self._reader.studies()}

    def api_study(self, params):
        _known(params, ("name",))
        study = self._study(params)
        study["parameters"] = parameters(study["space"])
        study["refresh"] = self.refresh
        return study

    def api_points(self, params):
        _known(params, ("name", "since"))
        study = self._study(params)
        since = _integer(params, "since", -1, low=-1)
        cursor, rows = self._reader.points_json(study["study_id"], since)
        return f'{{"cursor":{cursor},"trials":{rows}}}'

    def api_trials(self, params):
        _known(params, ("name", "page", "per_page", "sort", "order", "state", "q"))
        study = self._study(params)
        order = _one(params, "order") or "asc"
        if order not in ("asc", "desc"):
            raise _HTTPError(400, f"order must be 'asc' or 'desc', got {order!r}")
        query = TrialQuery(
            page=_integer(params, "page", 1, low=1),
            per_page=_integer(params, "per_page", 50, low=1, high=500),
            sort=_one(params, "sort") or "number",
            descending=order == "desc",
            states=[s for s in (_one(params, "state") or "").split(",") if s],
            text=_one(params, "q") or "",
        )
        try:
            total, rows = self._reader.trial_page(study["study_id"], query)
        except ValueError as exc:
            raise _HTTPError(400, str(exc)) from None
        return {"total": total, "page": query.page, "per_page": query.per_page, "trials": rows}

    def api_importances(self, params):
        _known(params, ("name",))
        study = self._study(params)
        key, now = study["study_id"], time.monotonic()
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is not None and (cached[0] == study["cursor"] or now - cached[1] < _IMPORTANCE_EVERY):
            return cached[2]
        trial_params, values = self._reader.complete_params(key)
        result = importances(parameters(study["space"]), trial_params, values)
        result["cursor"] = study["cursor"]
        with self._cache_lock:
            self._cache[key] = (study["cursor"], now, result)
        return result

    def api_methods(self, params):
        _known(params, ("name",))
        study = self._study(params)
        if not study["method_space"]:
            raise _HTTPError(400, f"study {study['name']!r} does not search a method space: it has no method shares")
        return self._reader.method_shares(study["study_id"], study["direction"])


def _one(params, key, required=False):
    values = params.get(key)
    if not values:
        if required:
            raise _HTTPError(400, f"missing query parameter {key!r}")
        return None
    if len(values) > 1:
        raise _HTTPError(400, f"query parameter {key!r} is given {len(values)} times")
    return values[0]


def _integer(params, key, default, low=None, high=None):
    text = _one(params, key)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise _HTTPError(400, f"{key} must be an integer, got {text!r}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"from {low} to {high}"
        raise _HTTPError(400, f"{key} must be {bounds}, got {value}")
    return value


def _known(params, keys):
    unknown = sorted(set(params) - set(keys))
    if unknown:
        raise _HTTPError(400, f"unknown query parameter {unknown[0]!r} (this page takes {', '.join(keys) or 'none'})")


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close waits for the requests in progress
    block_on_close = True

    def __init__(self, address, handler, dashboard):
        self.dashboard = dashboard
        super().__init__(address, handler)


_API = {
    "/api/studies": Dashboard.api_studies,
    "/api/study": Dashboard.api_study,
    "/api/points": Dashboard.api_points,
    "/api/trials": Dashboard.api_trials,
    "/api/importances": Dashboard.api_importances,
    "/api/methods": Dashboard.api_methods,
}


class _Handler(BaseHTTPRequestHandler):
    server_version = "asktell-dashboard"

    def do_GET(self):  # noqa: N802 (the standard library's name)
        board = self.server.dashboard
        url = urlsplit(self.path)
        try:
            try:
                params = parse_qs(url.query, keep_blank_values=True, strict_parsing=bool(url.query))
            except ValueError:
                raise _HTTPError(400, f"malformed query string {url.query!r}") from None
            if url.path in _API:
                body = _API[url.path](board, params)
                if not isinstance(body, str):
                    body = json.dumps(body, allow_nan=False, separators=(",", ":"))
                self._send(200, body.encode(), "application/json")
            elif url.path in ("/", "/index.html"):
                _known(params, ())
                self._page("index.html")
            elif url.path == "/study":
                _known(params, ("name",))
                board._study(params)  # 404 for an unknown study
                self._page("study.html")
            elif url.path == "/static/plotly.min.js":
                with open(board._plotly, "rb") as fh:
                    self._send(200, fh.read(), "text/javascript; charset=utf-8", cache=True)
            elif url.path.startswith("/static/") and url.path[len("/static/"):] in _STATIC:
                name = url.path[len("/static/"):]
                self._send(200, _asset(name), _STATIC[name])
            elif url.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                raise _HTTPError(404, f"no page {url.path!r} here; the study list is at /")
        except _HTTPError as exc:
            self._error(exc.status, exc.reason, api=url.path.startswith("/api/"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser left the page before the answer arrived
        except Exception as exc:  # never a traceback to the browser; the log has it
            self.log_error("%s", traceback.format_exc())
            self._error(500, f"the dashboard failed to answer: {type(exc).__name__}: {exc}",
                        api=url.path.startswith("/api/"))

    def _refuse(self):
        self._error(405, "the dashboard is read-only: it answers GET requests only",
                    api=self.path.startswith("/api/"), allow="GET")

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

    def _page(self, name):
        self._send(200, _asset(name), "text/html; charset=utf-8")

    def _error(self, status, reason, api, allow=None):
        if api:
            body = json.dumps({"error": reason, "status": status}).encode()
            kind = "application/json"
        else:
            from html import escape

            body = _asset("error.html").replace(b"{status}", str(status).encode()).replace(
                b"{reason}", escape(reason).encode())
            kind = "text/html; charset=utf-8"
        headers = {"Allow": allow} if allow else {}
        self._send(status, body, kind, headers=headers)

    def _send(self, status, body, kind, cache=False, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=86400" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        if not self.server.dashboard.quiet:
            super().log_message(format, *args)

    def log_error(self, format, *args):  # noqa: A002
        super().log_message(format, *args)


def _asset(name):
    return resources.files("asktell.dashboard").joinpath("static", name).read_bytes()
