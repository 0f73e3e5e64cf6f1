# config: every knob a user can set (`make TARGET KNOB=value`), checked once here.

## Deployment environment: dev, staging or prod.
ENV ?= dev
## Kubernetes namespace and Helm release name.
NAMESPACE ?= todo
RELEASE ?= todo
## Local cluster flavour: auto (from the kubectl context), docker-desktop, minikube, kind, or containerd
## (a node you run yourself, kubeadm or k3s: images-load imports into its containerd).
CLUSTER ?= auto
## Image registry prefix (empty = images stay local to the Docker engine / cluster).
REGISTRY ?=

# VERSION comes from the VERSION file; TAG adds the commit and a -dirty mark.
VERSION ?= $(shell cat VERSION 2>/dev/null)
VERSION := $(VERSION)
GIT_SHA ?= $(shell git rev-parse --short=7 HEAD 2>/dev/null || echo nogit)
GIT_SHA := $(GIT_SHA)
GIT_DIRTY ?= $(shell git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo -dirty)
GIT_DIRTY := $(GIT_DIRTY)
TAG ?= $(VERSION)-$(GIT_SHA)$(GIT_DIRTY)
TAG := $(TAG)

BUILD ?= build
BIN ?= $(BUILD)/bin
PYTHON ?= python3
# The Python programs in tools/ (the chaos runner, the doctor) are packages: $(PY_TOOL) doctor DIR.
PY_TOOL = PYTHONPATH=tools $(PYTHON) -m
GO ?= go
SHELL := /bin/bash

# Shared by several mk/*.mk (each .mk names what it uses from here in its second line).
## The env file the targets read (env-check, secrets, the Secret of k8s-deploy/helm-install), and its schema.
ENV_FILE ?= .env
ENV_SCHEMA ?= env.schema.yaml
## The C compiler of the tools (mk/tools.mk); docker.mk runs them natively when it is there.
TOOLS_CC ?= cc
## The app images, by name; REGISTRY_PREFIX is REGISTRY with exactly one trailing `/` (or empty).
BACKEND_IMAGE ?= todo-backend
FRONTEND_IMAGE ?= todo-frontend
TOOLS_IMAGE ?= todo-tools
REGISTRY_PREFIX = $(if $(REGISTRY),$(patsubst %/,%,$(REGISTRY))/)
## Pinned helm, built once from the Go module proxy into TOOLS_CACHE (make deps-helm).
HELM_VERSION ?= v3.19.0
TOOLS_CACHE ?= $(HOME)/.cache/todo-tools
HELM ?= $(TOOLS_CACHE)/helm-$(HELM_VERSION)/helm
## Extra arguments for helm install/upgrade/diff/template (and lint's renderings), e.g.
## HELM_ARGS='--set externalDatabase.cidr=203.0.113.10/32' (ENV=prod: where the external database is).
HELM_ARGS ?=
KUBECTL ?= kubectl
CHART := helm/todo-app
## The docker command (make build, up, sbom, scan...).
DOCKER ?= docker
## Where db-backup and k8s-db-backup write dumps; the dump db-restore and k8s-db-restore read (FILE=...).
BACKUP_DIR ?= $(BUILD)/backups
FILE ?=
# The virtualenv of the cross-cutting tests under tests/ (made by deps-pytools, mk/pytools.mk).
PYTOOLS_VENV := $(BUILD)/venv-tools
PYTEST := $(PYTOOLS_VENV)/bin/pytest
HADOLINT := $(PYTOOLS_VENV)/bin/hadolint
# The backend's virtualenv (made by deps-backend, mk/backend.mk); the native stack runs in it.
BACKEND_VENV ?= $(BUILD)/venv-backend
# ruff with the repo's configuration (the backend's pinned one, from its venv) for the Python
# packages in tools/: $(PY_LINT) tools/chaos (chaos-native, soak-test; charts-test for the doctor).
PY_LINT = mk/scripts/py-lint.sh $(BACKEND_VENV) docker/backend/pyproject.toml
## After a deploy: 0 skips the waits that need real containers (migration Job completion, helm
## test, probe wait through a port-forward), for a control plane without a kubelet.
WAIT_HTTP ?= 1
## Local port `kubectl port-forward` uses for the readiness wait and the printed URL.
LOCAL_PORT ?= 8080
## Deadline of the readiness wait (probe wait).
WAIT_DEADLINE ?= 120s
WAIT_ENV = WAIT_HTTP=$(WAIT_HTTP) LOCAL_PORT=$(LOCAL_PORT) WAIT_DEADLINE=$(WAIT_DEADLINE) PROBE=$(BIN)/probe KUBECTL=$(KUBECTL)

ifeq ($(filter $(ENV),dev staging prod),)
$(error ENV='$(ENV)' is not a known environment; use ENV=dev, ENV=staging or ENV=prod)
endif
ifneq ($(words $(ENV)),1)
$(error ENV='$(ENV)' must be a single word: dev, staging or prod)
endif
ifeq ($(filter $(CLUSTER),auto docker-desktop minikube kind containerd),)
$(error CLUSTER='$(CLUSTER)' is not supported; use auto, docker-desktop, minikube, kind or containerd)
endif
ifeq ($(shell echo '$(VERSION)' | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$$' && echo ok),)
$(error VERSION='$(VERSION)' (from the VERSION file) is not a semantic version such as 1.2.3)
endif

# Filled in by each mk/*.mk; used by mk/test.mk.
TEST_SUITES :=
DEPS_TARGETS :=
APT_PACKAGES := make git bash coreutils

.PHONY: help version
help: ## list every target, grouped by concern
	@mk/scripts/help.sh $(MAKEFILE_LIST)

version: ## print VERSION and the image TAG every target uses
	@echo "VERSION=$(VERSION)"; echo "TAG=$(TAG)"
