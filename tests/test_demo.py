"""`make demo` runs the whole library; its printed results are checked here."""

import re

from asktell import demo


def test_demo_finds_the_optimum_every_way(capsys, no_thread_leak):
    demo.main()
    lines = {m.group(1).strip(): m for m in re.finditer(
        r"^(\S.*?)\s+best\s+(\S+) at (.*)  \((\d+) calls", capsys.readouterr().out, re.M)}
    assert set(lines) == {
        "asktell.minimize (the default)",
        "gp_minimize (skopt drop-in)",
        "Optimizer(ET), ask 4 / tell 4",
        "differential_evolution, ask/tell",
        "study on SQLite, resumed once",
        "HyperOptimizer (2 methods)",
    }
    best = {title: float(m.group(2)) for title, m in lines.items()}
    assert best["gp_minimize (skopt drop-in)"] < 0.05
    assert best["asktell.minimize (the default)"] < 0.05
    assert best["differential_evolution, ask/tell"] < 0.05
    assert best["HyperOptimizer (2 methods)"] < 0.5  # the better family won
    assert "'mlp'" in lines["HyperOptimizer (2 methods)"].group(3)
    # 12 trials, a reopened study, 13 more: all 25 in the result
    assert int(lines["study on SQLite, resumed once"].group(4)) == 25
    assert int(lines["Optimizer(ET), ask 4 / tell 4"].group(4)) == 20
