"""The benchmark runner's metric code, on a tiny fake suite."""

import json

import numpy as np
import pytest

from benchmarks import contenders, metrics, problems, report, run
from benchmarks.problems import Problem, ProblemSpec


def _rec(contender, problem, values, f_opt=0.0, dim=2, budget=4, seed=0, t=0.01):
    return {"contender": contender, "problem": problem, "dim": dim, "budget": budget, "seed": seed,
            "values": values, "f_opt": f_opt, "opt_seconds_per_trial": t}


def test_precision_curve_is_best_so_far_minus_optimum():
    np.testing.assert_allclose(metrics.precision_curve([5, 3, 4, 1], f_opt=0.5), [4.5, 2.5, 2.5, 0.5])


def test_fraction_of_targets():
    assert metrics.fraction_of_targets(1e3) == 0.0
    assert metrics.fraction_of_targets(100.0) == pytest.approx(1 / 51)
    assert metrics.fraction_of_targets(1.0) == pytest.approx(11 / 51)
    assert metrics.fraction_of_targets(0.0) == 1.0


def test_runtimes_to_targets():
    rt = metrics.runtimes_to_targets(_rec("a", "p", [200.0, 50.0, 0.5, 0.5]))
    assert rt[0] == 2  # 1e2 first reached at evaluation 2
    assert rt[1] == 2  # 10**1.8 = 63 too
    assert rt[2] == 3  # 10**1.6 = 40 only once 0.5 is seen
    assert rt[10] == 3 and rt[11] == 3 and np.isinf(rt[12])  # 1, 0.63 reached; 0.4 never
    assert np.isinf(rt[-1])


def test_ranks_share_ties():
    np.testing.assert_allclose(metrics._ranks([3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0])


def test_summary_and_ranking_on_a_fake_suite():
    records = []
    for seed in range(3):
        records += [
            _rec("good", "f1", [1.0, 0.1, 0.01, 0.001], seed=seed),
            _rec("bad", "f1", [5.0, 4.0, 3.0, 2.0 + seed], seed=seed),
            _rec("good", "f2", [1e-9, 1e-9, 1e-9, 1e-9], seed=seed),
            _rec("bad", "f2", [1e-10, 1e-10, 1e-10, 1e-10], seed=seed),
        ]
    rows = metrics.summary(records)
    assert rows[(2, 4, "f1", "bad")]["median_precision"] == 3.0
    assert rows[(2, 4, "f1", "good")]["n_seeds"] == 3
    # on f2 both are below the final target 1e-8: a tie, not a win for "bad"
    assert metrics.ranking(rows) == [(1.25, "good", 2), (1.75, "bad", 2)]
    assert metrics.ranking(rows, dims={5}) == []


def test_ecdf_counts_run_target_pairs():
    records = [_rec("a", "p", [200.0, 50.0, 0.5, 0.5])]
    x, y = metrics.ecdf(records, "a", dim=2, budget=4)
    np.testing.assert_allclose(x, [0.5, 1.0, 1.5, 2.0])
    assert y[0] == 0 and y[1] == pytest.approx(2 / 51) and y[2] == pytest.approx(12 / 51) == y[3]


def test_recorder_enforces_the_budget():
    problem = Problem(ProblemSpec("classic", "sq", 1), lambda x: float(x[0] ** 2), np.array([-1.0]), np.array([1.0]), 0.0)
    rec = contenders.Recorder(problem, budget=2)
    rec([0.5]), rec([0.1])
    with pytest.raises(contenders.BudgetExhausted):
        rec([0.0])
    assert rec.values == [0.25, pytest.approx(0.01)]


def test_runner_end_to_end_in_process(tmp_path, monkeypatch):
    specs = [ProblemSpec("classic", "sq", 2), ProblemSpec("classic", "abs", 2)]
    funcs = {"sq": lambda x: float(np.sum(np.square(x))), "abs": lambda x: float(np.sum(np.abs(x)))}
    monkeypatch.setattr(run, "classic_specs", lambda: specs)
    monkeypatch.setattr(run, "make_problem", lambda s: Problem(s, funcs[s.function], -np.ones(2), np.ones(2), 0.0))

    def greedy(f, dims, budget, seed):
        while True:  # keeps going: the recorder stops it at the budget
            f([0.0, 0.0])

    monkeypatch.setitem(contenders.CONTENDERS, "greedy", greedy)
    run.main(["--suite", "classic", "--budget", "3", "--seeds", "2", "--contenders", "greedy,random", "--jobs", "1", "--out", str(tmp_path)])
    lines = [json.loads(l) for l in (tmp_path / "runs.jsonl").read_text().splitlines()]
    assert len(lines) == 2 * 2 * 2
    assert all(len(r["values"]) == 6 for r in lines)
    text = (tmp_path / "report.md").read_text()
    assert "| greedy | 1.00" in text and "random" in text
    # a second run finds everything done
    run.main(["--suite", "classic", "--budget", "3", "--seeds", "2", "--contenders", "greedy,random", "--jobs", "1", "--out", str(tmp_path)])
    assert len((tmp_path / "runs.jsonl").read_text().splitlines()) == 8


def test_markdown_marks_the_best():
    text = report.markdown([_rec("a", "p", [1.0, 0.5]), _rec("b", "p", [2.0, 2.0])], command="cmd")
    assert "**5.0e-01 (" in text and "Command: `cmd`" in text


def test_markdown_gives_time_per_trial_as_a_ratio_to_optuna_gp():
    records = [_rec("optuna-gp", "p", [1.0, 0.5], t=0.04), _rec("mine", "p", [2.0, 2.0], t=0.01)]
    text = report.markdown(records)
    assert "| mine | 0.0100 (0.25) |" in text
    assert "| optuna-gp | 0.0400 (1.00) |" in text


def test_prefix_record_cuts_values_and_time():
    rec = dict(_rec("random", "p", [4.0, 3.0, 2.0, 1.0]), opt_seconds_cumulative=[0.0, 0.1, 0.3, 0.6])
    short = contenders.prefix_record(rec, 2)
    assert short["values"] == [4.0, 3.0] and short["budget"] == 2 and short["prefix_of"] == 4
    assert short["opt_seconds_per_trial"] == pytest.approx(0.1 / 2)
    assert rec["values"] == [4.0, 3.0, 2.0, 1.0]  # the original is untouched
    with pytest.raises(ValueError, match="budget 5 exceeds"):
        contenders.prefix_record(rec, 5)


def test_runner_prefix_budgets_equal_separate_runs(tmp_path, monkeypatch):
    specs = [ProblemSpec("classic", "sq", 2)]
    monkeypatch.setattr(run, "classic_specs", lambda: specs)
    monkeypatch.setattr(run, "make_problem",
                        lambda s: Problem(s, lambda x: float(np.sum(np.square(x))), -np.ones(2), np.ones(2), 0.0))
    args = ["--suite", "classic", "--budget", "1,3", "--seeds", "2", "--contenders", "random", "--jobs", "1"]
    run.main(args + ["--prefix-budgets", "--out", str(tmp_path / "prefix")])
    run.main(args + ["--out", str(tmp_path / "separate")])

    def load(name):
        lines = [json.loads(line) for line in (tmp_path / name / "runs.jsonl").read_text().splitlines()]
        return {(r["budget"], r["seed"]): r for r in lines}

    prefix, separate = load("prefix"), load("separate")
    assert sorted(prefix) == sorted(separate) == [(2, 0), (2, 1), (6, 0), (6, 1)]
    for key in separate:
        assert prefix[key]["values"] == separate[key]["values"]
    assert prefix[(2, 0)]["prefix_of"] == 6 and "prefix_of" not in separate[(2, 0)]


def test_discrete_suites_spaces_are_fixed_per_problem_and_shuffled():
    cat = problems._discrete_dims(ProblemSpec("bbob-cat", 3, 4))
    assert [d[0] for d in cat] == ["cat"] * 4
    assert cat == problems._discrete_dims(ProblemSpec("bbob-cat", 3, 4))  # same problem, same space
    for _, levels in cat:
        assert sorted(levels.values()) == list(problems._CAT_LEVELS)
    # the shuffles differ between coordinates: the label order tells nothing
    assert len({tuple(levels.values()) for _, levels in cat}) > 1
    mixed = problems._discrete_dims(ProblemSpec("bbob-mixed", 3, 5))
    assert [d[0] for d in mixed] == ["cat", "int", "real", "cat", "int"]
    assert mixed[1] == ("int", -5, 5) and mixed[2] == ("real", -5.0, 5.0)


def test_decode_maps_labels_to_their_values():
    dims = [("cat", {"c0": 2.0, "c1": -4.0}), ("int", -5, 5), ("real", -5.0, 5.0)]
    seen = []
    p = Problem(ProblemSpec("bbob-mixed", 1, 3), lambda x: seen.append(x) or float(np.sum(x)), -5 * np.ones(3), 5 * np.ones(3), 0.0, dims=dims)
    assert p(["c1", 3, 0.5]) == pytest.approx(-0.5)
    np.testing.assert_allclose(seen[0], [-4.0, 3.0, 0.5])


def test_grid_optimum_is_the_best_grid_point_and_gives_up_on_large_grids():
    target = np.array([problems._CAT_LEVELS[1], problems._CAT_LEVELS[4]])
    assert problems._grid_optimum(lambda x: float(np.sum((x - target) ** 2)) + 1.0, 2) == pytest.approx(1.0)
    assert problems._grid_optimum(lambda x: 0.0, 20) is None


def test_contenders_convert_mixed_spaces():
    import asktell

    dims = [("cat", {"c0": 1.0, "c1": 2.0}), ("int", -5, 5), ("real", -1.0, 2.0)]
    out = contenders._skopt_dims(dims, asktell.space)
    assert isinstance(out[0], asktell.Categorical) and list(out[0].categories) == ["c0", "c1"]
    assert isinstance(out[1], asktell.Integer) and (out[1].low, out[1].high) == (-5, 5)
    assert out[2] == (-1.0, 2.0)
    with pytest.raises(ValueError, match="asktell-de takes real dimensions only"):
        contenders.asktell_de(lambda x: 0.0, dims, 5, 0)


@pytest.mark.parametrize("name", ["random", "asktell-default"])
def test_mixed_space_contenders_propose_valid_configurations(name):
    dims = [("cat", {f"c{j}": float(j) for j in range(3)}), ("int", -2, 2), ("real", -1.0, 1.0)]
    seen = []
    p = Problem(ProblemSpec("bbob-mixed", 1, 3), lambda x: float(np.sum(x**2)), -np.ones(3), np.ones(3), 0.0, dims=dims)
    out = contenders.run_contender(name, p, budget=8, seed=0)
    assert len(out["values"]) == 8
    rec = contenders.Recorder(p, 8)
    contenders.CONTENDERS[name](lambda x: seen.append(x) or rec(x), dims, 8, 0)
    for x in seen:
        assert x[0] in {"c0", "c1", "c2"} and int(x[1]) == x[1] and -2 <= x[1] <= 2 and -1.0 <= x[2] <= 1.0
    assert out["values"] == rec.values  # same seed, same run


def test_batch_table_gives_the_evaluations_to_reach_the_sequential_median():
    from benchmarks.batches import evaluations_to_reach, table

    assert evaluations_to_reach([5.0, 3.0, 4.0, 0.5], 0.0, 3.0) == 2.0
    assert evaluations_to_reach([5.0, 4.0], 1.0, 2.0) == np.inf

    def rec(contender, problem, budget, seed, values):
        return {"contender": contender, "problem": problem, "dim": 2, "budget": budget, "seed": seed,
                "f_opt": 0.0, "values": values}

    records = []
    for seed, hit in enumerate([30, 44, None]):
        # the reference: final precision 1.0 on f01, 2.0 (seed 0) or 1.0 on f15
        records += [rec("asktell-default", "f01", 40, seed, [10.0] * 39 + [1.0]),
                    rec("asktell-default", "f15", 40, seed, [10.0] * 39 + [2.0 if seed == 0 else 1.0])]
        # f01: reached at evaluation 30, 44, never (median 44 of 40: 1.10); f15: never below 1.5
        late = [10.0] * 52 if hit is None else [10.0] * (hit - 1) + [0.9] * (53 - hit)
        records += [rec("asktell-default@b4", "f01", 52, seed, late),
                    rec("asktell-default@b4", "f01", 40, seed, late[:40]) | {"prefix_of": 52},
                    rec("asktell-default@b4", "f15", 52, seed, [1.5] * 52)]
    out = table(records).splitlines()
    assert out[2] == "| asktell-default@b4 | 1/1 (1.10) | - | - | 0/1 (>1.30) | - | 1/2 (>1.30) |"


def test_worker_contender_names():
    from benchmarks.workers import workers_name

    assert workers_name("asktell-default@w4") == ("asktell-default", 4)
    assert workers_name("asktell-default@b4") is None
    assert workers_name("asktell-default@w0") is None
    assert workers_name("optuna-tpe@w4") is None
