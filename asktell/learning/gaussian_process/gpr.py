"""Gaussian-process regression for Bayesian optimization, in plain numpy.

The default model is what sequential optimization needs and nothing more:
a Matern-5/2 kernel with one length scale per input (ARD), an amplitude and
a noise variance, on normalized targets. Its hyperparameters maximize the
log marginal likelihood plus weak log-normal priors (a MAP estimate), with
analytic gradients through one Cholesky factorization per evaluation;
the priors keep a fit on ten points from collapsing onto tiny length
scales. Inputs are expected in ``[0, 1]`` (the optimizer normalizes the
space). Columns listed in ``categorical_dims`` hold category codes: two
points there are "same" or "different", and a different category adds
``1 / length_scale**2`` to the squared distance (an overlap kernel), so
the order of the codes carries no meaning.

Any scikit-learn kernel can be passed instead (``kernel=...``); the model
then delegates to scikit-learn's regressor and offers no gradients.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
from scipy.linalg import cho_solve, cholesky, lapack, solve_triangular
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

__all__ = ["GaussianProcessRegressor"]

_SQRT5 = np.sqrt(5.0)
_LOG_2PI = np.log(2 * np.pi)
# bounds of the log hyperparameters (inputs in [0, 1], targets standardized)
_LOG_AMP_BOUNDS = (np.log(1e-2), np.log(1e2))
_LOG_LS_BOUNDS = (np.log(5e-3), np.log(1e2))
_LOG_NOISE_BOUNDS = (np.log(1e-6), np.log(1.0))
# log-normal priors (mean, std of the log): weak, centred where BO needs them
_AMP_PRIOR = (0.0, 1.5)
_NOISE_PRIOR = (np.log(1e-4), 3.0)
_LS_PRIOR_STD = 1.5
_JITTER = 1e-8


def _ls_prior_mean(n_dims):
    """Prior median length scale grows like sqrt(d): distances in [0,1]^d do."""
    return np.log(0.4 * np.sqrt(max(n_dims, 1)))


def _matern52(r2):
    """Unit-amplitude Matern-5/2 of squared distances and its derivative in r2."""
    s = _SQRT5 * np.sqrt(np.maximum(r2, 0.0))
    e = np.exp(-s)
    k = (1.0 + s + s * s / 3.0) * e
    dk_dr2 = -(5.0 / 6.0) * (1.0 + s) * e
    return k, dk_dr2


def _cho_inverse(L):
    """``K^-1`` from the lower Cholesky factor of ``K`` (LAPACK potri: half the work of solving for I)."""
    inv, info = lapack.dpotri(L, lower=1)
    if info != 0:
        return cho_solve((L, True), np.eye(len(L)), check_finite=False)
    lower = np.tril(inv)
    out = lower + lower.T  # the diagonal twice, then once: exactly (2d - d == d in floating point)
    out[np.diag_indices_from(out)] = lower.diagonal()
    return out


class GaussianProcessRegressor(RegressorMixin, BaseEstimator):
    """Gaussian process with a Matern-5/2 ARD kernel, fitted by marginal likelihood.

    Parameters
    ----------
    kernel : None or scikit-learn kernel
        None (default) uses the built-in Matern-5/2 ARD kernel with
        amplitude and noise, which supports gradients and categories. A
        scikit-learn kernel delegates to ``sklearn.gaussian_process``.
    noise : "gaussian", float or None
        ``"gaussian"`` learns the noise variance; a float fixes it (in
        units of the normalized targets); None keeps only a small jitter.
    normalize_y : bool
        Standardize the targets before fitting (recommended).
    n_restarts_optimizer : int
        Extra random starts of the hyperparameter optimization, drawn
        from the priors, besides the start at the priors' medians.
    categorical_dims : sequence of int or None
        Columns holding category codes (see the module docstring).
    alpha : float
        Value added to the diagonal, for numerical stability.
    random_state : int, RandomState or None
        Seeds the restarts; a fixed seed makes the fit a function of the data.
    length_scale_prior : None or (float, float)
        ``(mean, std)`` of the normal prior on every log length scale.
        None (default): median ``0.4 * sqrt(d)``, std 1.5. A prior that
        grows with the dimension keeps high-dimensional fits from
        chasing tiny length scales (`asktell.minimize` sets its own).
    theta_start : None or array of float
        Log hyperparameters (a fitted model's ``theta_``) the search
        starts from instead of the priors' medians: refitting after one
        more point, the last fit already sits in the basin the data
        supports, so one start there can replace several
        (``n_restarts_optimizer=0``). Ignored when its length does not
        match the data.
    optimizer : "L-BFGS-B" or None
        How the hyperparameters are searched. None (as scikit-learn's
        ``optimizer=None``) keeps them at ``theta_start`` (or the priors'
        medians) and only conditions on the data: one Cholesky
        factorization instead of a search of ~25 of them, for callers
        that refit after every point and search only now and then.
    """

    def __init__(
        self,
        kernel=None,
        noise="gaussian",
        normalize_y=True,
        n_restarts_optimizer=2,
        categorical_dims=None,
        alpha=1e-10,
        random_state=None,
        length_scale_prior=None,
        theta_start=None,
        optimizer="L-BFGS-B",
    ):
        self.kernel = kernel
        self.noise = noise
        self.normalize_y = normalize_y
        self.n_restarts_optimizer = n_restarts_optimizer
        self.categorical_dims = categorical_dims
        self.alpha = alpha
        self.random_state = random_state
        self.length_scale_prior = length_scale_prior
        self.theta_start = theta_start
        self.optimizer = optimizer

    # ------------------------------------------------------------ fitting
    def fit(self, X, y):
        """Fit the hyperparameters and condition on ``(X, y)``."""
        X, y = self._validate(X, y)
        if self.kernel is not None:
            return self._fit_sklearn(X, y)
        self._check_params()
        self._setup_columns(X.shape[1])
        z = self._standardize(y)
        self.theta_ = self._optimize_theta(X, z)
        self._condition(X, z)
        return self

    def fit_theta(self, X, y, theta):
        """Condition on ``(X, y)`` with the hyperparameters ``theta``, skipping their search.

        ``theta`` is a fitted model's ``theta_`` (stored as JSON, say): the
        model is then exactly the one `fit` gave on the same data, at the
        cost of one Cholesky factorization. This is how a study rebuilds
        its model on reopening without repeating the search (whose warm
        starts depend on every earlier fit).
        """
        if self.kernel is not None:
            raise NotImplementedError("fit_theta needs the built-in kernel (kernel=None)")
        X, y = self._validate(X, y)
        self._check_params()
        self._setup_columns(X.shape[1])
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (len(self._bounds()),) or not np.all(np.isfinite(theta)):
            raise ValueError(f"theta must hold {len(self._bounds())} finite floats for this data, got {theta!r}")
        z = self._standardize(y)
        self.theta_ = theta
        self._condition(X, z)
        return self

    def _standardize(self, y):
        """``y`` scaled to mean 0 and std 1 (when ``normalize_y``); sets ``y_mean_``, ``y_std_``."""
        self.y_mean_, self.y_std_ = 0.0, 1.0
        if self.normalize_y:
            self.y_mean_ = float(np.mean(y))
            std = float(np.std(y))
            self.y_std_ = std if std > 1e-12 else 1.0
        return (y - self.y_mean_) / self.y_std_

    def refit_fixed(self, X, y):
        """A copy conditioned on ``(X, y)`` with this model's hyperparameters.

        The targets are scaled as in the fitted model. Used for the
        constant-liar model of pending points: no hyperparameter search,
        one Cholesky factorization.
        """
        check_is_fitted(self, "theta_")
        if self.kernel is not None:
            raise NotImplementedError("refit_fixed needs the built-in kernel (kernel=None)")
        X, y = self._validate(X, y)
        other = copy.copy(self)
        other._condition(X, (y - self.y_mean_) / self.y_std_)
        return other

    def _validate(self, X, y):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}")
        y = np.asarray(y, dtype=float)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (one target), got shape {y.shape}")
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} values")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite")
        return X, y

    def _check_params(self):
        noise = self.noise
        if not (noise is None or noise == "gaussian" or (np.isscalar(noise) and noise >= 0)):
            raise ValueError(f"noise must be 'gaussian', a non-negative float or None, got {noise!r}")
        if int(self.n_restarts_optimizer) != self.n_restarts_optimizer or self.n_restarts_optimizer < 0:
            raise ValueError(
                f"n_restarts_optimizer must be a non-negative integer, got {self.n_restarts_optimizer!r}"
            )
        start = self.theta_start
        if start is not None:
            try:
                ok = np.ndim(start) == 1 and bool(np.all(np.isfinite(np.asarray(start, dtype=float))))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ValueError(f"theta_start must be None or a 1-D array of finite floats, got {start!r}")
        if self.optimizer not in ("L-BFGS-B", None):
            raise ValueError(f"optimizer must be 'L-BFGS-B' or None, got {self.optimizer!r}")
        prior = self.length_scale_prior
        if prior is not None:
            try:
                mean, std = (float(v) for v in prior)
                ok = np.isfinite(mean) and np.isfinite(std) and std > 0
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise ValueError(f"length_scale_prior must be None or (mean, std > 0), got {prior!r}")

    def _setup_columns(self, n_dims):
        cat = sorted(set(int(c) for c in (self.categorical_dims or ())))
        if any(c < 0 or c >= n_dims for c in cat):
            raise ValueError(f"categorical_dims {cat} out of range for {n_dims} columns")
        self.n_features_in_ = n_dims
        self._cat = np.array(cat, dtype=int)
        self._cont = np.array([j for j in range(n_dims) if j not in set(cat)], dtype=int)
        self._learn_noise = self.noise == "gaussian"

    # theta = [log amplitude, log length scales (d), (log noise)]
    def _unpack(self, theta):
        d = self.n_features_in_
        amp = np.exp(theta[0])
        ls = np.exp(theta[1 : 1 + d])
        if self._learn_noise:
            noise = np.exp(theta[1 + d])
        elif self.noise is None:
            noise = 0.0
        else:
            noise = float(self.noise)
        return amp, ls, noise

    def _bounds(self):
        d = self.n_features_in_
        b = [_LOG_AMP_BOUNDS] + [_LOG_LS_BOUNDS] * d
        if self._learn_noise:
            b.append(_LOG_NOISE_BOUNDS)
        return b

    def _prior_means(self):
        d = self.n_features_in_
        ls_mean, ls_std = (_ls_prior_mean(d), _LS_PRIOR_STD) if self.length_scale_prior is None \
            else map(float, self.length_scale_prior)
        mean = [_AMP_PRIOR[0]] + [ls_mean] * d
        std = [_AMP_PRIOR[1]] + [ls_std] * d
        if self._learn_noise:
            mean.append(_NOISE_PRIOR[0])
            std.append(_NOISE_PRIOR[1])
        return np.array(mean), np.array(std)

    def _sq_dist(self, A, B, ls):
        """Scaled squared distances; categorical columns count 0/1 mismatches."""
        r2 = np.zeros((len(A), len(B)))
        if len(self._cont):
            a = A[:, self._cont] / ls[self._cont]
            b = B[:, self._cont] / ls[self._cont]
            r2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
            np.maximum(r2, 0.0, out=r2)
        for j in self._cat:
            r2 += (A[:, j][:, None] != B[:, j][None, :]) / ls[j] ** 2
        return r2

    def _neg_log_posterior(self, theta, X, z):
        n, d = X.shape
        amp, ls, noise = self._unpack(theta)
        r2 = self._sq_dist(X, X, ls)
        k_unit, dk_unit = _matern52(r2)
        K_f = amp * k_unit
        K = K_f.copy()
        K[np.diag_indices(n)] += noise + self.alpha + _JITTER
        # LAPACK's potrf/potrs directly: scipy's cholesky and cho_solve call them, with checks
        # that cost as much as the factorization at a few dozen points
        L, info = lapack.dpotrf(K, lower=1, clean=1, overwrite_a=1)
        if info != 0:
            return 1e25, np.zeros_like(theta)
        alpha, _ = lapack.dpotrs(L, z, lower=1)
        K_inv = _cho_inverse(L)
        lml = -0.5 * z @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * _LOG_2PI
        W = np.outer(alpha, alpha) - K_inv
        grad = np.empty_like(theta)
        grad[0] = 0.5 * np.sum(W * K_f)
        M = W * (amp * dk_unit)  # 2 dLML/dK times dK/dr2, elementwise
        # sum_ik M_ik (x_ij - x_kj)^2 = 2 (x_j^2 . rowsum(M) - x_j^T M x_j)
        if len(self._cont):
            Xc = X[:, self._cont]
            s = 2.0 * ((Xc * Xc).T @ M.sum(1) - np.einsum("ij,ij->j", Xc, M @ Xc))
            grad[1 + self._cont] = -s / ls[self._cont] ** 2
        for j in self._cat:
            mismatch = X[:, j][:, None] != X[:, j][None, :]
            grad[1 + j] = -np.sum(M[mismatch]) / ls[j] ** 2
        if self._learn_noise:
            grad[1 + d] = 0.5 * noise * np.trace(W)
        mean, std = self._prior_means()
        dev = (theta - mean) / std
        value = -lml + 0.5 * np.sum(dev * dev)
        return value, -grad + dev / std

    def _optimize_theta(self, X, z):
        bounds = np.array(self._bounds())
        mean, std = self._prior_means()
        rng = check_random_state(self.random_state)
        first = mean
        if self.theta_start is not None and np.shape(self.theta_start) == mean.shape:
            first = np.asarray(self.theta_start, dtype=float)
        starts = [np.clip(first, bounds[:, 0], bounds[:, 1])]
        if self.optimizer is None:
            self.log_marginal_likelihood_value_ = -float(self._neg_log_posterior(starts[0], X, z)[0])
            return starts[0]
        for _ in range(int(self.n_restarts_optimizer)):
            starts.append(np.clip(rng.normal(mean, std), bounds[:, 0], bounds[:, 1]))
        best, best_value = starts[0], np.inf
        for start in starts:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = minimize(
                    self._neg_log_posterior, start, args=(X, z), jac=True,
                    method="L-BFGS-B", bounds=bounds, options={"maxiter": 200},
                )
            if np.isfinite(res.fun) and res.fun < best_value:
                best, best_value = res.x, res.fun
        self.log_marginal_likelihood_value_ = -float(best_value)
        return np.asarray(best, dtype=float)

    def _condition(self, X, z):
        amp, ls, noise = self._unpack(self.theta_)
        K = amp * _matern52(self._sq_dist(X, X, ls))[0]
        K[np.diag_indices_from(K)] += noise + self.alpha + _JITTER
        jitter = 0.0
        for _ in range(6):
            try:
                L = cholesky(K + jitter * np.eye(len(K)), lower=True, check_finite=False)
                break
            except np.linalg.LinAlgError:
                jitter = max(10 * jitter, 1e-8 * amp)
        else:
            raise np.linalg.LinAlgError("the kernel matrix is not positive definite")
        self.X_train_ = X
        self.y_train_ = z * self.y_std_ + self.y_mean_
        self.L_ = L
        self.alpha_ = cho_solve((L, True), z, check_finite=False)
        self.amplitude_, self.length_scale_, self.noise_ = amp, ls, noise

    # ------------------------------------------------------------ prediction
    def predict(self, X, return_std=False, return_cov=False, return_mean_grad=False, return_std_grad=False):
        """Posterior mean at ``X`` (in the units of ``y``), and optionally more.

        Returns ``mean``, then in this order whichever is asked: ``std``
        (of the latent function, without the noise) or ``cov``, the
        gradient of the mean and of the std with respect to ``X``
        (arrays shaped like ``X``; 1-D when ``X`` has one row, as
        scikit-optimize's model returned them).
        """
        if return_std and return_cov:
            raise ValueError("return_std and return_cov cannot both be True")
        if return_std_grad and not return_std:
            raise ValueError("return_std_grad needs return_std=True")
        if self.kernel is not None:
            return self._predict_sklearn(X, return_std, return_cov, return_mean_grad, return_std_grad)
        check_is_fitted(self, "theta_")
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} columns, the model was fitted on {self.n_features_in_}")
        amp, ls = self.amplitude_, self.length_scale_
        r2 = self._sq_dist(X, self.X_train_, ls)
        k_unit, dk_unit = _matern52(r2)
        Ks = amp * k_unit
        mean = Ks @ self.alpha_ * self.y_std_ + self.y_mean_
        out = [mean]
        if return_std or return_cov:
            # triangular solves stay accurate where K is nearly singular
            V = solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
        if return_std:
            std = np.sqrt(np.maximum(amp - np.einsum("ij,ij->j", V, V), 1e-12 * amp))
            out.append(std * self.y_std_)
        if return_cov:
            K_ss = amp * _matern52(self._sq_dist(X, X, ls))[0]
            out.append((K_ss - V.T @ V) * self.y_std_**2)
        if return_mean_grad or return_std_grad:
            G = amp * dk_unit  # (m, n) dk/dr2
            if return_std_grad:
                w = solve_triangular(self.L_.T, V, lower=False, check_finite=False).T  # K^-1 k*
            grads_mean = np.zeros_like(X)
            grads_std = np.zeros_like(X)
            for j in self._cont:
                dK = G * (2.0 * (X[:, j][:, None] - self.X_train_[:, j][None, :]) / ls[j] ** 2)
                grads_mean[:, j] = dK @ self.alpha_
                if return_std_grad:
                    grads_std[:, j] = -np.einsum("ij,ij->i", dK, w) / std
            one = len(X) == 1
            if return_mean_grad:
                out.append((grads_mean[0] if one else grads_mean) * self.y_std_)
            if return_std_grad:
                out.append((grads_std[0] if one else grads_std) * self.y_std_)
        return out[0] if len(out) == 1 else tuple(out)

    def sample_y(self, X, n_samples=1, random_state=None):
        """Draws of the latent function at ``X``, shape ``(len(X), n_samples)``."""
        rng = check_random_state(random_state)
        mean, cov = self.predict(X, return_cov=True)
        return rng.multivariate_normal(mean, cov + 1e-10 * np.eye(len(mean)), n_samples).T

    # ------------------------------------------------------------ sklearn kernels
    def _fit_sklearn(self, X, y):
        """Fit scikit-learn's regressor on ``kernel`` (scikit-optimize's noise handling).

        ``noise="gaussian"`` adds a fitted `WhiteKernel` (a float: a fixed
        one) unless the kernel already has one as a summand. After the fit
        that white term is zeroed in ``kernel_``, so predictions are of the
        latent function, as with the built-in kernel; its level is ``noise_``.
        """
        from sklearn.gaussian_process import GaussianProcessRegressor as _SkGPR
        from sklearn.gaussian_process.kernels import WhiteKernel as _SkWhite

        from .kernels import WhiteKernel

        kernel = self.kernel
        if self.noise and _white_kernel_param(kernel) is None:
            if self.noise == "gaussian":
                kernel = kernel + WhiteKernel()
            else:
                kernel = kernel + WhiteKernel(noise_level=self.noise, noise_level_bounds="fixed")
        model = _SkGPR(
            kernel=kernel, alpha=self.alpha, normalize_y=self.normalize_y,
            n_restarts_optimizer=self.n_restarts_optimizer, random_state=self.random_state,
        ).fit(X, y)
        self.theta_ = model.kernel_.theta  # as fitted, before the noise is zeroed
        self.noise_ = None
        if self.noise:
            if isinstance(model.kernel_, _SkWhite):
                self.noise_ = model.kernel_.noise_level
                model.kernel_ = model.kernel_.clone_with_theta(model.kernel_.theta)
                model.kernel_.set_params(noise_level=0.0)
            else:
                param = _white_kernel_param(model.kernel_)
                if param is not None:
                    self.noise_ = model.kernel_.get_params()[param].noise_level
                    model.kernel_.set_params(**{param: WhiteKernel(noise_level=0.0)})
        self._sk_model_ = model
        self.kernel_ = model.kernel_
        self.X_train_, self.y_train_ = X, y
        self.L_, self.alpha_ = model.L_, model.alpha_
        self.y_mean_ = float(np.ravel(model._y_train_mean)[0]) if self.normalize_y else 0.0
        self.y_std_ = float(np.ravel(model._y_train_std)[0]) if self.normalize_y else 1.0
        self.n_features_in_ = X.shape[1]
        return self

    def _predict_sklearn(self, X, return_std, return_cov, return_mean_grad, return_std_grad):
        """`predict` on a scikit-learn kernel; gradients need the kernel's ``gradient_x``."""
        check_is_fitted(self, "_sk_model_")
        if not (return_mean_grad or return_std_grad):
            return self._sk_model_.predict(X, return_std=return_std, return_cov=return_cov)
        if not self._supports_gradients:
            raise ValueError(
                "gradients need the built-in kernel (kernel=None) or a kernel of "
                "asktell.learning.gaussian_process.kernels (one with gradient_x, no HammingKernel)"
            )
        X = np.asarray(X, dtype=float)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        mean, std = self._sk_model_.predict(X, return_std=True)
        out = [mean]
        if return_std:
            out.append(std)
        if return_cov:
            out.append(self._sk_model_.predict(X, return_cov=True)[1])
        alpha = np.ravel(self.alpha_)
        grads_mean, grads_std = np.zeros_like(X), np.zeros_like(X)
        for i, x in enumerate(X):
            grad_k = np.asarray(self.kernel_.gradient_x(x, self.X_train_))  # (n, d)
            grads_mean[i] = grad_k.T @ alpha * self.y_std_
            if return_std_grad and std[i] > 0:
                k_star = self.kernel_(x[None, :], self.X_train_)[0]
                w = cho_solve((self.L_, True), k_star, check_finite=False)  # K^-1 k*
                grads_std[i] = -(w @ grad_k) * self.y_std_**2 / std[i]
        one = len(X) == 1
        if return_mean_grad:
            out.append(grads_mean[0] if one else grads_mean)
        if return_std_grad:
            out.append(grads_std[0] if one else grads_std)
        return tuple(out)

    @property
    def y_train_std_(self):
        """scikit-optimize's name for the targets' scale (1 without ``normalize_y``)."""
        check_is_fitted(self, "y_std_")
        return self.y_std_

    @property
    def y_train_mean_(self):
        """scikit-optimize's name for the targets' mean (0 without ``normalize_y``)."""
        check_is_fitted(self, "y_mean_")
        return self.y_mean_

    @property
    def _supports_gradients(self):
        """Built-in kernel, or one whose every part has ``gradient_x`` (no `HammingKernel`)."""
        if self.kernel is None:
            return True
        from .kernels import HammingKernel

        parts = [self.kernel, *self.kernel.get_params(deep=True).values()]
        kernels = [p for p in parts if hasattr(p, "__call__") and hasattr(p, "theta")]
        return all(hasattr(k, "gradient_x") for k in kernels) and not any(
            isinstance(k, HammingKernel) for k in kernels
        )

    def __setstate__(self, state):
        # a model pickled by scikit-optimize (read through asktell.skopt_alias) is a
        # fitted scikit-learn regressor: keep it as the delegate of a kernel model
        if "kernel_" in state and "_y_train_std" in state and "_sk_model_" not in state:
            state = _state_from_skopt(state)
        super().__setstate__(state)


def _white_kernel_param(kernel, prefix=""):
    """The ``get_params`` key of a `WhiteKernel` summand of ``kernel`` (None: none).

    Only sums are searched (a white kernel inside a product is not noise).
    """
    from sklearn.gaussian_process.kernels import Sum, WhiteKernel

    if not isinstance(kernel, Sum):
        return None
    for name in ("k1", "k2"):
        child = getattr(kernel, name)
        if isinstance(child, WhiteKernel):
            return prefix + name
        found = _white_kernel_param(child, f"{prefix}{name}__")
        if found is not None:
            return found
    return None


def _state_from_skopt(state):
    """asktell's state of a Gaussian process that scikit-optimize pickled as ``state``."""
    from sklearn.gaussian_process import GaussianProcessRegressor as _SkGPR

    delegate = _SkGPR.__new__(_SkGPR)
    own = ("noise", "noise_", "K_inv_", "y_train_mean_", "y_train_std_")
    delegate.__dict__.update({k: v for k, v in state.items() if k not in own})
    normalize = bool(state.get("normalize_y", False))
    with np.errstate(divide="ignore"):  # the zeroed white noise has log-level -inf
        theta = state["kernel_"].theta
    return {
        "kernel": state.get("kernel"),
        "noise": state.get("noise"),
        "normalize_y": normalize,
        "n_restarts_optimizer": state.get("n_restarts_optimizer", 0),
        "categorical_dims": None,
        "alpha": state.get("alpha", 1e-10),
        "random_state": state.get("random_state"),
        "length_scale_prior": None,
        "theta_start": None,
        "_sk_model_": delegate,
        "kernel_": state["kernel_"],
        "noise_": state.get("noise_"),
        "X_train_": state["X_train_"],
        "y_train_": state["y_train_"],
        "L_": state["L_"],
        "alpha_": state["alpha_"],
        "y_mean_": float(np.ravel(state["_y_train_mean"])[0]) if normalize else 0.0,
        "y_std_": float(np.ravel(state["_y_train_std"])[0]) if normalize else 1.0,
        "theta_": theta,
        "n_features_in_": state.get("n_features_in_", np.shape(state["X_train_"])[1]),
    }
