"""Studies over SciPy's global optimizers (HyperScipySampler): resume and shared workers."""

import pytest

from asktell import create_study, load_study
from test_study_support import SPACE, sphere


@pytest.mark.parametrize("name", ["scipy-de", "scipy-da", "scipy-direct", "scipy-shgo"])
def test_scipy_study_resumes_exactly(tmp_path, no_thread_leak, name):
    reference = create_study("ref", None, SPACE, optimizer=name, random_state=3)
    reference.optimize(sphere, n_trials=24)
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = create_study("s", url, SPACE, optimizer=name, random_state=3)
    first.optimize(sphere, n_trials=13)
    first.close()
    resumed = load_study("s", url)
    resumed.optimize(sphere, n_trials=11)
    assert [t.x for t in resumed.trials] == [t.x for t in reference.trials]
    assert resumed.best_value == reference.best_value
    resumed.close()
    reference.close()


def test_two_workers_share_a_differential_evolution(tmp_path, no_thread_leak):
    url = f"sqlite:///{tmp_path / 's.db'}"
    w1 = create_study("de", url, SPACE, optimizer="scipy-de", random_state=5)
    w2 = load_study("de", url)
    alone = create_study("alone", None, SPACE, optimizer="scipy-de", random_state=5)
    for _ in range(10):  # the same asks and tells, in the same order, by two workers or one
        a1, a2 = w1.ask(), w2.ask()
        b1, b2 = alone.ask(), alone.ask()
        w2.tell(a2, sphere(a2.x))
        alone.tell(b2, sphere(b2.x))
        w1.tell(a1, sphere(a1.x))
        alone.tell(b1, sphere(b1.x))
    shared = w1.trials
    assert [t.x for t in shared] == [t.x for t in alone.trials]
    assert len({tuple(t.x) for t in shared}) == 20
    assert len({t.info["worker"] for t in shared}) == 1  # one process, two study objects
    for s in (w1, w2, alone):
        s.close()
