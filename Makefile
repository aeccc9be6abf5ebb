# Two commands do everything on a fresh machine:  `make run`  and  `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
UV      := $(BIN)/uv
PORT    ?= 8501
export CNNQUIZ_DATA_DIR ?= $(CURDIR)/data

.PHONY: setup readers browser postgres run test test-fast validate-full bench lint lock clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PY) >/dev/null || { echo "python3 (3.11) is required"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(UV) pip install --quiet --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

## outside readers of the exports for the tests (gift-pegjs, pinned in tools/readers/package-lock.json; node from Debian)
readers:
	@if command -v node >/dev/null && command -v npm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; fi
	npm ci --silent --no-audit --no-fund --prefix tools/readers

## Chromium + ChromeDriver for the real-browser test (Debian packages; needs root or sudo)
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; fi

## PostgreSQL server binaries for the grader's tests (Debian package; the tests start their own server)
postgres:
	@if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; fi

## run the Streamlit app on the embedded default (a local SQLite file under ./data)
run: setup
	$(BIN)/cnnquiz db upgrade
	$(BIN)/streamlit run streamlit_app.py --server.headless=true --server.port=$(PORT) --browser.gatherUsageStats=false

## the whole test suite (unit, property, live Keras validation, AppTest)
test: setup readers browser postgres
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: setup
	$(BIN)/python -m pytest -q -m "not live and not slow"

## the full answer-key sweep: every generator × difficulty × 1000 seeds against live Keras
validate-full: setup
	$(BIN)/cnnquiz validate --seeds 1000

bench: setup
	$(BIN)/python bench/bench_generation.py --out bench/results/generation.json
	$(BIN)/python bench/bench_inspect.py --out bench/results/inspect.json
	$(BIN)/python bench/bench_db.py --out bench/results/db.json
	$(BIN)/python bench/bench_autograde.py --out bench/results/autograde.json
	$(BIN)/python bench/bench_app.py --out bench/results/app.json
	$(BIN)/python bench/bench_exam.py --out bench/results/exam.json
	$(BIN)/python bench/bench_queue.py --batch 120 --out bench/results/queue.json

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## re-resolve the pinned lock file from pyproject.toml
lock:
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache
