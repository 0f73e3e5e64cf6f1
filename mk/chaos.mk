# chaos: kill pods and the database under load, measure recovery, prove no write was lost.
# Uses from config.mk: BIN, BUILD, PYTHON, PYTEST, NAMESPACE, RELEASE.

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

APT_PACKAGES += haproxy postgresql python3
TEST_SUITES += chaos-native

# Every knob reaches the scripts through the environment (they read the same names).
CHAOS_ENV = CHAOS_ROUNDS='$(CHAOS_ROUNDS)' CHAOS_INTERVAL='$(CHAOS_INTERVAL)' RECOVERY_SLO='$(RECOVERY_SLO)' \
	DB_OUTAGE='$(DB_OUTAGE)' DB_RECOVERY_SLO='$(DB_RECOVERY_SLO)' CHAOS_503_SLO='$(CHAOS_503_SLO)' \
	CHAOS_AVAILABILITY_SLO='$(CHAOS_AVAILABILITY_SLO)' CHAOS_SCENARIOS='$(CHAOS_SCENARIOS)' \
	CHAOS_DRY_RUN='$(CHAOS_DRY_RUN)' CHAOS_API_URL='$(CHAOS_API_URL)' CHAOS_FRONTEND_URL='$(CHAOS_FRONTEND_URL)' \
	CHAOS_UPGRADE_CMD='$(CHAOS_UPGRADE_CMD)' CHAOS_RESTART_DELAY='$(CHAOS_RESTART_DELAY)' \
	NAMESPACE='$(NAMESPACE)' RELEASE='$(RELEASE)' PROBE='$(BIN)/probe'

.PHONY: chaos-test chaos-native chaos-report

chaos-test: $(BIN)/probe ## kill pods/containers and the DB under load (CHAOS_TARGET=k8s|helm|compose), report in build/chaos/
	@$(CHAOS_ENV) $(PYTHON) mk/scripts/chaos-run.py --target '$(or $(CHAOS_TARGET),auto)' --out '$(CHAOS_OUT)'

chaos-native: CHAOS_ROUNDS = $(CHAOS_NATIVE_ROUNDS)
chaos-native: CHAOS_INTERVAL = $(CHAOS_NATIVE_INTERVAL)
chaos-native: $(BIN)/probe deps-backend deps-pytools ## the same scenarios on a native stack (PostgreSQL, 2 backends behind HAProxy), then check its report
	@$(CHAOS_ENV) $(PYTHON) mk/scripts/chaos-native.py --out '$(CHAOS_OUT)'
	@[ '$(CHAOS_DRY_RUN)' != 0 ] || CHAOS_REPORT_DIR='$(CHAOS_OUT)/latest' $(PYTEST) -q -p no:cacheprovider tests/chaos

chaos-report: ## regenerate the HTML of a chaos run: make chaos-report DIR=build/chaos/<timestamp> (default: latest)
	@$(PYTHON) mk/scripts/chaos-report.py '$(or $(DIR),$(CHAOS_OUT)/latest)'
