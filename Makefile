# Entry points (see README.md; every target in docs/contributing.md): `make report` builds the reports on the bundled feed; `make lab` opens the notebooks in
# JupyterLab; `make test` runs every test.
# Each creates the virtual environment in .venv and installs the project into it first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FEED ?= data/raw/000_802a2c4cd511184e.txt
# The extras every target below needs (docs/design.md, "Dependencies and extras"); the core alone reads and analyses.
EXTRAS := notebooks,report,fetch,bench,test

.PHONY: install report check test test-fast test-spark chromium fuzz-long parse notebooks lab clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

parse: install
	$(BIN)/feedtools parse $(FEED) -o data/processed/posts.parquet

report: install
	$(BIN)/feedtools report --feed $(FEED) --out reports

# Lint, formatting and type checks (ruff and mypy, configured in pyproject.toml); `make test` runs them first.
check: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

test: install chromium check
	$(BIN)/python -m pytest

# The inner loop: every test but the slow ones and those that drive a browser (a few minutes).
test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

# The Spark tests (tests/test_spark.py: skipped by `make test` where pyspark is not installed): installs the
# spark extra (PySpark builds from source, ~1 min; needs Java 17) and runs them in local[2].
test-spark: install
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),spark]"
	$(BIN)/python -m pytest tests/test_spark.py

# Headless Chromium and its driver for the browser tests (Debian packages; skipped with a reason elsewhere).
chromium:
	sh scripts/ensure-chromium.sh

# Before a release: the seeded long run of the reader fuzz suite (2,000 examples per reader; hours on 2 cores).
fuzz-long: install
	FEEDTOOLS_FUZZ=long $(BIN)/python -m pytest tests/test_fuzz_readers.py -q

# JupyterLab on notebooks/, with the project's Jupyter settings (jupyter-config/: charts served offline,
# paired .py files open as notebooks) added to the user's own. LAB_ARGS passes more options (e.g. --port=8899).
lab: install
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	    $(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS)

# Re-execute the notebooks on the seed and store their outputs (after an intended change; review the diff).
notebooks: install
	$(BIN)/feedtools notebooks --update

clean:
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.jsonl reports/*.html
