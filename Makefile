# Two commands on a fresh machine: `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit clean messages contract lock

# The versions installed are constraints.txt's (see its header); `make lock` renews them.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The newest releases pyproject.toml allows, in a scratch venv, written to constraints.txt
# under its header; `make test` next, on the versions it wrote.
LOCK_VENV := $(VENV)-lock
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; $(LOCK_VENV)/bin/pip freeze --exclude-editable; } \
		> constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

run: $(STAMP)
	$(BIN)/policymaker serve --demo

# The manifests are checked against the oldest Kubernetes release they are meant for, in
# strict mode (an unknown field is an error); kustomization.yaml is no API object.
K8S_VERSION := 1.33.0
K8S_MANIFESTS := $(filter-out deploy/k8s/kustomization.yaml,$(wildcard deploy/k8s/*.yaml))
lint: $(STAMP)
	$(BIN)/ruff check app tests alembic
	$(BIN)/ruff format --check app tests alembic
	$(BIN)/hadolint Dockerfile
	$(BIN)/kubernetes-validate --strict --quiet --kubernetes-version $(K8S_VERSION) $(K8S_MANIFESTS)

typecheck: $(STAMP)
	$(BIN)/mypy app

unit: $(STAMP)
	$(BIN)/pytest -q

# docs/asyncapi.yaml must be valid AsyncAPI 3 for the AsyncAPI tools, which an integrator's
# code generator reads it with. The CLI is pinned in package-lock.json and installed once,
# without install scripts (one of them reports the download), so later runs need no
# network. Left to itself the CLI would send usage metrics and ask npm for a newer version
# on every run: its analytics setting (off) lives beside it rather than in $$HOME, and
# the update check is skipped. Warnings fail too, not only errors.
NPM_STAMP := node_modules/.installed
ASYNCAPI_DOC ?= docs/asyncapi.yaml
ASYNCAPI := ASYNCAPI_METRICS_CONFIG_PATH=$(CURDIR)/node_modules/.asyncapi-analytics \
	ASYNCAPI_SKIP_NEW_VERSION_CHECK=true node_modules/.bin/asyncapi

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	echo '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"none"}' \
		> node_modules/.asyncapi-analytics
	touch $(NPM_STAMP)

contract: $(NPM_STAMP)
	$(ASYNCAPI) validate --fail-severity warn $(ASYNCAPI_DOC)

test: contract lint typecheck unit

# Extract the UI strings (see babel.cfg) and merge them into both catalogs; then translate
# the new empty msgstr entries (tests/unit/test_i18n_catalogs.py fails until every one is).
LOCALE := app/web/locale
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k t --add-location=file --sort-by-file \
		--ignore-dirs='.* ._ node_modules data test-artifacts __pycache__' \
		--project='Policy Maker' --copyright-holder='Policy Maker' \
		-o $(LOCALE)/messages.pot .
	for lang in da en; do \
		$(BIN)/pybabel -q update --init-missing --no-fuzzy-matching --ignore-obsolete \
			-i $(LOCALE)/messages.pot -d $(LOCALE) -l $$lang || exit 1; \
	done
	$(BIN)/pybabel -q extract -F babel-authoring.cfg --no-default-keywords -k msg -k tr:2 \
		--add-location=file --sort-by-file --project='Policy Maker' \
		--copyright-holder='Policy Maker' \
		--ignore-dirs='.* ._ node_modules data test-artifacts __pycache__' \
		-o app/locale/authoring.pot .
	for lang in da en; do \
		$(BIN)/pybabel -q update --init-missing --no-fuzzy-matching --ignore-obsolete \
			-D authoring -i app/locale/authoring.pot -d app/locale -l $$lang || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
