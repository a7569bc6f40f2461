# 救助 Jiuzhu — two commands: `make run` and `make test`. Every target is idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.spark
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

# PySpark (the scale-out engine) for the DuckDB/Spark parity tests: needs Java 17, ~470 MB.
$(SPARK): $(STAMP) requirements/spark.txt
	@if command -v java >/dev/null 2>&1; then \
	  echo "安装 PySpark（Spark 引擎对比测试用）"; $(BIN)/pip install -q -r requirements/spark.txt && touch $(SPARK); \
	else echo "未找到 Java：不安装 PySpark，Spark 引擎对比测试将跳过"; fi

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

test: $(STAMP) $(SPARK) debs-test
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadfile tests

clean-db:
	rm -f var/jiuzhu.sqlite3 var/jiuzhu.sqlite3-wal var/jiuzhu.sqlite3-shm
