"""scikit-learn's kernels, where scikit-optimize users import them from.

Passing one as ``GaussianProcessRegressor(kernel=...)`` delegates the model
to scikit-learn; the default (``kernel=None``) is asktell's faster
Matern-5/2 ARD kernel with gradients and categorical columns.
"""

from sklearn.gaussian_process.kernels import (  # noqa: F401
    RBF,
    ConstantKernel,
    DotProduct,
    Exponentiation,
    ExpSineSquared,
    Kernel,
    Matern,
    Product,
    RationalQuadratic,
    Sum,
    WhiteKernel,
)

__all__ = [
    "Kernel", "RBF", "Matern", "RationalQuadratic", "ExpSineSquared", "ConstantKernel",
    "WhiteKernel", "Exponentiation", "Sum", "Product", "DotProduct",
]
