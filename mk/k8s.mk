# k8s: plain manifests in k8s/ (rendered from the chart), kubectl deploy/status/delete and the doctor.
# Uses from config.mk: NAMESPACE, RELEASE, REGISTRY_PREFIX, TAG, BIN, BUILD, HELM, KUBECTL, CHART, ENV_FILE,
# ENV_SCHEMA, WAIT_ENV, PY_TOOL, BACKUP_DIR, FILE.

K8S_DIR := k8s
## The committed manifests are rendered as release "todo" in namespace "todo", tag = VERSION.
K8S_RELEASE := todo
K8S_SECRET := todo-env
# The objects of k8s/ are found by label (the chart's), never by a name restated here.
K8S_SELECTOR := app.kubernetes.io/instance=$(K8S_RELEASE)
## kubectl apply -k runs on this overlay (image tag = TAG, namespace = NAMESPACE); written by k8s-deploy.
K8S_OVERLAY := $(BUILD)/k8s-overlay
ROLLOUT_TIMEOUT ?= 5m
## Where `make doctor` stores what it collected (JSON from kubectl) for later reading.
DOCTOR_DIR ?= $(BUILD)/doctor
## make doctor and kubectl-ai: auto (asked when on PATH), 1 (asked; fails without it), 0 (never).
AI ?= auto
## Extra kubectl-ai flags for make doctor, e.g. --llm-provider=openai --model=gpt-4.1 (docs/ai-ops.md).
KUBECTL_AI_ARGS ?=

## k8s-db-backup/-restore run pg_dump/pg_restore in the bundled PostgreSQL of release RELEASE (found by label).
K8S_DB_EXEC = KUBECTL=$(KUBECTL) mk/scripts/k8s-db-exec.sh $(NAMESPACE) app.kubernetes.io/instance=$(RELEASE)
K8S_DB_HINT = is the release installed in namespace $(NAMESPACE) with the bundled PostgreSQL? make k8s-status

.PHONY: k8s-manifests k8s-deploy k8s-delete k8s-status doctor k8s-db-backup k8s-db-restore

k8s-manifests: | $(HELM) ## render k8s/ from the chart (values-dev.yaml, tag = VERSION, no Secret) + kustomization.yaml
	mk/scripts/k8s-render.sh $(HELM) $(CHART) $(K8S_DIR) $(K8S_RELEASE) $(K8S_SECRET)

k8s-deploy: env-check | $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe ## apply k8s/ with TAG: env check, Secret from .env, rollout status, readiness wait, URLs
	mk/scripts/k8s-overlay.sh $(K8S_OVERLAY) $(K8S_DIR) $(NAMESPACE) $(TAG) $(REGISTRY_PREFIX)
	KUBECTL=$(KUBECTL) mk/scripts/k8s-namespace.sh $(NAMESPACE)
	$(BIN)/secretgen k8s --name $(K8S_SECRET) --namespace $(NAMESPACE) --schema $(ENV_SCHEMA) $(ENV_FILE) | $(KUBECTL) apply -f -
	$(KUBECTL) delete job --namespace $(NAMESPACE) -l $(K8S_SELECTOR),app.kubernetes.io/component=migrate --ignore-not-found
	$(KUBECTL) apply -k $(K8S_OVERLAY)
	$(KUBECTL) rollout status deployment --namespace $(NAMESPACE) -l $(K8S_SELECTOR) --timeout $(ROLLOUT_TIMEOUT)
	$(WAIT_ENV) mk/scripts/k8s-wait-http.sh $(NAMESPACE) $(K8S_SELECTOR)

k8s-delete: ## delete what k8s-deploy applied and its Secret (keeps the namespace and the database PVC)
	mk/scripts/k8s-overlay.sh $(K8S_OVERLAY) $(K8S_DIR) $(NAMESPACE) $(TAG) $(REGISTRY_PREFIX)
	$(KUBECTL) delete -k $(K8S_OVERLAY) --ignore-not-found --wait
	$(KUBECTL) delete secret $(K8S_SECRET) --namespace $(NAMESPACE) --ignore-not-found

k8s-status: ## one screen: pods, services, workloads and the latest warning events of NAMESPACE
	KUBECTL=$(KUBECTL) mk/scripts/k8s-status.sh $(NAMESPACE)

doctor: ## explain in plain sentences what is broken in NAMESPACE (and ask kubectl-ai: AI=auto|1|0)
	KUBECTL=$(KUBECTL) mk/scripts/doctor-collect.sh $(NAMESPACE) $(DOCTOR_DIR)
	$(PY_TOOL) doctor $(DOCTOR_DIR)
	AI=$(AI) KUBECTL_AI_ARGS='$(KUBECTL_AI_ARGS)' mk/scripts/doctor-ai.sh $(DOCTOR_DIR)

# The same script as the Compose db-backup/db-restore, through `kubectl exec` (pg_dump of the
# database pod itself, so the client always matches the server). The chart's backup CronJob
# (backup.enabled) does this on a schedule into a PVC instead.
k8s-db-backup: ## dump the cluster's bundled PostgreSQL to build/backups/todo-<date>.dump (pg_dump through kubectl exec)
	@DB_EXEC='$(K8S_DB_EXEC)' DB_HINT='$(K8S_DB_HINT)' mk/scripts/stack-db.sh backup $(BACKUP_DIR)

k8s-db-restore: ## restore a dump into the cluster's bundled PostgreSQL (make k8s-db-restore FILE=build/backups/todo-....dump)
	@test -n "$(FILE)" || { echo "k8s-db-restore: say which dump, e.g. make k8s-db-restore FILE=$(BACKUP_DIR)/todo-20260101-120000.dump" >&2; exit 2; }
	@DB_EXEC='$(K8S_DB_EXEC)' DB_HINT='$(K8S_DB_HINT)' mk/scripts/stack-db.sh restore $(FILE)
