# grantflow: two commands do all set-up.
#   make run    venv, install, assets, migrate, reference data, demo data, then the web server on
#               http://127.0.0.1:5000 (SQLite), the scheduler and a job worker beside it (Procfile, honcho)
#   make test   venv, install, assets, linters, whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Links in emails point at the service where `make run` serves it (set SERVICE_URL for anywhere else).
SERVICE_URL ?= http://127.0.0.1:$(PORT)
export SERVICE_URL
# pytest-xdist processes for `make test`, each with its own database; 0 runs the suite in one process
TEST_WORKERS ?= 2
STATIC := grants/static
GOVUK := node_modules/govuk-frontend/dist/govuk

.PHONY: run test lint install assets serve clean

install: $(VENV)/.installed assets

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: .assets-built

# GOV.UK Frontend and Mermaid are vendored from npm into the static folder (not committed).
.assets-built: node_modules/.installed
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js $(STATIC)/
	rm -rf $(STATIC)/fonts $(STATIC)/images $(STATIC)/vendor
	cp -R $(GOVUK)/assets/fonts $(GOVUK)/assets/images $(GOVUK)/assets/manifest.json $(STATIC)/
	mkdir -p $(STATIC)/vendor
	cp node_modules/mermaid/dist/mermaid.min.js $(STATIC)/vendor/
	touch $@

run: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi grantflow setup
	$(BIN)/flask --app wsgi grantflow demo
	$(BIN)/honcho start --no-prefix -p $(PORT) -f Procfile web scheduler worker

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/bandit --quiet --recursive grants exports workflows --severity-level medium

test: install lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf $(VENV) node_modules .assets-built instance build grantflow.egg-info
