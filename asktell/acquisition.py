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
by the second estimator of a two-output model. ``MES`` (max-value entropy
search) and ``PVRS`` (predictive variance reduction search), the
information-based acquisitions of scikit-optimize 0.10, are negated
information gains; they are random (``random_state``) and have no
gradients, so they are optimized by sampling.

The public functions take a model with ``predict(X, return_std=True)``
and, for gradients, ``return_mean_grad``/``return_std_grad``; gradients
are computed for whole batches of points at once, which lets
`_minimize_acquisition` run every L-BFGS start in one vectorized call.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import fmin_l_bfgs_b
from scipy.special import erfcx, log_ndtr, ndtr
from sklearn.utils import check_random_state

__all__ = [
    "gaussian_ei",
    "gaussian_pi",
    "gaussian_lcb",
    "gaussian_mes",
    "gaussian_pvrs",
    "gaussian_acquisition_1D",
    "ACQUISITION_FUNCTIONS",
]

#: acquisition functions `Optimizer` accepts
ACQUISITION_FUNCTIONS = ("gp_hedge", "EI", "LCB", "PI", "EIps", "PIps", "LogEI", "MES", "PVRS")
#: acquisitions without gradients, always optimized by sampling
NO_GRADIENT_ACQUISITIONS = ("MES", "PVRS")
_PVRS_MAX_JOINT = 500  # candidates the Thompson draws of PVRS are taken jointly over
_PVRS_CHUNK = 500
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


def gaussian_mes(X, model, n_min_samples=1000, random_state=None):
    """Max-value entropy search: information the value at ``X`` gives on the minimum.

    The minimum of the objective over the candidates ``X`` is given a
    Gumbel distribution fitted to the quartiles of ``P(min > m) =
    prod_i Phi((mu_i - m) / std_i)``; with ``n_min_samples`` draws ``m_k``
    of it and ``g_ik = (mu_i - m_k) / std_i``, the gain at ``X[i]`` is
    ``mean_k [g_ik * phi(g_ik) / (2 Phi(g_ik)) - log Phi(g_ik)]`` (Wang and
    Jegelka, ICML 2017, eq. 6). Larger is better.

    Parameters
    ----------
    X : array of shape (n, d)
        Candidate points (transformed space); their spread sets the
        distribution of the minimum, so pass many.
    model : regressor with ``predict(X, return_std=True)``
    n_min_samples : int
        Draws of the minimum.
    random_state : int, RandomState or None
    """
    rng = check_random_state(random_state)
    mu, std = model.predict(np.asarray(X, dtype=float), return_std=True)
    mu, std = np.asarray(mu, float), np.maximum(np.asarray(std, float), 1e-10)

    def log_p_above(m):
        """log P(min > m) for an array of levels m."""
        return np.sum(log_ndtr((mu[None, :] - np.asarray(m)[:, None]) / std[None, :]), axis=1)

    # bracket the quartiles of the minimum, then bisect all three at once
    low, high = np.min(mu - 5 * std), np.max(mu + 3 * std)
    while np.exp(log_p_above([high])[0]) > 0.25:
        high += high - low
    targets = np.log([0.75, 0.5, 0.25])  # P(min > q) at the 25th, 50th, 75th percentiles
    lo, hi = np.full(3, low), np.full(3, high)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = log_p_above(mid) > targets
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    q25, q50, q75 = 0.5 * (lo + hi)
    # the minimum is a negated Gumbel: -min ~ Gumbel(loc=a, scale=b)
    b = (q75 - q25) / (np.log(np.log(4.0)) - np.log(np.log(4.0 / 3.0)))
    a = -q50 + b * np.log(np.log(2.0))
    minima = -(a - b * np.log(-np.log(rng.uniform(1e-12, 1.0, size=int(n_min_samples)))))
    g = (mu[:, None] - minima[None, :]) / std[:, None]
    log_cdf = log_ndtr(g)
    ratio = np.exp(-0.5 * g * g - 0.5 * np.log(2 * np.pi) - log_cdf)  # phi / Phi
    return np.mean(0.5 * g * ratio - log_cdf, axis=1)


def gaussian_pvrs(X, model, n_thompson=10, random_state=None):
    """Predictive variance reduction search: how much evaluating ``X`` teaches about the argmin.

    ``n_thompson`` joint posterior draws over the candidates (at most 500
    of them, chosen at random) each give a likely minimizer; the gain at
    ``X[i]`` is the total reduction of the posterior variance at those
    minimizers that observing ``X[i]`` would bring,
    ``sum_t cov(t, x_i)^2 / var(x_i)`` (Nguyen et al., NIPS BO workshop
    2017). Larger is better. Needs a model with ``predict(...,
    return_cov=True)`` (a Gaussian process).

    Parameters
    ----------
    X : array of shape (n, d)
        Candidate points (transformed space).
    model : Gaussian process
    n_thompson : int
        Posterior draws, hence minimizers.
    random_state : int, RandomState or None
    """
    rng = check_random_state(random_state)
    X = np.asarray(X, dtype=float)
    joint = X if len(X) <= _PVRS_MAX_JOINT else X[rng.choice(len(X), _PVRS_MAX_JOINT, replace=False)]
    try:
        mean, cov = model.predict(joint, return_cov=True)
    except TypeError:
        raise ValueError(
            f"PVRS needs a Gaussian process (predict with return_cov); got {type(model).__name__}"
        ) from None
    draws = rng.multivariate_normal(np.ravel(mean), cov + 1e-10 * np.eye(len(joint)), int(n_thompson))
    minimizers = joint[np.argmin(draws, axis=1)]
    n_t = len(minimizers)
    gain = np.empty(len(X))
    for start in range(0, len(X), _PVRS_CHUNK):
        chunk = X[start : start + _PVRS_CHUNK]
        _, c = model.predict(np.vstack([minimizers, chunk]), return_cov=True)
        cross = c[:n_t, n_t:]
        var = np.maximum(np.diag(c)[n_t:], 1e-12)
        gain[start : start + len(chunk)] = np.sum(cross**2, axis=0) / var
    return gain


def _finite_number(value):
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and np.isfinite(value)


def _check_kwargs(acq_func_kwargs):
    kwargs = dict(acq_func_kwargs or {})
    xi, kappa = kwargs.get("xi", 0.01), kwargs.get("kappa", 1.96)
    if not _finite_number(xi):
        raise ValueError(f"xi must be a finite number, got {xi!r}")
    if not (kappa == "inf" or (_finite_number(kappa) and kappa >= 0)):
        raise ValueError(f"kappa must be a non-negative number or 'inf', got {kappa!r}")
    for name, default in (("n_min_samples", 1000), ("n_thompson", 10)):
        value = kwargs.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"acq_func_kwargs[{name!r}] must be a positive integer, got {value!r}")
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


def _information_gain(X, model, acq_func, acq_func_kwargs, random_state):
    """Negated MES or PVRS gain (a value to minimize)."""
    kwargs = dict(acq_func_kwargs or {})
    if acq_func == "MES":
        return -gaussian_mes(X, model, kwargs.get("n_min_samples", 1000), random_state)
    return -gaussian_pvrs(X, model, kwargs.get("n_thompson", 10), random_state)


def _gaussian_acquisition(X, model, y_opt=None, acq_func="LCB", return_grad=False, acq_func_kwargs=None,
                          random_state=None):
    """Acquisition values to minimize at the rows of ``X`` (and gradients).

    ``random_state`` seeds the random acquisitions (MES, PVRS).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X is {X.ndim}-dimensional, however, it must be 2-dimensional")
    known = ("LCB", "EI", "PI", "EIps", "PIps", "LogEI") + NO_GRADIENT_ACQUISITIONS
    if acq_func not in known:
        raise ValueError(f"acq_func must be one of {', '.join(known)}, got {acq_func!r}")
    xi, kappa = _check_kwargs(acq_func_kwargs)
    if acq_func in NO_GRADIENT_ACQUISITIONS:
        if return_grad:
            raise ValueError(f"No gradients available for {acq_func} acquisition")
        return _information_gain(X, model, acq_func, acq_func_kwargs, random_state)
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
def _acquisition_values(candidates, model, y_opt, acq_funcs, acq_func_kwargs, random_state=None):
    """Values of several acquisitions at the same candidates, sharing one prediction."""
    if any(a.endswith("ps") or a in NO_GRADIENT_ACQUISITIONS for a in acq_funcs):
        return [_gaussian_acquisition(candidates, model, y_opt, a, acq_func_kwargs=acq_func_kwargs,
                                      random_state=random_state)
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
                          maxiter=200, random_state=None):
    """Rank points by each acquisition, best first.

    ``candidates`` are sampled points of the transformed space. With
    ``method="lbfgs"`` the ``n_restarts`` best of them also start L-BFGS-B
    over the continuous columns ``cont_cols`` (the others, categories,
    stay as sampled) inside ``bounds``; the optimized points head the
    ranking. Returns one array of points per acquisition: the caller walks
    it until it meets a point it may propose. ``random_state`` seeds MES
    and PVRS, which are always ranked by sampling.
    """
    candidates = np.asarray(candidates, dtype=float)
    rankings = []
    values_each = _acquisition_values(candidates, model, y_opt, acq_funcs, acq_func_kwargs, random_state)
    for acq, values in zip(acq_funcs, values_each):
        order = np.argsort(values, kind="stable")
        ranked = candidates[order]
        if method == "lbfgs" and acq not in NO_GRADIENT_ACQUISITIONS and n_restarts > 0 and cont_cols is not None and len(cont_cols):
            # every start in one vectorized problem: the same points whatever the caller's n_jobs
            P, v = _lbfgs(ranked[:n_restarts], cont_cols, np.asarray(bounds, float), model, y_opt,
                          acq, acq_func_kwargs, maxiter)
            ranked = np.vstack([P[np.argsort(v, kind="stable")], ranked])
        rankings.append(ranked)
    return rankings
