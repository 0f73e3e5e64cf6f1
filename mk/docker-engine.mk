# docker-engine: a private Docker engine for the tests (Debian's dockerd, Compose v2 and buildx built from source, look-alike bases) and the docker-test suite.
# Uses from config.mk: BUILD, GO, PYTEST.

## Where the private engine keeps its socket, pid files, exec root, log and client config.
DOCKER_ENGINE_DIR ?= $(BUILD)/docker-engine
## Where the Compose/buildx builds (by version) and the look-alikes' root filesystem are cached.
DOCKER_ENGINE_CACHE ?= $(HOME)/.cache/todo-docker
## The engine's data root: images and build cache, kept between runs (one engine at a time uses it).
DOCKER_ENGINE_DATA ?= $(DOCKER_ENGINE_CACHE)/engine
## Pinned Docker Compose v2 and buildx (CLI plugins), and the BuildKit release whose Dockerfile frontend stands in for docker/dockerfile:1.7.
COMPOSE_VERSION ?= v2.40.3
BUILDX_VERSION ?= v0.29.1
BUILDKIT_FRONTEND_VERSION ?= v0.13.2
## The sandbox image a Kubernetes node runs (its look-alike is built with the bases; the real node uses it).
PAUSE_IMAGE ?= registry.k8s.io/pause:3.10.1
## pytest -k filter for docker-test (empty: every test).
DOCKER_TEST_K ?=

DOCKER_ENGINE_SOCK = $(abspath $(DOCKER_ENGINE_DIR))/docker.sock
DOCKER_ENGINE_CONFIG = $(abspath $(DOCKER_ENGINE_DIR))/config
# Only the harness's own commands get these: a user's engine and ~/.docker are never used.
DOCKER_ENGINE_ENV = DOCKER_HOST=unix://$(DOCKER_ENGINE_SOCK) DOCKER_CONFIG=$(DOCKER_ENGINE_CONFIG) DOCKER_CONTEXT=default
DOCKER_PLUGINS = $(DOCKER_ENGINE_CACHE)/compose-$(COMPOSE_VERSION)/docker-compose \
	$(DOCKER_ENGINE_CACHE)/buildx-$(BUILDX_VERSION)/docker-buildx

# Debian packages of the engine and the look-alike bases (the pause program is compiled with gcc).
DOCKER_ENGINE_APT := docker.io debootstrap iptables iproute2 curl gcc libc6-dev
APT_PACKAGES += $(DOCKER_ENGINE_APT)
DEPS_TARGETS += deps-docker-engine
TEST_SUITES += docker-test

.PHONY: deps-docker-engine docker-engine-up docker-engine-down docker-bases docker-test

deps-docker-engine: ## build the pinned Compose v2 and buildx plugins (once, cached) into the engine's private DOCKER_CONFIG
	@GO=$(GO) tests/docker/build-plugins.sh $(DOCKER_ENGINE_CACHE) $(COMPOSE_VERSION) $(BUILDX_VERSION) $(BUILDKIT_FRONTEND_VERSION)
	@mkdir -p $(DOCKER_ENGINE_CONFIG)/cli-plugins
	@ln -sf $(DOCKER_PLUGINS) $(DOCKER_ENGINE_CONFIG)/cli-plugins/

docker-engine-up: deps-docker-engine ## start the private test engine (its own data root, socket and config; never a user's engine)
	@tests/docker/engine.sh up $(DOCKER_ENGINE_DIR) $(DOCKER_ENGINE_DATA)

docker-engine-down: ## stop the private test engine; fails if a process, mount or network device of it is left
	@tests/docker/engine.sh down $(DOCKER_ENGINE_DIR)

docker-bases: docker-engine-up ## make the base images available in the test engine (look-alikes from Debian packages when absent and not pullable)
	@$(DOCKER_ENGINE_ENV) PAUSE_IMAGE=$(PAUSE_IMAGE) tests/docker/bases.sh $(DOCKER_ENGINE_CACHE) $(DOCKER_ENGINE_CACHE) $(BUILDKIT_FRONTEND_VERSION)

# The product's own targets (make build, up, smoke, down, db-backup, chaos-test, clean) run
# unchanged on the private engine; only builds get host networking (DOCKER_BUILD_FLAGS).
docker-test: deps-pytools deps-frontend deps-docker-engine deps-scan tools ## build the images and run the Compose stack on the private engine: sizes, SBOMs, up, smoke, e2e, /metrics, hardening, restarts, backup, chaos, clean
	@$(DOCKER_ENGINE_ENV) DOCKER_ENGINE_DIR=$(abspath $(DOCKER_ENGINE_DIR)) PYTEST=$(abspath $(PYTEST)) \
	  tests/docker/run.sh $(DOCKER_ENGINE_DIR) $(DOCKER_ENGINE_DATA) $(DOCKER_ENGINE_CACHE) \
	    $(DOCKER_ENGINE_CACHE) $(BUILDKIT_FRONTEND_VERSION) -- -p no:cacheprovider -v -s \
	    $(if $(DOCKER_TEST_K),-k '$(DOCKER_TEST_K)') \
	    tests/docker/test_images.py tests/docker/test_stack.py tests/docker/test_engine.py
