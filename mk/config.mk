# config: every knob a user can set (`make TARGET KNOB=value`), checked once here.

## Deployment environment: dev, staging or prod.
ENV ?= dev
## Kubernetes namespace and Helm release name.
NAMESPACE ?= todo
RELEASE ?= todo
## Local cluster flavour: auto (from the kubectl context), docker-desktop, minikube or kind.
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

ifeq ($(filter $(ENV),dev staging prod),)
$(error ENV='$(ENV)' is not a known environment; use ENV=dev, ENV=staging or ENV=prod)
endif
ifneq ($(words $(ENV)),1)
$(error ENV='$(ENV)' must be a single word: dev, staging or prod)
endif
ifeq ($(filter $(CLUSTER),auto docker-desktop minikube kind),)
$(error CLUSTER='$(CLUSTER)' is not supported; use auto, docker-desktop, minikube or kind)
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
