# backend: the Todo Chatbot API (docker/backend): its venv, tests, lint, migrations and a native run.
# Uses from config.mk: BIN, BUILD, HADOLINT (deps-pytools), BACKEND_VENV.

BACKEND_DIR ?= docker/backend
## Extra arguments for pytest in backend-test, e.g. BACKEND_PYTEST_ARGS='-k chat -x'.
BACKEND_PYTEST_ARGS ?=
## Chat provider that chat-eval scores: local, or openai (needs OPENAI_API_KEY; OPENAI_BASE_URL for any compatible server).
CHAT_EVAL_PROVIDER ?= local
## Extra arguments for chat-eval, e.g. CHAT_EVAL_ARGS='--intent add --quiet' (python -m tests.chat_eval --help).
CHAT_EVAL_ARGS ?=

APT_PACKAGES += postgresql python3 python3-venv
DEPS_TARGETS += deps-backend
TEST_SUITES += backend-test

.PHONY: deps-backend backend-test backend-lint backend-migrate backend-run chat-eval

deps-backend: ## create build/venv-backend from the pinned docker/backend/requirements*.txt (quick when unchanged)
	@mk/scripts/backend-venv.sh $(BACKEND_VENV) $(BACKEND_DIR)/requirements.txt $(BACKEND_DIR)/requirements-dev.txt

backend-lint: deps-backend deps-pytools ## ruff (lint + format check) and mypy on the backend, hadolint on its Dockerfile
	@HADOLINT=$(HADOLINT) mk/scripts/backend-lint.sh $(BACKEND_VENV) $(BACKEND_DIR)

# envcheck: the entrypoint tests run the real one (the image's gate before `serve` and `migrate`).
backend-test: deps-backend deps-pytools $(BIN)/envcheck ## backend suite: lint, then pytest on a private PostgreSQL (API, chat, MCP, resilience, fuzz)
	@HADOLINT=$(HADOLINT) mk/scripts/backend-lint.sh $(BACKEND_VENV) $(BACKEND_DIR)
	@mk/scripts/backend-test.sh $(BACKEND_VENV) $(BACKEND_DIR) $(BACKEND_PYTEST_ARGS)

chat-eval: deps-backend ## score the chat provider on the evaluation set (private PostgreSQL): accuracy per intent, wrong writes
	@cd $(BACKEND_DIR) && ENV_FILE=/dev/null PYTHONDONTWRITEBYTECODE=1 \
		$(abspath $(BACKEND_VENV))/bin/python -m tests.chat_eval --provider $(CHAT_EVAL_PROVIDER) $(CHAT_EVAL_ARGS)

backend-migrate: deps-backend ## apply the Alembic migrations to DATABASE_URL (from the environment or .env)
	@mk/scripts/backend-run.sh $(BACKEND_VENV) $(BACKEND_DIR) migrate

backend-run: deps-backend ## run the API natively on BACKEND_PORT (default 8000), configured by the environment or .env
	@mk/scripts/backend-run.sh $(BACKEND_VENV) $(BACKEND_DIR) serve

## bench-backend: the tree compared against (a git revision), unless BENCH_APP_DIR names a checkout.
BENCH_BASE ?= main
BENCH_APP_DIR ?=
## bench-backend: the backend's CPU limit in millicores (the chart's backend.resources.limits.cpu).
CPU_LIMIT_MILLI ?= 500

.PHONY: bench-backend
bench-backend: deps-backend $(BIN)/probe ## bench: one backend as the chart runs it (1 worker, 500m CPU) vs BENCH_BASE, side by side (root: a cgroup)
	@BENCH_BASE='$(BENCH_BASE)' BENCH_APP_DIR='$(BENCH_APP_DIR)' CPU_LIMIT_MILLI='$(CPU_LIMIT_MILLI)' bench/backend/run.sh
