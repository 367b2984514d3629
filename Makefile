# Two entry points (see README): `make report` builds the reports on the bundled feed; `make test` runs every test.
# Both create the virtual environment in .venv and install the project into it first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FEED ?= data/raw/000_802a2c4cd511184e.txt

.PHONY: install report test parse notebooks clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,spark]"
	touch $@

parse: install
	$(BIN)/feedtools parse $(FEED) -o data/processed/posts.parquet

report: install
	$(BIN)/feedtools report --feed $(FEED) --out reports

test: install
	sh scripts/ensure-chromium.sh
	$(BIN)/python -m pytest

# Re-execute the notebooks on the seed and store their outputs (after an intended change; review the diff).
notebooks: install
	$(BIN)/feedtools notebooks --update

clean:
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.jsonl reports/*.html
