"""Batch strategies of `asktell.AutoOptimizer`: the next point while others are pending.

A batch (``ask(n_points=k)``) or several workers on one study leave
points pending: asked, not yet told. The first point of a batch is the
sequential proposal; these strategies choose the others:

* ``"kb"`` (Kriging believer, in `AutoOptimizer._lie_model`): each pending
  point is told the model's own mean there; log EI on that model.
* ``"lp"`` (local penalization, Gonzalez et al. 2016): log EI of the model
  of the told points, plus for each pending point ``x_j`` the log of
  ``Phi((L * |x - x_j| - (mu(x_j) - y_min)) / sigma(x_j))``, a soft ball
  around ``x_j`` whose radius is the distance in which a function of
  Lipschitz constant ``L`` (the largest gradient norm of the mean over the
  candidates) could reach the best value from ``x_j``'s predicted one.
* ``"ts"`` (Thompson sampling): the candidate minimizing one joint draw of
  the Kriging believer's posterior over the candidates. Draws differ from
  slot to slot, and the believer's variance collapses at the pending
  points, so the batch spreads where the model is unsure.
* ``"mix"``: the Kriging believer while fewer than `MIX_BELIEVED` points
  are pending, Thompson draws past them.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cholesky
from scipy.optimize import fmin_l_bfgs_b
from scipy.special import log_ndtr

from .acquisition import _log_ei, _moments

#: strategies handled here (``"kb"`` and the constant lies are `Optimizer._lie_model`'s)
STRATEGIES = ("lp", "ts", "mix")
MIX_BELIEVED = 4  # "mix": pending points up to which the Kriging believer proposes
_TS_CANDIDATES = 1024  # candidates a Thompson draw is taken jointly over (its Cholesky is O(n^3))
_LBFGS_MAXITER = 200


def propose(opt, number, strategy):
    """The point (a list) that ``opt`` proposes as trial ``number`` with points pending.

    ``opt`` is an `AutoOptimizer` past its initial design, with a model of
    the told points fitted.
    """
    rng = opt._derive(number)
    candidates = opt.candidates(opt, rng)
    if strategy == "ts":
        ranked = _thompson(opt, candidates, rng)
    else:
        ranked = _penalized(opt, candidates)
    return opt._first_new(ranked, rng)


def _thompson(opt, candidates, rng):
    """Candidates ranked by one joint posterior draw of the Kriging believer (lowest first)."""
    model, _ = opt._lie_model("kb")
    if len(candidates) > _TS_CANDIDATES:
        candidates = candidates[np.sort(rng.choice(len(candidates), _TS_CANDIDATES, replace=False))]
    mean, cov = model.predict(candidates, return_cov=True)
    jitter = 1e-10 * max(float(np.mean(np.diag(cov))), 1e-12)
    for _ in range(5):
        try:
            chol = cholesky(cov + jitter * np.eye(len(cov)), lower=True, check_finite=False)
            break
        except np.linalg.LinAlgError:
            jitter *= 100.0
    else:
        return candidates[np.argsort(mean, kind="stable")]
    draw = mean + chol @ rng.normal(size=len(mean))
    return candidates[np.argsort(draw, kind="stable")]


def _penalized(opt, candidates):
    """Candidates ranked by penalized log EI, headed by its L-BFGS polish from the best five."""
    model = opt._model
    y_min = float(np.min(model.y_train_))  # in the model's (warped) units
    pending = opt.space.transform([t.x for t in opt._book.pending])
    mu_p, std_p = _moments(pending, model, False)[:2]
    gap = np.maximum(mu_p - y_min, 0.0)
    std_p = np.maximum(std_p, 1e-12)
    cols = np.asarray(opt._cont_cols, dtype=int)
    _, _, grad_c, _ = _moments(candidates, model, True)
    lipschitz = max(float(np.max(np.linalg.norm(grad_c[:, cols], axis=1))) if len(cols) else 0.0, 1e-7)
    xi = opt.acq_func_kwargs.get("xi", 0.0)

    def value(P, with_grad):
        mu, std, mg, sg = _moments(P, model, with_grad)
        v, g = _log_ei(mu, std, y_min, xi, mg, sg)
        diff = P[:, None, :] - pending[None, :, :]  # (m, p, d)
        r = np.sqrt(np.sum(diff**2, axis=2))  # (m, p)
        z = (lipschitz * r - gap[None]) / std_p[None]
        v = v + np.sum(log_ndtr(z), axis=1)
        if with_grad:
            # d log Phi(z) / dz = phi(z) / Phi(z)
            ratio = np.exp(-0.5 * z * z - 0.5 * np.log(2 * np.pi) - log_ndtr(z))
            dz = (lipschitz / std_p[None]) * ratio / np.maximum(r, 1e-12)  # (m, p)
            g = g + np.einsum("mp,mpd->md", dz, diff)
        return -v, (None if g is None else -g)

    order = np.argsort(value(candidates, False)[0], kind="stable")
    ranked = candidates[order]
    if not len(cols):
        return ranked
    starts = ranked[:opt.n_restarts_optimizer].copy()
    k, box = len(starts), opt._box
    lo, hi = box[cols, 0], box[cols, 1]

    def points(z):
        P = starts.copy()
        P[:, cols] = z.reshape(k, len(cols))
        return P

    def total(z):
        v, g = value(points(z), True)
        return float(np.sum(v)), g[:, cols].ravel()

    z, _, _ = fmin_l_bfgs_b(total, starts[:, cols].ravel(), bounds=list(zip(np.tile(lo, k), np.tile(hi, k))),
                            maxiter=_LBFGS_MAXITER)
    P = np.clip(points(z), box[:, 0], box[:, 1])
    return np.vstack([P[np.argsort(value(P, False)[0], kind="stable")], ranked])
