# The two commands: `make serve` and `make test`. See README.md.
#   make serve [HOST=127.0.0.1] [PORT=8000]   installs only what serving needs
#   make test  [TORCH=0] [PYTEST_ARGS=...]    adds the test tools and PyTorch (TORCH=0: without)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
TORCH ?= 1
PYTEST_ARGS ?=
# One stamp per set of dependencies, each redone when pyproject.toml changes: serving never
# pulls in the test tools or PyTorch, and testing reuses what serving installed.
SERVE_STAMP := $(VENV)/.installed-serve
TEST_STAMP := $(VENV)/.installed-test
TORCH_STAMP := $(VENV)/.installed-torch
BENCH_STAMP := $(VENV)/.installed-bench
# TORCH=0: the test tools without PyTorch (its parity tests skip, saying so).
TEST_DEPS := $(TEST_STAMP) $(if $(filter 0,$(TORCH)),,$(TORCH_STAMP))

.PHONY: serve test lint bench install golden clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(SERVE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(SERVE_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# PyTorch (`pip install torch==2.13.0`, the local wheel where pip's find-links has one) for the
# parity tests: if it does not install, `make test` fails rather than skip them quietly.
$(TORCH_STAMP): $(TEST_STAMP)
	@echo "installing PyTorch 2.13.0 (CPU) for the parity tests"
	@$(BIN)/pip install --quiet torch==2.13.0 && \
	$(BIN)/python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__" \
	|| { echo "error: PyTorch 2.13.0 did not install (make test TORCH=0 tests without it)" >&2; exit 1; }
	touch $@

$(BENCH_STAMP): $(TEST_DEPS)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(SERVE_STAMP)

serve: $(SERVE_STAMP)
	$(BIN)/quizsvc db upgrade
	$(BIN)/quizsvc demo-instructor
	$(BIN)/quizsvc serve --host $(HOST) --port $(PORT)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

test: $(TEST_DEPS)
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

golden: $(TEST_DEPS)
	$(BIN)/python -m tests.families.make_golden

clean:
	rm -rf $(VENV) instance .pytest_cache
