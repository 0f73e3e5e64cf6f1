# k8s: plain manifests in k8s/ (rendered from the chart), kubectl deploy/status/delete and the doctor.

K8S_DIR := k8s
## The committed manifests are rendered as release "todo" in namespace "todo", tag = VERSION.
K8S_RELEASE := todo
K8S_FULLNAME := todo-todo-app
K8S_SECRET := todo-env
## kubectl apply -k runs on this overlay (image tag = TAG, namespace = NAMESPACE); written by k8s-deploy.
K8S_OVERLAY := $(BUILD)/k8s-overlay
K8S_DEPLOYMENTS := $(K8S_FULLNAME)-backend $(K8S_FULLNAME)-frontend
ROLLOUT_TIMEOUT ?= 5m
## Where `make doctor` stores what it collected (JSON from kubectl) for later reading.
DOCTOR_DIR ?= $(BUILD)/doctor
## make doctor and kubectl-ai: auto (asked when on PATH), 1 (asked; fails without it), 0 (never).
AI ?= auto
## Extra kubectl-ai flags for make doctor, e.g. --llm-provider=openai --model=gpt-4.1 (docs/ai-ops.md).
KUBECTL_AI_ARGS ?=

## What k8s-db-backup/-restore exec into: the bundled PostgreSQL of the release (k8s-deploy's and
## helm-install's have the same name for RELEASE=todo).
K8S_DB_TARGET ?= statefulset/$(HELM_FULLNAME)-postgresql
K8S_DB_EXEC = $(KUBECTL) exec -i --namespace $(NAMESPACE) $(K8S_DB_TARGET) -c postgresql --
K8S_DB_HINT = is the release installed in namespace $(NAMESPACE) with the bundled PostgreSQL? make k8s-status

.PHONY: k8s-manifests k8s-deploy k8s-delete k8s-status doctor k8s-db-backup k8s-db-restore

k8s-manifests: | $(HELM) ## render k8s/ from the chart (values-dev.yaml, tag = VERSION, no Secret) + kustomization.yaml
	mk/scripts/k8s-render.sh $(HELM) $(CHART) $(K8S_DIR) $(K8S_RELEASE) $(K8S_SECRET)

k8s-deploy: env-check | $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe ## apply k8s/ with TAG: env check, Secret from .env, rollout status, readiness wait, URLs
	mk/scripts/k8s-overlay.sh $(K8S_OVERLAY) $(K8S_DIR) $(NAMESPACE) $(TAG) $(REGISTRY)
	KUBECTL=$(KUBECTL) mk/scripts/k8s-namespace.sh $(NAMESPACE)
	$(BIN)/secretgen k8s --name $(K8S_SECRET) --namespace $(NAMESPACE) --schema $(ENV_SCHEMA) $(ENV_FILE) | $(KUBECTL) apply -f -
	$(KUBECTL) delete job $(K8S_FULLNAME)-migrate --namespace $(NAMESPACE) --ignore-not-found
	$(KUBECTL) apply -k $(K8S_OVERLAY)
	$(foreach d,$(K8S_DEPLOYMENTS),$(KUBECTL) rollout status deployment/$(d) --namespace $(NAMESPACE) --timeout $(ROLLOUT_TIMEOUT) &&) true
	$(WAIT_ENV) mk/scripts/k8s-wait-http.sh $(NAMESPACE) $(K8S_FULLNAME)-frontend $(K8S_FULLNAME)-migrate

k8s-delete: ## delete what k8s-deploy applied and its Secret (keeps the namespace and the database PVC)
	mk/scripts/k8s-overlay.sh $(K8S_OVERLAY) $(K8S_DIR) $(NAMESPACE) $(TAG) $(REGISTRY)
	$(KUBECTL) delete -k $(K8S_OVERLAY) --ignore-not-found --wait
	$(KUBECTL) delete secret $(K8S_SECRET) --namespace $(NAMESPACE) --ignore-not-found

k8s-status: ## one screen: pods, services, workloads and the latest warning events of NAMESPACE
	KUBECTL=$(KUBECTL) mk/scripts/k8s-status.sh $(NAMESPACE)

doctor: ## explain in plain sentences what is broken in NAMESPACE (and ask kubectl-ai: AI=auto|1|0)
	KUBECTL=$(KUBECTL) mk/scripts/doctor-collect.sh $(NAMESPACE) $(DOCTOR_DIR)
	mk/scripts/doctor-diagnose.sh $(DOCTOR_DIR)
	AI=$(AI) KUBECTL_AI_ARGS='$(KUBECTL_AI_ARGS)' mk/scripts/doctor-ai.sh $(DOCTOR_DIR)

# The same script as the Compose db-backup/db-restore, through `kubectl exec` (pg_dump of the
# database pod itself, so the client always matches the server). The chart's backup CronJob
# (backup.enabled) does this on a schedule into a PVC instead.
k8s-db-backup: ## dump the cluster's bundled PostgreSQL to build/backups/todo-<date>.dump (pg_dump through kubectl exec)
	@DB_EXEC='$(K8S_DB_EXEC)' DB_HINT='$(K8S_DB_HINT)' mk/scripts/stack-db.sh backup $(BACKUP_DIR)

k8s-db-restore: ## restore a dump into the cluster's bundled PostgreSQL (make k8s-db-restore FILE=build/backups/todo-....dump)
	@test -n "$(FILE)" || { echo "k8s-db-restore: say which dump, e.g. make k8s-db-restore FILE=$(BACKUP_DIR)/todo-20260101-120000.dump" >&2; exit 2; }
	@DB_EXEC='$(K8S_DB_EXEC)' DB_HINT='$(K8S_DB_HINT)' mk/scripts/stack-db.sh restore $(FILE)
