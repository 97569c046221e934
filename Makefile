.PHONY: check test lint charts data
PY ?= .venv/bin

check: lint test

lint:
	$(PY)/ruff check analytics tests bench
	$(PY)/ruff format --check analytics tests bench
	$(PY)/mypy analytics

test:
	$(PY)/pytest

charts:
	$(PY)/analytics charts build

data:
	$(PY)/python -m analytics.weibo.seed
