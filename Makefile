# 救助 Jiuzhu — two commands: `make run` and `make test`. Every target is idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_DEBS  := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := $(RUN_DEBS) chromium

.PHONY: install run test debs-run debs-test migrate clean-db lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python requirements/base.txt requirements/test.txt pyproject.toml
	$(BIN)/pip install -q -r requirements/base.txt -r requirements/test.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

debs-run:
	@scripts/debian-packages.sh $(RUN_DEBS)

debs-test:
	@scripts/debian-packages.sh $(TEST_DEBS)

migrate: $(STAMP)
	@$(BIN)/jiuzhu keys init >/dev/null
	@$(BIN)/jiuzhu migrate --noinput -v0

install: $(STAMP) debs-run debs-test migrate

run: $(STAMP) debs-run
	$(BIN)/jiuzhu demo

test: $(STAMP) debs-test
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile tests

clean-db:
	rm -f var/jiuzhu.sqlite3 var/jiuzhu.sqlite3-wal var/jiuzhu.sqlite3-shm
