"""Kernels for `GaussianProcessRegressor`, as scikit-optimize's ``skopt.learning.gaussian_process.kernels``.

Each is scikit-learn's kernel of the same name plus ``gradient_x(x,
X_train)``: the gradient of ``k(x, X_train[i])`` with respect to the test
point ``x``, one row per training point. That is what the gradient of a
GP's mean and standard deviation with respect to ``x`` needs. Sums,
products and powers of these kernels are again kernels of this module, so
they keep ``gradient_x``.

`HammingKernel` is scikit-optimize's kernel for categorical columns:
``k(x, y) = exp(-sum_j length_scale_j * [x_j != y_j])``. As in skopt, the
length scale multiplies the mismatch count (a larger value means *less*
correlation), the opposite of the other kernels' convention.

Passing one of these as ``GaussianProcessRegressor(kernel=...)`` delegates
the model to scikit-learn; the default (``kernel=None``) is asktell's
faster Matern-5/2 ARD kernel with gradients and categorical columns.
"""

from __future__ import annotations

import numpy as np
from sklearn.gaussian_process import kernels as _sk

__all__ = [
    "Kernel",
    "RBF",
    "Matern",
    "RationalQuadratic",
    "ExpSineSquared",
    "ConstantKernel",
    "WhiteKernel",
    "Exponentiation",
    "Sum",
    "Product",
    "DotProduct",
    "HammingKernel",
]


class Kernel(_sk.Kernel):
    """Base class: a scikit-learn kernel with ``gradient_x``.

    Arithmetic with a number or another kernel builds this module's `Sum`,
    `Product` and `Exponentiation`, so the result keeps ``gradient_x``.
    """

    def __add__(self, b):
        return Sum(self, b if isinstance(b, _sk.Kernel) else ConstantKernel(b))

    def __radd__(self, b):
        return Sum(b if isinstance(b, _sk.Kernel) else ConstantKernel(b), self)

    def __mul__(self, b):
        return Product(self, b if isinstance(b, _sk.Kernel) else ConstantKernel(b))

    def __rmul__(self, b):
        return Product(b if isinstance(b, _sk.Kernel) else ConstantKernel(b), self)

    def __pow__(self, b):
        return Exponentiation(self, b)

    def gradient_x(self, x, X_train):
        """Gradient of ``k(x, X_train)`` with respect to ``x``.

        Parameters
        ----------
        x : array-like, shape (n_features,)
            One test point.
        X_train : array-like, shape (n_samples, n_features)
            The training points.

        Returns
        -------
        ndarray, shape (n_samples, n_features)
            Row ``i`` is the gradient of ``k(x, X_train[i])``.
        """
        raise NotImplementedError(f"{type(self).__name__} has no gradient_x")


def _scaled_difference(kernel, x, X_train):
    """``(x - X_train) / length_scale``, its squared norms, and the length scales."""
    x = np.asarray(x, dtype=float).reshape(-1)
    X_train = np.atleast_2d(np.asarray(X_train, dtype=float))
    length_scale = np.asarray(kernel.length_scale, dtype=float)
    diff = (x - X_train) / length_scale
    return diff, np.sum(diff**2, axis=1), length_scale


class RBF(Kernel, _sk.RBF):
    """Squared-exponential kernel ``exp(-r^2 / 2)``, ``r`` the scaled distance."""

    def gradient_x(self, x, X_train):
        diff, r2, ls = _scaled_difference(self, x, X_train)
        return -np.exp(-0.5 * r2)[:, None] * diff / ls


class Matern(Kernel, _sk.Matern):
    """Matern kernel; ``gradient_x`` for ``nu`` in 0.5, 1.5, 2.5 (and inf, the RBF)."""

    def gradient_x(self, x, X_train):
        diff, r2, ls = _scaled_difference(self, x, X_train)
        r = np.sqrt(r2)
        # dk/dx = (dk/dr) * diff / (r * ls); for nu = 1.5 and 2.5, (dk/dr) / r
        # has a finite limit at r = 0, written out below without the division
        if self.nu == 0.5:
            out = np.empty_like(diff)
            far = r > 0
            out[far] = (-np.exp(-r[far]) / r[far])[:, None] * diff[far] / ls
            # at x == X_train[i] the kernel has a kink: take the one-sided
            # derivative (moving x up), -1 / length_scale in every coordinate
            out[~far] = -1.0 / np.broadcast_to(ls, diff.shape)[~far]
            return out
        if self.nu == 1.5:
            s = np.sqrt(3.0) * r
            return (-3.0 * np.exp(-s))[:, None] * diff / ls
        if self.nu == 2.5:
            s = np.sqrt(5.0) * r
            return (-(5.0 / 3.0) * (1.0 + s) * np.exp(-s))[:, None] * diff / ls
        if np.isinf(self.nu):
            return -np.exp(-0.5 * r2)[:, None] * diff / ls
        raise NotImplementedError(f"gradient_x of a Matern kernel needs nu in (0.5, 1.5, 2.5, inf), got {self.nu}")


class RationalQuadratic(Kernel, _sk.RationalQuadratic):
    """Rational quadratic kernel ``(1 + r^2 / (2 alpha))^-alpha``."""

    def gradient_x(self, x, X_train):
        diff, r2, ls = _scaled_difference(self, x, X_train)
        factor = -((1.0 + r2 / (2.0 * self.alpha)) ** (-self.alpha - 1.0))
        return factor[:, None] * diff / ls


class ExpSineSquared(Kernel, _sk.ExpSineSquared):
    """Periodic kernel ``exp(-2 sin^2(pi d / p) / l^2)``, ``d`` the Euclidean distance."""

    def gradient_x(self, x, X_train):
        x = np.asarray(x, dtype=float).reshape(-1)
        X_train = np.atleast_2d(np.asarray(X_train, dtype=float))
        diff = x - X_train
        d = np.sqrt(np.sum(diff**2, axis=1))
        arg = np.pi * d / self.periodicity
        k = np.exp(-2.0 * np.sin(arg) ** 2 / self.length_scale**2)
        # dk/dd = -k * 2 sin(2 arg) (pi / p) / l^2; dd/dx = diff / d (-> 0 gradient at d = 0)
        dk_dd = -k * 2.0 * np.sin(2.0 * arg) * (np.pi / self.periodicity) / self.length_scale**2
        per_d = np.zeros_like(d)
        far = d > 0
        per_d[far] = dk_dd[far] / d[far]
        return per_d[:, None] * diff


class ConstantKernel(Kernel, _sk.ConstantKernel):
    """Constant kernel: no dependence on ``x``."""

    def gradient_x(self, x, X_train):
        return np.zeros_like(np.atleast_2d(np.asarray(X_train, dtype=float)))


class WhiteKernel(Kernel, _sk.WhiteKernel):
    """White noise: zero between distinct points, so no dependence on a test ``x``."""

    def gradient_x(self, x, X_train):
        return np.zeros_like(np.atleast_2d(np.asarray(X_train, dtype=float)))


class DotProduct(Kernel, _sk.DotProduct):
    """Dot-product kernel ``sigma_0^2 + x . y``."""

    def gradient_x(self, x, X_train):
        return np.atleast_2d(np.asarray(X_train, dtype=float)).copy()


def _row(kernel, x, X_train):
    """``k(x, X_train)`` as a column, for the product and chain rules."""
    x = np.asarray(x, dtype=float).reshape(1, -1)
    return kernel(x, np.atleast_2d(np.asarray(X_train, dtype=float)))[0][:, None]


class Exponentiation(Kernel, _sk.Exponentiation):
    """A kernel to a power: ``k(x, y) ** exponent``."""

    def gradient_x(self, x, X_train):
        e = self.exponent
        return e * _row(self.kernel, x, X_train) ** (e - 1) * self.kernel.gradient_x(x, X_train)


class Sum(Kernel, _sk.Sum):
    """Sum of two kernels."""

    def gradient_x(self, x, X_train):
        return self.k1.gradient_x(x, X_train) + self.k2.gradient_x(x, X_train)


class Product(Kernel, _sk.Product):
    """Product of two kernels."""

    def gradient_x(self, x, X_train):
        return (
            _row(self.k1, x, X_train) * self.k2.gradient_x(x, X_train)
            + _row(self.k2, x, X_train) * self.k1.gradient_x(x, X_train)
        )


class HammingKernel(_sk.StationaryKernelMixin, _sk.NormalizedKernelMixin, Kernel):
    """Kernel of categorical codes: ``exp(-sum_j length_scale_j * [x_j != y_j])``.

    Two points correlate less the more columns they differ in; the codes'
    order means nothing (use ordinal codes or the raw categories).

    Parameters
    ----------
    length_scale : float or array-like of shape (n_features,)
        Weight of a mismatch in each column (one value: the same for all).
    length_scale_bounds : pair of float
        Bounds of the length scale when it is fitted.
    """

    def __init__(self, length_scale=1.0, length_scale_bounds=(1e-5, 1e5)):
        self.length_scale = length_scale
        self.length_scale_bounds = length_scale_bounds

    @property
    def anisotropic(self) -> bool:
        return np.iterable(self.length_scale) and len(self.length_scale) > 1

    @property
    def hyperparameter_length_scale(self):
        if self.anisotropic:
            return _sk.Hyperparameter(
                "length_scale", "numeric", self.length_scale_bounds, len(self.length_scale)
            )
        return _sk.Hyperparameter("length_scale", "numeric", self.length_scale_bounds)

    def __call__(self, X, Y=None, eval_gradient=False):
        """``K(X, Y)`` (``Y=None``: ``K(X, X)``), and its gradient in ``log(length_scale)``.

        The gradient has shape ``(n, n, 1)`` for one length scale and
        ``(n, n, n_features)`` for one per column; it needs ``Y=None``.
        """
        X = np.atleast_2d(X)
        if self.anisotropic:
            ls = np.asarray(self.length_scale, dtype=float)
            if X.shape[1] != len(ls):
                raise ValueError(
                    f"HammingKernel has {len(ls)} length scales but X has {X.shape[1]} features"
                )
        else:
            ls = float(np.ravel(self.length_scale)[0])
        if Y is None:
            Y = X
        elif eval_gradient:
            raise ValueError("gradient can be evaluated only when Y is None")
        else:
            Y = np.atleast_2d(Y)
        mismatch = X[:, None, :] != Y[None, :, :]
        K = np.exp(-np.sum(ls * mismatch, axis=2))
        if not eval_gradient:
            return K
        # d K / d log(l_j) = l_j * dK/dl_j = -K * l_j * mismatch_j
        if self.anisotropic:
            grad = -K[:, :, None] * mismatch * ls
        else:
            grad = -(K * np.sum(mismatch, axis=2) * ls)[:, :, None]
        return K, grad

    def __repr__(self):
        if self.anisotropic:
            scales = ", ".join(f"{v:.3g}" for v in np.asarray(self.length_scale, dtype=float))
            return f"HammingKernel(length_scale=[{scales}])"
        return f"HammingKernel(length_scale={float(np.ravel(self.length_scale)[0]):.3g})"
