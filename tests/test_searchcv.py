"""asktell.BayesSearchCV: scikit-optimize's interface on scikit-learn's BaseSearchCV."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from asktell import AutoOptimizer, BayesSearchCV, Optimizer, load_study
from asktell.space import Categorical, Integer, Real

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_SMALL = np.arange(60, dtype=float).reshape(30, 2)
Y_SMALL = np.arange(30, dtype=float)


class Bowl(RegressorMixin, BaseEstimator):
    """A fake model whose score is a known function of its parameters (max 0 at a=0.3, b=4)."""

    def __init__(self, a=0.0, b=0, kind="x", flag=0.0):
        self.a = a
        self.b = b
        self.kind = kind
        self.flag = flag

    def fit(self, X, y=None, offset=0.0, **kwargs):
        if self.a < -5:
            raise RuntimeError("a below -5 fails")
        self.offset_ = offset
        self.seen_ = len(X)
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        bonus = 0.5 if self.kind == "y" else 0.0
        return -((self.a - 0.3) ** 2) - (self.b - 4) ** 2 / 10 + bonus + self.offset_


def bowl_value(params):
    return -((params["a"] - 0.3) ** 2) - (params["b"] - 4) ** 2 / 10 + (0.5 if params.get("kind") == "y" else 0.0)


SPACE = {"a": Real(-1.0, 1.0), "b": Integer(0, 8)}


def test_finds_the_optimum_and_records_each_candidates_score():
    search = BayesSearchCV(Bowl(), SPACE, n_iter=16, cv=3, random_state=0).fit(X_SMALL, Y_SMALL)
    res = search.cv_results_
    # each candidate's mean test score is the bowl at its parameters
    np.testing.assert_allclose(res["mean_test_score"], [bowl_value(p) for p in res["params"]])
    assert search.best_params_["b"] == 4
    assert abs(search.best_params_["a"] - 0.3) < 0.15
    assert search.best_score_ == pytest.approx(res["mean_test_score"].max())
    assert search.best_index_ == int(np.argmax(res["mean_test_score"]))
    # the model-based candidates beat the initial design: the best comes after it
    assert search.best_index_ >= 5
    # optimizer_results_ holds minus the scores, in sorted-name order
    (opt_res,) = search.optimizer_results_
    assert opt_res.fun == pytest.approx(-search.best_score_)
    assert opt_res.x == [search.best_params_["a"], search.best_params_["b"]]
    np.testing.assert_allclose(opt_res.func_vals, -res["mean_test_score"])
    assert isinstance(search.best_estimator_, Bowl) and search.best_estimator_.seen_ == len(X_SMALL)


def test_cv_results_keys_and_shapes():
    search = BayesSearchCV(
        Bowl(), {**SPACE, "kind": Categorical(["x", "y"])}, n_iter=6, cv=KFold(4), random_state=1,
        return_train_score=True,
    ).fit(X_SMALL, Y_SMALL)
    res = search.cv_results_
    expected = {"params", "param_a", "param_b", "param_kind", "mean_fit_time", "std_fit_time", "mean_score_time",
                "std_score_time", "mean_test_score", "std_test_score", "rank_test_score", "mean_train_score",
                "std_train_score", "rank_train_score"}
    expected |= {f"split{k}_{s}_score" for k in range(4) for s in ("test", "train")}
    assert set(res) == expected
    assert all(len(v) == 6 for v in res.values())
    assert search.n_splits_ == 4
    assert list(res["param_kind"]) == [p["kind"] for p in res["params"]]
    assert res["rank_test_score"][search.best_index_] == 1
    # scikit-optimize ranked train scores too
    assert res["rank_train_score"].min() == 1
    assert set(search.best_params_) == {"a", "b", "kind"}


def test_several_search_spaces_with_their_own_budgets():
    spaces = [({"a": Real(-1.0, 0.0)}, 3), {"b": Integer(0, 8), "a": Categorical([0.3])}]
    search = BayesSearchCV(Bowl(), spaces, n_iter=4, cv=2, random_state=0)
    assert search.total_iterations == 7
    search.fit(X_SMALL, Y_SMALL)
    params = search.cv_results_["params"]
    assert len(params) == 7
    assert all(set(p) == {"a"} and -1 <= p["a"] <= 0 for p in params[:3])
    assert all(set(p) == {"a", "b"} and p["a"] == 0.3 for p in params[3:])
    assert len(search.optimizer_results_) == 2 and len(search.optimizers_) == 2
    # the masked param column is masked where a subspace lacks the parameter
    assert list(np.ma.getmaskarray(search.cv_results_["param_b"])) == [True] * 3 + [False] * 4


def test_multimetric_scoring_optimizes_the_refit_metric():
    scoring = {"acc": "accuracy", "negll": "neg_log_loss"}
    search = BayesSearchCV(
        LogisticRegression(max_iter=200), {"C": Real(1e-4, 1e2, prior="log-uniform")},
        n_iter=7, cv=3, scoring=scoring, refit="negll", random_state=0,
    ).fit(X_IRIS, Y_IRIS)
    res = search.cv_results_
    assert search.multimetric_
    assert {"mean_test_acc", "mean_test_negll", "rank_test_acc", "rank_test_negll"} <= set(res)
    assert search.best_index_ == int(np.argmax(res["mean_test_negll"]))
    assert search.best_score_ == res["mean_test_negll"][search.best_index_]
    # the optimizer was told minus the refit metric
    np.testing.assert_allclose(search.optimizer_results_[0].func_vals, -res["mean_test_negll"])
    for refit in (True, False, "nope"):
        with pytest.raises(ValueError, match="must be set to a scorer key"):
            BayesSearchCV(LogisticRegression(), {"C": Real(0.1, 1.0)}, n_iter=2, cv=2, scoring=scoring,
                          refit=refit).fit(X_IRIS, Y_IRIS)


def test_refit_false_keeps_best_params_without_an_estimator():
    search = BayesSearchCV(Bowl(), SPACE, n_iter=4, cv=2, refit=False, random_state=0).fit(X_SMALL, Y_SMALL)
    assert not hasattr(search, "best_estimator_")
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    with pytest.raises(AttributeError):
        search.predict(X_SMALL)


def test_groups_reach_a_group_aware_splitter():
    groups = np.repeat(np.arange(5), 6)

    class GroupBowl(Bowl):
        def score(self, X, y=None):
            # every test fold is exactly one group: 6 consecutive rows of X_SMALL
            starts = X[:, 0] // 12
            assert len(np.unique(starts)) == 1 and len(X) == 6
            return super().score(X, y)

    search = BayesSearchCV(GroupBowl(), SPACE, n_iter=3, cv=GroupKFold(5), random_state=0)
    search.fit(X_SMALL, Y_SMALL, groups=groups)
    assert search.n_splits_ == 5
    with pytest.raises(ValueError, match="groups"):
        clone(search).fit(X_SMALL, Y_SMALL)
    # under metadata routing, groups go to the splitter that requests them
    with sklearn.config_context(enable_metadata_routing=True):
        routed = clone(search).fit(X_SMALL, Y_SMALL, groups=groups)
    assert routed.cv_results_["params"] == search.cv_results_["params"]


@pytest.mark.parametrize("n_points", [1, 2])
def test_error_score_nan_fails_the_trial_and_keeps_the_search_going(n_points):
    space = {"a": Real(-10.0, 1.0), "b": Integer(3, 5)}
    search = BayesSearchCV(Bowl(), space, n_iter=10, n_points=n_points, cv=2, error_score=np.nan, random_state=3)
    with pytest.warns(FitFailedWarning):
        search.fit(X_SMALL, Y_SMALL)
    trials = search.optimizers_[0].trials
    assert len(trials) == 10
    failed = [t for t in trials if t.state == "FAIL"]
    assert failed and all(t.x[0] < -5 for t in failed)
    assert all(t.x[0] >= -5 for t in trials if t.state == "COMPLETE")
    # a failed trial is never a told value; it stays in the result's failed list
    assert len(search.optimizers_[0].yi) == 10 - len(failed)
    assert len(search.optimizer_results_[0].failed) == len(failed)
    # scikit-learn's rows: NaN for a failed candidate of a round where another succeeded; a round
    # where every fit failed (scikit-learn raises there) is left out
    res = search.cv_results_
    bad = np.array([p["a"] < -5 for p in res["params"]])
    assert np.isnan(res["mean_test_score"][bad]).all() and np.isfinite(res["mean_test_score"][~bad]).all()
    assert np.isfinite(search.best_score_) and search.best_params_["a"] >= -5
    if n_points == 1:
        assert not bad.any() and len(res["params"]) == 10 - len(failed)
    with pytest.raises(RuntimeError, match="below -5"):
        BayesSearchCV(Bowl(), {"a": Real(-10.0, -6.0)}, n_iter=2, cv=2).fit(X_SMALL, Y_SMALL)
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match="fits failed"):
        BayesSearchCV(Bowl(), {"a": Real(-10.0, -6.0)}, n_iter=2, cv=2, error_score=np.nan).fit(X_SMALL, Y_SMALL)


def test_error_score_number_is_told_as_the_score():
    search = BayesSearchCV(Bowl(), {"a": Real(-10.0, 1.0)}, n_iter=8, cv=2, error_score=-50.0, random_state=3)
    with pytest.warns(FitFailedWarning):
        search.fit(X_SMALL, Y_SMALL)
    told = dict(zip(map(tuple, search.optimizers_[0].Xi), search.optimizers_[0].yi))
    assert len(told) == 8
    assert all(y == 50.0 for x, y in told.items() if x[0] < -5)
    assert any(x[0] < -5 for x in told)
    rows = {(p["a"],): s for p, s in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"])}
    assert all(told[x] == pytest.approx(-s) for x, s in rows.items())


def test_same_random_state_same_search_and_another_seed_another():
    kw = dict(n_iter=7, cv=2)
    a = BayesSearchCV(Bowl(), SPACE, random_state=5, **kw).fit(X_SMALL, Y_SMALL)
    b = BayesSearchCV(Bowl(), SPACE, random_state=5, **kw).fit(X_SMALL, Y_SMALL)
    c = BayesSearchCV(Bowl(), SPACE, random_state=6, **kw).fit(X_SMALL, Y_SMALL)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert a.cv_results_["params"] != c.cv_results_["params"]


def test_clone_get_params_set_params():
    search = BayesSearchCV(make_pipeline(StandardScaler(), SVC()), {"svc__C": Real(0.1, 10.0)}, n_iter=3)
    params = search.get_params(deep=False)
    for name in ("search_spaces", "optimizer_kwargs", "n_iter", "fit_params", "n_points", "random_state",
                 "storage", "study_name", "error_score", "return_train_score", "pre_dispatch"):
        assert name in params
    twin = clone(search)
    assert twin.get_params(deep=False).keys() == params.keys()
    assert twin.search_spaces is not search.search_spaces or twin.search_spaces == search.search_spaces
    twin.set_params(n_iter=2, estimator__svc__kernel="linear", search_spaces={"svc__C": Real(1.0, 2.0)})
    twin.fit(X_IRIS, Y_IRIS)
    assert len(twin.cv_results_["params"]) == 2
    assert twin.best_estimator_.named_steps["svc"].kernel == "linear"
    assert 1.0 <= twin.best_params_["svc__C"] <= 2.0
    assert twin.score(X_IRIS, Y_IRIS) > 0.9
    assert twin.predict(X_IRIS[:3]).shape == (3,)
    assert list(twin.classes_) == [0, 1, 2]


def test_constructor_fit_params_are_honoured_and_fit_kwargs_override_them():
    search = BayesSearchCV(Bowl(), {"a": Categorical([0.3]), "b": Categorical([4])}, n_iter=1, cv=2,
                           fit_params={"offset": 2.0}).fit(X_SMALL, Y_SMALL)
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(2.0)
    assert search.best_estimator_.offset_ == 2.0
    search.fit(X_SMALL, Y_SMALL, offset=5.0)
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(5.0)


def test_default_strategy_unless_optimizer_kwargs_ask_for_another():
    search = BayesSearchCV(Bowl(), SPACE, n_iter=3, cv=2, random_state=0).fit(X_SMALL, Y_SMALL)
    assert isinstance(search.optimizers_[0], AutoOptimizer)
    few = BayesSearchCV(Bowl(), SPACE, n_iter=3, cv=2, optimizer_kwargs={"n_initial_points": 2}).fit(X_SMALL, Y_SMALL)
    assert isinstance(few.optimizers_[0], AutoOptimizer) and few.optimizers_[0].n_initial_points_ == 2
    rf = BayesSearchCV(Bowl(), SPACE, n_iter=4, cv=2, random_state=0,
                       optimizer_kwargs={"base_estimator": "RF", "n_initial_points": 2}).fit(X_SMALL, Y_SMALL)
    opt = rf.optimizers_[0]
    assert type(opt) is Optimizer and type(opt.base_estimator_).__name__ == "RandomForestRegressor"
    assert len(opt.models) == 3  # one per tell after the 2 initial points
    with pytest.raises(ValueError, match="acq_func"):
        BayesSearchCV(Bowl(), SPACE, n_iter=2, cv=2, optimizer_kwargs={"acq_func": "nope"}).fit(X_SMALL, Y_SMALL)


def test_n_points_in_parallel_with_a_short_last_round():
    from joblib import parallel_backend

    search = BayesSearchCV(Bowl(), SPACE, n_iter=7, n_points=3, n_jobs=2, cv=2, random_state=0)
    with parallel_backend("threading"):  # processes take seconds to start on a busy machine
        search.fit(X_SMALL, Y_SMALL)
    params = search.cv_results_["params"]
    assert len(params) == 7
    assert len({(p["a"], p["b"]) for p in params}) == 7  # pending candidates are never asked twice
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], [bowl_value(p) for p in params])


def test_callback_sees_results_and_stops_the_search():
    seen = []

    def stop_after_three(result):
        seen.append(len(result.func_vals))
        return len(result.func_vals) >= 3

    search = BayesSearchCV(Bowl(), SPACE, n_iter=10, cv=2, random_state=0)
    search.fit(X_SMALL, Y_SMALL, callback=stop_after_three)
    assert seen == [1, 2, 3]
    assert len(search.cv_results_["params"]) == 3
    assert search.total_iterations == 10


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"search_spaces": {}}, "at least one non-empty"),
        ({"search_spaces": [{"a": Real(0, 1)}, "a"]}, "must be a dict"),
        ({"search_spaces": [({"a": Real(0, 1)}, -1)]}, "n_iter must be an integer"),
        ({"search_spaces": {"a": "1 ... 100.0"}}, r"search_spaces\['a'\]"),
        ({"n_points": 0}, "n_points must be an integer >= 1"),
        ({"refit": lambda r: 0}, "callable refit"),
        ({"storage": "sqlite://"}, "study_name"),
    ],
)
def test_bad_parameters_raise_at_fit_naming_them(kwargs, match):
    params = {"search_spaces": SPACE, **kwargs}
    search = BayesSearchCV(Bowl(), params.pop("search_spaces"), n_iter=2, cv=2, **params)  # no error here
    with pytest.raises((ValueError, TypeError), match=match):
        search.fit(X_SMALL, Y_SMALL)


def test_storage_resumes_an_interrupted_search(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 'search.db'}"

    class Interrupt(Exception):
        pass

    def crash_after_four(result):
        if len(result.func_vals) == 4:
            raise Interrupt

    kw = dict(n_iter=8, cv=2, random_state=0, storage=url)
    first = BayesSearchCV(Bowl(), SPACE, study_name="s", **kw)
    with pytest.raises(Interrupt):
        first.fit(X_SMALL, Y_SMALL, callback=crash_after_four)
    resumed = BayesSearchCV(Bowl(), SPACE, study_name="s", **kw).fit(X_SMALL, Y_SMALL)
    res = resumed.cv_results_
    assert len(res["params"]) == 8
    # the four stored candidates were not fitted again: their splits are unknown
    assert np.isnan(res["split0_test_score"][:4]).all() and np.isfinite(res["split0_test_score"][4:]).all()
    np.testing.assert_allclose(res["mean_test_score"], [bowl_value(p) for p in res["params"]])
    assert res["rank_test_score"][resumed.best_index_] == 1
    assert resumed.best_score_ == pytest.approx(res["mean_test_score"].max())
    # an uninterrupted stored search proposes the same candidates
    whole = BayesSearchCV(Bowl(), SPACE, study_name="t", **kw).fit(X_SMALL, Y_SMALL)
    np.testing.assert_allclose([[p["a"], p["b"]] for p in whole.cv_results_["params"]],
                               [[p["a"], p["b"]] for p in res["params"]])
    # the study is an ordinary stored study: load_study opens it (default strategy: optimizer "auto")
    with load_study("s", url) as study:
        assert len(study.trials) == 8 and study.optimizer_settings["name"] == "auto"
        assert study.best_value == pytest.approx(-resumed.best_score_)
    # a finished stored search fits nothing new: its best candidate is cross-validated again to refit
    again = BayesSearchCV(Bowl(), SPACE, study_name="t", **kw).fit(X_SMALL, Y_SMALL)
    assert len(again.cv_results_["params"]) == 8
    assert again.best_params_ == whole.best_params_
    assert np.isfinite(again.cv_results_["split0_test_score"][again.best_index_])


def test_dask_backend_through_joblib():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    from joblib import parallel_backend

    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        with parallel_backend("dask"):
            search = BayesSearchCV(Bowl(), SPACE, n_iter=4, n_points=2, n_jobs=-1, cv=2, random_state=0)
            search.fit(X_SMALL, Y_SMALL)
        assert client.status == "running"
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               [bowl_value(p) for p in search.cv_results_["params"]])


def test_scikit_learn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    search = BayesSearchCV(LogisticRegression(), {"C": Real(0.1, 10.0, prior="log-uniform")}, n_iter=1, cv=2,
                           random_state=0)
    failed = check_estimator(search, on_fail=None)
    problems = [(r["check_name"], str(r["exception"])) for r in failed if r["status"] == "failed"]
    assert not problems


class _Crash(Exception):
    pass


class CrashingBowl(Bowl):
    """Raises (as a killed or interrupted fit would) on the fit number ``crash_at`` of the process."""

    fits = 0
    crash_at = None

    def fit(self, X, y=None, **kwargs):
        type(self).fits += 1
        if type(self).fits == type(self).crash_at:
            raise _Crash
        return super().fit(X, y, **kwargs)


def test_a_candidate_interrupted_mid_fit_is_evaluated_first_on_resume(tmp_path):
    url = f"sqlite:///{tmp_path / 'search.db'}"
    kw = dict(n_iter=6, cv=2, random_state=0, storage=url, study_name="s")
    CrashingBowl.fits, CrashingBowl.crash_at = 0, 7  # the 4th candidate's first fit
    with pytest.raises(_Crash):
        BayesSearchCV(CrashingBowl(), SPACE, **kw).fit(X_SMALL, Y_SMALL)
    CrashingBowl.crash_at = None
    resumed = BayesSearchCV(CrashingBowl(), SPACE, **kw).fit(X_SMALL, Y_SMALL)
    whole = BayesSearchCV(Bowl(), SPACE, **{**kw, "study_name": "t"}).fit(X_SMALL, Y_SMALL)
    # three candidates were stored; the interrupted one is the first evaluated again
    res = resumed.cv_results_
    assert len(res["params"]) == 6
    assert np.isnan(res["split0_test_score"][:3]).all() and np.isfinite(res["split0_test_score"][3:]).all()
    assert res["params"][:4] == whole.cv_results_["params"][:4]
    np.testing.assert_allclose(res["mean_test_score"], [bowl_value(p) for p in res["params"]])


def test_resume_without_random_state_takes_the_stored_seed(tmp_path):
    url = f"sqlite:///{tmp_path / 'search.db'}"
    first = BayesSearchCV(Bowl(), SPACE, n_iter=3, cv=2, storage=url, study_name="s").fit(X_SMALL, Y_SMALL)
    more = BayesSearchCV(Bowl(), SPACE, n_iter=5, cv=2, storage=url, study_name="s").fit(X_SMALL, Y_SMALL)
    assert more.cv_results_["params"][:3] == first.cv_results_["params"]
    assert len(more.cv_results_["params"]) == 5
    rf = BayesSearchCV(Bowl(), SPACE, n_iter=3, cv=2, storage=url, study_name="rf", random_state=0,
                       optimizer_kwargs={"base_estimator": "RF", "n_initial_points": 2}).fit(X_SMALL, Y_SMALL)
    assert type(rf.optimizers_[0]) is Optimizer


def test_default_strategy_searches_gp_hyperparameters_at_every_second_point():
    # the cheap refit schedule of a short search: warm from the first fit, a hyperparameter
    # search at even counts of points told, the odd ones condition on the last hyperparameters
    search = BayesSearchCV(SVC(), {"C": Real(1e-3, 1e3, prior="log-uniform")}, n_iter=10, cv=3,
                           random_state=0).fit(X_IRIS, Y_IRIS)
    opt = search.optimizers_[0]
    assert isinstance(opt, AutoOptimizer) and len(opt.models) == 6  # fits after 5, ..., 10 points
    thetas = {len(m.X_train_): np.asarray(m.theta_) for m in opt.models}
    for n in (7, 9):
        np.testing.assert_array_equal(thetas[n], thetas[n - 1])
    assert not np.array_equal(thetas[8], thetas[7])
    # a plain AutoOptimizer keeps searching at every point
    assert AutoOptimizer([(0.0, 1.0)], random_state=0).refit_policy(7, opt.models[-1])["optimizer"] == "L-BFGS-B"


def test_mixed_spaces_keep_the_default_refit_schedule():
    search = BayesSearchCV(SVC(), {"C": Real(1e-3, 1e3, prior="log-uniform"), "degree": Integer(1, 3)},
                           n_iter=6, cv=3, random_state=0).fit(X_IRIS, Y_IRIS)
    default = AutoOptimizer(search.optimizers_[0].space, random_state=0).refit_policy
    assert vars(search.optimizers_[0].refit_policy) == vars(default)
