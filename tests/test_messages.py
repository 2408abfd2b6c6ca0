"""Messages a newcomer meets first (issue 19's list): each names the value and what to do."""

import pytest

import asktell
from asktell import HyperScipySampler, Optimizer

SPACE = [(0.0, 1.0), (0.0, 1.0)]


def test_an_objective_returning_none_in_a_study_is_named():
    with asktell.create_study(space=SPACE, optimizer="random", random_state=0) as study:
        with pytest.raises(TypeError, match=r"returned None \(did it forget to return its value\?\).*float"):
            study.optimize(lambda x: None, n_trials=2)
        (trial,) = study.trials
        assert trial.state == "FAIL" and "returned None" in trial.info["error"]


def test_a_nan_gives_its_advice_once():
    with pytest.raises(ValueError) as info:
        asktell.gp_minimize(lambda x: float("nan"), SPACE, n_calls=3, n_initial_points=2, random_state=0)
    message = str(info.value)
    assert "returned nan" in message and message.count("on_error='record'") == 1


@pytest.mark.parametrize("make", [
    lambda: Optimizer(SPACE, random_state="abc"),
    lambda: asktell.minimize(lambda x: 0.0, SPACE, n_calls=2, random_state="abc"),
    lambda: asktell.create_study(space=SPACE, random_state="abc"),
    lambda: HyperScipySampler(SPACE, random_state="abc").ask(),
])
def test_a_bad_random_state_is_named(make):
    with pytest.raises(ValueError, match=r"random_state must be None, an int or a numpy RandomState, got 'abc'"):
        make()


def test_create_study_without_a_space_says_a_space_is_needed():
    with pytest.raises(ValueError, match=r"a space is needed to create study 'fresh'.*pass space="):
        asktell.create_study("fresh")
