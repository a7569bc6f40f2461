# 救助 Jiuzhu — two commands: `make run` and `make test`. Every target is idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.spark
RUN_DEBS  := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 postgresql-client
TEST_DEBS := $(RUN_DEBS) chromium

.PHONY: install run test test-dates debs-run debs-test migrate clean-db lint lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python requirements/base.txt requirements/test.txt pyproject.toml
	$(BIN)/pip install -q --require-hashes -r requirements/base.txt -r requirements/test.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

# PySpark (the scale-out engine) for the DuckDB/Spark parity tests: needs Java 17, ~470 MB.
$(SPARK): $(STAMP) requirements/spark.txt
	@if command -v java >/dev/null 2>&1; then \
	  echo "安装 PySpark（Spark 引擎对比测试用）"; $(BIN)/pip install -q --require-hashes -r requirements/spark.txt && touch $(SPARK); \
	else echo "未找到 Java：不安装 PySpark，Spark 引擎对比测试将跳过（CI=true 时判为失败）"; fi

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

test: $(STAMP) $(SPARK) debs-test lint
	$(BIN)/pytest -n 2 --dist loadfile tests

# The date-sensitive tests (workflow deadlines, notices, payroll months, annual review, monitoring due
# dates, the calendar's year end; two browser walks too) at frozen business dates (JIUZHU_TEST_TODAY, see tests/conftest.py),
# on SQLite, without the slow engine-parity tests (they run in `make test`); every date runs, then any
# failing date fails the target.
TEST_DATES ?= 2026-12-07 2026-12-31 2027-01-04 2027-09-30 2029-02-10
DATE_TESTS := tests/test_frozen_clock.py tests/rules tests/apps/test_workcalendar.py tests/apps/cases \
  tests/apps/documents tests/apps/enrollment tests/apps/payments tests/apps/reviews tests/apps/monitoring \
  tests/web/test_cases_actions.py tests/web/test_cases_pages.py tests/web/test_cases_public.py \
  tests/web/test_cases_scope.py tests/web/test_payroll_pages.py tests/web/test_enrollments.py \
  tests/web/test_reviews.py tests/api/test_cases.py tests/api/test_tasks.py tests/api/test_payroll.py \
  tests/api/test_enrollments.py tests/api/test_health.py tests/cli/test_cases_cli.py \
  tests/cli/test_workflow_cli.py tests/cli/test_payroll_cli.py tests/cli/test_review_cli.py \
  tests/e2e/test_case_flow.py tests/e2e/test_payroll_flow.py tests/e2e/test_calendar_flow.py \
  tests/web/test_calendar_admin.py tests/web/test_dashboard.py tests/apps/jobs tests/apps/stats

# The lock files (exact versions with hashes; install refuses anything else). Dependencies are declared
# once: runtime in pyproject.toml, test tools in requirements/test.in, Spark in requirements/spark.in.
lock: $(BIN)/python
	$(BIN)/pip install -q pip-tools
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url --output-file=base.txt ../pyproject.toml
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url --output-file=test.txt test.in
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url --output-file=spark.txt spark.in

# ruff (pyflakes, bugbear, bandit, imports), mypy with django-stubs, and the import contracts (apps acyclic)
lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test-dates: $(STAMP)
	@failed=""; for d in $(TEST_DATES); do \
	  echo "=== 日期敏感测试：JIUZHU_TEST_TODAY=$$d（SQLite）==="; \
	  env -u JIUZHU_DATABASE_URL -u JIUZHU_TEST_DB_NAME JIUZHU_TEST_TODAY=$$d \
	    $(BIN)/pytest -n 2 --dist loadfile -m "not slow" $(DATE_TESTS) || failed="$$failed $$d"; \
	done; \
	if [ -n "$$failed" ]; then echo "日期敏感测试失败的日期：$$failed"; exit 1; fi

clean-db:
	rm -f var/jiuzhu.sqlite3 var/jiuzhu.sqlite3-wal var/jiuzhu.sqlite3-shm
