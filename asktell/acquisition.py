"""Acquisition functions and their optimization over the model's input space.

Every acquisition is written as a quantity to *minimize* at points ``X``
of the transformed space (scikit-optimize's convention): ``LCB`` is
``mu - kappa * std``; ``EI`` and ``PI`` are the negated expected
improvement and probability of improvement over ``y_opt - xi``;
``LogEI`` is the negated logarithm of EI, computed without underflow
(Ament et al. 2023, "Unexpected improvements to expected improvement"):
far from the best point EI underflows to zero and leaves its optimizer
a flat landscape, where log EI keeps a useful slope; the ``ps``
variants divide by the expected evaluation time, modelled in log-seconds
by the second estimator of a two-output model.

The public functions take a model with ``predict(X, return_std=True)``
and, for gradients, ``return_mean_grad``/``return_std_grad``; gradients
are computed for whole batches of points at once, which lets
`_minimize_acquisition` run every L-BFGS start in one vectorized call.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.optimize import fmin_l_bfgs_b
from scipy.special import erfcx, ndtr

__all__ = [
    "gaussian_ei",
    "gaussian_pi",
    "gaussian_lcb",
    "gaussian_acquisition_1D",
    "ACQUISITION_FUNCTIONS",
]

#: acquisition functions `Optimizer` accepts
ACQUISITION_FUNCTIONS = ("gp_hedge", "EI", "LCB", "PI", "EIps", "PIps", "LogEI")
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
_SQRT_HALF_PI = np.sqrt(0.5 * np.pi)


def _pdf(z):
    return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


def _moments(X, model, return_grad):
    """Mean, std and (m, d) gradients of both, from any ``return_std`` model."""
    X = np.asarray(X, dtype=float)
    if not return_grad:
        mu, std = model.predict(X, return_std=True)
        return np.asarray(mu, float), np.asarray(std, float), None, None
    mu, std, mu_grad, std_grad = model.predict(
        X, return_std=True, return_mean_grad=True, return_std_grad=True
    )
    shape = X.shape
    return (np.asarray(mu, float), np.asarray(std, float),
            np.asarray(mu_grad, float).reshape(shape), np.asarray(std_grad, float).reshape(shape))


def _shape_grad(X, grad):
    """Gradients come back 1-D for a single point, as scikit-optimize gave them."""
    return grad[0] if np.asarray(X).shape[0] == 1 else grad


def _lcb(mu, std, kappa, mu_grad=None, std_grad=None):
    if isinstance(kappa, str):
        if kappa != "inf":
            raise ValueError(f"kappa must be a non-negative number or 'inf', got {kappa!r}")
        # pure exploration: only the uncertainty counts
        return -std, (None if std_grad is None else -std_grad)
    value = mu - kappa * std
    return value, (None if mu_grad is None else mu_grad - kappa * std_grad)


def _improvement(mu, std, y_opt, xi, kind, mu_grad=None, std_grad=None):
    """EI or PI (to maximize) and their gradients; zero where std vanishes."""
    value = np.zeros_like(mu)
    grad = None if mu_grad is None else np.zeros_like(mu_grad)
    mask = std > 0
    if not np.any(mask):
        return value, grad
    s = std[mask]
    imp = y_opt - xi - mu[mask]
    z = imp / s
    cdf, pdf = ndtr(z), _pdf(z)
    if kind == "EI":
        value[mask] = imp * cdf + s * pdf
        if grad is not None:
            grad[mask] = -cdf[:, None] * mu_grad[mask] + pdf[:, None] * std_grad[mask]
    else:
        value[mask] = cdf
        if grad is not None:
            dz = -(mu_grad[mask] + z[:, None] * std_grad[mask]) / s[:, None]
            grad[mask] = pdf[:, None] * dz
    return value, grad


def _log_ei(mu, std, y_opt, xi, mu_grad=None, std_grad=None):
    """log EI (to maximize) and its gradient, accurate where EI underflows.

    With ``z = (y_opt - xi - mu) / std``, ``EI = std * phi(z) * r(z)`` where
    ``r(z) = 1 + z * Phi(z) / phi(z)``; for ``z < 0`` the ratio
    ``Phi(z) / phi(z) = sqrt(pi/2) * erfcx(-z / sqrt(2))`` stays finite, and
    for very negative ``z`` ``r(z)`` tends to ``1 / z**2``.
    """
    s = np.maximum(std, 1e-300)
    z = (y_opt - xi - mu) / s
    mills = np.where(z < 0, _SQRT_HALF_PI * erfcx(-np.minimum(z, 0.0) / np.sqrt(2.0)), 0.0)
    r = np.where(z < 0, 1.0 + z * mills, 0.0)
    far = z < -1e3
    r = np.where(far, 1.0 / np.maximum(z * z, 1.0), r)
    r = np.maximum(r, 1e-300)
    log_phi = -0.5 * z * z - _HALF_LOG_2PI
    pos = z >= 0
    ei_pos = np.where(pos, z * ndtr(z) + _pdf(np.where(pos, z, 0.0)), 1.0)
    value = np.where(pos, np.log(s) + np.log(np.maximum(ei_pos, 1e-300)), np.log(s) + log_phi + np.log(r))
    grad = None
    if mu_grad is not None:
        # dEI/dmu = -Phi(z), dEI/dstd = phi(z); divided by EI = std * phi(z) * r(z) (z < 0)
        d_mu = np.where(pos, -ndtr(z) / (s * np.where(pos, ei_pos, 1.0)), -mills / (s * r))
        d_std = np.where(pos, _pdf(np.where(pos, z, 0.0)) / (s * np.where(pos, ei_pos, 1.0)), 1.0 / (s * r))
        grad = d_mu[:, None] * mu_grad + d_std[:, None] * std_grad
    return value, grad


def gaussian_lcb(X, model, kappa=1.96, return_grad=False):
    """Lower confidence bound ``mu - kappa * std`` (``kappa="inf"``: ``-std``)."""
    mu, std, mg, sg = _moments(X, model, return_grad)
    value, grad = _lcb(mu, std, kappa, mg, sg)
    return (value, _shape_grad(X, grad)) if return_grad else value


def gaussian_pi(X, model, y_opt=0.0, xi=0.01, return_grad=False):
    """Probability of improving on ``y_opt - xi`` (to maximize)."""
    mu, std, mg, sg = _moments(X, model, return_grad)
    value, grad = _improvement(mu, std, y_opt, xi, "PI", mg, sg)
    return (value, _shape_grad(X, grad)) if return_grad else value


def gaussian_ei(X, model, y_opt=0.0, xi=0.01, return_grad=False):
    """Expected improvement over ``y_opt - xi`` (to maximize)."""
    mu, std, mg, sg = _moments(X, model, return_grad)
    value, grad = _improvement(mu, std, y_opt, xi, "EI", mg, sg)
    return (value, _shape_grad(X, grad)) if return_grad else value


def _finite_number(value):
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and np.isfinite(value)


def _check_kwargs(acq_func_kwargs):
    kwargs = dict(acq_func_kwargs or {})
    xi, kappa = kwargs.get("xi", 0.01), kwargs.get("kappa", 1.96)
    if not _finite_number(xi):
        raise ValueError(f"xi must be a finite number, got {xi!r}")
    if not (kappa == "inf" or (_finite_number(kappa) and kappa >= 0)):
        raise ValueError(f"kappa must be a non-negative number or 'inf', got {kappa!r}")
    return xi, kappa


def _from_moments(acq_func, mu, std, y_opt, xi, kappa, mu_grad=None, std_grad=None):
    """Value to minimize (and gradient) of ``LCB``/``EI``/``PI`` from the moments."""
    if acq_func == "LCB":
        return _lcb(mu, std, kappa, mu_grad, std_grad)
    if acq_func == "LogEI":
        value, grad = _log_ei(mu, std, y_opt, xi, mu_grad, std_grad)
        return -value, (None if grad is None else -grad)
    kind = acq_func[:2]
    value, grad = _improvement(mu, std, y_opt, xi, kind, mu_grad, std_grad)
    return -value, (None if grad is None else -grad)


def _gaussian_acquisition(X, model, y_opt=None, acq_func="LCB", return_grad=False, acq_func_kwargs=None):
    """Acquisition values to minimize at the rows of ``X`` (and gradients)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got {X.ndim} dimensions")
    if acq_func not in ("LCB", "EI", "PI", "EIps", "PIps", "LogEI"):
        raise ValueError(f"acq_func must be one of LCB, EI, PI, EIps, PIps, LogEI, got {acq_func!r}")
    xi, kappa = _check_kwargs(acq_func_kwargs)
    per_second = acq_func.endswith("ps")
    time_model = None
    if per_second:
        model, time_model = model.estimators_
    mu, std, mg, sg = _moments(X, model, return_grad)
    value, grad = _from_moments(acq_func, mu, std, y_opt, xi, kappa, mg, sg)
    if per_second:
        # divide by E[t] = exp(mu_t + std_t^2 / 2) of the log-normal time
        t_mu, t_std, t_mg, t_sg = _moments(X, time_model, return_grad)
        inv_t = np.exp(-t_mu + 0.5 * t_std**2)
        value = value * inv_t
        if return_grad:
            grad = grad * inv_t[:, None] + value[:, None] * (-t_mg + t_std[:, None] * t_sg)
    if return_grad:
        return value, _shape_grad(X, grad)
    return value


def gaussian_acquisition_1D(X, model, y_opt=None, acq_func="LCB", acq_func_kwargs=None, return_grad=True):
    """`_gaussian_acquisition` at one point given as a 1-D array (for L-BFGS)."""
    out = _gaussian_acquisition(
        np.asarray(X, dtype=float).reshape(1, -1), model, y_opt, acq_func,
        return_grad=return_grad, acq_func_kwargs=acq_func_kwargs,
    )
    if return_grad:
        return float(out[0][0]), np.asarray(out[1], float).ravel()
    return float(out[0])


# ---------------------------------------------------------------- optimization
def _acquisition_values(candidates, model, y_opt, acq_funcs, acq_func_kwargs):
    """Values of several acquisitions at the same candidates, sharing one prediction."""
    if any(a.endswith("ps") for a in acq_funcs):
        return [_gaussian_acquisition(candidates, model, y_opt, a, acq_func_kwargs=acq_func_kwargs)
                for a in acq_funcs]
    xi, kappa = _check_kwargs(acq_func_kwargs)
    mu, std, _, _ = _moments(candidates, model, False)
    return [_from_moments(a, mu, std, y_opt, xi, kappa)[0] for a in acq_funcs]


def _lbfgs(starts, cols, bounds, model, y_opt, acq_func, acq_func_kwargs, maxiter):
    """Minimize from every start at once: the objective is separable across starts.

    The starts share one line search, so the joint problem needs more
    iterations than one start alone: with 50 the polish stopped short in
    10-D (10-D Rosenbrock's 100-call median 5300 against 2400 with 200).
    """
    k = len(starts)
    lo, hi = bounds[cols, 0], bounds[cols, 1]

    def points(z):
        P = starts.copy()
        P[:, cols] = z.reshape(k, len(cols))
        return P

    def total(z):
        value, grad = _gaussian_acquisition(points(z), model, y_opt, acq_func, True, acq_func_kwargs)
        grad = np.asarray(grad, float).reshape(k, -1)[:, cols]
        return float(np.sum(value)), grad.ravel()

    z0 = np.clip(starts[:, cols], lo, hi).ravel()
    z, _, _ = fmin_l_bfgs_b(total, z0, bounds=list(zip(np.tile(lo, k), np.tile(hi, k))), maxiter=maxiter)
    P = np.clip(points(z), bounds[:, 0], bounds[:, 1])
    return P, _gaussian_acquisition(P, model, y_opt, acq_func, acq_func_kwargs=acq_func_kwargs)


def _minimize_acquisition(candidates, model, y_opt, acq_funcs, acq_func_kwargs=None,
                          method="sampling", n_restarts=5, cont_cols=None, bounds=None,
                          n_jobs=1, maxiter=200):
    """Rank points by each acquisition, best first.

    ``candidates`` are sampled points of the transformed space. With
    ``method="lbfgs"`` the ``n_restarts`` best of them also start L-BFGS-B
    over the continuous columns ``cont_cols`` (the others, categories,
    stay as sampled) inside ``bounds``; the optimized points head the
    ranking. Returns one array of points per acquisition: the caller walks
    it until it meets a point it may propose.
    """
    candidates = np.asarray(candidates, dtype=float)
    rankings = []
    for acq, values in zip(acq_funcs, _acquisition_values(candidates, model, y_opt, acq_funcs, acq_func_kwargs)):
        order = np.argsort(values, kind="stable")
        ranked = candidates[order]
        if method == "lbfgs" and n_restarts > 0 and cont_cols is not None and len(cont_cols):
            starts = ranked[:n_restarts]
            chunks = np.array_split(starts, max(1, min(int(n_jobs), len(starts))))
            args = (cont_cols, np.asarray(bounds, float), model, y_opt, acq, acq_func_kwargs, maxiter)
            if len(chunks) == 1:
                results = [_lbfgs(starts, *args)]
            else:
                with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
                    results = list(pool.map(lambda c: _lbfgs(c, *args), chunks))
            P = np.vstack([r[0] for r in results])
            v = np.concatenate([r[1] for r in results])
            ranked = np.vstack([P[np.argsort(v, kind="stable")], ranked])
        rankings.append(ranked)
    return rankings
