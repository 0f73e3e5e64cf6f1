# chaos: kill pods and the database under load, measure recovery, prove no write was lost; and the soak (steady use for an hour).
# Uses from config.mk: BIN, BUILD, PYTHON, PY_TOOL, PY_LINT, PYTEST, NAMESPACE, RELEASE.

## Where to break things: k8s, helm or compose (empty: whatever is running, Helm first).
CHAOS_TARGET ?=
## Kill rounds per pod-kill scenario, and the pause between rounds.
CHAOS_ROUNDS ?= 5
CHAOS_INTERVAL ?= 10s
## A killed pod must be back (Ready) within this (the seeds' promise).
RECOVERY_SLO ?= 30s
## How long the database stays down, and how soon after it returns the API must serve again.
DB_OUTAGE ?= 10s
DB_RECOVERY_SLO ?= 10s
## During the outage the API's 503s must come this fast (p95).
CHAOS_503_SLO ?= 1s
## Minimum availability (%) while one of >= 2 replicas is killed.
CHAOS_AVAILABILITY_SLO ?= 99
## Comma-separated subset of backend-pod-kill,frontend-pod-kill,db-outage,rolling-update,no-lost-writes (or all).
CHAOS_SCENARIOS ?= all
## 1: print the plan (every fault command) and do nothing.
CHAOS_DRY_RUN ?= 0
## Entry URLs for clusters (empty: the frontend Service's NodePort); the rolling update command (empty: kubectl rollout restart).
CHAOS_API_URL ?=
CHAOS_FRONTEND_URL ?=
CHAOS_UPGRADE_CMD ?=
## The native run (make chaos-native) is shorter: rounds, pause between rounds, restart delay of a killed process.
CHAOS_NATIVE_ROUNDS ?= 2
CHAOS_NATIVE_INTERVAL ?= 2s
CHAOS_RESTART_DELAY ?= 500ms
CHAOS_OUT ?= $(BUILD)/chaos

## make soak: how long it runs after the sign-ups, how many users, their actions per second (empty: one per user every 20 s).
SOAK_DURATION ?= 60m
SOAK_USERS ?= 100
SOAK_RATE ?=
## make soak: a user signs out and in again this often; one sample of memory, CPU, connections and latency this often.
SOAK_SESSION ?= 10m
SOAK_SAMPLE ?= 10s
## make soak: a memory trend per hour (fitted over the second half) above this fails; the stack (and cluster) must stay under SOAK_MEMORY_LIMIT.
SOAK_MEMORY_GROWTH ?= 32MiB
SOAK_MEMORY_LIMIT ?= 4GB
## make soak: p99 of the last window may be at most this times the first's.
SOAK_P99_RATIO ?= 1.5
## make soak (compose, helm, k8s): the stack's LOGIN_RATE_PER_CLIENT; the soak's sign-ins stay within 80 % of it.
SOAK_LOGIN_LIMIT ?= 30/minute
SOAK_OUT ?= $(BUILD)/soak
## soak-test (make test): the short native soak that proves the machinery, and the growth it tolerates (see docs/soak.md).
SOAK_TEST_DURATION ?= 2m
SOAK_TEST_MEMORY_GROWTH ?= 4GiB

APT_PACKAGES += haproxy postgresql python3
TEST_SUITES += chaos-native soak-test

# Every knob reaches the scripts through the environment (they read the same names).
CHAOS_ENV = CHAOS_ROUNDS='$(CHAOS_ROUNDS)' CHAOS_INTERVAL='$(CHAOS_INTERVAL)' RECOVERY_SLO='$(RECOVERY_SLO)' \
	DB_OUTAGE='$(DB_OUTAGE)' DB_RECOVERY_SLO='$(DB_RECOVERY_SLO)' CHAOS_503_SLO='$(CHAOS_503_SLO)' \
	CHAOS_AVAILABILITY_SLO='$(CHAOS_AVAILABILITY_SLO)' CHAOS_SCENARIOS='$(CHAOS_SCENARIOS)' \
	CHAOS_DRY_RUN='$(CHAOS_DRY_RUN)' CHAOS_API_URL='$(CHAOS_API_URL)' CHAOS_FRONTEND_URL='$(CHAOS_FRONTEND_URL)' \
	CHAOS_UPGRADE_CMD='$(CHAOS_UPGRADE_CMD)' CHAOS_RESTART_DELAY='$(CHAOS_RESTART_DELAY)' \
	NAMESPACE='$(NAMESPACE)' RELEASE='$(RELEASE)' PROBE='$(BIN)/probe'

SOAK_ENV = SOAK_DURATION='$(SOAK_DURATION)' SOAK_USERS='$(SOAK_USERS)' SOAK_RATE='$(SOAK_RATE)' \
	SOAK_SESSION='$(SOAK_SESSION)' SOAK_SAMPLE='$(SOAK_SAMPLE)' SOAK_MEMORY_GROWTH='$(SOAK_MEMORY_GROWTH)' \
	SOAK_MEMORY_LIMIT='$(SOAK_MEMORY_LIMIT)' SOAK_P99_RATIO='$(SOAK_P99_RATIO)' SOAK_LOGIN_LIMIT='$(SOAK_LOGIN_LIMIT)' \
	CHAOS_API_URL='$(CHAOS_API_URL)' CHAOS_FRONTEND_URL='$(CHAOS_FRONTEND_URL)' CHAOS_RESTART_DELAY='$(CHAOS_RESTART_DELAY)' \
	NAMESPACE='$(NAMESPACE)' RELEASE='$(RELEASE)' PROBE='$(BIN)/probe'

.PHONY: chaos-test chaos-native chaos-report soak soak-test

chaos-test: $(BIN)/probe ## kill pods/containers and the DB under load (CHAOS_TARGET=k8s|helm|compose), report in build/chaos/
	@$(CHAOS_ENV) $(PY_TOOL) chaos run --target '$(or $(CHAOS_TARGET),auto)' --out '$(CHAOS_OUT)'

# The native stack runs the built frontend (frontend-pod-kill), the backend venv's `make
# backend-run`, and probe; then the package's own tests and the checks of the report just written.
chaos-native: CHAOS_ROUNDS = $(CHAOS_NATIVE_ROUNDS)
chaos-native: CHAOS_INTERVAL = $(CHAOS_NATIVE_INTERVAL)
chaos-native: $(BIN)/probe deps-backend deps-pytools frontend-build ## the same scenarios on a native stack (PostgreSQL, 2 backends and 2 frontends behind HAProxy), then check its report
	@$(PY_LINT) tools/chaos
	@$(CHAOS_ENV) $(PY_TOOL) chaos native --out '$(CHAOS_OUT)'
	@[ '$(CHAOS_DRY_RUN)' != 0 ] || CHAOS_REPORT_DIR='$(CHAOS_OUT)/latest' $(PYTEST) -q -p no:cacheprovider \
	  tools/chaos/tests tools/chaos/tests/check_chaos_run.py

chaos-report: ## regenerate the HTML of a chaos run: make chaos-report DIR=build/chaos/<timestamp> (default: latest)
	@$(PY_TOOL) chaos report '$(or $(DIR),$(CHAOS_OUT)/latest)'

# The native soak starts its own stack (the backend venv, the built frontend); the others reach
# the running one (make up, make helm-install, make k8s-deploy).
soak: $(BIN)/probe $(if $(filter native,$(CHAOS_TARGET)),deps-backend frontend-build) ## steady use for SOAK_DURATION (60m) by SOAK_USERS (100): memory, CPU, errors, latency over time, every write read back; report in build/soak/
	@$(SOAK_ENV) $(PY_TOOL) chaos soak --target '$(or $(CHAOS_TARGET),auto)' --out '$(SOAK_OUT)'

soak-test: SOAK_DURATION = $(SOAK_TEST_DURATION)
soak-test: SOAK_MEMORY_GROWTH = $(SOAK_TEST_MEMORY_GROWTH)
soak-test: SOAK_OUT = $(BUILD)/soak-test
soak-test: $(BIN)/probe deps-backend deps-pytools frontend-build ## a short soak (SOAK_TEST_DURATION, 2m) of the native stack that proves the machinery, then check its report
	@$(PY_LINT) tools/chaos
	@$(SOAK_ENV) $(PY_TOOL) chaos soak --target native --out '$(SOAK_OUT)'
	@SOAK_REPORT_DIR='$(SOAK_OUT)/latest' $(PYTEST) -q -p no:cacheprovider \
	  tools/chaos/tests/test_soak.py tools/chaos/tests/test_resources.py tools/chaos/tests/check_soak_run.py
