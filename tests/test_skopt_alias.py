"""Migrating from scikit-optimize: the opt-in ``skopt`` alias and skopt's pickles.

Each case runs in a fresh interpreter, since an import hook and the
``skopt`` modules it makes are process-wide. "scikit-optimize absent" is
simulated by a finder that hides what Python's path finder would find for
``skopt`` (the dev extra installs the real one).
"""

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HIDE_SKOPT = textwrap.dedent(
    """
    import importlib.machinery, sys

    class HideInstalledSkopt:
        # as if scikit-optimize were not installed: skopt is asked of every finder but the path finder
        def find_spec(self, name, path=None, target=None):
            if name != "skopt" and not name.startswith("skopt."):
                return None
            for finder in sys.meta_path:
                if finder is self or finder is importlib.machinery.PathFinder:
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    return spec
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, HideInstalledSkopt())
    """
)


def _run(code, cwd=None):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd or ROOT, env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def asktell_real_module():
    import asktell

    return asktell.Real.__module__


def _real_skopt():
    return pytest.importorskip("skopt", reason="the dev extra installs scikit-optimize for these checks")


def test_without_scikit_optimize_nothing_resolves_until_installed_then_skopt_code_runs():
    out = _run(HIDE_SKOPT + textwrap.dedent(
        """
        try:
            import skopt
        except ModuleNotFoundError:
            print("absent")
        import asktell
        from asktell import skopt_alias
        assert skopt_alias.install() is True and skopt_alias.install() is False
        import skopt
        from skopt import gp_minimize, Optimizer
        from skopt.space import Real, Integer
        from skopt.space.space import Categorical, Space
        from skopt.space.transformers import Normalize
        from skopt.optimizer.optimizer import Optimizer as Opt2
        from skopt.learning.gaussian_process.kernels import HammingKernel
        from skopt.sampler.sobol import Sobol
        import skopt.callbacks
        assert Real is asktell.Real and Categorical is asktell.space.Categorical
        assert Opt2 is Optimizer is asktell.Optimizer and gp_minimize is asktell.gp_minimize
        assert Sobol is asktell.sampler.Sobol and skopt.callbacks.StdStopper is asktell.callbacks.StdStopper
        assert skopt.space.space.Space is Space is asktell.Space
        assert not hasattr(asktell, "__path__") or asktell.optimizer.__name__ == "asktell.optimizer"
        res = gp_minimize(lambda x: (x[0] - 0.25) ** 2, [Real(-1, 1)], n_calls=6, n_initial_points=3, random_state=0)
        print("ran", len(res.func_vals))
        try:
            import skopt.no_such_module
        except ModuleNotFoundError:
            print("unknown submodule refused")
        skopt_alias.uninstall()
        assert "skopt" not in sys.modules and "skopt.space" not in sys.modules
        try:
            import skopt
        except ModuleNotFoundError:
            print("gone")
        """
    ))
    assert out.split() == ["absent", "ran", "6", "unknown", "submodule", "refused", "gone"]


def test_an_installed_scikit_optimize_is_never_shadowed():
    real = _real_skopt()
    out = _run(textwrap.dedent(
        """
        from asktell import skopt_alias
        skopt_alias.install()
        import skopt, skopt.space
        print(type(skopt).__name__, skopt.__version__, skopt.space.Real.__module__)
        """
    ))
    assert out.split() == ["module", real.__version__, "skopt.space.space"]


def test_forced_alias_shadows_scikit_optimize_for_running_its_tests():
    _real_skopt()
    out = _run(textwrap.dedent(
        """
        from asktell import skopt_alias
        skopt_alias.install(force=True)
        import skopt
        from skopt.space import Real
        print(type(skopt).__name__, Real.__module__)
        """
    ))
    assert out.split() == ["_AliasModule", asktell_real_module()]


def test_a_pth_file_installs_the_fallback_at_start_up(tmp_path):
    from asktell import skopt_alias

    (tmp_path / "asktell-skopt-alias.pth").write_text(skopt_alias._pth_line())
    out = _run(HIDE_SKOPT + textwrap.dedent(
        f"""
        import site
        site.addsitedir({str(tmp_path)!r})  # what the interpreter does with site-packages
        assert "asktell" not in sys.modules  # the hook alone: asktell waits for `import skopt`
        import skopt
        print(type(skopt).__name__, skopt.Real.__module__)
        """
    ))
    assert out.split() == ["_AliasModule", asktell_real_module()]


def test_a_result_dumped_by_scikit_optimize_loads_and_works_through_the_alias(tmp_path):
    _real_skopt()
    # made by the real scikit-optimize, with asktell out of the way
    made = _run(textwrap.dedent(
        """
        import skopt
        from skopt.space import Categorical, Integer, Real
        assert "asktell" not in skopt.__file__
        def f(x):
            return (x[0] - 0.3) ** 2 + 0.01 * x[1] + (0.0 if x[2] == "a" else 0.5)
        space = [Real(-1, 1, name="r"), Integer(1, 10, prior="log-uniform"), Categorical(["a", "b"])]
        res = skopt.gp_minimize(f, space, n_calls=12, random_state=0)
        skopt.dump(res, "res.pkl", store_objective=False)
        mean = res.models[-1].predict(res.space.transform([res.x]))
        print(repr(res.x), repr(res.fun), repr(float(mean[0])))
        """
    ), cwd=tmp_path)
    out = _run(HIDE_SKOPT + textwrap.dedent(
        """
        import numpy as np
        from asktell import skopt_alias
        skopt_alias.install()
        import skopt, asktell
        res = skopt.load("res.pkl")
        assert isinstance(res.space, asktell.Space)
        assert [type(d).__name__ for d in res.space] == ["Real", "Integer", "Categorical"]
        assert res.space[0].name == "r" and res.space[1].prior == "log-uniform"
        assert res.x in res.space and len(res.x_iters) == 12
        # the space works: sampling, and transforms that round-trip
        pts = res.space.rvs(5, random_state=0)
        assert res.space.inverse_transform(res.space.transform(pts)) == pts
        # the fitted model predicts as it did in scikit-optimize
        model = res.models[-1]
        assert isinstance(model, asktell.learning.GaussianProcessRegressor)
        mean = model.predict(res.space.transform([res.x]))
        print(repr(res.x), repr(res.fun), repr(float(mean[0])))
        x, fun = asktell.expected_minimum(res, random_state=0)
        assert x in res.space and fun <= res.fun + 1e-6
        """
    ), cwd=tmp_path)
    x, fun, mean = out.rsplit(" ", 2)
    x_made, fun_made, mean_made = made.rsplit(" ", 2)
    assert (x, fun) == (x_made, fun_made)
    assert float(mean) == pytest.approx(float(mean_made), rel=1e-9, abs=1e-12)
