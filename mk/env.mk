# env: the .env file: validate it (envcheck) and fill its secrets (secretgen).
# Uses from config.mk: BIN, BUILD, ENV_FILE, ENV_SCHEMA.

## The template `make secrets` creates ENV_FILE from.
ENV_TEMPLATE ?= .env.example
## Extra envcheck flags, e.g. ENVCHECK_FLAGS=--strict or ENVCHECK_FLAGS='--format json'.
ENVCHECK_FLAGS ?=
## Where the pinned dotenv-linter for `make bench-envcheck` is built (cargo install --root).
ENV_BENCH_TOOLS ?= $(BUILD)/bench-tools
DOTENV_LINTER_VERSION ?= 4.0.0

.PHONY: env-check secrets bench-envcheck deps-env-bench

env-check: $(BIN)/envcheck ## validate .env: Compose syntax, dotenv-linter checks, env.schema.yaml (says how to create it)
	@mk/scripts/env-check.sh $(BIN)/envcheck $(ENV_SCHEMA) $(ENV_FILE) $(ENVCHECK_FLAGS)

secrets: $(BIN)/secretgen ## create .env from .env.example if missing, give every empty or placeholder secret a random value (0600)
	$(BIN)/secretgen fill --schema $(ENV_SCHEMA) --template $(ENV_TEMPLATE) $(ENV_FILE)

deps-env-bench: $(ENV_BENCH_TOOLS)/.dotenv-linter-$(DOTENV_LINTER_VERSION)

# cargo (crates.io) builds the pinned dotenv-linter; only `make bench-envcheck` needs it.
$(ENV_BENCH_TOOLS)/.dotenv-linter-$(DOTENV_LINTER_VERSION):
	cargo install dotenv-linter --locked --version $(DOTENV_LINTER_VERSION) --root $(ENV_BENCH_TOOLS)
	@touch $@

bench-envcheck: $(BIN)/envcheck deps-env-bench ## bench: time envcheck against dotenv-linter on one generated 100,000-line .env (hyperfine)
	@bench/envcheck/run.sh $(BIN)/envcheck $(ENV_BENCH_TOOLS)/bin/dotenv-linter
