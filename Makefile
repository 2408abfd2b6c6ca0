# One-command set-up: `make demo` and `make test` each create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Extras the test suite exercises; each optional feature's tests need its extra.
TEST_EXTRAS := dev,cotengra,cmaes
# Pin BLAS threads: on 2 cores oversubscription swings timings by 10x.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: demo test bench clean

# The default benchmark: the BBOB suite in 2-D and 5-D, budgets 10*d and 20*d.
BENCH_ARGS ?= --suite bbob --dims 2,5 --budget 10,20 --seeds 5 --out results/bbob

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(TEST_EXTRAS)]"
	touch $@

$(VENV)/.installed-core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-bench: pyproject.toml benchmarks/requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,plots]" -r benchmarks/requirements.txt
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

demo: $(VENV)/.installed-core
	$(BIN)/python -m asktell.demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
