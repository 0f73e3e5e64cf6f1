# frontend: the Next.js app in docker/frontend: deps, unit tests, build, native run, browser e2e.
# Uses from config.mk: BUILD, HADOLINT (deps-pytools).

FRONTEND_DIR ?= docker/frontend
FRONTEND_BUILD := $(BUILD)/frontend
## The Node.js the host needs to build and test the frontend (vite 7, vitest); the image itself
## runs Node 18 (NODE_VERSION in docker/frontend/Dockerfile).
FRONTEND_HOST_NODE ?= 20.19

# Debian's Chromium drives the e2e test and the bench (playwright-core never downloads a browser);
# postgresql for the e2e test's private database.
APT_PACKAGES += nodejs chromium fonts-dejavu-core postgresql python3-venv
DEPS_TARGETS += deps-frontend
TEST_SUITES += frontend-test e2e

export FRONTEND_DIR FRONTEND_BUILD FRONTEND_HOST_NODE

.PHONY: deps-frontend deps-frontend-bench frontend-test frontend-build frontend-run e2e bench-frontend

deps-frontend: ## npm ci in docker/frontend from the lockfile (skipped when unchanged)
	@mk/scripts/frontend-deps.sh

frontend-test: deps-frontend deps-pytools ## typecheck, unit tests (vitest), next build, hadolint on the Dockerfile
	@HADOLINT=$(HADOLINT) mk/scripts/frontend-test.sh

frontend-build: deps-frontend ## build the standalone Next.js server if sources changed (docker/frontend/.next/standalone, copy in build/frontend/standalone)
	@mk/scripts/frontend-build.sh

frontend-run: deps-frontend ## build if needed, then run the standalone server on FRONTEND_PORT (default 3000) with BACKEND_URL, both from the environment
	@mk/scripts/frontend-run.sh

e2e: deps-frontend ## browser end-to-end tests in real Chromium (PostgreSQL + backend + standalone frontend): axe-core on every state, a keyboard-only journey
	@mk/scripts/frontend-e2e.sh

deps-frontend-bench: ## npm ci in bench/frontend from its lockfile (Lighthouse, pinned; skipped when unchanged)
	@mk/scripts/npm-ci.sh bench/frontend $(FRONTEND_BUILD)/bench-npm-ci.stamp

bench-frontend: deps-frontend deps-frontend-bench ## bench: first contentful paint and JS transferred in Chromium, then Lighthouse scores, CLS and LCP (sign-in and tasks, mobile and desktop)
	@mk/scripts/frontend-bench.sh
