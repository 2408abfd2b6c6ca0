"""LCBSelector: the DESIGN.md formula, warm-up, in-flight asks, scale-free and cost-aware modes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from asktell.hyper import LCBSelector
from asktell.hyper.selector import _expected_improvement


def _reference_choice(best, counts, exploration, temperature, rng):
    """The DESIGN.md formula, written out independently."""
    total = sum(counts)
    values = []
    for b, c in zip(best, counts):
        u = rng.random_sample()
        gumbel = -math.log(-math.log(u))
        values.append(b - math.sqrt(2 * exploration * math.log(total) / c) - temperature * gumbel)
    return int(np.argmin(values))


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.floats(-50, 50), min_size=3, max_size=3),
    exploration=st.floats(0, 3),
    temperature=st.floats(0, 3),
    seed=st.integers(0, 2**31 - 2),
    later=st.lists(st.floats(-50, 50), min_size=1, max_size=15),
)
def test_choices_follow_the_formula(scores, exploration, temperature, seed, later):
    methods = ["greedy", "kahypar", "labels"]
    sel = LCBSelector(methods, exploration=exploration, temperature=temperature, seed=seed, standardize=False)
    for m, s in zip(methods, scores):
        assert sel.ask() == m  # every method once, in order
        sel.tell(m, s)
    best, counts = list(scores), [1, 1, 1]
    rng = np.random.RandomState(seed)
    for s in later:
        expected = _reference_choice(best, counts, exploration, temperature, rng)
        chosen = sel.ask()
        assert chosen == methods[expected]
        sel.tell(chosen, s)
        best[expected] = min(best[expected], s)
        counts[expected] += 1
    assert sel.best == best and sel.counts == counts and sel.in_flight == [0, 0, 0]


@settings(max_examples=30, deadline=None)
@given(
    scores=st.lists(st.floats(-50, 50), min_size=3, max_size=3),
    seed=st.integers(0, 2**31 - 2),
    later=st.lists(st.floats(-50, 50), min_size=1, max_size=15),
)
def test_rank_scores_follow_the_formula(scores, seed, later):
    # the default: the formula on normal scores of the best scores' mid-ranks among all told
    methods = ["greedy", "kahypar", "labels"]
    sel = LCBSelector(methods, seed=seed)
    told = []
    for m, s in zip(methods, scores):
        assert sel.ask() == m
        sel.tell(m, s)
        told.append(s)
    best, counts = list(scores), [1, 1, 1]
    rng = np.random.RandomState(seed)
    for s in later:
        mid = [(sum(t < b for t in told) + sum(t <= b for t in told)) / 2.0 for b in best]
        z = [stats.norm.ppf((r + 0.5) / (len(told) + 1.0)) for r in mid]
        expected = _reference_choice(z, counts, 1.0, 1.0, rng)
        chosen = sel.ask()
        assert chosen == methods[expected]
        sel.tell(chosen, s)
        told.append(s)
        best[expected] = min(best[expected], s)
        counts[expected] += 1


def test_gumbel_noise_gives_softmax_probabilities():
    # exploration 0: the Gumbel-max trick picks m with probability ~ exp(-best_m / T);
    # with three methods this also pins the sign of the noise term
    sel = LCBSelector(["a", "b", "c"], exploration=0.0, temperature=0.5, seed=0, standardize=False)
    best = [0.0, 0.3, 1.0]
    for m, s in zip("abc", best):
        sel.ask()
        sel.tell(m, s)
    n = 6000
    picks = [sel.ask() for _ in range(n)]
    freq = np.array([picks.count(m) for m in "abc"]) / n
    p = np.exp(-np.array(best) / 0.5)
    p /= p.sum()
    np.testing.assert_allclose(freq, p, atol=0.02)


def test_zero_temperature_and_exploration_is_greedy():
    sel = LCBSelector(["a", "b"], exploration=0.0, temperature=0.0, seed=1)
    for m, s in (("a", 2.0), ("b", 1.0)):
        sel.ask()
        sel.tell(m, s)
    assert [sel.ask() for _ in range(5)] == ["b"] * 5


def test_in_flight_asks_spread_over_unseen_methods():
    sel = LCBSelector(["a", "b", "c"], seed=0)
    assert [sel.ask() for _ in range(7)] == ["a", "b", "c", "a", "b", "c", "a"]
    assert sel.in_flight == [3, 2, 2] and sel.told == [0, 0, 0]
    sel.tell("b", 5.0)
    # only b has a result: it is the only method the formula can rank
    assert sel.ask() == "b"
    sel.cancel("c")
    assert sel.counts == [3, 3, 1]


def test_in_flight_asks_lower_the_exploration_bonus():
    # the same told results; b has asks in flight, so a looks more worth exploring
    told = {"a": 1.0, "b": 1.0}
    plain = LCBSelector(["a", "b"], exploration=1.0, temperature=0.0, seed=0)
    busy = LCBSelector(["a", "b"], exploration=1.0, temperature=0.0, seed=0)
    for sel in (plain, busy):
        for m, s in told.items():
            sel.ask()
            sel.tell(m, s)
    busy.in_flight[1] = 3  # three asks of b pending
    assert plain.ask() == "a"  # a tie broken by order
    assert busy.ask() == "a"
    busy.in_flight[0] = 5
    assert busy.ask() == "b"


def test_nan_counts_as_a_failure():
    sel = LCBSelector(["a", "b"], exploration=0.0, temperature=0.0)
    sel.ask()
    sel.tell("a", float("nan"))
    sel.ask()
    sel.tell("b", 3.0)
    assert sel.best == [math.inf, 3.0]
    assert sel.ask() == "b"


@pytest.mark.parametrize("scale, shift", [(1e-3, 0.0), (250.0, -1e4), (7.0, 3.0)])
def test_standardized_choices_are_scale_free(scale, shift):
    rng = np.random.RandomState(3)
    told = [(m, float(rng.normal(mu, 1.0))) for m, mu in zip("abc" * 4, (0.0, 0.8, 2.0) * 4)]
    later = rng.normal(0, 1, size=30)

    def run(a, b):
        sel = LCBSelector(["a", "b", "c"], seed=11, standardize=True)
        for m, s in told:
            sel.ask()
            sel.tell(m, a * s + b)
        out = []
        for s in later:
            m = sel.ask()
            out.append(m)
            sel.tell(m, a * (s + {"a": 0.0, "b": 0.8, "c": 2.0}[m]) + b)
        return out

    assert run(scale, shift) == run(1.0, 0.0)


def test_standardized_selection_is_more_decisive_on_small_raw_gaps():
    # raw scores 0.64 apart (cotengra's compressed 4x flops gap) against unit spread
    def worse_share(standardize):
        sel = LCBSelector(["good", "bad"], seed=0, standardize=standardize)
        rng = np.random.RandomState(0)
        picks = []
        for _ in range(400):
            m = sel.ask()
            picks.append(m)
            sel.tell(m, 20.0 + (0.64 if m == "bad" else 0.0) + 0.01 * rng.normal())
        return picks.count("bad") / len(picks)

    assert worse_share(False) > 0.2
    assert worse_share(True) < 0.1


def test_expected_improvement_matches_integration():
    for best, mu, sigma in [(0.0, 1.0, 2.0), (3.0, 1.0, 0.5), (-2.0, 1.0, 1.0)]:
        numeric, _ = integrate.quad(lambda x: max(0.0, best - x) * stats.norm.pdf(x, mu, sigma), -50, 50, points=[best])
        assert _expected_improvement(best, mu, sigma) == pytest.approx(numeric, rel=1e-6, abs=1e-10)
    assert _expected_improvement(1.0, 0.0, 0.0) == 1.0


def _cost_sel(durations, means, seed=0):
    sel = LCBSelector(["fast", "slow"], seed=seed, cost_aware=True)
    spread = np.linspace(-1.5, 1.5, 10)
    for d in spread:
        for m in ("fast", "slow"):
            sel.ask()
            sel.tell(m, means[m] + float(d), duration=durations[m])
    return sel


def test_cost_aware_prefers_cheap_improvement():
    # slow is a little better per trial (0.3 against a spread of 1) but costs 50x more time
    sel = _cost_sel({"fast": 0.02, "slow": 1.0}, {"fast": 10.0, "slow": 9.7})
    picks = [sel.ask() for _ in range(300)]
    assert picks.count("fast") / 300 > 0.8
    # the same scores at equal cost: the better method wins
    sel = _cost_sel({"fast": 0.5, "slow": 0.5}, {"fast": 10.0, "slow": 9.7})
    picks = [sel.ask() for _ in range(300)]
    assert picks.count("slow") / 300 > 0.6


def test_cost_aware_falls_back_to_lcb_without_durations():
    sel = LCBSelector(["a", "b"], exploration=0.0, temperature=0.0, cost_aware=True)
    for m, s in (("a", 2.0), ("b", 1.0)):
        sel.ask()
        sel.tell(m, s)
    assert sel.ask() == "b"


def test_seeded_selector_is_reproducible():
    def picks(seed):
        sel = LCBSelector(list("abcd"), seed=seed)
        out = []
        for i in range(40):
            m = sel.ask()
            out.append(m)
            sel.tell(m, (i * 7919 % 13) / 3.0)
        return out

    assert picks(5) == picks(5)
    assert picks(5) != picks(6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(methods=[]), "methods must not be empty"),
        (dict(methods=["a", "a"]), "distinct"),
        (dict(methods=["a"], exploration=-1), "exploration"),
        (dict(methods=["a"], temperature="hot"), "temperature"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LCBSelector(**kwargs)


def test_bad_methods_type_and_unknown_method():
    with pytest.raises(TypeError, match="methods"):
        LCBSelector("abc")
    sel = LCBSelector(["a"])
    with pytest.raises(ValueError, match="unknown method 'z'"):
        sel.tell("z", 1.0)


def _selection_after_unlucky_start(standardize, seed):
    """Picks of the best method, whose first trial is the worst score of the run."""
    rng = np.random.RandomState(seed)
    sel = LCBSelector(["good", "fair", "poor"], seed=seed, standardize=standardize)
    levels = {"good": 0.0, "fair": 1.0, "poor": 2.0}
    picks = []
    for k in range(80):
        m = sel.ask()
        picks.append(m)
        # the good method's first result is an outlier 50 units up; later ones spread as the others'
        bad_start = m == "good" and picks.count("good") == 1
        sel.tell(m, 50.0 if bad_start else levels[m] + abs(rng.normal()))
    return picks.count("good")


@pytest.mark.parametrize("seed", range(5))
def test_a_method_is_not_starved_after_one_unlucky_trial(seed):
    # rank scores put the outlier at most ~2.5 normal units up: the exploration bonus and
    # the Gumbel draws bring the method back, and once back its results speak for it
    assert _selection_after_unlucky_start("rank", seed) >= 20
    # the raw formula never returns to it (50 units against a Gumbel noise of scale 1)
    assert _selection_after_unlucky_start(False, seed) == 1


def test_retired_methods_are_not_picked_until_all_are():
    sel = LCBSelector(["a", "b", "c"], seed=0, exploration=0.0, temperature=0.0)
    for m, s in zip("abc", (1.0, 2.0, 3.0)):
        sel.ask()
        sel.tell(m, s)
    sel.retire("a")
    assert {sel.ask() for _ in range(10)} == {"b"}
    sel.retire("b")
    sel.retire("c")  # every method retired: choose among all again
    assert sel.ask() == "a"
    with pytest.raises(ValueError, match="unknown method"):
        sel.retire("z")


def test_unseen_methods_first_skips_retired_ones():
    sel = LCBSelector(["a", "b"], seed=0)
    sel.retire("a")
    assert [sel.ask() for _ in range(3)] == ["b", "b", "b"]


def test_bad_standardize():
    with pytest.raises(ValueError, match="standardize must be 'rank', True or False, got 'ranks'"):
        LCBSelector(["a"], standardize="ranks")
