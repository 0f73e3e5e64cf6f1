# test: install what the targets need, then run every test suite with one summary.
# Uses from config.mk: TEST_SUITES, DEPS_TARGETS, APT_PACKAGES (each .mk adds to them).

.PHONY: deps deps-apt test test-list

# Suites run cheapest and most basic first; any suite not named here runs after these.
TEST_ORDER := tools-test tools-fuzz-smoke lint backend-test frontend-test compose-test \
	charts-test stack-test e2e security-test chaos-native soak-test docker-test cluster-test
TEST_RUN := $(filter $(TEST_SUITES),$(TEST_ORDER)) $(filter-out $(TEST_ORDER),$(TEST_SUITES))

deps: deps-apt $(DEPS_TARGETS) ## check and install every program and library the targets need

deps-apt:
	@mk/scripts/deps-apt.sh $(sort $(APT_PACKAGES))

test: deps ## run every test suite (C tools, backend, frontend, charts, stack, e2e) and print a summary
	@mk/scripts/run-suites.sh $(TEST_RUN)

test-list: ## list the suites `make test` runs, in order
	@printf '%s\n' $(TEST_RUN)
