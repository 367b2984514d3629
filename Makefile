# Two entry points (see README): `make report` builds the reports on the bundled feed; `make test` runs every test.
# Both create the virtual environment in .venv and install the project into it first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FEED ?= data/raw/000_802a2c4cd511184e.txt

.PHONY: install report test parse clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@

parse: install
	$(BIN)/feedtools parse $(FEED) -o data/processed/posts.parquet

report: parse

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.jsonl reports/*.html
