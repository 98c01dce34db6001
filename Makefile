# The two commands: `make serve` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
TORCH_WHEEL := $(firstword $(wildcard /opt/wheels/torch-2.13.0*.whl))
PYTEST_ARGS ?=

.PHONY: serve test bench install golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	@if [ -n "$(TORCH_WHEEL)" ]; then \
		echo "installing PyTorch 2.13.0 (CPU) for the parity tests"; \
		$(BIN)/pip install --quiet torch==2.13.0 || echo "PyTorch not installed: its parity tests will be skipped"; \
	else echo "no local PyTorch wheel: the PyTorch parity tests will be skipped"; fi
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/quizsvc db upgrade
	$(BIN)/quizsvc demo-instructor
# One worker per core (2 here), each with 4 threads: a request mostly waits on PostgreSQL, and
# sync workers would hold a whole worker per request and per keep-alive client.
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --worker-class gthread --threads 4 \
		--keep-alive 30 --access-logfile - wsgi:app

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

golden: $(STAMP)
	$(BIN)/python -m tests.families.make_golden

clean:
	rm -rf $(VENV) instance .pytest_cache
