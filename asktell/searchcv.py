"""Bayesian hyperparameter search with cross-validation: scikit-optimize's ``BayesSearchCV``.

`BayesSearchCV` is a scikit-learn `~sklearn.model_selection.BaseSearchCV`:
scikit-learn evaluates the candidates (cross-validation, scoring, joblib
parallelism, metadata routing, refit) and this module only decides which
candidates come next, by asking an asktell optimizer and telling it each
candidate's mean test score. So the search follows scikit-learn's
semantics release after release, which is where scikit-optimize's own
class kept breaking.
"""

from __future__ import annotations

import copy
import numbers
import warnings

import numpy as np
from scipy.stats import rankdata
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .callbacks import check_callback
from .space import Real, Space, check_dimension
from .utils import eval_callbacks, plain

__all__ = ["BayesSearchCV"]

#: keys of ``optimizer_kwargs`` the default strategy takes; any other key selects `asktell.Optimizer`
_DEFAULT_STRATEGY_KWARGS = frozenset({"n_initial_points"})
_SEARCH_EVERY = 2  # the default's GP hyperparameters are searched at every 2nd point told (`_cheap_refits`)


def _subspaces(search_spaces, n_iter):
    """``[(dict, n_iter), ...]`` of a dict, a list of dicts or a list of ``(dict, n_iter)``.

    Raises ValueError/TypeError naming ``search_spaces`` for anything else,
    and for a dimension that `asktell.space.check_dimension` rejects.
    """
    spaces = [search_spaces] if isinstance(search_spaces, dict) else search_spaces
    if not isinstance(spaces, list):
        raise TypeError(f"search_spaces must be a dict, a list of dicts or a list of (dict, n_iter), got {search_spaces!r}")
    if not spaces:
        raise ValueError(f"search_spaces must hold at least one non-empty search space, got {search_spaces!r}")
    out = []
    for elem in spaces:
        if isinstance(elem, tuple):
            if len(elem) != 2:
                raise ValueError(f"search_spaces: a tuple must be (dict, n_iter), got {elem!r}")
            subspace, sub_iter = elem
            if isinstance(sub_iter, bool) or not isinstance(sub_iter, numbers.Integral) or sub_iter < 0:
                raise ValueError(f"search_spaces: n_iter must be an integer >= 0, got {sub_iter!r} in {elem!r}")
        else:
            subspace, sub_iter = elem, n_iter
        if not isinstance(subspace, dict):
            raise TypeError(f"search_spaces: a search space must be a dict or (dict, n_iter), got {elem!r}")
        if not subspace:
            raise ValueError(f"search_spaces must hold at least one non-empty search space, got {search_spaces!r}")
        for name, dim in subspace.items():
            if not isinstance(name, str):
                raise TypeError(f"search_spaces: parameter names must be str, got {name!r}")
            try:
                check_dimension(copy.deepcopy(dim))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"search_spaces[{name!r}]: {exc}") from exc
        out.append((subspace, int(sub_iter)))
    return out


def _named_space(subspace):
    """A `Space` of copies of ``subspace``'s dimensions in sorted-name order, named by their keys."""
    dims = []
    for name in sorted(subspace):
        dim = check_dimension(copy.deepcopy(subspace[name]))
        dim.name = name
        dims.append(dim)
    return Space(dims)


def _cheap_refits(optimizer):
    """The default strategy with the refit schedule of a 20-50 candidate search, on real spaces.

    A candidate's cross-validation costs tens of milliseconds on small
    data, the same order as the default's model fit, and on a space of
    reals only that fit searches the GP's hyperparameters afresh at every
    candidate below 50 points. Here they are searched from the last fit's
    (`asktell.auto.WarmRefit` from the first fit), at every
    `_SEARCH_EVERY`-th point only, afresh at the default's interval; in
    between the model conditions on the new point with the last
    hyperparameters. Spaces with an integer or categorical dimension keep
    the default's own, already sparser schedule (there this one saved
    little and cost score; ``benchmarks/RESULTS.md``, "BayesSearchCV").
    """
    from .auto import WarmRefit

    policy = optimizer.refit_policy
    if isinstance(policy, WarmRefit) and all(isinstance(d, Real) for d in optimizer.space.dimensions):
        optimizer.refit_policy = WarmRefit(start=0, every=policy.every, restarts=policy.restarts,
                                           search_every=max(policy.search_every, _SEARCH_EVERY))
    return optimizer


def _score_names(cv_results):
    prefix = "mean_test_"
    return sorted(key[len(prefix):] for key in cv_results if key.startswith(prefix))


class _Search:
    """One subspace's optimizer, or the stored study that holds it, behind one ask/tell face."""

    def __init__(self, optimizer, study=None):
        self._optimizer = optimizer
        self.study = study

    @property
    def optimizer(self):
        """The optimizer, up to date with every trial told (a study's is rebuilt from storage)."""
        return self.study.optimizer if self.study is not None else self._optimizer

    def ask(self):
        return self.study.ask() if self.study is not None else self.optimizer.ask_trial()

    def tell(self, trial, score):
        """Tell ``-score`` (the optimizers minimize); a non-finite score fails the trial."""
        if not np.isfinite(score):
            error = f"the cross-validated score is {score}"
            if self.study is not None:
                self.study.fail(trial, error)
            else:
                self._optimizer.fail_trial(trial, error)
        elif self.study is not None:
            self.study.tell(trial, -float(score))
        else:
            self._optimizer.tell_trial(trial, -float(score))

    def result(self):
        """The `OptimizeResult` so far (values are minus the scores), or None before any finite score."""
        try:
            return self.study.result() if self.study is not None else self._optimizer.get_result()
        except ValueError:
            return None

    def close(self):
        if self.study is not None:
            self.study.close()


class BayesSearchCV(BaseSearchCV):
    """Bayesian optimization over hyperparameters, with scikit-optimize's interface.

    Like `~sklearn.model_selection.RandomizedSearchCV`, a fixed number of
    parameter settings is tried, but each comes from an asktell optimizer
    that has been told the cross-validated scores of the settings before
    it. After the search the best setting is refitted on the whole data
    (``refit``), and the object predicts, scores and transforms with it.

    Parameters
    ----------
    estimator : estimator object
        Cloned and fitted for each candidate and split. Needs ``score``
        unless ``scoring`` is given.
    search_spaces : dict, list of dict or list of (dict, int)
        ``{parameter name: dimension}``, a dimension being a
        `asktell.space.Real`, `~asktell.space.Integer`,
        `~asktell.space.Categorical` or anything
        `asktell.space.check_dimension` accepts (``(1e-3, 1e3,
        "log-uniform")``, a list of categories). A list of dicts is
        searched one after the other with ``n_iter`` candidates each; a
        ``(dict, n)`` pair gives that subspace ``n`` candidates.
    optimizer_kwargs : dict or None
        None (or only ``n_initial_points``): the default strategy,
        `asktell.AutoOptimizer` (a Gaussian process with output warping and
        log expected improvement); on a space of reals its GP
        hyperparameters are searched at every second candidate only
        (`_cheap_refits`; a search with ``storage`` keeps the default's
        schedule). Any other key (``base_estimator``,
        ``acq_func``, ...) builds `asktell.Optimizer` with these keyword
        arguments, as scikit-optimize did. ``random_state`` is taken from
        this object's ``random_state``.
    n_iter : int, default=50
        Candidates per search space (unless its tuple says otherwise).
    scoring : str, callable, list, tuple, dict or None
        As in scikit-learn. With several metrics, ``refit`` names the one
        that the optimizer maximizes and that picks ``best_*``.
    fit_params : dict or None
        Keyword arguments of the estimator's ``fit``, merged under those
        given to `fit` (scikit-optimize accepted and ignored them).
    n_jobs : int or None
        Jobs for the cross-validation fits (joblib; a
        ``joblib.parallel_backend("dask")`` context sends them to Dask).
    n_points : int, default=1
        Candidates asked at once and evaluated in parallel: with
        ``n_points * n_splits`` fits per round, ``n_jobs`` up to that many
        keep busy. More points per round mean fewer model updates.
    pre_dispatch : int or str
        As in scikit-learn.
    cv : int, cross-validation generator, iterable or None
        As in scikit-learn (5-fold by default, stratified for classifiers).
        A group-aware splitter receives the ``groups`` given to `fit`.
    refit : bool or str, default=True
        Refit the best candidate on the whole data. With several metrics,
        the name of the metric to maximize. A callable is rejected: it
        does not say what the optimizer should maximize.
    verbose : int
    random_state : int, RandomState or None
        Seeds the optimizers: the same seed and data give the same
        candidates (and, with deterministic estimators, the same results).
    error_score : "raise" or float, default="raise"
        Score of a candidate whose fit fails. NaN makes the candidate a
        failed trial, which the optimizer never proposes again and never
        feeds to its model.
    return_train_score : bool, default=False
        Include training scores in ``cv_results_`` (ranked, as
        scikit-optimize did).
    storage : str, `asktell.storage.BaseStorage` or None
        Keep the search in a durable study (``"sqlite:///search.db"``, a
        PostgreSQL URL): a `fit` that is interrupted continues, in a later
        `fit` with the same ``study_name``, where it stopped; the trials
        already scored are not fitted again. Needs ``study_name``, and
        parameter values that JSON can store.
    study_name : str or None
        Name of the stored study (``"<name>-<i>"`` for the i-th of several
        search spaces).

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) arrays
        scikit-learn's keys (``params``, ``param_<name>``,
        ``split<k>_test_<metric>``, ``mean_/std_/rank_test_<metric>``,
        timings, train scores), one row per candidate. In a resumed
        search the candidates scored by an earlier `fit` come first; for
        them only ``params``, ``param_*`` and the optimized metric's mean
        are known (the rest is NaN).
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, refit_time_, multimetric_
        As in scikit-learn.
    optimizer_results_ : list of OptimizeResult
        One per search space: ``x`` in sorted-name order, ``fun`` and
        ``func_vals`` minus the scores (the optimizers minimize).
    optimizers_ : list
        The optimizers (their `asktell.Optimizer` state, models included).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from asktell import BayesSearchCV
    >>> from asktell.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(SVC(), {"C": Real(1e-3, 1e3, prior="log-uniform")},
    ...                        n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> search.best_score_ > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list],
        "optimizer_kwargs": [dict, None],
        "n_iter": [numbers.Integral],
        "fit_params": [dict, None],
        "n_points": [numbers.Integral],
        "random_state": ["random_state"],
        "storage": "no_validation",
        "study_name": [str, None],
    }

    def __init__(
        self,
        estimator,
        search_spaces,
        optimizer_kwargs=None,
        n_iter=50,
        scoring=None,
        fit_params=None,
        n_jobs=1,
        n_points=1,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score="raise",
        return_train_score=False,
        storage=None,
        study_name=None,
    ):
        self.search_spaces = search_spaces
        self.optimizer_kwargs = optimizer_kwargs
        self.n_iter = n_iter
        self.fit_params = fit_params
        self.n_points = n_points
        self.random_state = random_state
        self.storage = storage
        self.study_name = study_name
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )

    # ------------------------------------------------------------ properties
    @property
    def total_iterations(self) -> int:
        """Candidates a `fit` evaluates over all search spaces (before a callback stops it)."""
        return sum(n for _, n in _subspaces(self.search_spaces, self.n_iter))

    @property
    def optimizer_results_(self):
        """One `OptimizeResult` per search space (see the class docstring)."""
        check_is_fitted(self, "_optim_results")
        return self._optim_results

    # ------------------------------------------------------------ fitting
    def fit(self, X, y=None, *, groups=None, callback=None, **fit_params):
        """Search the spaces, then refit the best candidate (``refit``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
        groups : array-like of shape (n_samples,), optional
            Group labels for a group-aware ``cv`` splitter (under metadata
            routing, request them on the splitter as scikit-learn says).
        callback : callable, list of callables or None
            Called after each round of ``n_points`` candidates with the
            current search space's `OptimizeResult`; a callback returning
            True ends that space's search.
        **fit_params
            Passed to the estimator's ``fit`` (over the constructor's
            ``fit_params``), and routed as scikit-learn routes them.

        Returns
        -------
        self : BayesSearchCV
        """
        self._callbacks = check_callback(callback)
        self._subspaces_ = _subspaces(self.search_spaces, self.n_iter)
        for param, value, low in (("n_iter", self.n_iter, 0), ("n_points", self.n_points, 1)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise ValueError(f"{param} must be an integer >= {low}, got {value!r}")
        if self.optimizer_kwargs is not None and not isinstance(self.optimizer_kwargs, dict):
            raise TypeError(f"optimizer_kwargs must be a dict or None, got {self.optimizer_kwargs!r}")
        if callable(self.refit):
            raise ValueError(
                "BayesSearchCV doesn't support a callable refit, as it doesn't define an implicit "
                f"score to optimize; got refit={self.refit!r}"
            )
        if self.storage is not None and not isinstance(self.study_name, str):
            raise ValueError(f"a search with storage= needs a study_name (a str), got study_name={self.study_name!r}")
        params = dict(self.fit_params or {})
        params.update(fit_params)
        if groups is not None:
            params["groups"] = groups
        self._resumed, self._all_failed = [], None
        try:
            super().fit(X, y, **params)
        finally:
            del self._resumed, self._all_failed
        if self.return_train_score:
            # scikit-learn does not rank train scores; scikit-optimize did
            for name in _score_names(self.cv_results_):
                means = np.asarray(self.cv_results_[f"mean_train_{name}"], dtype=float)
                self.cv_results_[f"rank_train_{name}"] = _rank(means)
        return self

    def _optimizer_kwargs(self):
        """``optimizer_kwargs`` without the keys this object sets itself."""
        kwargs = dict(self.optimizer_kwargs or {})
        kwargs.pop("random_state", None)
        kwargs.pop("dimensions", None)
        return kwargs

    def _open(self, index, space, seed):
        """The `_Search` of subspace ``index``: a fresh optimizer, or its stored study.

        The default strategy is `asktell.AutoOptimizer` (in a study, the
        registered name ``"auto"``, so `asktell.load_study` reopens it);
        any other ``optimizer_kwargs`` build `asktell.Optimizer`.
        """
        from .auto import AutoOptimizer
        from .optimizer import Optimizer

        kwargs = self._optimizer_kwargs()
        default = set(kwargs) <= _DEFAULT_STRATEGY_KWARGS
        if self.storage is None:
            if default:
                return _Search(_cheap_refits(AutoOptimizer(space, random_state=seed, **kwargs)))
            return _Search(Optimizer(space, random_state=seed, **kwargs))
        from .study import create_study

        name = self.study_name if len(self._subspaces_) == 1 else f"{self.study_name}-{index}"
        # without a random_state a resumed search takes the seed stored with the study
        seed = None if self.random_state is None else seed
        if default:
            study = create_study(name, self.storage, space, "auto", seed, optimizer_kwargs=kwargs,
                                 load_if_exists=True)
        else:
            study = create_study(name, self.storage, space, Optimizer(space, random_state=seed, **kwargs),
                                 load_if_exists=True)
        return _Search(None, study)

    def _refit_score_key(self, results):
        """The ``cv_results_`` key of the score the optimizer maximizes."""
        names = _score_names(results)
        if len(names) == 1:
            return f"mean_test_{names[0]}"
        self._check_refit_for_multimetric(names)
        return f"mean_test_{self.refit}"

    def _check_refit_for_multimetric(self, scores):
        # unlike scikit-learn, refit=False is refused: it does not say which metric to optimize
        if not (isinstance(self.refit, str) and self.refit in scores):
            raise ValueError(
                "For multi-metric scoring, the 'refit' parameter must be set to a scorer key, used to guide "
                "the bayesian optimization process and refit an estimator with the best parameter settings "
                f"on the whole dataset (making the best_* attributes available for that metric). {self.refit!r} "
                f"was passed; the metrics are {sorted(scores)}."
            )

    def _run_search(self, evaluate_candidates):
        rng = check_random_state(self.random_state)
        self.optimizers_ = []
        self._optim_results = []
        score_key = None
        evaluated = False
        for index, (subspace, n_iter) in enumerate(self._subspaces_):
            space = _named_space(subspace)
            names = [d.name for d in space.dimensions]
            search = self._open(index, space, int(rng.randint(2**31 - 1)))
            try:
                done = self._absorb_stored(search, names) if search.study is not None else 0
                left = n_iter - done
                while left > 0:
                    trials = [search.ask() for _ in range(min(self.n_points, left))]
                    left -= len(trials)
                    candidates = [dict(zip(names, plain(list(t.x)))) for t in trials]
                    try:
                        results = evaluate_candidates(candidates)
                    except ValueError as exc:
                        if self.error_score == "raise" or "fits failed" not in str(exc):
                            raise
                        # scikit-learn raises when every fit of a round fails; one bad
                        # candidate must not end a sequential search
                        for trial in trials:
                            search.tell(trial, float(self.error_score))
                        self._all_failed = exc
                        warnings.warn(f"every fit of the candidates {candidates} failed; they are left out of "
                                      f"cv_results_:{exc}", FitFailedWarning, stacklevel=2)
                        continue
                    if score_key is None:
                        score_key = self._refit_score_key(results)
                    for trial, score in zip(trials, results[score_key][-len(trials):]):
                        search.tell(trial, float(score))
                    evaluated = True
                    if self._callbacks:
                        result = search.result()
                        if result is not None and eval_callbacks(self._callbacks, result):
                            break
                self.optimizers_.append(search.optimizer)
                self._optim_results.append(search.result())
            finally:
                search.close()
        if not evaluated:
            if self._all_failed is not None and not self._resumed:
                raise self._all_failed
            self._rescore_best(evaluate_candidates)

    def _rescore_best(self, evaluate_candidates):
        """Cross-validate again the best stored candidate of a search that storage holds complete.

        scikit-learn needs at least one evaluation in a `fit`; the candidate
        then has its full row in ``cv_results_`` instead of its stored mean.
        """
        scored = [i for i, (_, s) in enumerate(self._resumed) if np.isfinite(s)]
        if not scored:
            raise ValueError("the stored search has no candidate with a finite score to refit")
        best = max(scored, key=lambda i: self._resumed[i][1])
        params, _ = self._resumed.pop(best)
        evaluate_candidates([params])

    # ------------------------------------------------------------ resuming a stored search
    def _absorb_stored(self, search, names):
        """Count the study's finished trials and remember them for ``cv_results_``; returns the count."""
        # a trial whose fit was interrupted is failed and queued to run again under a new number: the rerun counts
        finished = [t for t in search.study.trials if t.finished and not t.info.get("requeued")]
        for t in finished:
            score = -t.value if t.value is not None else np.nan
            self._resumed.append((dict(zip(names, list(t.x))), score))
        return len(finished)

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        resumed = getattr(self, "_resumed", None)
        if not resumed or not out:
            return super()._format_results(candidate_params, n_splits, out, more_results)
        # the earlier candidates enter as splits that all score their stored mean, so that
        # scikit-learn ranks them with the new ones; then what is not known is set to NaN
        multi = isinstance(out[0]["test_scores"], dict)
        metric = self._refit_score_key(
            {f"mean_test_{name}": None for name in (out[0]["test_scores"] if multi else ["score"])}
        )[len("mean_test_"):]
        stored = []
        for _, score in resumed:
            scores = {name: (score if name == metric else np.nan) for name in out[0]["test_scores"]} if multi else score
            known = {"test_scores": scores, "fit_error": None, "n_test_samples": 0}
            unknown = {name: np.nan for name in out[0]["test_scores"]} if multi else np.nan
            row = {key: known.get(key, unknown if key == "train_scores" else np.nan) for key in out[0]}
            stored.extend([row] * n_splits)
        n_old = len(resumed)
        more = {k: [None] * n_old + list(v) for k, v in (more_results or {}).items()}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="One or more of the", category=UserWarning)
            results = super()._format_results(
                [p for p, _ in resumed] + list(candidate_params), n_splits, stored + list(out), more
            )
        for name, values in results.items():
            if name.startswith(("split", "std_")) and np.issubdtype(np.asarray(values).dtype, np.floating):
                values[:n_old] = np.nan
        for name in _score_names(results):
            if name != metric:
                results[f"rank_test_{name}"] = _rank(results[f"mean_test_{name}"])
        return results


def _rank(means):
    """scikit-learn's ranking of mean scores: 1 is best, NaN ties with the worst."""
    means = np.asarray(means, dtype=float)
    if np.isnan(means).all():
        return np.ones(len(means), dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    return rankdata(-filled, method="min").astype(np.int32)
