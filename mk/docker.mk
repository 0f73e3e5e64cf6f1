# compose: build the images and run the local stack with Docker Compose (make up, down, smoke, db-backup).
# Uses from config.mk: REGISTRY, REGISTRY_PREFIX, BACKEND_IMAGE, FRONTEND_IMAGE, TOOLS_IMAGE, TAG,
# VERSION, GIT_SHA, BIN, BUILD, TOOLS_CC, PYTEST, HADOLINT, BACKEND_VENV, FILE, BACKUP_DIR, DOCKER.

COMPOSE ?= $(DOCKER) compose
## Compose project name: containers, the network and the volume are named todo-*/todo_*.
COMPOSE_PROJECT ?= todo
## How long `make up` waits for the stack to answer.
UP_DEADLINE ?= 180s
## Service whose logs `make logs` shows (empty: all).
SERVICE ?=

# The value .env gives a key, exactly as Compose reads it (envcheck get: quotes, comments,
# ${VAR} resolved); empty when .env or the key is missing. Any other failure stops make. The
# targets that expand it list $(ENVCHECK_DEP) as a prerequisite, so envcheck is there first.
compose_dotenv = $(shell ENVCHECK='$(ENVCHECK)' mk/scripts/dotenv-get.sh .env $(1))$(if $(filter-out 0,$(.SHELLSTATUS)),$(error .env: cannot read $(1) (see above)))

FRONTEND_PORT ?= $(or $(call compose_dotenv,FRONTEND_PORT),3000)
BACKEND_PORT ?= $(or $(call compose_dotenv,BACKEND_PORT),8000)
POSTGRES_PORT ?= $(call compose_dotenv,POSTGRES_PORT)
# What `make up` tells the user to open.
OPEN_URL ?= http://localhost:$(FRONTEND_PORT)
API_URL ?= http://localhost:$(BACKEND_PORT)
## Database: local (the bundled postgres) or external (DATABASE_URL in .env, e.g. Neon). Default:
## external when .env's DATABASE_URL does not point at the bundled postgres.
COMPOSE_DATABASE_URL = $(call compose_dotenv,DATABASE_URL)
DB ?= $(if $(COMPOSE_DATABASE_URL),$(if $(or $(findstring @postgres:5432/,$(COMPOSE_DATABASE_URL)),$(findstring @postgres/,$(COMPOSE_DATABASE_URL))),local,external),local)

COMPOSE_FILES ?= docker-compose.yml $(if $(filter external,$(DB)),docker-compose.external-db.yml) \
	$(if $(and $(POSTGRES_PORT),$(filter local,$(DB))),docker-compose.db-port.yml)
COMPOSE_CMD = TAG=$(TAG) $(COMPOSE) -p $(COMPOSE_PROJECT) $(addprefix -f ,$(strip $(COMPOSE_FILES)))

# down/logs/ps/restart/db-*: Compose needs .env to read docker-compose.yml.
COMPOSE_NEED_ENV = @test -f .env || { echo "make: there is no .env here, so no stack was started with make up (run make up first)" >&2; exit 1; }

# OCI labels from git (https://github.com/opencontainers/image-spec/blob/main/annotations.md).
GIT_COMMIT_FULL = $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
GIT_SOURCE = $(shell git config --get remote.origin.url 2>/dev/null | sed -E 's#^git@([^:]+):#https://\1/#')
# The commit's date, not the build's: the same sources give the same image id, so a second
# `make up` with nothing changed recreates no container (SOURCE_DATE_EPOCH wins when set).
BUILD_DATE = $(shell if [ -n "$$SOURCE_DATE_EPOCH" ]; then date -u -d "@$$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ; \
	else TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || echo 1970-01-01T00:00:00Z; fi)
image_labels = --label org.opencontainers.image.title=$(1) \
	--label org.opencontainers.image.version=$(VERSION) \
	--label org.opencontainers.image.revision=$(GIT_COMMIT_FULL) \
	--label org.opencontainers.image.created=$(BUILD_DATE) \
	$(if $(GIT_SOURCE),--label org.opencontainers.image.source=$(GIT_SOURCE)) \
	--label com.todo-chatbot.project=$(COMPOSE_PROJECT)
## Extra flags for every `docker build`, e.g. --network=host (a build behind a proxy) or --progress=plain.
DOCKER_BUILD_FLAGS ?=
DOCKER_BUILD = DOCKER_BUILDKIT=1 $(DOCKER) build $(DOCKER_BUILD_FLAGS) --build-arg VERSION=$(VERSION) --build-arg GIT_SHA=$(GIT_SHA)

# The C tools: native (build/bin) when the host can build them, else the `tools` stage image.
# Override with TOOLS_MODE=native|container.
TOOLS_MODE ?= $(if $(or $(wildcard $(BIN)/envcheck),$(and $(shell command -v $(TOOLS_CC) 2>/dev/null),$(shell pkg-config --exists yaml-0.1 libcurl openssl 2>/dev/null && echo y))),native,container)
TOOLS_RUN = $(DOCKER) run --rm --user $(shell id -u):$(shell id -g) -v $(CURDIR):/work -w /work
ifeq ($(TOOLS_MODE),native)
ENVCHECK ?= $(BIN)/envcheck
SECRETGEN ?= $(BIN)/secretgen
PROBE ?= $(BIN)/probe
COMPOSE_TOOLS := $(BIN)/envcheck $(BIN)/secretgen $(BIN)/probe
ENVCHECK_DEP := $(BIN)/envcheck
## Where `make up` and `make smoke` reach the stack (the native stack: make smoke FRONTEND_URL=... BACKEND_URL=...).
FRONTEND_URL ?= $(OPEN_URL)
BACKEND_URL ?= $(API_URL)
else
ENVCHECK ?= $(TOOLS_RUN) --entrypoint envcheck $(TOOLS_IMAGE):$(TAG)
SECRETGEN ?= $(TOOLS_RUN) --entrypoint secretgen $(TOOLS_IMAGE):$(TAG)
# probe runs inside the stack's network: the same URLs on every OS (no host networking needed).
PROBE ?= $(DOCKER) run --rm --network $(COMPOSE_PROJECT)_default --entrypoint probe $(TOOLS_IMAGE):$(TAG)
COMPOSE_TOOLS := tools-image
ENVCHECK_DEP := tools-image
FRONTEND_URL ?= http://frontend:3000
BACKEND_URL ?= http://backend:8000
endif

ifneq ($(and $(filter push,$(MAKECMDGOALS)),$(if $(REGISTRY),,none)),)
$(error push: say where to, e.g. make push REGISTRY=ghcr.io/you)
endif
ifneq ($(filter up,$(MAKECMDGOALS)),)
UP_STARTED := $(shell date +%s)
endif

.PHONY: build push tools-image up down clean logs ps restart smoke db-backup db-restore \
	compose-preflight compose-env compose-ports

build: compose-preflight ## build the backend and frontend images (BuildKit), tagged TAG and VERSION (see make version)
	$(DOCKER_BUILD) -f docker/backend/Dockerfile $(call image_labels,$(BACKEND_IMAGE)) \
		-t $(BACKEND_IMAGE):$(TAG) -t $(BACKEND_IMAGE):$(VERSION) .
	$(DOCKER_BUILD) -f docker/frontend/Dockerfile $(call image_labels,$(FRONTEND_IMAGE)) \
		-t $(FRONTEND_IMAGE):$(TAG) -t $(FRONTEND_IMAGE):$(VERSION) docker/frontend

tools-image: compose-preflight ## build the image with envcheck, secretgen, kubelint, probe (for hosts without a C compiler)
	$(DOCKER_BUILD) -f docker/backend/Dockerfile --target tools $(call image_labels,$(TOOLS_IMAGE)) \
		-t $(TOOLS_IMAGE):$(TAG) .

push: build ## push both images to REGISTRY (make push REGISTRY=ghcr.io/you)
	@set -e; for ref in $(foreach i,$(BACKEND_IMAGE) $(FRONTEND_IMAGE),$(i):$(TAG) $(i):$(VERSION)); do \
		echo "$(DOCKER) push $(REGISTRY_PREFIX)$$ref"; \
		$(DOCKER) tag $$ref $(REGISTRY_PREFIX)$$ref; $(DOCKER) push $(REGISTRY_PREFIX)$$ref; done

compose-preflight:
	@DOCKER='$(DOCKER)' COMPOSE_PROJECT=$(COMPOSE_PROJECT) mk/scripts/docker-preflight.sh

# The host ports `make up` publishes are free (or held by this stack): read from .env once it exists.
compose-ports: compose-env
	@DOCKER='$(DOCKER)' COMPOSE_PROJECT=$(COMPOSE_PROJECT) mk/scripts/docker-preflight.sh \
		$(FRONTEND_PORT) $(BACKEND_PORT) $(if $(filter docker-compose.db-port.yml,$(COMPOSE_FILES)),$(POSTGRES_PORT))

# .env: created with generated secrets when missing, then validated (stops with the findings).
compose-env: $(COMPOSE_TOOLS)
	@ENVCHECK='$(ENVCHECK)' SECRETGEN='$(SECRETGEN)' mk/scripts/stack-env.sh .env

up: compose-preflight compose-ports build ## start the stack (creates .env if missing) and wait until it answers
	@echo '$(COMPOSE_CMD) up -d --no-build --remove-orphans'; failed=; \
	$(COMPOSE_CMD) up -d --no-build --remove-orphans || failed=--failed; \
	PROBE='$(PROBE)' COMPOSE='$(COMPOSE_CMD)' mk/scripts/stack-wait.sh $$failed --deadline $(UP_DEADLINE) \
		--started $(or $(UP_STARTED),0) --open $(OPEN_URL) --api $(API_URL) $(FRONTEND_URL)/api/healthz $(BACKEND_URL)/ready

down: compose-preflight $(ENVCHECK_DEP) ## stop the stack (the database volume is kept)
	$(COMPOSE_NEED_ENV)
	$(COMPOSE_CMD) down --remove-orphans

clean: compose-preflight ## delete this project's containers, volumes (the database!) and images; names each
	@DOCKER='$(DOCKER)' mk/scripts/docker-clean.sh $(COMPOSE_PROJECT) $(BACKEND_IMAGE) $(FRONTEND_IMAGE) $(TOOLS_IMAGE)

logs: $(ENVCHECK_DEP) ## follow the logs (make logs SERVICE=backend)
	$(COMPOSE_NEED_ENV)
	$(COMPOSE_CMD) logs --follow --tail 100 $(SERVICE)

ps: $(ENVCHECK_DEP) ## list the stack's containers and their health
	$(COMPOSE_NEED_ENV)
	$(COMPOSE_CMD) ps --all

restart: $(ENVCHECK_DEP) ## restart the running services (no rebuild)
	$(COMPOSE_NEED_ENV)
	$(COMPOSE_CMD) restart $(SERVICE)

smoke: $(filter-out tools-image,$(COMPOSE_TOOLS)) ## use the running stack as a user would: page, register, login, task, chat
	@PROBE='$(PROBE)' mk/scripts/stack-smoke.sh $(FRONTEND_URL) $(BACKEND_URL)

# pg_dump/pg_restore run inside the database container; DB_EXEC says how to get there
# (the k8s targets set it to `kubectl exec -i ... --`).
DB_EXEC ?= $(COMPOSE_CMD) exec -T postgres
# With an external database there is no postgres container to go through.
DB_EXTERNAL_GUARD = $(if $(and $(filter external,$(DB)),$(filter file,$(origin DB_EXEC))),@echo "make: DB is external (DATABASE_URL in .env is not the bundled postgres): back it up with your provider's tools or pg_dump \"\$$DATABASE_URL\"" >&2; exit 2)

db-backup: $(ENVCHECK_DEP) ## dump the database to build/backups/todo-<date>.dump (pg_dump, custom format)
	$(DB_EXTERNAL_GUARD)
	@DB_EXEC='$(DB_EXEC)' mk/scripts/stack-db.sh backup $(BACKUP_DIR)

db-restore: $(ENVCHECK_DEP) ## restore a dump made by db-backup (make db-restore FILE=build/backups/todo-....dump)
	$(DB_EXTERNAL_GUARD)
	@test -n "$(FILE)" || { echo "db-restore: say which dump, e.g. make db-restore FILE=$(BACKUP_DIR)/todo-20260101-120000.dump" >&2; exit 2; }
	@DB_EXEC='$(DB_EXEC)' mk/scripts/stack-db.sh restore $(FILE)

# Tests (no container engine here): the Compose file against the spec and the contract, the
# Make targets run against a recording docker, hadolint; then the containers' commands run
# natively + make smoke. ENVCHECK: the tests read .env files through `envcheck get`.
.PHONY: compose-test stack-test
compose-test: deps-pytools tools
	ENVCHECK=$(BIN)/envcheck HADOLINT=$(HADOLINT) $(PYTEST) -q -p no:cacheprovider tests/compose $(wildcard tests/make/test_docker*.py)

stack-test: deps-pytools deps-backend tools frontend-build
	ENVCHECK=$(BIN)/envcheck BACKEND_PYTHON=$(abspath $(BACKEND_VENV))/bin/python $(PYTEST) -q -p no:cacheprovider -s tests/stack

TEST_SUITES += compose-test stack-test
APT_PACKAGES += postgresql postgresql-client iproute2
